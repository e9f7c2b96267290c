"""Continuous improvement: targets per indicator, the action plan, the comparison of two campaigns, their pages,
permissions and tenant isolation, the demo. Data is built through the real actions."""

from __future__ import annotations

import datetime
import math
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from scipy import stats as scipy_stats

from socle.audit.models import AuditEvent
from socle.collection import actions as collection_actions
from socle.collection.models import Campaign
from socle.frameworks.models import Framework, FrameworkVersion
from socle.improvement import actions, queries
from socle.improvement.documents import plan_of, published_plans
from socle.improvement.models import ActionStatus, PlannedAction, Target
from socle.lib.measurement.estimate import Estimate
from socle.network.actions import ActionError
from tests.conftest import login_as
from tests.factories import World
from tests.framework_docs import load, organisation_document, sector_document

pytestmark = pytest.mark.django_db

FRAMEWORK = "asso-a-mini"


@pytest.fixture
def version(world: World) -> FrameworkVersion:
    load(sector_document(), network=world.network)
    return load(organisation_document(world.org))


@pytest.fixture
def framework(version: FrameworkVersion) -> Framework:
    return version.framework


def _campaign(world: World, version: FrameworkVersion, name: str, starts: int) -> Campaign:
    today = datetime.date.today()
    return collection_actions.open_campaign(
        world.org,
        version,
        name=name,
        wave="entry",
        starts_on=today + datetime.timedelta(days=starts),
        ends_on=today + datetime.timedelta(days=starts + 400),
        establishments=[world.establishment],
        acting_user=None,
    )


def _answer(world: World, campaign: Campaign, yes: int, no: int) -> None:
    for index in range(yes + no):
        collection_actions.submit(
            campaign=campaign,
            establishment=world.establishment,
            questionnaire_code="entry",
            submission_uuid=uuid.uuid4(),
            answers={"droits": "oui" if index < yes else "non", "own_garden": "oui"},
            mode="self",
        )


def _target(world: World, framework: Framework, indicator: str = "i_rights", value: Any = 70, **kw: Any) -> Target:
    return actions.set_target(
        organisation=world.org,
        framework=framework,
        indicator=indicator,
        value=value,
        acting_user=world.users["org_admin"],
        **kw,
    )


def _action(world: World, framework: Framework, **kw: Any) -> PlannedAction:
    fields: dict[str, Any] = {
        "title": "Permanence droits",
        "outcomes": ["out_rights"],
        "indicators": ["i_rights"],
        "owner": world.users["org_staff"],
        "due_on": datetime.date.today() + datetime.timedelta(days=30),
    }
    fields.update(kw)
    return actions.create_action(
        organisation=world.org, framework=framework, acting_user=world.users["org_admin"], **fields
    )


def _url(name: str, world: World, *args: Any) -> str:
    return reverse(f"improvement:{name}", args=[world.org.slug, *args])


# --- actions ------------------------------------------------------------------------------------------------------


def test_setting_a_target_stores_it_with_one_audit_row(world: World, framework: Framework) -> None:
    target = _target(world, framework, value="72,5", due_on=datetime.date(2027, 6, 30), note="Projet associatif")
    assert target.value == Decimal("72.5")
    assert target.set_by == world.users["org_admin"]
    event = AuditEvent.objects.get(action="improvement.target_set")
    assert event.organisation == world.org
    assert event.target == str(target.public_id)
    assert event.data["indicator"] == "i_rights" and event.data["value"] == "72.5"


def test_setting_a_target_again_updates_the_same_row(world: World, framework: Framework) -> None:
    first = _target(world, framework, value=60)
    second = _target(world, framework, value=65)
    assert first.pk == second.pk
    assert Target.objects.get().value == 65
    assert AuditEvent.objects.filter(action="improvement.target_set").count() == 2
    assert AuditEvent.objects.filter(action="improvement.target_set").order_by("pk").last().data["previous"] == "60"  # type: ignore[union-attr]


def test_an_unknown_indicator_is_refused_with_a_message_and_nothing_is_written(
    world: World, framework: Framework
) -> None:
    with pytest.raises(ActionError, match="i_nope"):
        _target(world, framework, indicator="i_nope")
    assert not Target.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="improvement.").exists()


def test_a_share_cannot_have_a_target_above_its_scale(world: World, framework: Framework) -> None:
    with pytest.raises(ActionError, match="entre 0 et 100"):
        _target(world, framework, value=140)
    with pytest.raises(ActionError, match="doit être un nombre"):
        _target(world, framework, value="beaucoup")
    assert not Target.objects.exists()


def test_a_sector_or_another_organisations_framework_is_refused(world: World, version: FrameworkVersion) -> None:
    other = load(organisation_document(world.other_org))
    for framework in (other.framework, Framework.objects.get(slug="mini")):
        with pytest.raises(ActionError, match="l’un des référentiels de votre organisation"):
            _target(world, framework)
    assert not Target.objects.exists()


def test_a_target_reads_the_direction_of_its_indicator() -> None:
    estimate = Estimate(kind="proportion", value=40.0, n=50)
    assert queries.status_of(Decimal(50), estimate, higher_is_better=True) == queries.NOT_YET
    assert queries.status_of(Decimal(50), estimate, higher_is_better=False) == queries.REACHED
    assert queries.status_of(Decimal(40), estimate, higher_is_better=True) == queries.REACHED
    assert queries.status_of(Decimal(50), None, higher_is_better=True) == queries.NOT_MEASURED
    masked = Estimate(kind="proportion", value=None, n=3, masked=True)
    assert queries.status_of(Decimal(50), masked, higher_is_better=True) == queries.MASKED


def test_lower_is_better_when_the_definition_says_down(world: World) -> None:
    document = sector_document()
    document["indicators"][0]["direction"] = "down"
    load(document, network=world.network)
    version = load(organisation_document(world.org))
    plan = plan_of(version)
    assert plan.indicators["i_rights"].higher_is_better is False
    assert plan.indicators["own_garden"].higher_is_better is True  # no direction: higher is better


def test_an_action_links_outcomes_and_indicators_and_writes_one_audit_row(world: World, framework: Framework) -> None:
    action = _action(world, framework, outcomes=["out_rights", "own_out_garden"], indicators=["i_rights", "own_garden"])
    assert action.outcomes == ["out_rights", "own_out_garden"]  # a sector outcome and the organisation's own
    assert action.status == ActionStatus.PLANNED
    event = AuditEvent.objects.get(action="improvement.action_created")
    assert event.target == str(action.public_id)
    assert event.data["owner"] == str(world.users["org_staff"].public_id)  # type: ignore[union-attr]


def test_an_unknown_outcome_or_indicator_is_refused_and_nothing_is_written(world: World, framework: Framework) -> None:
    with pytest.raises(ActionError, match="out_nowhere"):
        _action(world, framework, outcomes=["out_nowhere"])
    with pytest.raises(ActionError, match="i_nope"):
        _action(world, framework, indicators=["i_nope"])
    with pytest.raises(ActionError, match="L’effet act_support"):
        _action(world, framework, outcomes=["act_support"])  # an activity is not an outcome
    assert not PlannedAction.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="improvement.").exists()


def test_another_organisations_user_cannot_own_an_action(world: World, framework: Framework) -> None:
    for outsider in ("other_org_admin", "facilitator", "network_admin"):
        with pytest.raises(ActionError, match="faire partie de l’équipe de votre organisation"):
            _action(world, framework, owner=world.users[outsider])
    assert not PlannedAction.objects.exists()


def test_changing_and_removing_an_action_are_audited(world: World, framework: Framework) -> None:
    action = _action(world, framework)
    actions.update_action(
        action, title="Permanence droits", status=ActionStatus.DONE, owner=None, acting_user=world.users["org_staff"]
    )
    event = AuditEvent.objects.get(action="improvement.action_updated")
    assert event.data["changed"]["status"] == ["planned", "done"]
    assert event.actor == world.users["org_staff"]
    actions.remove_action(action, acting_user=world.users["org_staff"])
    assert not PlannedAction.objects.exists()
    assert AuditEvent.objects.filter(action="improvement.action_removed").count() == 1


def test_the_report_reads_targets_and_the_plan_by_organisation(world: World, framework: Framework) -> None:
    _target(world, framework)
    later = _action(world, framework, title="B", due_on=datetime.date(2030, 1, 1))
    sooner = _action(world, framework, title="A", due_on=datetime.date(2029, 1, 1))
    undated = _action(world, framework, title="C", due_on=None)
    other = load(organisation_document(world.other_org))
    actions.set_target(
        organisation=world.other_org, framework=other.framework, indicator="i_rights", value=10, acting_user=None
    )
    assert list(queries.targets_of(world.org.pk, framework)) == ["i_rights"]
    assert queries.targets_of(world.org.pk, framework)["i_rights"].value == 70
    assert queries.action_plan_of(world.org.pk) == [sooner, later, undated]
    assert queries.action_plan_of(world.other_org.pk) == []


# --- pages --------------------------------------------------------------------------------------------------------


def test_staff_set_a_target_and_add_an_action_through_the_forms(as_role, world, framework) -> None:  # type: ignore[no-untyped-def]
    client = as_role("org_staff")
    response = client.post(
        _url("target_new", world),
        {"framework": FRAMEWORK, "indicator": "i_rights", "value": "75", "due_on": "2027-12-31", "note": ""},
    )
    assert response.status_code == 302
    assert Target.objects.get().value == 75
    response = client.post(
        _url("action_new", world),
        {
            "framework": FRAMEWORK,
            "title": "Permanence droits",
            "outcomes": ["out_rights"],
            "indicators": ["i_rights"],
            "owner": str(world.users["org_admin"].public_id),
            "due_on": "2027-03-01",
            "status": "in_progress",
        },
    )
    assert response.status_code == 302
    action = PlannedAction.objects.get()
    assert action.owner == world.users["org_admin"] and action.status == "in_progress"
    page = client.get(_url("overview", world))
    assert page.status_code == 200
    assert "Permanence droits" in page.content.decode()
    assert "Accès aux droits" in page.content.decode()


def test_form_errors_answer_422_with_a_clear_message(as_role, world, framework) -> None:  # type: ignore[no-untyped-def]
    client = as_role("org_admin")
    response = client.post(_url("target_new", world), {"framework": FRAMEWORK, "indicator": "i_rights", "value": "x"})
    assert response.status_code == 422
    assert "La cible doit être un nombre" in response.content.decode()
    response = client.post(_url("target_new", world), {"framework": FRAMEWORK, "indicator": "i_rights", "value": "150"})
    assert response.status_code == 422
    assert "100" in response.content.decode()
    response = client.post(_url("target_new", world), {"framework": FRAMEWORK, "indicator": "i_forged", "value": "5"})
    assert response.status_code == 422
    response = client.post(
        _url("action_new", world),
        {"framework": FRAMEWORK, "title": "", "outcomes": ["out_forged"], "status": "planned"},
    )
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.content.decode()
    response = client.post(
        _url("action_new", world),
        {
            "framework": FRAMEWORK,
            "title": "X",
            "owner": str(world.users["other_org_admin"].public_id),
            "status": "planned",
        },
    )
    assert response.status_code == 422  # a person outside the team is not a choice
    assert not Target.objects.exists() and not PlannedAction.objects.exists()


def test_a_target_and_an_action_are_changed_and_removed_through_the_pages(as_role, world, framework) -> None:  # type: ignore[no-untyped-def]
    target = _target(world, framework, value=60)
    action = _action(world, framework)
    client = as_role("org_staff")
    assert client.get(_url("target_edit", world, target.public_id)).status_code == 200
    response = client.post(_url("target_edit", world, target.public_id), {"value": "66", "note": "revu"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.value == 66 and target.indicator == "i_rights"
    assert client.get(_url("action_edit", world, action.public_id)).status_code == 200
    response = client.post(
        _url("action_edit", world, action.public_id), {"title": "Permanence droits", "status": "done", "owner": ""}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.owner is None
    assert client.post(_url("action_remove", world, action.public_id)).status_code == 302
    assert client.post(_url("target_remove", world, target.public_id)).status_code == 302
    assert not Target.objects.exists() and not PlannedAction.objects.exists()


def test_facilitators_read_staff_write_and_outsiders_see_nothing(world, framework, client) -> None:  # type: ignore[no-untyped-def]
    target = _target(world, framework)
    action = _action(world, framework)
    login_as(client, world.users["facilitator"])
    assert client.get(_url("overview", world)).status_code == 200
    assert "Remove" not in client.get(_url("overview", world)).content.decode()
    assert client.get(_url("compare", world)).status_code == 200
    assert client.get(_url("target_new", world)).status_code == 403
    assert client.post(_url("action_remove", world, action.public_id)).status_code == 403
    for outsider in ("network_admin", "network_analyst", "other_org_admin", "facilitator_without_consent"):
        login_as(client, world.users[outsider])
        assert client.get(_url("overview", world)).status_code == 404
        assert client.post(_url("target_remove", world, target.public_id)).status_code == 404
    assert Target.objects.exists() and PlannedAction.objects.exists()


def test_another_organisations_target_or_action_through_our_url_is_not_found(as_role, world, framework) -> None:  # type: ignore[no-untyped-def]
    other = load(organisation_document(world.other_org))
    theirs = actions.set_target(
        organisation=world.other_org, framework=other.framework, indicator="i_rights", value=10, acting_user=None
    )
    their_action = actions.create_action(
        organisation=world.other_org, framework=other.framework, title="Leur action", acting_user=None
    )
    client = as_role("org_admin")
    assert client.get(_url("target_edit", world, theirs.public_id)).status_code == 404
    assert client.post(_url("target_remove", world, theirs.public_id)).status_code == 404
    assert client.get(_url("action_edit", world, their_action.public_id)).status_code == 404
    assert client.post(_url("action_remove", world, their_action.public_id)).status_code == 404
    assert client.get(_url("target_new", world) + "?framework=asso-b-mini").status_code == 404
    assert Target.objects.filter(pk=theirs.pk).exists() and PlannedAction.objects.filter(pk=their_action.pk).exists()


def test_a_post_without_csrf_token_is_refused(world: World, framework: Framework) -> None:
    action = _action(world, framework)
    client = Client(enforce_csrf_checks=True)
    login_as(client, world.users["org_admin"])
    assert client.post(_url("action_remove", world, action.public_id)).status_code == 403
    assert client.post(_url("target_new", world), {"indicator": "i_rights", "value": "5"}).status_code == 403
    assert PlannedAction.objects.exists() and not Target.objects.exists()


def test_the_plan_filters_by_status_and_shows_overdue_actions(as_role, world, framework) -> None:  # type: ignore[no-untyped-def]
    _action(world, framework, title="En retard", due_on=datetime.date.today() - datetime.timedelta(days=3))
    _action(world, framework, title="Fini", due_on=datetime.date.today() - datetime.timedelta(days=3), status="done")
    client = as_role("org_staff")
    page = client.get(_url("overview", world)).content.decode()
    assert page.count('class="overdue"') == 1  # a done action is never overdue
    page = client.get(_url("overview", world) + "?status=done").content.decode()
    assert "Fini" in page and "En retard" not in page


# --- current values and the comparison ----------------------------------------------------------------------------


def test_the_overview_shows_the_current_value_from_the_latest_campaign(as_role, world, version) -> None:  # type: ignore[no-untyped-def]
    old = _campaign(world, version, "2025", -400)
    new = _campaign(world, version, "2026", -10)
    _answer(world, old, 5, 15)
    _answer(world, new, 16, 4)
    _target(world, version.framework, value=75)
    [row] = queries.target_rows(world.org.pk, plan_of(version))
    assert row.campaign == new and row.estimate is not None
    assert row.estimate.value == pytest.approx(80.0) and row.estimate.n == 20
    assert row.status == queries.REACHED
    page = as_role("org_admin").get(_url("overview", world)).content.decode()
    assert "80,0" in page and "2026" in page


def test_masked_values_stay_masked(as_role, world, version) -> None:  # type: ignore[no-untyped-def]
    campaign = _campaign(world, version, "Petite", -10)
    _answer(world, campaign, 3, 0)
    _target(world, version.framework, value=50)
    [row] = queries.target_rows(world.org.pk, plan_of(version))
    assert row.estimate is not None and row.estimate.masked and row.estimate.value is None
    assert row.status == queries.MASKED
    page = as_role("org_admin").get(_url("overview", world)).content.decode()
    assert "100,0" not in page


def test_the_overview_costs_a_fixed_number_of_queries(as_role, world, version) -> None:  # type: ignore[no-untyped-def]
    campaign = _campaign(world, version, "2026", -10)
    _answer(world, campaign, 8, 4)
    _target(world, version.framework, value=75)
    _target(world, version.framework, indicator="own_count", value=20)
    for index in range(5):
        _action(world, version.framework, title=f"Action {index}")
    client = as_role("org_admin")
    client.get(_url("overview", world))  # warms the compiled indicators' cache
    with CaptureQueriesContext(connection) as queries_run:
        assert client.get(_url("overview", world)).status_code == 200
    # session, user, two-step device, network role, organisation role; plans; action plan; campaigns; targets;
    # the campaigns' facts and their establishments (whatever the number of targets); the header's spaces
    assert len(queries_run) == 12, "\n".join(q["sql"] for q in queries_run)
    for index in range(5, 15):
        _action(world, version.framework, title=f"Action {index}")
    with CaptureQueriesContext(connection) as more:
        client.get(_url("overview", world))
    assert len(more) == len(queries_run)  # the plan's length does not add queries


def test_two_campaigns_are_compared_indicator_by_indicator(as_role, world, version) -> None:  # type: ignore[no-untyped-def]
    a = _campaign(world, version, "Entrées 2025", -400)
    b = _campaign(world, version, "Entrées 2026", -10)
    _answer(world, a, 20, 20)  # 50 %
    _answer(world, b, 30, 10)  # 75 %
    rows = {row.code: row for row in queries.comparison(world.org.pk, a, b)}
    assert set(rows) == {"i_rights", "i_esteem", "own_rights_full", "own_garden", "own_count"}
    rights = rows["i_rights"]
    assert rights.a is not None and rights.b is not None and rights.difference is not None
    assert rights.a.value == pytest.approx(50.0) and rights.b.value == pytest.approx(75.0)
    se = 100 * math.sqrt(0.5 * 0.5 / 40 + 0.75 * 0.25 / 40)
    z = scipy_stats.norm.ppf(0.975)
    assert rights.difference.value == pytest.approx(25.0, abs=1e-9)
    assert rights.difference.standard_error == pytest.approx(se, abs=1e-9)
    assert rights.difference.low == pytest.approx(25 - z * se, abs=1e-9)
    assert rights.difference.high == pytest.approx(25 + z * se, abs=1e-9)
    assert rights.real and rights.better
    assert rows["own_count"].difference is not None and rows["own_count"].difference.low is None  # counts: no interval
    assert not rows["own_count"].real
    assert rows["i_esteem"].difference is None  # no follow-up yet: no pairs
    page = as_role("org_staff").get(_url("compare", world) + f"?a={a.public_id}&b={b.public_id}").content.decode()
    assert "+25,0" in page
    assert rows["own_rights_full"].real and not rows["own_garden"].real  # 100 % in both: no change
    assert page.count("badge-ok") == 2  # the two clear changes are marked, nothing else


def test_a_small_difference_is_not_marked_and_masked_campaigns_show_no_difference(world, version) -> None:  # type: ignore[no-untyped-def]
    a = _campaign(world, version, "A", -400)
    b = _campaign(world, version, "B", -10)
    c = _campaign(world, version, "C", -5)
    _answer(world, a, 10, 10)
    _answer(world, b, 11, 9)
    _answer(world, c, 2, 1)
    rights = {row.code: row for row in queries.comparison(world.org.pk, a, b)}["i_rights"]
    assert rights.difference is not None and rights.difference.low < 0 < rights.difference.high  # type: ignore[operator]
    assert not rights.real and rights.better is None
    masked = {row.code: row for row in queries.comparison(world.org.pk, a, c)}["i_rights"]
    assert masked.masked and masked.difference is None and masked.b is not None and masked.b.value is None


def test_another_organisations_campaign_cannot_be_compared(as_role, world, version) -> None:  # type: ignore[no-untyped-def]
    ours = _campaign(world, version, "A", -10)
    other_version = load(organisation_document(world.other_org))
    theirs = collection_actions.open_campaign(
        world.other_org,
        other_version,
        name="Leur campagne",
        wave="entry",
        starts_on=datetime.date.today(),
        ends_on=datetime.date.today() + datetime.timedelta(days=10),
        establishments=[world.other_establishment],
        acting_user=None,
    )
    client = as_role("org_admin")
    assert client.get(_url("compare", world) + f"?a={ours.public_id}&b={theirs.public_id}").status_code == 404
    assert client.get(_url("compare", world) + f"?a={ours.public_id}&b=not-a-uuid").status_code == 404
    assert client.get(_url("compare", world) + f"?a={ours.public_id}&b={ours.public_id}").status_code == 200


def test_the_organisation_pages_link_to_continuous_improvement(as_role, world) -> None:  # type: ignore[no-untyped-def]
    page = as_role("org_staff").get(reverse("network:organisation_home", args=[world.org.slug])).content.decode()
    assert _url("overview", world) in page


def test_without_a_published_framework_the_page_says_what_to_do(as_role, world) -> None:  # type: ignore[no-untyped-def]
    response = as_role("org_admin").get(_url("overview", world))
    assert response.status_code == 200
    assert reverse("frameworks:organisation_frameworks", args=[world.org.slug]) in response.content.decode()


# --- demo ---------------------------------------------------------------------------------------------------------


def test_the_demo_sets_targets_and_a_plan_and_running_it_again_updates_the_same_rows(db: None) -> None:
    from socle.activity.demo import load_demo_activity
    from socle.collection.demo import load_demo_answers, load_demo_campaign
    from socle.frameworks.demo import load_demo_frameworks
    from socle.improvement.demo import load_demo_improvement
    from socle.network.demo import load_demo

    result = load_demo("demo-password-for-tests")
    load_demo_frameworks(result.network)
    campaign = load_demo_campaign(result.network)
    load_demo_answers(campaign)
    load_demo_activity(result.network)
    load_demo_improvement(result.network)
    targets = set(Target.objects.values_list("pk", "indicator"))
    plan = set(PlannedAction.objects.values_list("pk", "title", "status"))
    assert len(targets) == 3 and len(plan) == 4
    load_demo_improvement(result.network)
    assert set(Target.objects.values_list("pk", "indicator")) == targets
    assert set(PlannedAction.objects.values_list("pk", "title", "status")) == plan
    horizon = campaign.organisation
    rows = queries.target_rows(horizon.pk, published_plans(horizon)[0])
    assert any(row.estimate is not None and row.estimate.value is not None for row in rows)
