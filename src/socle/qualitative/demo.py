"""The demo's open answers: Horizon Solidaire's themes, some of its open answers coded with them, and one quote
approved. Safe to run again: existing themes are kept, answers that already have a theme are left alone, and a
quote is proposed only when there is none."""

from __future__ import annotations

from socle.collection.demo import DEMO_CAMPAIGN
from socle.collection.models import Campaign
from socle.lib.qualitative import fold
from socle.network.models import Membership, Network, Organisation, Role
from socle.qualitative import actions, queries
from socle.qualitative.access import codings_of, proposals_of, themes_of

DEMO_THEMES = [
    (
        "Logement",
        "Trouver ou garder un toit : hébergement, logement, conditions pour dormir.",
        ["logement", "dormir", "hotel", "squat", "voiture", "heberg", "canape", "toit"],
    ),
    ("Emploi et formation", "Travail, formation, reprise d'activité.", ["travail", "formation", "cariste", "emploi"]),
    ("Santé", "Soins, santé physique et psychique.", ["soigner", "dentiste", "psycholog", "dors plus"]),
    (
        "Droits et démarches",
        "Papiers, droits sociaux, banque.",
        ["papiers", "caf", "droits", "carte d", "rsa", "banque", "budget", "dettes"],
    ),
    (
        "Lien social et écoute",
        "Être écouté, ne pas être seul, participer.",
        ["ecoute", "seul", "groupe", "enfants", "sœur", "soeur"],
    ),
]


def load_demo_qualitative(network: Network) -> int:
    """Themes and codings for the demo; returns how many answers were coded now."""
    horizon = Organisation.objects.filter(network=network, slug="horizon-solidaire").first()
    campaign = Campaign.objects.filter(organisation=horizon, name=DEMO_CAMPAIGN).first()
    if horizon is None or campaign is None:
        return 0
    admin_role = Membership.objects.filter(organisation=horizon, role=Role.ORG_ADMIN).select_related("user").first()
    admin = admin_role.user if admin_role is not None else None
    existing = {t.name: t for t in themes_of(horizon.pk)}
    themes = []
    for name, description, keywords in DEMO_THEMES:
        theme = existing.get(name) or actions.create_theme(
            horizon, name=name, description=description, acting_user=admin
        )
        themes.append((theme, keywords))
    listing = queries.open_answers(horizon.pk, campaigns=[campaign], campaign=campaign, lang="fr")
    coded = 0
    already = set(codings_of(horizon.pk).values_list("submission_id", "question_code"))
    # every other answer is coded, so that "not coded yet" has something to show
    for number, answer in enumerate(reversed(listing.answers)):
        if number % 3 == 2 or (answer.root_id, answer.question_code) in already:
            continue
        text = fold(answer.text)
        chosen = [t.public_id for t, keywords in themes if any(fold(k) in text for k in keywords)]
        if chosen:
            actions.code_answer(
                horizon,
                submission_uuid=answer.submission_uuid,
                question_code=answer.question_code,
                theme_ids=chosen,
                acting_user=admin,
            )
            coded += 1
    if not proposals_of(horizon.pk).exists():
        consenting = sorted(
            (a for a in listing.answers if a.quote_consent),
            key=lambda a: (a.question_code != "attentes", a.received_at),
        )
        if consenting:
            proposal = actions.propose_quote(
                horizon,
                submission_uuid=consenting[0].submission_uuid,
                question_code=consenting[0].question_code,
                acting_user=admin,
            )
            actions.decide_quote(horizon, proposal_id=proposal.public_id, approve=True, acting_user=admin)
    return coded
