"""A property-based run against the OpenAPI description: no request makes the API answer 500.

Schemathesis reads `/api/v1/openapi.json` from Django's own WSGI application and, for every operation, generates
requests that fit the description (positive) and requests that do not (negative), sent in-process with a valid
API token (every scope), a signed-in session of the network admin and its CSRF token. Each request runs in a
savepoint that is rolled back, so every example starts from the same data. Two more runs aim deeper than random
identifiers reach: answers to the real questionnaire through a real collection link, and documents sent to a real
draft. Bounded (`EXAMPLES` per operation and mode) and derandomised, so that a run is the same every time.
"""

from __future__ import annotations

import copy
import datetime
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode

from socle.api import actions as api_actions
from socle.collection import actions
from socle.collection.models import Campaign
from socle.frameworks import actions as frameworks_actions
from socle.frameworks.models import FrameworkVersion
from tests.conftest import login_as
from tests.factories import World
from tests.framework_docs import load, organisation_document, sector_document

pytestmark = pytest.mark.django_db

EXAMPLES = 40
CSRF = "a" * 32  # a CSRF secret: the cookie and the header carry the same value
RUN = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@dataclass
class Target:
    app: Any
    schema: Any
    headers: dict[str, str]
    cookies: dict[str, str]
    campaign: Campaign
    link_code: str
    establishment_id: str
    submission_id: str


@pytest.fixture
def target(world: World) -> Target:
    sector = load(sector_document(), network=world.network)
    frameworks_actions.create_draft(sector.framework, acting_user=None)  # mini v2, a draft to PUT to
    version = load(organisation_document(world.org))
    campaign = actions.open_campaign(
        world.org,
        version,
        name="Entrées",
        wave="entry",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        establishments=[world.establishment],
        acting_user=None,
    )
    link = campaign.links.get()
    received = actions.submit(
        campaign=campaign,
        establishment=world.establishment,
        questionnaire_code="entry",
        submission_uuid=uuid.uuid4(),
        answers={"sexe": "f", "droits": "oui", "estime": "4", "urgences": 2, "own_garden": "oui"},
        mode="api",
        link=link,
    )
    _token, secret = api_actions.create_token(
        world.org, name="Fuzz", scopes=["submissions:read", "submissions:write", "results:read"], acting_user=None
    )
    session = login_as(Client(), world.users["network_admin"]).cookies["sessionid"].value
    app = get_wsgi_application()
    with _test_connection_kept():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return Target(
        app=app,
        schema=schema,
        headers={"Authorization": f"Bearer {secret}", "X-CSRFToken": CSRF},
        cookies={"sessionid": session, "csrftoken": CSRF},
        campaign=campaign,
        link_code=link.code,
        establishment_id=str(world.establishment.public_id),
        submission_id=str(received.submission.uuid),
    )


@contextmanager
def _test_connection_kept() -> Iterator[None]:
    """As Django's test client does: a request through the WSGI handler must not close the test's connection
    (and its transaction) when it starts or ends."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _send(target: Target, case: Any) -> Any:
    """Call the API with the case, in a savepoint rolled back afterwards; fail on any 5xx."""
    savepoint = transaction.savepoint()
    try:
        with _test_connection_kept():
            response = case.call(app=target.app, headers=target.headers, cookies=target.cookies)
    finally:
        transaction.savepoint_rollback(savepoint)
    case.validate_response(response, checks=[not_a_server_error], headers=target.headers)
    return response


OPERATIONS = [
    ("GET", "/api/v1/frameworks/{slug}/versions/{number}"),
    ("PUT", "/api/v1/frameworks/{slug}/versions/{number}"),
    ("POST", "/api/v1/frameworks/{slug}/versions"),
    ("POST", "/api/v1/submissions"),
    ("GET", "/api/v1/submissions"),
    ("GET", "/api/v1/submissions/export.csv"),
    ("GET", "/api/v1/submissions/export.xlsx"),
    ("GET", "/api/v1/submissions/{submission_id}"),
    ("GET", "/api/v1/results"),
    ("GET", "/api/v1/sector/{network}/publications"),
    ("GET", "/api/v1/sector/{network}/publications/{code}"),
]


def test_the_run_covers_every_operation_of_the_description(target: Target) -> None:
    described = {(op.ok().method.upper(), op.ok().path) for op in target.schema.get_all_operations()}
    assert described == set(OPERATIONS)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_request_makes_the_api_fail(target: Target, method: str, path: str, mode: GenerationMode) -> None:
    operation = target.schema[path][method]

    @RUN
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        _send(target, case)

    run()


# --- deeper: real identifiers ------------------------------------------------------------------------------------

NAMES = ["sexe", "droits", "estime", "urgences", "own_garden", "unknown"]
# Values that broke, or could break, a layer below the API: NUL (PostgreSQL refuses it in text), numbers out of
# range, impossible dates, lookalikes of choices.
TRICKY = [
    "f",
    "h",
    "a",
    "oui",
    "non",
    "dk",
    "1",
    "5",
    "2024-02-30",
    "1e999",
    "-0",
    " 3 ",
    "a\x00b",
    "\x00",
    "\u200b",
    "\ud800",
]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(TRICKY)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=2),
    max_leaves=4,
)


def test_answers_to_the_real_questionnaire_never_make_the_api_fail(target: Target) -> None:
    operation = target.schema["/api/v1/submissions"]["POST"]
    answers = st.dictionaries(st.sampled_from(NAMES + TRICKY) | st.text(max_size=8), VALUES, max_size=7)
    followup = {"followup_code": st.text(max_size=12) | st.sampled_from(["ABCD-EFGH-J", *TRICKY])}
    by_link = st.fixed_dictionaries(
        {
            "id": st.uuids().map(str),
            "link": st.just(target.link_code) | st.text(max_size=12) | st.sampled_from(TRICKY),
            "answers": answers,
        },
        optional=followup,
    )
    by_campaign = st.fixed_dictionaries(
        {
            "id": st.uuids().map(str),
            "campaign": st.just(str(target.campaign.public_id)) | st.uuids().map(str),
            "establishment": st.just(str(target.establishment_id)) | st.uuids().map(str),
            "questionnaire": st.sampled_from(["entry", "follow_up", *TRICKY]),
            "answers": answers,
        },
        optional=followup,
    )
    bodies = by_link | by_campaign

    @settings(RUN, max_examples=4 * EXAMPLES)
    @given(body=bodies)
    @example(body={"id": str(uuid.uuid4()), "link": "a\x00", "answers": {}})  # was a 500 on PostgreSQL
    @example(body={"id": str(uuid.uuid4()), "link": target.link_code, "answers": {"sexe": "\ud800"}})
    def run(body: dict[str, Any]) -> None:
        response = _send(target, operation.Case(body=body, media_type="application/json"))
        assert response.status_code in (200, 201, 400, 404, 409, 422), response.text

    run()


def _leaves(document: Any) -> list[tuple[str | int, ...]]:
    """The path of every value in a JSON document (containers and scalars), without recursion."""
    paths: list[tuple[str | int, ...]] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), document)]
    while stack:
        path, value = stack.pop()
        if path:
            paths.append(path)
        if isinstance(value, dict):
            stack.extend(((*path, key), inner) for key, inner in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, index), inner) for index, inner in enumerate(value))
    return sorted(paths, key=repr)


def _replaced(document: Any, changes: list[tuple[tuple[str | int, ...], Any]]) -> Any:
    edited = copy.deepcopy(document)
    for path, value in changes:
        parent = edited
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = value
    return edited


def test_documents_sent_to_a_real_draft_never_make_the_api_fail(target: Target) -> None:
    """The real draft's document with one to three values replaced (a title, a choice list, an expression…)."""
    operation = target.schema["/api/v1/frameworks/{slug}/versions/{number}"]["PUT"]
    document = FrameworkVersion.objects.get(framework__slug="mini", number=2).content
    paths = _leaves(document)

    def change(path: tuple[str | int, ...]) -> st.SearchStrategy[tuple[tuple[str | int, ...], Any]]:
        current = _replaced(document, [])
        for step in path:
            current = current[step]
        # Mostly a value of the same type (so that the rest of the document stays valid), sometimes anything.
        alike: st.SearchStrategy[Any] = VALUES
        if isinstance(current, str):
            alike = st.text(max_size=30) | st.sampled_from(TRICKY)
        elif isinstance(current, bool):
            alike = st.booleans()
        elif isinstance(current, int):
            alike = st.integers()
        return st.tuples(st.just(path), alike | alike | alike | VALUES)

    changes = st.lists(st.sampled_from(paths).flatmap(change), min_size=1, max_size=3)

    @settings(RUN, max_examples=4 * EXAMPLES)
    @given(changes=changes)
    @example(changes=[(("title", "fr"), "Mini \ud800")])  # was a 500: half a surrogate pair cannot be hashed
    @example(changes=[(("title", "fr"), "Mini \x00")])  # would be a 500 on PostgreSQL
    def run(changes: list[tuple[tuple[str | int, ...], Any]]) -> None:
        try:
            body = _replaced(document, changes)
        except (KeyError, IndexError, TypeError):  # an earlier change removed the place of a later one
            return
        case = operation.Case(path_parameters={"slug": "mini", "number": 2}, body=body, media_type="application/json")
        response = _send(target, case)
        assert response.status_code in (200, 400, 409, 422), response.text

    run()


def test_the_description_itself_is_public_json(target: Target) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert json.loads(response.content)["info"]["title"] == "Socle API"
