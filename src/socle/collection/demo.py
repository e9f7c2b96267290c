"""The demo's collection: the network's sector campaign "LCEP 2026 (démo)", and Horizon Solidaire's entry
campaign on its framework, open for a year, that joins it."""

from __future__ import annotations

import datetime
import json
import random
import uuid
import zlib

from django.utils import timezone

from socle.collection.actions import open_campaign, open_sector_campaign, questionnaire_of, submit
from socle.collection.models import Campaign, Mode, SectorCampaign
from socle.frameworks import presentation
from socle.frameworks.models import FrameworkVersion
from socle.lib.collection.answers import DONT_KNOW
from socle.network.access import establishments_of
from socle.network.models import Network, Organisation

DEMO_CAMPAIGN = "Entrées 2026 (démo)"
DEMO_SECTOR_CAMPAIGN = "LCEP 2026 (démo)"
DEMO_SECTOR_CAMPAIGN_CODE = "demo-2026"


def load_demo_sector_campaign(network: Network) -> SectorCampaign:
    """The network's sector campaign on the published LCEP version, open for a year around today."""
    existing = SectorCampaign.objects.filter(network=network, name=DEMO_SECTOR_CAMPAIGN).first()
    if existing is not None:
        if existing.code != DEMO_SECTOR_CAMPAIGN_CODE:  # a demo database made before sector campaigns had codes
            SectorCampaign.objects.filter(pk=existing.pk).update(code=DEMO_SECTOR_CAMPAIGN_CODE)
            existing.code = DEMO_SECTOR_CAMPAIGN_CODE
        return existing
    today = timezone.localdate()
    version = FrameworkVersion.objects.get(framework__slug="lcep", number=1)
    return open_sector_campaign(
        network,
        version,
        name=DEMO_SECTOR_CAMPAIGN,
        code=DEMO_SECTOR_CAMPAIGN_CODE,
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=365),
        acting_user=None,
    )


def load_demo_campaign(network: Network) -> Campaign:
    """Opened once; running the demo again finds it (and moves its dates so that it stays open)."""
    horizon = Organisation.objects.get(network=network, slug="horizon-solidaire")
    today = timezone.localdate()
    existing = Campaign.objects.filter(organisation=horizon, name=DEMO_CAMPAIGN).first()
    if existing is not None:
        if not existing.starts_on <= today <= existing.ends_on:
            Campaign.objects.filter(pk=existing.pk).update(
                starts_on=today - datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=335)
            )
            existing.refresh_from_db()
        return existing
    version = FrameworkVersion.objects.get(framework__slug="horizon-solidaire-lcep", number=1)
    sector_campaign = load_demo_sector_campaign(network)
    return open_campaign(
        horizon,
        version,
        name=DEMO_CAMPAIGN,
        wave="entry",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=335),
        establishments=establishments_of(horizon),
        acting_user=None,
        sector_campaign=sector_campaign,
    )


def invented_answers(version: FrameworkVersion, code: str, rng: random.Random) -> dict[str, object]:
    """Plausible answers to one questionnaire, made question by question so that skip logic is followed; answers
    that a check refuses (a constraint) are left out."""
    document = version.effective_content()
    spec = presentation.find(document.get("questionnaires", []), "code", code)
    if spec is None:
        raise KeyError(code)
    questionnaire, _audience = questionnaire_of(version, code)
    today = timezone.localdate()
    answers: dict[str, object] = {}
    for section in presentation.questionnaire_sections(document, spec, lang="fr", easy=False):
        for question in section.questions:
            if question.type == "note" or not questionnaire.relevant(answers)[question.name]:
                continue
            if question.dont_know and rng.random() < 0.05:
                answers[question.name] = DONT_KNOW
            elif question.choices:
                choice = rng.choice(question.choices).value
                answers[question.name] = [choice] if question.type == "multiple_choice" else choice
            elif question.type == "integer":
                answers[question.name] = rng.choice([0, 0, 1, 1, 2, 3, 5])
            elif question.type == "decimal":
                answers[question.name] = str(rng.choice([0, 1.5, 2, 4.5]))
            elif question.type == "date":
                answers[question.name] = (today - datetime.timedelta(days=rng.randrange(30, 700))).isoformat()
            elif question.type in ("text", "long_text") and rng.random() < 0.3:
                answers[question.name] = invented_text(question.name, rng.choice([0, 1, 2]), answers)
    for _ in range(3):
        errors = questionnaire.check(answers).errors
        if not errors:
            break
        for error in errors:
            answers.pop(error.question, None)
    return answers


DEMO_TEXTS = {
    "logement_avant_autre": [
        "Dans ma voiture, sur le parking d'un supermarché",
        "Chez ma sœur, sur le canapé, avec mes deux enfants",
        "À l'hôtel payé par le 115, une nuit sur deux",
        "Dans un squat avec d'autres personnes",
        "Chez un ami, mais il ne peut plus m'héberger",
    ],
    "attentes": [
        "Trouver un logement stable pour pouvoir récupérer mes enfants le week-end.",
        "Retrouver du travail, même à temps partiel. J'étais cariste avant.",
        "Me soigner : j'ai mal aux dents depuis des mois et je n'ose pas aller chez le dentiste.",
        "Qu'on m'aide avec les papiers de la CAF, je n'y comprends rien et mes droits sont coupés.",
        "Être écouté. Ici on me parle normalement, ça fait du bien.",
        "Avoir un endroit calme pour dormir, sans avoir peur qu'on me vole mes affaires.",
        "Apprendre à gérer mon budget pour ne plus avoir de dettes.",
        "Refaire ma carte d'identité, je l'ai perdue à la rue.",
        "Voir un psychologue, je ne dors plus depuis la séparation.",
        "Un logement, et reprendre une formation d'aide-soignante.",
        "Ne plus être seul le soir. Participer aux activités du groupe.",
        "Ouvrir un compte en banque et toucher enfin le RSA.",
    ],
}
DEMO_TEXTS_OTHER = ["Trouver un logement", "Retrouver du travail", "Me soigner"]


def invented_text(name: str, pick: int, answers: dict[str, object]) -> str:
    """An invented French open answer for the question `name`; `pick` is the demo's random draw, mixed with the
    answers so far so that the choice varies without drawing more random numbers (the rest of the demo's
    answers stay as they were)."""
    texts = DEMO_TEXTS.get(name, DEMO_TEXTS_OTHER)
    mixed = zlib.crc32(json.dumps(answers, sort_keys=True, default=str).encode()) + pick
    return texts[mixed % len(texts)]


def load_demo_answers(campaign: Campaign, people: int = 36, *, seed: int = 2026) -> int:
    """Answers from invented people to the campaign's questionnaires for people supported, once: the campaign page
    then has something to show. Returns how many were added."""
    if campaign.submissions.exists():
        return 0
    rng = random.Random(seed)
    links = [link for link in campaign.links.select_related("establishment") if link.questionnaire_code == "entry"]
    modes = [Mode.SELF, Mode.SELF, Mode.ASSISTED, Mode.PAPER]
    for number in range(people):
        link = links[number % len(links)] if number % 3 else links[0]
        submit(
            campaign=campaign,
            establishment=link.establishment,
            questionnaire_code=link.questionnaire_code,
            submission_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            answers=invented_answers(campaign.framework_version, link.questionnaire_code, rng),
            mode=rng.choice(modes),
            link=link,
            quote_consent=rng.choice([True, False, None]),
        )
    return people
