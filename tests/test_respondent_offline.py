"""The offline layer of the respondent form: the questionnaire for the browser, the JSON way in for the outbox, the
service worker, and the browser's expression evaluator against the server's."""

from __future__ import annotations

import datetime
import hashlib
import json
import shutil
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socle.collection import actions
from socle.collection.models import CollectionLink, Submission
from socle.frameworks.models import FrameworkVersion
from socle.lib.collection import followup
from socle.lib.frameworks import expressions
from tests import test_respondent_form as form_tests
from tests.conftest import login_as
from tests.factories import ROLES, World
from tests.test_respondent_form import ENTRY_ANSWERS, FOLLOW_UP_ANSWERS, STORED_ENTRY, _open

pytestmark = pytest.mark.django_db

# The form tests' module-wide world with LCEP and Horizon's framework loaded (made once per module).
world = form_tests.world
lcep = form_tests.lcep

STATIC = Path(__file__).resolve().parents[1] / "src/socle/collection/static/collection"
SCRIPT = STATIC / "respondent.js"


@pytest.fixture
def entry_url(world: World, lcep: FrameworkVersion) -> str:
    return _open(world, lcep)


def _code(url: str) -> str:
    return url.split("/")[2]


def _post(client: Client, url: str, body: Any, **headers: str) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(f"{url}submissions", data=data, content_type="application/json", headers=headers)


def _body(**extra: Any) -> dict[str, Any]:
    return {"uuid": str(uuid.uuid4()), "answers": dict(ENTRY_ANSWERS), "lang": "fr", **extra}


def _english(client: Client) -> Client:
    """Socle's own messages in English (the site's switch); the questionnaire's language is the body's `lang`."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- The questionnaire for the browser ---------------------------------------------------------------------------


def test_the_questionnaire_json_carries_what_the_server_shows_in_the_chosen_language(
    client: Client, entry_url: str
) -> None:
    response = client.get(f"{entry_url}questionnaire.json?lang=fr")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["lang"] == "fr" and data["ui"] == "fr" and data["easy"] is False and data["has_easy"] is True
    assert data["title"] == "Questionnaire d’entrée" and data["staff"] is False
    assert data["asks_code"] is False and data["issues_code"] is True
    assert data["urls"] == {
        "form": entry_url,
        "submit": f"{entry_url}submissions",
        "questionnaire": f"{entry_url}questionnaire.json",
    }
    labels = [s["label"] for s in data["sections"]]
    assert labels[:3] == ["Bienvenue", "Vous", "Sécurité"] and labels[-1] == "Horizon Solidaire"
    questions = {q["name"]: q for s in data["sections"] for q in s["questions"]}
    assert questions["sexe"]["req"] is True and questions["sexe"]["dk"] is True
    assert questions["sexe"]["m_req"] == "Choisissez une réponse, ou « Je ne sais pas / je ne veux pas répondre »."
    assert ["femme", "Femme", ""] in questions["sexe"]["choices"]
    # Relevance and constraints as trees parsed by the server, with the names they read.
    assert questions["logement_avant_autre"]["rel"] == {
        "t": ["cmp", "=", ["ref", "logement_avant"], ["str", "autre"]],
        "refs": ["logement_avant"],
    }
    constraint = questions["urgences_nb"]["con"]["t"]
    assert constraint == ["and", [["cmp", ">=", ["cur"], ["num", 0]], ["cmp", "<=", ["cur"], ["num", 100]]]]
    assert questions["urgences_nb"]["m_con"] == "Indiquez un nombre entre 0 et 100."
    assert questions["attentes"]["max"] == 20_000
    employment = next(s for s in data["sections"] if s["label"] == "Emploi et formation")
    assert employment["rel"]["refs"] == ["tranche_age"]
    assert [s["name"] for s in data["scores"]] == ["who5", "estime_soi"]
    assert data["pictures"]["face_1"].startswith('<svg class="pictogram"')
    assert data["t"]["next"] == "Suivant" and data["t"]["send"] == "Envoyer mes réponses"


def test_the_questionnaire_json_in_english_and_easy_read(client: Client, entry_url: str) -> None:
    data = client.get(f"{entry_url}questionnaire.json?lang=en&easy=1").json()
    assert data["lang"] == "en" and data["easy"] is True
    assert data["title"] == "Questions at the start of your support"  # easy_title
    assert data["t"]["next"] == "Next" and data["t"]["required"] == "required"
    assert data["sections"][1]["label"] == "Who are you?"  # easy_label
    questions = {q["name"]: q for s in data["sections"] for q in s["questions"]}
    assert questions["urgences_nb"]["m_con"] == "Enter a number between 0 and 100."
    assert client.get(f"{entry_url}questionnaire.json?lang=xx").json()["lang"] == "fr"


def test_the_questionnaire_json_offers_the_staff_modes_to_staff_only(
    client: Client, world: World, entry_url: str
) -> None:
    login_as(client, world.users["org_staff"])
    assert client.get(f"{entry_url}questionnaire.json").json()["staff"] is True
    client.logout()
    login_as(client, world.users["other_org_admin"])
    assert client.get(f"{entry_url}questionnaire.json").json()["staff"] is False


def test_the_questionnaire_json_of_an_unknown_or_closed_link_is_404(client: Client, entry_url: str) -> None:
    assert client.get("/r/nosuchcode/questionnaire.json").status_code == 404
    link = CollectionLink.objects.get(code=_code(entry_url))
    link.campaign.closed_at = timezone.now()
    link.campaign.save()
    assert client.get(f"{entry_url}questionnaire.json").status_code == 404


def test_the_respondent_page_loads_its_script_deferred_without_inline_code(client: Client, entry_url: str) -> None:
    html = client.get(entry_url).content.decode()
    assert '<script src="/static/collection/respondent.js" defer></script>' in html
    assert f'data-questionnaire="{entry_url}questionnaire.json"' in html and 'data-sw="/r/sw.js"' in html
    assert 'data-screen="start"' in html and 'data-lang="fr"' in html
    assert " onclick=" not in html and "<script>" not in html  # works under a strict Content-Security-Policy


# --- Receiving a finished form ---------------------------------------------------------------------------------


def test_a_finished_form_is_stored_once_and_a_resend_gets_the_same_answer(
    client: Client, world: World, entry_url: str
) -> None:
    body = _body(quote_consent=True)
    response = _post(client, entry_url, body)
    assert response.status_code == 201, response.content
    first = response.json()
    assert first["uuid"] == body["uuid"] and first["created"] is True
    code = first["followup_code"]
    assert len(code) == 11 and code.count("-") == 2
    stored = Submission.objects.get(uuid=body["uuid"])
    assert stored.answers == STORED_ENTRY and stored.mode == "self" and stored.entered_by is None
    assert stored.quote_consent is True and stored.link.code == _code(entry_url)
    assert followup.read(code).hashed(actions.followup_key(world.org)) == stored.followup_hash
    again = _post(client, entry_url, body)
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["followup_code"] == code  # the person gets the same code back
    assert Submission.objects.filter(uuid=body["uuid"]).count() == 1


def test_the_same_uuid_with_other_answers_is_a_conflict(client: Client, entry_url: str) -> None:
    body = _body(lang="en")
    assert _post(client, entry_url, body).status_code == 201
    response = _post(client, entry_url, {**body, "answers": {**ENTRY_ANSWERS, "securite": "3"}})
    assert response.status_code == 409
    assert response.json()["detail"] == "This submission was already received with other answers; nothing was changed."
    assert Submission.objects.get(uuid=body["uuid"]).answers["securite"] == "2"


def test_answers_that_do_not_fit_get_422_with_one_message_per_question_in_the_persons_language(
    client: Client, entry_url: str
) -> None:
    answers = {k: v for k, v in ENTRY_ANSWERS.items() if k != "tranche_age"}
    answers["urgences_nb"] = "500"
    response = _post(client, entry_url, _body(answers=answers))
    assert response.status_code == 422
    data = response.json()
    errors = {e["question"]: e for e in data["errors"]}
    assert set(errors) == {"tranche_age", "urgences_nb"}
    assert errors["urgences_nb"]["code"] == "constraint"
    assert errors["urgences_nb"]["message"] == "Indiquez un nombre entre 0 et 100."
    assert errors["tranche_age"]["code"] == "required" and errors["tranche_age"]["label"] == "Quel âge avez-vous ?"
    response = _post(client, entry_url, _body(answers=answers, lang="en"))
    assert response.json()["detail"] == "2 answers do not fit the questionnaire; nothing was stored."
    errors = {e["question"]: e for e in response.json()["errors"]}
    assert errors["urgences_nb"]["message"] == "Enter a number between 0 and 100."
    assert errors["tranche_age"]["message"] == "Choose an answer, or “I don't know / I prefer not to say”."
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ("{not json", 400, "not valid JSON"),
        ("[1, 2]", 400, "must be a JSON object"),
        ({"uuid": "nope", "answers": {}}, 400, "“uuid” must be the submission's UUID"),
        ({"uuid": str(uuid.UUID(int=1)), "answers": ["a"]}, 400, "“answers” must be a JSON object"),
        ({"uuid": str(uuid.UUID(int=1)), "answers": {f"q{i}": "1" for i in range(1001)}}, 400, "Too many answers"),
        ({"uuid": str(uuid.UUID(int=1)), "answers": {}, "mode": "api"}, 400, "“mode” must be"),
        ({"uuid": str(uuid.UUID(int=1)), "answers": {}, "quote_consent": "yes"}, 400, "“quote_consent”"),
        ({"uuid": str(uuid.UUID(int=1)), "answers": {}, "followup_code": "x" * 65}, 400, "“followup_code”"),
    ],
    ids=["not-json", "not-object", "bad-uuid", "answers-list", "too-many", "bad-mode", "bad-consent", "long-code"],
)
def test_a_malformed_body_gets_400_saying_what_is_wrong(
    client: Client, entry_url: str, body: Any, status: int, says: str
) -> None:
    response = _post(_english(client), entry_url, body)
    assert response.status_code == status
    assert says in response.json()["detail"]
    assert not Submission.objects.exists()


def test_a_body_too_large_gets_413_and_a_form_post_gets_415(client: Client, entry_url: str) -> None:
    big = json.dumps({"uuid": str(uuid.uuid4()), "answers": {"attentes": "x" * 1_000_001}})
    assert _post(client, entry_url, big).status_code == 413
    response = client.post(f"{entry_url}submissions", {"uuid": str(uuid.uuid4())})
    assert response.status_code == 415
    assert client.get(f"{entry_url}submissions").status_code == 405


def test_an_unknown_or_closed_link_gets_404(client: Client, entry_url: str) -> None:
    assert _post(client, "/r/nosuchcode/", _body()).status_code == 404
    link = CollectionLink.objects.get(code=_code(entry_url))
    link.campaign.closed_at = timezone.now()
    link.campaign.save()
    response = _post(client, entry_url, _body())
    assert response.status_code == 404 and response.json()["detail"]
    assert not Submission.objects.exists()


# --- Sessions, CSRF and staff modes ---------------------------------------------------------------------------


def test_a_public_submission_needs_no_csrf_token(entry_url: str) -> None:
    client = Client(enforce_csrf_checks=True)
    assert _post(client, entry_url, _body()).status_code == 201


def test_a_signed_in_session_must_send_its_csrf_token(world: World, entry_url: str) -> None:
    client = _english(login_as(Client(enforce_csrf_checks=True), world.users["org_staff"]))
    body = _body(mode="assisted")
    response = _post(client, entry_url, body)
    assert response.status_code == 403
    assert response.json()["detail"] == "Your session is signed in: send the CSRF token in the X-CSRFToken header."
    assert not Submission.objects.exists()
    client.get(f"{entry_url}questionnaire.json")  # sets the CSRF cookie, as the page does
    token = client.cookies["csrftoken"].value
    response = _post(client, entry_url, body, **{"X-CSRFToken": token})
    assert response.status_code == 201, response.content
    stored = Submission.objects.get(uuid=body["uuid"])
    assert stored.mode == "assisted" and stored.entered_by == world.users["org_staff"]


def test_a_paper_form_typed_by_an_admin_records_the_mode(client: Client, world: World, entry_url: str) -> None:
    login_as(client, world.users["org_admin"])
    body = _body(mode="paper")
    assert _post(client, entry_url, body).status_code == 201
    stored = Submission.objects.get(uuid=body["uuid"])
    assert stored.mode == "paper" and stored.entered_by == world.users["org_admin"]


@pytest.mark.parametrize("role", ["anonymous", "other_org_admin", "network_admin", "facilitator"])
def test_a_staff_mode_without_a_staff_session_of_the_organisation_is_refused(
    client: Client, world: World, entry_url: str, role: str
) -> None:
    login_as(client, world.users[role])
    response = _post(client, entry_url, _body(mode="assisted", lang="en"))
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Answers typed by staff are sent by a signed-in member of the organisation's staff."
    )
    assert not Submission.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", "org_admin", "org_staff", "other_org_admin", "facilitator"])
def test_anybody_with_the_link_may_send_answers_of_their_own(
    client: Client, world: World, entry_url: str, role: str
) -> None:
    login_as(client, world.users[role])
    body = _body()
    assert _post(client, entry_url, body).status_code == 201
    stored = Submission.objects.get(uuid=body["uuid"])
    assert stored.mode == "self" and stored.entered_by is None


def test_a_follow_up_form_checks_the_code_it_carries(client: Client, world: World, lcep: FrameworkVersion) -> None:
    url = _open(world, lcep, "follow_up", "follow_up")
    answers = {k: v for k, v in FOLLOW_UP_ANSWERS.items() if not k.startswith("own_")}  # Horizon asks them at entry
    good = followup.printable(followup.new_code())
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = _post(client, url, _body(answers=answers, followup_code=wrong, lang="en"))
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["question"] == "followup_code" and error["label"] == "Your follow-up code"
    assert error["message"] == "This code has a typing mistake. Check each character against your card."
    body = _body(answers=answers, followup_code=good.lower())
    response = _post(client, url, body)
    assert response.status_code == 201 and response.json()["followup_code"] == ""  # no new code at follow-up
    assert Submission.objects.get(uuid=body["uuid"]).followup_hash


# --- The service worker -----------------------------------------------------------------------------------------


def test_the_service_worker_is_served_for_the_scope_of_the_form_and_versioned_by_its_files(client: Client) -> None:
    response = client.get("/r/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache" and response["Service-Worker-Allowed"] == "/r/"
    text = response.content.decode()
    config = json.loads(text.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["static"] == ["/static/collection/respondent.js", "/static/collection/respondent.css"]
    digest = hashlib.sha256()
    for name in ("respondent.js", "respondent.css"):
        digest.update((STATIC / name).read_bytes())
    template = Path(__file__).resolve().parents[1] / "src/socle/collection/templates/collection/respondent/sw.js"
    digest.update(template.read_bytes())
    assert config["version"] == digest.hexdigest()[:16]
    assert '<section lang="fr">' in config["offline"] and "You are offline" in config["offline"]
    assert 'credentials, redirect: "error"' in text  # the clean start page is taken without cookies
    assert client.post("/r/sw.js").status_code == 405


# --- The browser's evaluator against the server's ----------------------------------------------------------------

PARITY_VALUES: dict[str, Any] = {
    "a": 3,
    "b": 4,
    "half": Decimal("2.5"),
    "m": ["a", "b"],
    "t": "héllo wörld",
    "d": datetime.date(2024, 3, 31),
    "dk": "dk",
    "num_text": "12",
    "empty": "",
}
PARITY_CASES: list[tuple[str, Any]] = [
    ("${a} + ${b} * 2", None),
    ("(${a} + ${b}) div 4", None),
    ("${a} div 0", None),
    ("-7 mod 3", None),
    ("7 mod -3", None),
    ("0.1 + 0.2 = 0.3", None),
    ("${half} * 2", None),
    ("${x} = ''", None),
    ("${x} != 'oui'", None),
    ("${x} + 1", None),
    ("${dk} + 1", None),
    ("${dk} = 'dk'", None),
    ("${empty} = ''", None),
    ("${num_text} = 12", None),
    ("'10' = 10.0", None),
    ("'abc' < 'abd'", None),
    ("selected(${m}, 'b')", None),
    ("selected(${m}, 'c')", None),
    ("selected(${t}, 'héllo wörld')", None),
    ("count-selected(${m})", None),
    ("count-selected(${x})", None),
    ("count-selected(${t})", None),
    ("${m} = 'a b'", None),
    ("string-length(${t})", None),
    ("string-length(${a} * 10)", None),
    ("if(${a} > 2, 'big', 'small')", None),
    ("coalesce(${x}, 'none')", None),
    ("coalesce(${a}, 'none')", None),
    ("number('12.5') * 2", None),
    ("number('douze')", None),
    ("int(-3.7)", None),
    ("int(3.7)", None),
    ("round(2.5)", None),
    ("round(-2.5)", None),
    ("round(1234, -2)", None),
    ("round(3.14159, 2)", None),
    ("round(1.005, 2)", None),
    ("min(1, ${a}, 3)", None),
    ("max(${a}, ${b})", None),
    ("sum(1, 2, ${x})", None),
    ("sum(${a}, ${b}, ${half})", None),
    ("${d} > '2024-01-01'", None),
    ("${d} = '2024-03-31'", None),
    ("'2024-02-30' < '2024-03-01'", None),
    ("${d} + 1", None),
    ("today() > '2000-01-01'", None),
    ("not(${x})", None),
    ("not(${dk})", None),
    ("${a} > 2 and ${b} < 4 or ${a} = 3", None),
    ("(${a} = 3) + (${b} = 4)", None),
    ("--${a}", None),
    ("-${t}", None),
    (". >= 0 and . <= 100", 50),
    (". >= 0 and . <= 100", 500),
    (". >= 0 and . <= 100", "dk"),
    ("not(selected(., 'aucune') and count-selected(.) > 1)", ["aucune", "cvs"]),
    ("not(selected(., 'aucune') and count-selected(.) > 1)", ["aucune"]),
    ("(${who5_1} + ${who5_2}) * 4", None),
]


def _as_json(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


HARNESS = """
const vm = require("vm");
const fs = require("fs");
const sandbox = { window: {}, document: { getElementById: () => null } };
vm.runInNewContext(fs.readFileSync(process.argv[1], "utf8"), sandbox);
const cases = JSON.parse(fs.readFileSync(0, "utf8"));
const out = cases.map(([tree, values, current]) => sandbox.window.SocleExpressions.evaluate(tree, values, current));
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js runs the browser's evaluator outside a browser")
def test_the_browsers_evaluator_agrees_with_the_servers() -> None:
    from socle.collection.views_offline import tree

    browser_values = {k: _as_json(v) for k, v in PARITY_VALUES.items()}
    cases, expected = [], []
    for text, current in PARITY_CASES:
        parsed = expressions.parse(text)
        expected.append(_as_json(expressions.evaluate(parsed, PARITY_VALUES, current=current)))
        cases.append([tree(parsed.tree), browser_values, current])
    result = subprocess.run(
        ["node", "-e", HARNESS, str(SCRIPT)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    got = json.loads(result.stdout)
    for (text, current), want, have in zip(PARITY_CASES, expected, got, strict=True):
        if isinstance(want, float) or isinstance(have, float):
            assert have == pytest.approx(want), (text, current)
        else:
            assert have == want, (text, current, want, have)


# --- Permissions: what tests/test_permissions.py's matrix will say ---------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_the_public_offline_routes(client: Client, world: World, entry_url: str, role: str) -> None:
    """The questionnaire JSON and the worker are public like the form (EVERYONE); the submissions endpoint takes
    JSON only, so the matrix's form post gets 415 for every role, and a JSON body in "self" mode gets 201."""
    login_as(client, world.users[role])
    code = _code(entry_url)
    assert client.get(reverse("collection:respond_questionnaire", kwargs={"code": code})).status_code == 200
    assert client.get(reverse("collection:respond_sw")).status_code == 200
    url = reverse("collection:respond_submit", kwargs={"code": code})
    assert client.post(url, {"action": "start"}).status_code == 415
    assert _post(client, entry_url, _body()).status_code == 201
