"""The respondent form at /r/<code>/: the LCEP entry questionnaire answered screen by screen, without JavaScript."""

from __future__ import annotations

import datetime
import gzip
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from socle.collection import actions
from socle.collection.models import CollectionLink, Submission
from socle.frameworks.actions import load_framework_text
from socle.frameworks.demo import horizon_document, lcep_text
from socle.frameworks.models import FrameworkVersion
from socle.lib.collection import followup
from socle.lib.frameworks.document import dump_yaml
from tests.conftest import login_as
from tests.factories import World, make_world

pytestmark = pytest.mark.django_db

CSS = Path(__file__).resolve().parents[1] / "src/socle/collection/static/collection/respondent.css"
SCRIPT = CSS.with_name("respondent.js")
DK_BOX = object()  # tick the "don't know" box of a question that is not a choice

ENTRY_ANSWERS: dict[str, Any] = {
    "sexe": "femme",
    "tranche_age": "a25_34",
    "date_arrivee": "2026-10-01",
    "logement_avant": "urgence",
    "securite": "2",
    "droits_ouverts": "en_partie",
    "demarches_autonomie": "3",
    "compte_bancaire": "oui",
    "depenses_essentielles": "parfois",
    "acces_soins": "difficile",
    "urgences_nb": "2",
    "situation_emploi": "recherche",
    "emploi_accompagnement": "oui",
    "personne_ressource": "oui",
    "es_qualites": "4",
    "es_capable": "4",
    "es_valeur": "5",
    "es_content": "3",
    "projets_avenir": "dk",
    "who5_1": "3",
    "who5_2": "3",
    "who5_3": "2",
    "who5_4": "4",
    "who5_5": "1",
    "attentes": "Trouver un logement.",
    "own_numerique": "non",
    "own_jardin": "oui",
}
STORED_ENTRY = {**ENTRY_ANSWERS, "urgences_nb": 2}


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The world of tests/factories.py, made once for this module inside a transaction rolled back at its end
    (each test runs in a savepoint of it): loading LCEP's YAML takes most of a second."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        with override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ):
            made = make_world()
    try:
        yield made
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def lcep(world: World, django_db_blocker: Any) -> FrameworkVersion:
    """LCEP v1 published, and Horizon's organisation framework on it (for the world's organisation)."""
    with django_db_blocker.unblock():
        load_framework_text(lcep_text(), filename="lcep.yaml", network=world.network, publish=True)
        own = dump_yaml(horizon_document(world.org))
        return load_framework_text(own, filename="horizon-lcep.yaml", publish=True).version


def _open(world: World, version: FrameworkVersion, wave: str = "entry", questionnaire: str = "entry") -> str:
    today = timezone.localdate()
    campaign = actions.open_campaign(
        world.org,
        version,
        name=f"Campagne {wave}",
        wave=wave,
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=30),
        establishments=[world.establishment],
        acting_user=None,
    )
    return f"/r/{campaign.links.get(questionnaire_code=questionnaire).code}/"


@pytest.fixture
def entry_url(world: World, lcep: FrameworkVersion) -> str:
    return _open(world, lcep)


def _html(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no field {name}"
    return found.group(1)


def _start(client: Client, url: str, **choices: str) -> str:
    response = client.post(url, {"action": "start", "lang": "fr", **choices})
    assert response.status_code == 302
    return _html(client, url)


def _answer(client: Client, url: str, html: str, answers: dict[str, Any], action: str = "next") -> Any:
    """Posts the section shown in `html` with the answers to the questions it shows."""
    data: dict[str, Any] = {
        "step": "section",
        "section": _field(html, "section"),
        "shown": _field(html, "shown"),
        "action": action,
    }
    for name in filter(None, data["shown"].split(",")):
        if answers.get(name) is DK_BOX:
            data[f"dk-{name}"] = "1"
        elif name in answers:
            data[f"a-{name}"] = answers[name]
    return client.post(url, data)


def _walk(
    client: Client, url: str, html: str, answers: dict[str, Any], pages: list[str] | None = None
) -> tuple[list[str], str]:
    """Answers every section up to the closing screen; returns the titles of the screens seen and that screen."""
    titles = []
    for _ in range(30):
        if 'name="step" value="closing"' in html:
            return titles, html
        titles.append(re.search(r"<h1[^>]*>(.*?)</h1>", html).group(1))
        if pages is not None:
            pages.append(html)
        response = _answer(client, url, html, answers)
        assert response.status_code == 302, response.content.decode()[:3000]
        html = _html(client, url)
    raise AssertionError("the questionnaire never ended")


def _send(client: Client, url: str, **extra: str) -> Any:
    return client.post(url, {"step": "closing", "action": "send", **extra})


# --- Access --------------------------------------------------------------------------------------------------------


def test_an_unknown_code_gives_404(client: Client, entry_url: str) -> None:
    assert client.get("/r/nosuchcode/").status_code == 404


def test_a_closed_campaign_gives_404(client: Client, world: World, entry_url: str) -> None:
    link = CollectionLink.objects.get(code=entry_url.split("/")[2])
    link.campaign.closed_at = timezone.now()
    link.campaign.save()
    assert client.get(entry_url).status_code == 404
    assert client.post(entry_url, {"action": "start"}).status_code == 404


def test_a_post_without_its_csrf_token_is_refused(entry_url: str) -> None:
    assert Client(enforce_csrf_checks=True).post(entry_url, {"action": "start"}).status_code == 403


# --- The start screen -----------------------------------------------------------------------------------------------


def test_the_start_screen_says_what_is_collected_who_sees_it_and_offers_language_and_easy_read(
    client: Client, entry_url: str
) -> None:
    html = _html(client, entry_url)
    assert '<html lang="fr">' in html and html.count("<h1") == 1 and "<main" in html
    assert "Questionnaire d’entrée" in html
    assert "Il est anonyme : votre nom n’est pas demandé." in html  # the questionnaire's own intro
    assert "Association A" in html  # who sees the answers
    assert 'lang="en">English</span>' in html and 'value="fr" checked' in html
    assert 'name="easy"' in html
    assert 'name="mode"' not in html  # the person answers alone
    assert "socle.css" not in html and "<nav" not in html  # no site header: the page stays small
    assert "no-store" in client.get(entry_url)["Cache-Control"]


def test_the_start_screen_shows_in_the_language_and_easy_read_chosen(client: Client, entry_url: str) -> None:
    response = client.post(entry_url, {"action": "show", "lang": "en", "easy": "1"})
    assert response.status_code == 302 and response["Location"] == f"{entry_url}?lang=en&easy=1"
    html = _html(client, response["Location"])
    assert '<html lang="en">' in html
    assert "Questions at the start of your support" in html  # easy_title
    assert "We do not ask your name." in html and "Show in this language" in html


# --- Completing the questionnaire ---------------------------------------------------------------------------------


def test_a_person_completes_the_entry_questionnaire_in_french_and_gets_a_follow_up_code(
    client: Client, entry_url: str, world: World
) -> None:
    html = _start(client, entry_url)
    assert "Bienvenue" in html and "Merci de prendre ce temps." in html
    titles, closing = _walk(client, entry_url, html, ENTRY_ANSWERS)
    assert titles == [
        "Bienvenue",
        "Vous",
        "Sécurité",
        "Droits, démarches et budget",
        "Santé",
        "Emploi et formation",
        "Emploi et formation",  # again: "looking for work" opened a question on the same screen
        "Liens avec les autres",
        "Vous et l’avenir",
        "Bien-être (indice OMS-5)",
        "Pour finir",
        "Horizon Solidaire",
    ]
    assert 'name="quote_consent"' in closing  # an open answer was written
    assert not Submission.objects.exists()  # nothing is stored before the final send
    response = _send(client, entry_url, quote_consent="yes")
    assert response.status_code == 302 and response["Location"] == entry_url
    stored = Submission.objects.get()
    assert stored.answers == STORED_ENTRY
    assert stored.mode == "self" and stored.entered_by is None and stored.quote_consent is True
    assert stored.link.code == entry_url.split("/")[2] and stored.wave == "entry"
    thanks = _html(client, entry_url)
    code = re.search(r'<p class="code">([0-9A-Z-]+)</p>', thanks).group(1)
    assert len(code) == 11 and code.count("-") == 2
    read = followup.read(code)
    assert read.hashed(actions.followup_key(world.org)) == stored.followup_hash


def test_the_english_questionnaire_shows_english_labels_and_interface(client: Client, entry_url: str) -> None:
    html = _start(client, entry_url, lang="en")
    assert '<html lang="en">' in html and "Welcome" in html and "Step 1 of" in html
    html = _html(client, entry_url) if _answer(client, entry_url, html, {}).status_code == 302 else ""
    assert "You are:" in html and "Woman" in html and "How old are you?" in html
    assert "(required)" in html and "I don&#x27;t know / I prefer not to say" in html
    assert "Je ne sais pas" not in html and "obligatoire" not in html
    assert ">Next<" in html and ">Previous<" in html
    titles, _closing = _walk(client, entry_url, html, ENTRY_ANSWERS)
    assert titles[0] == "About you" and "Rights, paperwork and money" in titles
    assert _send(client, entry_url).status_code == 302
    assert Submission.objects.get().answers == STORED_ENTRY
    assert "Thank you!" in _html(client, entry_url)


def test_easy_read_shows_the_easy_labels_in_french(client: Client, entry_url: str) -> None:
    html = _start(client, entry_url, easy="1")
    assert "Bonjour" in html and "Il n’y a pas de mauvaise réponse." in html
    titles, _closing = _walk(client, entry_url, html, ENTRY_ANSWERS)
    assert "Vos papiers, vos aides et votre argent" in titles
    assert _send(client, entry_url).status_code == 302
    assert Submission.objects.get().answers == STORED_ENTRY


def test_easy_read_section_has_the_easy_label_and_words_under_the_pictures(client: Client, entry_url: str) -> None:
    html = _start(client, entry_url, easy="1")
    for _ in range(2):  # Bonjour, Qui êtes-vous ?
        html = _html(client, entry_url) if _answer(client, entry_url, html, ENTRY_ANSWERS).status_code == 302 else ""
    assert "Vous sentir en sécurité" in html
    assert 'class="scale scale-3"' in html and html.count('<svg class="pictogram"') == 4  # 3 faces and "?"
    assert re.search(r'<svg class="pictogram".*?</svg><span>Un peu</span>', html)
    _answer(client, entry_url, html, ENTRY_ANSWERS)
    html = _html(client, entry_url)
    assert "Avez-vous toutes les aides auxquelles vous avez droit ?" in html
    assert "Par exemple : vos papiers, le RSA" in html  # easy hint


def test_a_language_socle_does_not_speak_shows_the_questionnaire_in_it_and_the_interface_in_french(
    client: Client, world: World, lcep: FrameworkVersion
) -> None:
    document = horizon_document(world.other_org)
    document["languages"] = ["fr", "en", "ar"]
    question = document["questionnaire_extensions"][0]["sections"][0]["questions"][0]
    question["label"]["ar"] = "هل تقوم بإجراءاتك عبر الإنترنت بنفسك؟"
    version = load_framework_text(dump_yaml(document), filename="asso-b.yaml", publish=True).version
    today = timezone.localdate()
    campaign = actions.open_campaign(
        world.other_org,
        version,
        name="Entrées",
        wave="entry",
        starts_on=today,
        ends_on=today,
        establishments=[world.other_establishment],
        acting_user=None,
    )
    url = f"/r/{campaign.links.get(questionnaire_code='entry').code}/"
    assert 'lang="ar">العربية</span>' in _html(client, url)
    html = _start(client, url, lang="ar")
    assert '<html lang="ar" dir="rtl">' in html and '<div class="buttons" lang="fr">' in html
    pages: list[str] = []
    _walk(client, url, html, ENTRY_ANSWERS, pages)
    assert "هل تقوم بإجراءاتك عبر الإنترنت بنفسك؟" in pages[-1]
    assert _send(client, url).status_code == 302
    assert Submission.objects.get().organisation == world.other_org


# --- Checks on each screen ----------------------------------------------------------------------------------------


def test_a_missing_required_answer_gives_422_with_an_error_summary_and_an_inline_error(
    client: Client, entry_url: str
) -> None:
    html = _start(client, entry_url, lang="en")
    _answer(client, entry_url, html, {})
    html = _html(client, entry_url)  # "About you"
    response = _answer(client, entry_url, html, {"sexe": "femme"})
    assert response.status_code == 422
    page = response.content.decode()
    summary = re.search(r'<div class="error-summary" role="alert".*?</div>', page, re.S).group(0)
    assert "There is 1 problem to fix" in summary
    assert '<a href="#q-tranche_age-0">Question 2: Choose an answer, or “I don' in summary
    assert 'id="q-tranche_age-error"' in page and 'aria-describedby="q-tranche_age-error"' in page
    assert 'id="q-tranche_age-0" name="a-tranche_age" value="a18_24" required aria-invalid="true"' in page
    assert 'value="femme" checked' in page  # what was answered stays
    assert "<title>Error: About you" in page


def test_a_constraint_shows_the_questionnaires_own_message(client: Client, entry_url: str) -> None:
    html = _start(client, entry_url)
    for _ in range(4):  # Bienvenue, Vous, Sécurité, Droits
        _answer(client, entry_url, html, ENTRY_ANSWERS)
        html = _html(client, entry_url)
    assert 'inputmode="numeric"' in html and 'name="dk-urgences_nb"' in html
    response = _answer(client, entry_url, html, {**ENTRY_ANSWERS, "urgences_nb": "500"})
    assert response.status_code == 422
    assert "Indiquez un nombre entre 0 et 100." in response.content.decode()
    response = _answer(client, entry_url, html, {**ENTRY_ANSWERS, "urgences_nb": "deux"})
    assert response.status_code == 422 and 'value="deux"' in response.content.decode()
    assert _answer(client, entry_url, html, {**ENTRY_ANSWERS, "urgences_nb": DK_BOX}).status_code == 302


def test_a_date_typed_without_a_date_picker_is_read_as_day_month_year(client: Client, entry_url: str) -> None:
    html = _start(client, entry_url)
    _answer(client, entry_url, html, {})
    html = _html(client, entry_url)
    assert 'type="date"' in html
    assert _answer(client, entry_url, html, {**ENTRY_ANSWERS, "date_arrivee": "1/10/2026"}).status_code == 302
    _walk(client, entry_url, _html(client, entry_url), ENTRY_ANSWERS)
    _send(client, entry_url)
    assert Submission.objects.get().answers["date_arrivee"] == "2026-10-01"


def test_a_text_too_long_is_refused_and_not_kept_whole(client: Client, entry_url: str) -> None:
    _walk(client, entry_url, _start(client, entry_url), ENTRY_ANSWERS)
    client.post(entry_url, {"step": "closing", "action": "back"})
    _answer(client, entry_url, _html(client, entry_url), {}, action="back")  # back from Horizon's section
    html = _html(client, entry_url)
    assert 'maxlength="20000"' in html
    response = _answer(client, entry_url, html, {"attentes": "x" * 50_000})
    assert response.status_code == 422
    html = response.content.decode()
    assert "raccourcissez-la à 20" in html and "000 caractères ou moins" in html  # French, the default
    state = client.session[f"respond:{entry_url.split('/')[2]}"]
    assert len(state["answers"]["attentes"]) == 20_001


def test_a_section_whose_relevance_fails_is_not_shown(client: Client, entry_url: str) -> None:
    html = _start(client, entry_url)
    titles, _closing = _walk(client, entry_url, html, {**ENTRY_ANSWERS, "tranche_age": "a65_plus"})
    assert "Emploi et formation" not in titles
    assert _send(client, entry_url).status_code == 302
    stored = Submission.objects.get().answers
    assert stored["tranche_age"] == "a65_plus" and "situation_emploi" not in stored


def test_a_question_opened_by_an_answer_appears_on_the_same_screen(client: Client, entry_url: str) -> None:
    html = _start(client, entry_url)
    _answer(client, entry_url, html, {})
    html = _html(client, entry_url)
    assert "logement_avant_autre" not in html
    response = _answer(client, entry_url, html, {**ENTRY_ANSWERS, "logement_avant": "autre"})
    assert response.status_code == 302
    html = _html(client, entry_url)
    assert 'name="a-logement_avant_autre"' in html and 'role="status"' in html
    assert "<h1>Vous</h1>" in html and 'value="autre" checked' in html
    _answer(client, entry_url, html, {**ENTRY_ANSWERS, "logement_avant": "autre", "logement_avant_autre": "Camion"})
    assert "<h1>Sécurité</h1>" in _html(client, entry_url)


def test_going_back_keeps_the_answers_and_a_changed_answer_removes_what_it_no_longer_asks(
    client: Client, entry_url: str
) -> None:
    html = _start(client, entry_url)
    _answer(client, entry_url, html, {})
    html = _html(client, entry_url)
    answers = {**ENTRY_ANSWERS, "logement_avant": "autre", "logement_avant_autre": "Camion"}
    _answer(client, entry_url, html, answers)
    _answer(client, entry_url, _html(client, entry_url), answers)
    html = _html(client, entry_url)
    assert "<h1>Sécurité</h1>" in html
    assert _answer(client, entry_url, html, {"securite": "3"}, action="back").status_code == 302
    html = _html(client, entry_url)
    assert "<h1>Vous</h1>" in html and 'value="Camion"' in html and 'value="a25_34" checked' in html
    _answer(client, entry_url, html, ENTRY_ANSWERS)  # housing is no longer "other"
    html = _html(client, entry_url)
    assert "<h1>Sécurité</h1>" in html and 'value="3" checked' in html  # kept although posted with "Previous"
    _walk(client, entry_url, html, {**ENTRY_ANSWERS, "securite": "3"})
    _send(client, entry_url)
    stored = Submission.objects.get().answers
    assert "logement_avant_autre" not in stored and stored["securite"] == "3"


def test_previous_on_the_first_section_returns_to_the_start_screen_which_keeps_the_answers(
    client: Client, entry_url: str
) -> None:
    html = _start(client, entry_url)
    _answer(client, entry_url, html, {})
    _answer(client, entry_url, _html(client, entry_url), {"sexe": "homme"}, action="back")
    html = _html(client, entry_url)
    assert "<h1>Bienvenue</h1>" in html
    _answer(client, entry_url, html, {}, action="back")
    html = _html(client, entry_url)
    assert 'value="start">Continue' in html  # "Continuer" in French
    client.post(entry_url, {"action": "start", "lang": "en"})
    _answer(client, entry_url, _html(client, entry_url), {})
    assert 'value="homme" checked' in _html(client, entry_url)


# --- Sending ------------------------------------------------------------------------------------------------------


def test_a_double_post_of_the_final_step_stores_one_row(client: Client, entry_url: str) -> None:
    _walk(client, entry_url, _start(client, entry_url), ENTRY_ANSWERS)
    session = client.session
    before = dict(session)  # both posts read the session before either has answered
    assert _send(client, entry_url).status_code == 302
    first = Submission.objects.get()
    session = client.session
    session.update(before)
    session.save()
    assert _send(client, entry_url).status_code == 302  # the same submission id: a resend
    assert _send(client, entry_url).status_code == 302  # after the thanks screen: nothing to send
    assert Submission.objects.get().pk == first.pk
    assert '<p class="code">' in _html(client, entry_url)


def test_the_quote_question_is_not_asked_without_an_open_answer(client: Client, entry_url: str) -> None:
    answers = {k: v for k, v in ENTRY_ANSWERS.items() if k != "attentes"}
    _titles, closing = _walk(client, entry_url, _start(client, entry_url), answers)
    assert 'name="quote_consent"' not in closing
    _send(client, entry_url, quote_consent="yes")
    assert Submission.objects.get().quote_consent is None


def test_finish_clears_the_thanks_screen_for_the_next_person(client: Client, entry_url: str) -> None:
    _walk(client, entry_url, _start(client, entry_url), ENTRY_ANSWERS)
    _send(client, entry_url)
    code = re.search(r'<p class="code">([0-9A-Z-]+)</p>', _html(client, entry_url)).group(1)
    assert client.post(entry_url, {"action": "new"}).status_code == 302
    html = _html(client, entry_url)
    assert code not in html and 'value="start"' in html


# --- Follow-up -------------------------------------------------------------------------------------------------------


def _entry_code(client: Client, entry_url: str) -> str:
    _walk(client, entry_url, _start(client, entry_url), ENTRY_ANSWERS)
    _send(client, entry_url)
    return re.search(r'<p class="code">([0-9A-Z-]+)</p>', _html(client, entry_url)).group(1)


FOLLOW_UP_ANSWERS = {
    **{k: v for k, v in ENTRY_ANSWERS.items() if k not in ("date_arrivee", "logement_avant", "attentes")},
    "logement_actuel": "logement_adapte",
    "qualite_ecoute": "5",
    "qualite_respect": "5",
    "qualite_decisions": "4",
    "participation": ["cvs", "activite_collective"],
    "situation_evolution": "mieux",
}


def test_a_follow_up_campaign_asks_for_the_code_and_pairs_the_answers(
    client: Client, world: World, lcep: FrameworkVersion
) -> None:
    entry_url = _open(world, lcep)
    code = _entry_code(client, entry_url)
    url = _open(world, lcep, "follow_up", "follow_up")
    html = _start(client, url)
    assert 'name="followup_code"' in html
    assert 'autocomplete="off" inputmode="text" autocapitalize="characters"' in html
    assert client.post(url, {"step": "code", "action": "code", "followup_code": code.lower()}).status_code == 302
    titles, _closing = _walk(client, url, _html(client, url), FOLLOW_UP_ANSWERS)
    assert "Votre avis sur l’accompagnement" in titles
    _send(client, url)
    entry, later = Submission.objects.order_by("pk")
    assert later.wave == "follow_up" and later.followup_hash == entry.followup_hash
    assert later.answers["participation"] == ["cvs", "activite_collective"]
    assert 'class="code"' not in _html(client, url)  # no new code at follow-up


def test_a_mistyped_code_shows_what_to_check_and_lets_the_person_try_again(
    client: Client, world: World, lcep: FrameworkVersion
) -> None:
    url = _open(world, lcep, "follow_up", "follow_up")
    html = _start(client, url, lang="en")
    assert "Step 1 of" in html
    good = followup.printable(followup.new_code())
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client.post(url, {"step": "code", "action": "code", "followup_code": wrong})
    assert response.status_code == 422
    page = response.content.decode()
    assert "typing mistake" in page and 'aria-invalid="true"' in page and f'value="{wrong}"' in page
    response = client.post(url, {"step": "code", "action": "code", "followup_code": "AB"})
    assert "A follow-up code has 9 characters; you typed 2." in response.content.decode()
    assert client.post(url, {"step": "code", "action": "code", "followup_code": good}).status_code == 302
    assert "<h1>Welcome</h1>" in _html(client, url)


def test_without_a_code_the_follow_up_answers_are_stored_unpaired(
    client: Client, world: World, lcep: FrameworkVersion
) -> None:
    url = _open(world, lcep, "follow_up", "follow_up")
    _start(client, url)
    assert client.post(url, {"step": "code", "action": "nocode"}).status_code == 302
    _walk(client, url, _html(client, url), FOLLOW_UP_ANSWERS)
    _send(client, url)
    assert Submission.objects.get().followup_hash == ""


# --- Assisted entry -------------------------------------------------------------------------------------------------


def test_a_signed_in_staff_member_records_an_assisted_submission(client: Client, world: World, entry_url: str) -> None:
    login_as(client, world.users["org_staff"])
    html = _html(client, entry_url)
    assert 'name="mode" value="assisted" checked' in html and 'value="paper"' in html
    html = _start(client, entry_url)
    _walk(client, entry_url, html, ENTRY_ANSWERS)
    _send(client, entry_url)
    stored = Submission.objects.get()
    assert stored.mode == "assisted" and stored.entered_by == world.users["org_staff"]


def test_a_staff_member_may_type_a_paper_form(client: Client, world: World, entry_url: str) -> None:
    login_as(client, world.users["org_admin"])
    _walk(client, entry_url, _start(client, entry_url, mode="paper"), ENTRY_ANSWERS)
    _send(client, entry_url)
    stored = Submission.objects.get()
    assert stored.mode == "paper" and stored.entered_by == world.users["org_admin"]


def test_staff_of_another_organisation_answer_as_anybody_does(client: Client, world: World, entry_url: str) -> None:
    login_as(client, world.users["other_org_admin"])
    assert 'name="mode"' not in _html(client, entry_url)
    _walk(client, entry_url, _start(client, entry_url, mode="assisted"), ENTRY_ANSWERS)
    _send(client, entry_url)
    stored = Submission.objects.get()
    assert stored.mode == "self" and stored.entered_by is None


# --- Page weight ----------------------------------------------------------------------------------------------------


def test_the_respondent_page_weighs_less_than_30_kb_compressed_without_its_script_and_100_kb_with_it(
    client: Client, entry_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 4: at most 30 KB gzipped without the optional script, 100 KB with it. "With it" counts what a browser
    with scripts loads for the form: the page, the stylesheet, the script, the service worker and the
    questionnaire's JSON."""
    html = _start(client, entry_url)
    heaviest = 0
    for _ in range(9):  # up to the WHO-5 screen: 5 questions of 6 answers and "don't know"
        response = _answer(client, entry_url, html, ENTRY_ANSWERS)
        assert response.status_code == 302
        html = _html(client, entry_url)
        heaviest = max(heaviest, len(gzip.compress(html.encode())))
    css = len(gzip.compress(CSS.read_bytes()))
    script = len(gzip.compress(SCRIPT.read_bytes()))
    worker = len(gzip.compress(client.get("/r/sw.js").content))
    questionnaire = max(
        len(gzip.compress(client.get(f"{entry_url}questionnaire.json?lang={lang}&easy={easy}").content))
        for lang in ("fr", "en")
        for easy in ("0", "1")
    )
    without_script = heaviest + css
    with_script = without_script + script + worker + questionnaire
    with capsys.disabled():
        print(
            f"\nrespondent page weight (gzip): HTML {heaviest} B + CSS {css} B = {without_script} B without script;"
            f" + JS {script} B + service worker {worker} B + questionnaire JSON {questionnaire} B"
            f" = {with_script} B with it"
        )
    assert without_script <= 30_000
    assert with_script <= 100_000
