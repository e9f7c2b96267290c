"""Sector figures end to end (issue 6): a synthetic network's sector campaign consolidated from facts by a network
admin over HTTP, reviewed by a member's admin, published, frozen and versioned, shown to the public; the
benchmarks a member sees; avoided costs; and what never leaves the network."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from socle.collection import synthetic
from socle.collection.models import SectorCampaign
from socle.network.actions import ActionError
from socle.network.models import Organisation, Role
from socle.sector import actions, costs
from socle.sector.compute import BENCHMARK_MIN_ORGANISATIONS
from socle.sector.models import Consolidation, ConsolidationStatus, CostMapping, Publication, Review, UnitCost
from tests.conftest import login_as
from tests.factories import give_role, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


@pytest.fixture
def network() -> Any:
    """40 establishments, 60 % taking part, 30 people each at entry and 70 % of them at follow-up."""
    built = synthetic.build("sector-test", establishments=40, participating_share=0.6, people_per_establishment=30,
                            seed=11, year=2026)  # fmt: skip
    return built.network


def _admins(network: Any) -> tuple[Any, Any, Organisation]:
    admin = make_user("admin@sector.test", totp=True)
    give_role(admin, network, Role.NETWORK_ADMIN)
    campaign = SectorCampaign.objects.get(network=network)
    member = Organisation.objects.filter(campaigns__sector_campaign=campaign).order_by("-establishments__id").first()
    assert member is not None
    org_admin = make_user("org@sector.test")
    give_role(org_admin, network, Role.ORG_ADMIN, member)
    return admin, org_admin, member


def test_consolidate_review_publish_and_version(network: Any, client: Client) -> None:
    admin, org_admin, member = _admins(network)
    campaign = SectorCampaign.objects.get(network=network)
    login_as(client, admin)
    response = client.post(reverse("sector:consolidate", args=[network.slug, campaign.public_id]))
    consolidation = Consolidation.objects.get(sector_campaign=campaign)
    assert response.status_code == 302 and str(consolidation.public_id) in response["Location"]
    results = consolidation.results
    assert results["participants"]["organisations"] >= BENCHMARK_MIN_ORGANISATIONS
    codes = {i["code"] for i in results["indicators"]}
    assert {"i01_access_rights", "i10_wellbeing_who5"} <= codes
    rights = next(i for i in results["indicators"] if i["code"] == "i01_access_rights")
    entry = next(w for w in rights["waves"] if w["wave"] == "entry")["sector"]
    assert entry["status"] in ("ok", "E") and entry["low"] < entry["value"] < entry["high"]
    assert entry["unweighted"]["value"] is not None and entry["design_effect"] > 0

    page = client.get(reverse("sector:consolidation", args=[network.slug, consolidation.public_id]))
    assert page.status_code == 200
    assert "Access to rights" in page.content.decode() or "Accès aux droits" in page.content.decode()

    # Members see nothing of a draft
    login_as(client, org_admin)
    assert (
        client.get(reverse("sector:member_consolidation", args=[member.slug, consolidation.public_id])).status_code
        == 404
    )
    with pytest.raises(ActionError):
        actions.review(consolidation, member, decision="validated", comment="", named=True, acting_user=org_admin)
    with pytest.raises(ActionError):
        actions.publish(consolidation, acting_user=admin)

    login_as(client, admin)
    client.post(reverse("sector:consolidation", args=[network.slug, consolidation.public_id]),
                {"step": "open_review", "message": "Merci de relire"})  # fmt: skip
    consolidation.refresh_from_db()
    assert consolidation.status == ConsolidationStatus.REVIEW

    login_as(client, org_admin)
    url = reverse("sector:member_consolidation", args=[member.slug, consolidation.public_id])
    page = client.get(url)
    assert page.status_code == 200 and "Merci de relire" in page.content.decode()
    assert client.post(url, {"decision": "commented", "comment": ""}).status_code == 422  # a comment needs text
    assert client.post(url, {"decision": "validated", "comment": "", "named": "on"}).status_code == 302
    assert Review.objects.get(consolidation=consolidation, organisation=member).named

    login_as(client, admin)
    client.post(reverse("sector:consolidation", args=[network.slug, consolidation.public_id]), {"step": "publish"})
    publication = Publication.objects.get(consolidation=consolidation)
    assert publication.version == 1 and publication.named_organisations == [member.name]
    assert "benchmarks" not in publication.figures
    assert "organisation_ids" not in publication.figures["participants"]

    # Frozen: neither the model nor the database lets it change
    with pytest.raises(ValueError):
        publication.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Publication.objects.filter(pk=publication.pk).update(figures={"forged": True})

    # The public page, anonymous
    client.logout()
    public = client.get(reverse("sector:public_campaign", args=[network.slug, campaign.code]))
    assert public.status_code == 200
    body = public.content.decode()
    # French by default: « Non représentatif » or « Représentatif »
    assert member.name in body and "eprésentatif" in body

    # A second consolidation, published, is version 2; version 1 stays readable
    second = actions.consolidate(campaign, acting_user=admin)
    actions.publish(actions.open_review(second, message="", acting_user=admin), acting_user=admin)
    assert Publication.objects.get(consolidation=second).version == 2
    consolidation.refresh_from_db()
    assert consolidation.status == ConsolidationStatus.SUPERSEDED
    assert client.get(reverse("sector:public_version", args=[network.slug, campaign.code, 1])).status_code == 200
    assert client.get(reverse("sector:public_version", args=[network.slug, campaign.code, 3])).status_code == 404
    assert client.get(reverse("sector:public_campaign", args=[network.slug, "unknown"])).status_code == 404


def test_a_member_sees_its_value_beside_the_sector_quartiles_never_another_organisation(
    network: Any, client: Client
) -> None:
    admin, org_admin, member = _admins(network)
    campaign = SectorCampaign.objects.get(network=network)
    consolidation = actions.open_review(actions.consolidate(campaign, acting_user=admin), message="", acting_user=admin)
    login_as(client, org_admin)
    page = client.get(reverse("sector:member_consolidation", args=[member.slug, consolidation.public_id]))
    body = page.content.decode()
    benchmarks = page.context["benchmarks"]
    assert benchmarks, "quartiles with at least five organisations"
    for b in benchmarks:
        assert b.q1 <= b.median <= b.q3 and b.organisations >= BENCHMARK_MIN_ORGANISATIONS
    assert any(b.own is not None for b in benchmarks)
    others = Organisation.objects.filter(network=network).exclude(pk=member.pk).values_list("name", flat=True)
    assert not [name for name in others if name in body], "no other organisation is named"


def test_quartiles_are_withheld_with_too_few_organisations(network: Any) -> None:
    campaign = SectorCampaign.objects.get(network=network)
    keep = list(
        Organisation.objects.filter(campaigns__sector_campaign=campaign).distinct().values_list("pk", flat=True)
    )[: BENCHMARK_MIN_ORGANISATIONS - 1]
    campaign.member_campaigns.exclude(organisation_id__in=keep).update(sector_campaign=None)
    results = actions.consolidate(campaign, acting_user=None).results
    assert results["participants"]["organisations"] == len(keep)
    assert all(value is None for value in results["benchmarks"].values())


def test_avoided_costs_are_a_range_labelled_illustratif(network: Any) -> None:
    campaign = SectorCampaign.objects.get(network=network)
    assert costs.load_starting_costs(network, acting_user=None) >= 8
    assert costs.load_starting_costs(network, acting_user=None) == 0  # once
    actions.save_mapping(
        network,
        indicator="i04_no_emergency_visit",
        wave="follow_up",
        baseline_wave="entry",
        unit_cost=UnitCost.objects.get(network=network, code="emergency_visit"),
        quantity=Decimal(1),
        description="A visit avoided",
        scenarios=costs.DEFAULT_SCENARIOS,
        comparison_group=False,
        acting_user=None,
    )
    with pytest.raises(ActionError):  # the low scenario must be the cautious one
        bad = {**costs.DEFAULT_SCENARIOS, "low": {**costs.DEFAULT_SCENARIOS["low"], "deadweight": "0"}}
        actions.save_mapping(network, indicator="i04_no_emergency_visit", wave="follow_up",
                             unit_cost=UnitCost.objects.get(network=network, code="prison_day"), quantity=Decimal(1),
                             description="x", scenarios=bad, comparison_group=False, acting_user=None)  # fmt: skip
    assert CostMapping.objects.filter(network=network).count() == 1
    found = actions.consolidate(campaign, acting_user=None).results["avoided_costs"]
    assert found["label"] == "illustratif"
    total = found["total"]
    assert 0 <= total["low"] <= total["central"] <= total["high"]
    item = found["items"][0]
    assert (item["unit_cost"]["source"] and item["unit_cost"]["year"] == 2014) or item["unit_cost"]["year"]
    # the central outcome is the change of the share between entry and follow-up times the people covered
    rights = next(i for i in actions.consolidate(campaign, acting_user=None).results["indicators"]
                  if i["code"] == "i04_no_emergency_visit")  # fmt: skip
    by_wave = {w["wave"]: w["sector"]["value"] / 100 for w in rights["waves"]}
    people = actions.consolidate(campaign, acting_user=None).results["coverage"]["overall"]["people_covered"]
    expected = max(0.0, by_wave["follow_up"] - by_wave["entry"]) * people
    assert item["outcomes"]["central"] == pytest.approx(expected, abs=0.01)


def test_settings_change_the_representative_label(network: Any) -> None:
    campaign = SectorCampaign.objects.get(network=network)
    strict = actions.consolidate(campaign, acting_user=None).results["coverage"]
    assert strict["representative"] is False and strict["reasons"]
    actions.update_settings(network, min_establishments=1, min_people_share=Decimal(0), trim=Decimal("3.5"),
                            method="raking", acting_user=None)  # fmt: skip
    lenient = actions.consolidate(campaign, acting_user=None).results
    failing = {(r["type"], r["region"]) for r in lenient["coverage"]["reasons"]}
    assert len(failing) < len({(r["type"], r["region"]) for r in strict["reasons"]})
    # what still fails is a stratum with no participant at all
    assert all(s["participating"] == 0 for s in lenient["coverage"]["strata"] if (s["type"], s["region"]) in failing)
    assert lenient["rules"]["coverage"]["method"] == "raking"
    with pytest.raises(ActionError):
        actions.update_settings(network, min_establishments=3, min_people_share=Decimal(2), trim=Decimal("3.5"),
                                method="raking", acting_user=None)  # fmt: skip


def test_every_published_cell_follows_the_disclosure_rules(network: Any) -> None:
    campaign = SectorCampaign.objects.get(network=network)
    results = actions.consolidate(campaign, acting_user=None).results
    seen = 0
    for indicator in results["indicators"]:
        for wave in indicator["waves"]:
            for cell in [wave["sector"], *wave["by_region"], *wave["by_type"]]:
                seen += 1
                if cell["status"] == "x":
                    assert cell["value"] is None and cell["n"] is None and cell["establishments"] is None
                elif cell["status"] in ("ok", "E", "F"):
                    assert cell["n"] >= 11 and cell["establishments"] >= 3
                if cell["status"] == "F":
                    assert cell["value"] is None
    assert seen > 50
    assert any(c["status"] == "x" for i in results["indicators"] for w in i["waves"] for c in w["by_region"])


def test_member_indicators_feed_the_sector_one_they_map_to_only_when_defined_alike() -> None:
    from types import SimpleNamespace

    from socle.sector.inputs import _indicator_kinds, _routes
    from tests.framework_docs import organisation_document, sector_document

    sector = _indicator_kinds(sector_document())
    own = organisation_document(SimpleNamespace(slug="asso", name="Asso"))  # type: ignore[arg-type]
    own["indicators"][0]["factor"] = 100  # a percentage, as the sector's
    skipped: list[tuple[str, str, str]] = []
    routes = _routes(sector, SimpleNamespace(content=own), skipped)  # type: ignore[arg-type]
    assert {code: routes[code] for code in sector} == {code: code for code in sector}
    assert routes["own_rights_full"] == "i_rights" and "own_garden" not in routes and skipped == []
    del own["indicators"][0]["factor"]  # a share of 1 where the sector's is a percentage of 100: not the same
    skipped = []
    routes = _routes(sector, SimpleNamespace(content=own), skipped)  # type: ignore[arg-type]
    assert "own_rights_full" not in routes and skipped == [("own_rights_full", "i_rights", "definition")]
