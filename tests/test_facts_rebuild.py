"""The rebuild's shortcuts (socle.measurement.contributions): records remembered across framework versions of equal
content, never across versions that define an indicator otherwise; sums written straight to the JSON form."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

import pytest

from socle.collection import actions as collection_actions
from socle.collection.models import Campaign
from socle.frameworks.models import FrameworkVersion
from socle.lib.measurement.stats import (
    CountStats,
    EvolutionStats,
    MeanStats,
    ProportionStats,
    RatioStats,
    Stats,
)
from socle.measurement import actions
from socle.measurement.contributions import Reader, summed_dict
from socle.measurement.models import Fact
from tests.factories import World
from tests.framework_docs import load, organisation_document, sector_document

TODAY = datetime.date.today()


@pytest.mark.parametrize(
    "counted",
    [
        [(ProportionStats(n=1, numerator=1), 3), (ProportionStats(dont_know=1), 2), (ProportionStats(n=1), 5)],
        [(MeanStats(n=1, total=Decimal("2.5"), sum_squares=Decimal("6.25")), 3), (MeanStats(dont_know=1), 1)],
        [(MeanStats(n=1, total=Decimal("3.333"), sum_squares=Decimal("11.108889")), 7)],
        [(MeanStats(n=1, total=Decimal(4), sum_squares=Decimal(16)), 2)],
        [(CountStats(total=Decimal(1), n=1), 4), (CountStats(dont_know=1), 1)],
        [(RatioStats(numerator=Decimal("0.1"), denominator=Decimal(3), reports=1), 3)],
        [
            (
                EvolutionStats(pairs=1, sum_from=Decimal(2), sum_to=Decimal("3.5"), sum_squares_change=Decimal("2.25")),
                2,
            ),
            (EvolutionStats(from_only=1), 3),
            (EvolutionStats(pairs=1, sum_from=Decimal("-1.25"), sum_to=Decimal(0), improved=1), 1),
        ],
    ],
)
def test_summed_dict_is_the_sum_of_the_records_as_to_dict_writes_it(counted: list[tuple[Stats, int]]) -> None:
    total: Any = type(counted[0][0])()
    for record, count in counted:
        for _ in range(count):
            total = total + record
    assert summed_dict(counted) == total.to_dict()
    assert list(summed_dict(counted) or {}) == list(total.to_dict())  # the same keys, in the same order


def test_summed_dict_of_records_that_cancel_out_is_none() -> None:
    assert summed_dict([(ProportionStats(n=1, numerator=1), 1), (ProportionStats(n=-1, numerator=-1), 1)]) is None
    assert summed_dict([(MeanStats(n=1, total=Decimal("0.5")), 2), (MeanStats(n=-2, total=Decimal(-1)), 1)]) is None


def _campaign(world: World, organisation: Any, version: FrameworkVersion, establishment: Any) -> Campaign:
    return collection_actions.open_campaign(
        organisation,
        version,
        name=f"Entrée {organisation.slug}",
        wave="entry",
        starts_on=TODAY - datetime.timedelta(days=1),
        ends_on=TODAY + datetime.timedelta(days=10),
        establishments=[establishment],
        acting_user=None,
    )


@pytest.mark.django_db
def test_versions_that_define_an_indicator_otherwise_never_share_its_remembered_records(world: World) -> None:
    load(sector_document(), network=world.network)
    mine = load(organisation_document(world.org), publish=True)
    theirs_document = organisation_document(world.other_org)
    for indicator in theirs_document["indicators"]:
        if indicator["code"] == "own_garden":
            indicator["numerator"] = "${own_garden} = 'non'"  # the same code, defined otherwise
    theirs = load(theirs_document, publish=True)
    campaigns = [
        _campaign(world, world.org, mine, world.establishment),
        _campaign(world, world.other_org, theirs, world.other_establishment),
    ]
    for campaign in campaigns:
        for n in range(6):
            collection_actions.submit(
                campaign=campaign,
                establishment=campaign.links.first().establishment,
                questionnaire_code="entry",
                submission_uuid=uuid.uuid4(),
                answers={"sexe": "fh"[n % 2], "droits": "oui", "estime": "3", "own_garden": "oui" if n < 4 else "non"},
                mode="self",
            )
    reader = Reader(memo=True)
    plans = {
        version.pk: {plan.indicator.code: plan for plan in reader.version(version.pk).answer_plans("entry")}
        for version in (mine, theirs)
    }
    # the sector's indicators are the same in both versions: one memo for both; own_garden is not
    assert plans[mine.pk]["i_rights"].memo_id == plans[theirs.pk]["i_rights"].memo_id is not None
    assert plans[mine.pk]["own_garden"].memo_id != plans[theirs.pk]["own_garden"].memo_id

    incremental = {fact.key(): fact.stats for fact in Fact.objects.all()}
    actions.rebuild()  # both organisations with one reader: its memo sees both versions
    assert {fact.key(): fact.stats for fact in Fact.objects.all()} == incremental

    def garden(organisation: Any) -> Any:
        return Fact.objects.get(organisation=organisation, indicator="own_garden", breakdown="").stats

    assert garden(world.org)["numerator"] == 4
    assert garden(world.other_org)["numerator"] == 2
