"""The organisation's results (issue 5): the dashboard, an indicator's page, exports and the results report read
facts only, give the engine's estimates (checked here against statsmodels), hide small cells (with secondary
suppression in breakdowns), and cost a fixed number of queries whatever the data."""

from __future__ import annotations

import csv
import datetime
import io
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from statsmodels.stats.proportion import proportion_confint

from socle.collection import actions as collection_actions
from socle.collection.models import Campaign
from socle.frameworks.models import FrameworkVersion
from socle.measurement import dashboard as reads
from tests.factories import World, make_establishment
from tests.framework_docs import load, organisation_document, sector_document

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def version(world: World) -> FrameworkVersion:
    load(sector_document(), network=world.network)
    return load(organisation_document(world.org), publish=True)


def open_campaign(world: World, version: FrameworkVersion, *, wave: str = "entry", days_ago: int = 3,
                  establishments: Any = None, name: str | None = None) -> Campaign:  # fmt: skip
    return collection_actions.open_campaign(
        world.org,
        version,
        name=name or f"Campagne {wave} {Campaign.objects.count()}",
        wave=wave,
        starts_on=TODAY - datetime.timedelta(days=days_ago),
        ends_on=TODAY + datetime.timedelta(days=10),
        establishments=establishments or [world.establishment],
        acting_user=None,
    )


def answer(campaign: Campaign, answers: dict[str, object], establishment: Any = None, **extra: Any) -> Any:
    return collection_actions.submit(
        campaign=campaign,
        establishment=establishment or campaign.links.first().establishment,
        questionnaire_code="entry" if campaign.wave == "entry" else "follow_up",
        submission_uuid=uuid.uuid4(),
        answers=answers,
        mode="self",
        **extra,
    )


def people(campaign: Campaign, establishment: Any, yes: int, no: int, sex: str = "f") -> None:
    for i in range(yes + no):
        answer(campaign, {"sexe": sex, "droits": "oui" if i < yes else "non", "estime": "3"}, establishment)


def client_for(world: World, role: str = "org_admin") -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def url(world: World, path: str = "", **query: Any) -> str:
    tail = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/o/{world.org.slug}/results/{path}" + (f"?{tail}" if tail else "")


# --- Figures ------------------------------------------------------------------------------------------------------


def test_an_establishments_proportion_is_the_wilson_estimate_of_its_answers(world: World, version) -> None:
    campaign = open_campaign(world, version)
    people(campaign, world.establishment, yes=13, no=29)
    answer(campaign, {"sexe": "h", "droits": "dk"})
    board = reads.dashboard(world.org.pk, campaign, [campaign], establishment=world.establishment)
    rights = next(r for r in board.results if r.info.code == "i_rights")
    low, high = proportion_confint(13, 42, alpha=0.05, method="wilson")
    assert rights.estimate.n == 42 and rights.estimate.dont_know == 1
    assert rights.estimate.value == pytest.approx(100 * 13 / 42, abs=1e-9)
    assert rights.estimate.interval.low == pytest.approx(100 * low, abs=1e-9)
    assert rights.estimate.interval.high == pytest.approx(100 * high, abs=1e-9)
    assert rights.estimate.fragile is False


def test_the_organisations_figure_is_a_ratio_of_sums_with_establishments_as_clusters(world: World, version) -> None:
    second = make_establishment(world.network, world.org)
    third = make_establishment(world.network, world.org)
    campaign = open_campaign(world, version, establishments=[world.establishment, second, third])
    people(campaign, world.establishment, yes=30, no=10)
    people(campaign, second, yes=5, no=15)
    people(campaign, third, yes=9, no=1)
    board = reads.dashboard(world.org.pk, campaign, [campaign])
    estimate = next(r for r in board.results if r.info.code == "i_rights").estimate
    assert estimate.value == pytest.approx(100 * 44 / 70, abs=1e-9)  # not the mean of 75 %, 25 % and 90 %
    assert estimate.clusters == 3 and estimate.design_effect is not None and estimate.design_effect > 1
    wilson = proportion_confint(44, 70, method="wilson")
    assert estimate.interval.high - estimate.interval.low > 100 * (wilson[1] - wilson[0])  # clustering widens it


def test_fewer_than_five_answers_show_no_value_anywhere(world: World, version) -> None:
    campaign = open_campaign(world, version)
    people(campaign, world.establishment, yes=3, no=1)
    rights = next(r for r in reads.dashboard(world.org.pk, campaign, [campaign]).results if r.info.code == "i_rights")
    assert rights.estimate.masked and rights.estimate.value is None and rights.estimate.interval is None
    page = client_for(world).get(url(world, campaign=campaign.public_id))
    assert page.status_code == 200
    assert "75,0" not in page.content.decode() and "masqué : moins de 5 réponses" in page.content.decode()


def test_a_breakdown_hides_a_second_cell_so_that_the_small_one_cannot_be_worked_out(world: World, version) -> None:
    campaign = open_campaign(world, version)
    people(campaign, world.establishment, yes=6, no=4, sex="f")  # 10 women, 60 %
    people(campaign, world.establishment, yes=3, no=0, sex="h")  # 3 men: under 5
    people(campaign, world.establishment, yes=4, no=4, sex="a")  # 8 others, 50 %
    page = reads.indicator_page(world.org.pk, campaign, "i_rights", [campaign], [world.establishment])
    sex = next(t for t in page.breakdowns if t.key == "sex")
    by_value = {c.key: c for c in sex.cells}
    assert by_value["h"].estimate.value is None and not by_value["h"].masked_by_complement
    assert by_value["a"].estimate.value is None and by_value["a"].masked_by_complement  # the smallest other cell
    assert by_value["f"].estimate.value == pytest.approx(60.0)
    assert page.total.value == pytest.approx(100 * 13 / 21)
    html = client_for(world).get(url(world, "indicators/i_rights/", campaign=campaign.public_id)).content.decode()
    assert "50,0" not in html and "100,0" not in html  # neither hidden value is on the page
    assert "masqué pour qu’un petit groupe ne puisse pas être déduit" in html


def test_the_dashboard_shows_the_change_since_the_previous_campaign_and_the_indicator_its_trend(
    world: World, version
) -> None:
    before = open_campaign(world, version, days_ago=400, name="2025")
    people(before, world.establishment, yes=10, no=30)
    now = open_campaign(world, version, days_ago=3, name="2026")
    people(now, world.establishment, yes=20, no=20)
    board = reads.dashboard(world.org.pk, now, [before, now])
    rights = next(r for r in board.results if r.info.code == "i_rights")
    assert board.previous_campaign == before
    assert rights.change == pytest.approx(50.0 - 25.0)
    page = reads.indicator_page(world.org.pk, now, "i_rights", [before, now], [world.establishment])
    assert [(c.name, e.value) for c, e in page.trend] == [("2025", 25.0), ("2026", 50.0)]
    html = client_for(world).get(url(world, "indicators/i_rights/", campaign=now.public_id)).content.decode()
    assert 'alt="Courbe de l’indicateur' in html or "Courbe de l&#x27;indicateur" in html or "Courbe de l" in html


def test_entry_to_follow_up_pairs_show_the_share_who_improved(world: World, version) -> None:
    entry = open_campaign(world, version)
    follow = open_campaign(world, version, wave="follow_up", days_ago=1)
    for before, after in [("1", "3"), ("2", "4"), ("2", "2"), ("3", "5"), ("4", "3"), ("1", "2")]:
        received = answer(entry, {"sexe": "f", "droits": "oui", "estime": before})
        answer(follow, {"sexe": "f", "droits": "oui", "estime": after}, followup_code=received.followup_code)
    board = reads.dashboard(world.org.pk, entry, [entry, follow])
    esteem = next(r for r in board.evolutions if r.info.code == "i_esteem")
    assert esteem.estimate.n == 6
    assert board.follow_up_campaign == follow
    assert [info.code for info, _entry, _later in board.follow_up] == ["i_rights"]


# --- Pages --------------------------------------------------------------------------------------------------------


def test_the_dashboard_costs_the_same_queries_whatever_the_data(world: World, version) -> None:
    small = open_campaign(world, version)
    people(small, world.establishment, yes=3, no=3)
    client = client_for(world)
    client.get(url(world, campaign=small.public_id))  # warm caches (compiled indicators, charts)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url(world, campaign=small.public_id)).status_code == 200
    others = [make_establishment(world.network, world.org) for _ in range(4)]
    big = open_campaign(world, version, establishments=[world.establishment, *others], days_ago=1)
    for establishment in others:
        people(big, establishment, yes=7, no=5, sex="h")
    client.get(url(world, campaign=big.public_id))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(world, campaign=big.public_id)).status_code == 200
    # session, user, devices, roles (2), campaigns, establishments, targets, facts, links, activity facts, subnav
    assert len(many) == len(one) == 12, [q["sql"] for q in many.captured_queries]


def test_forged_or_foreign_ids_are_404(world: World, version) -> None:
    campaign = open_campaign(world, version)
    client = client_for(world)
    assert client.get(url(world, campaign="not-a-uuid")).status_code == 404
    assert client.get(url(world, campaign=uuid.uuid4())).status_code == 404
    assert client.get(url(world, establishment=world.other_establishment.public_id)).status_code == 404
    assert client.get(url(world, "indicators/nope/", campaign=campaign.public_id)).status_code == 404
    assert client.get(url(world, "indicators/i_housing/", campaign=campaign.public_id)).status_code == 404
    assert client.get(url(world, "export.pdf", campaign=campaign.public_id)).status_code == 404
    other = client_for(world, "other_org_admin")
    assert other.get(url(world, campaign=campaign.public_id)).status_code == 404


def test_an_organisation_without_campaign_gets_an_empty_dashboard_and_no_report(world: World, version) -> None:
    client = client_for(world, "org_staff")
    response = client.get(url(world))
    assert response.status_code == 200 and "Pas encore de campagne" in response.content.decode()
    assert client.get(url(world, "report/")).status_code == 404


def test_the_export_has_every_group_and_no_hidden_value(world: World, version) -> None:
    campaign = open_campaign(world, version)
    people(campaign, world.establishment, yes=6, no=4, sex="f")
    people(campaign, world.establishment, yes=3, no=0, sex="h")
    response = client_for(world).get(url(world, "export.csv", campaign=campaign.public_id))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    rights = [r for r in rows if r["indicator"] == "i_rights"]
    assert {(r["level"], r["group"]) for r in rights} >= {("organisation", ""), ("sex", "Femme"), ("sex", "Homme")}
    for row in rights:
        if row["level"] == "sex":
            assert row["status"] == "masked" and row["value"] == ""  # 3 men, and the women with them
    xlsx = client_for(world).get(url(world, "export.xlsx", campaign=campaign.public_id))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_results_report_renders_as_a_page_and_a_pdf(world: World, version) -> None:
    campaign = open_campaign(world, version)
    people(campaign, world.establishment, yes=20, no=15)
    client = client_for(world, "facilitator")
    page = client.get(url(world, "report/", campaign=campaign.public_id))
    assert page.status_code == 200 and "Méthode et limites" in page.content.decode()
    pdf = client.get(url(world, "report.pdf", campaign=campaign.public_id))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"


def test_the_export_reads_the_campaigns_facts_once_whatever_the_indicators(world: World, version) -> None:
    campaign = open_campaign(world, version)
    people(campaign, world.establishment, yes=6, no=6)
    client = client_for(world)
    client.get(url(world, "export.csv", campaign=campaign.public_id))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(world, "export.csv", campaign=campaign.public_id)).status_code == 200
    facts = [q for q in queries.captured_queries if "measurement_fact" in q["sql"]]
    # the dashboard's totals and activity facts, then every fact of the campaign once: not one query per indicator
    assert len(facts) == 3, [q["sql"] for q in facts]
