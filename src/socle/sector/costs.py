"""Avoided public costs for the sector and for an organisation (METHODS.md §5), from the network's unit costs and
mappings (``UnitCost``, ``CostMapping``) and the arithmetic of ``socle.lib.sector.avoided_costs``.

**Outcomes.** A mapping names a sector indicator counting people (a proportion) and a wave. The outcomes it
counts are that share — or, when the mapping names a baseline wave, the change of that share since the baseline
(the share of people with no emergency-department visit at follow-up minus at entry) — of the people supported in
a year by the establishments whose results are behind it: for the sector, the people the participating
establishments support (``coverage.overall.people_covered``); for an organisation, the people its participating
establishments support. The low, central and high outcomes are the ends of the figure's 95 % interval and its
value. A figure that is not published (status ``x`` or ``F``) gives no avoided cost.

**Euros of which year.** Unit costs are indexed by the INSEE consumer price index to the latest year the shipped
series holds (or the year asked, when it is there), and the result says which.

The result is always a range, labelled "illustratif" unless the mapping says that a comparison group exists.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from socle.audit.models import record
from socle.lib.sector import avoided_costs as lib
from socle.network.models import Network
from socle.sector.models import CostMapping, UnitCost

__all__ = [
    "DEFAULT_SCENARIOS",
    "lib_unit_cost",
    "load_starting_costs",
    "price_year",
    "range_json",
    "scenarios_of",
    "sector_avoided_costs",
]

ADJUSTMENTS: Final = ("deadweight", "attribution", "displacement", "drop_off", "discount_rate", "years")
# Cautious defaults a network starts from and adjusts per mapping: the low scenario assumes much would have
# happened anyway and fades fast; the high one still takes off a fifth for deadweight and for attribution.
DEFAULT_SCENARIOS: Final[dict[str, dict[str, Any]]] = {
    "low": {"deadweight": "0.5", "attribution": "0.5", "displacement": "0.2", "drop_off": "0.5",
            "discount_rate": "0.035", "years": 1},
    "central": {"deadweight": "0.3", "attribution": "0.3", "displacement": "0.1", "drop_off": "0.3",
                "discount_rate": "0.035", "years": 2},
    "high": {"deadweight": "0.2", "attribution": "0.2", "displacement": "0", "drop_off": "0.2",
             "discount_rate": "0.035", "years": 3},
}  # fmt: skip


def scenarios_of(data: Mapping[str, Any]) -> lib.Scenarios:
    """The scenarios of a mapping's JSON (ValueError naming the field when something is wrong)."""
    parts = {}
    for name in lib.SCENARIOS:
        given = data.get(name)
        if not isinstance(given, Mapping):
            raise ValueError(f"scenarios.{name}: missing")
        missing = [a for a in ADJUSTMENTS if a not in given]
        if missing:
            raise ValueError(f"scenarios.{name}: missing {', '.join(missing)}")
        parts[name] = lib.Adjustments(
            deadweight=Decimal(str(given["deadweight"])),
            attribution=Decimal(str(given["attribution"])),
            displacement=Decimal(str(given["displacement"])),
            drop_off=Decimal(str(given["drop_off"])),
            discount_rate=Decimal(str(given["discount_rate"])),
            years=int(given["years"]),
        )
    return lib.Scenarios(parts["low"], parts["central"], parts["high"])


def lib_unit_cost(cost: UnitCost) -> lib.UnitCost:
    return lib.UnitCost(
        code=cost.code,
        label=cost.label_fr,
        label_en=cost.label_en,
        value=cost.value,
        unit=cost.unit,
        year=cost.year,
        source=cost.source,
        verify=cost.verify,
        low=cost.low,
        high=cost.high,
        note=cost.note,
    )


def price_year(wanted: int | None = None) -> int:
    """The year whose euros results are given in: ``wanted`` (default: this year) if the price series holds it,
    else the series' latest year."""
    years = sorted(lib.consumer_prices())
    wanted = wanted or timezone.localdate().year
    earlier = [y for y in years if y <= wanted]
    return earlier[-1] if earlier else years[0]


def load_starting_costs(network: Network, *, acting_user: Any) -> int:
    """Adds the starting unit costs of METHODS.md §5 the network does not have yet (by code); returns how many."""
    with transaction.atomic():
        have = set(UnitCost.objects.filter(network=network).values_list("code", flat=True))
        new = [
            UnitCost(
                network=network,
                code=cost.code,
                label_fr=cost.label,
                label_en=cost.label_en,
                value=cost.value,
                low=cost.low,
                high=cost.high,
                unit=cost.unit,
                year=cost.year,
                source=cost.source,
                verify=cost.verify,
                note=cost.note,
                updated_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
            )
            for cost in lib.starting_unit_costs()
            if cost.code not in have
        ]
        UnitCost.objects.bulk_create(new)
        record("sector.unit_costs_loaded", actor=acting_user, network=network, target=network.slug, added=len(new))
    return len(new)


def _money(value: Decimal) -> float:
    return float(value)


def range_json(result: lib.CostRange, items: Sequence[dict[str, Any]], year: int) -> dict[str, Any]:
    return {
        "label": result.label,
        "year": year,
        "total": {"low": _money(result.low), "central": _money(result.central), "high": _money(result.high)},
        "items": list(items),
    }


def _item(
    mapping: CostMapping, cost: UnitCost, label: Any, outcomes: tuple[Decimal, Decimal, Decimal], found: lib.CostRange
) -> dict[str, Any]:
    return {
        "indicator": mapping.indicator,
        "wave": mapping.wave,
        "baseline_wave": mapping.baseline_wave,
        "label": label,
        "description": mapping.description,
        "quantity": float(mapping.quantity),
        "unit_cost": {
            "code": cost.code,
            "label": {"fr": cost.label_fr, "en": cost.label_en or cost.label_fr},
            "value": float(cost.value),
            "low": float(cost.low) if cost.low is not None else None,
            "high": float(cost.high) if cost.high is not None else None,
            "unit": cost.unit,
            "year": cost.year,
            "source": cost.source,
            "verify": cost.verify,
        },
        "outcomes": {"low": float(outcomes[0]), "central": float(outcomes[1]), "high": float(outcomes[2])},
        "scenarios": mapping.scenarios,
        "comparison_group": mapping.comparison_group,
        "low": _money(found.low),
        "central": _money(found.central),
        "high": _money(found.high),
        "label_result": found.label,
    }


def outcome_shares(
    mapping: CostMapping, shares: Mapping[tuple[str, str], tuple[float, float, float, Any]]
) -> tuple[float, float, float, Any] | None:
    """(low, central, high, label) of the share of people a mapping counts as outcomes: the indicator's share at the
    mapping's wave, or, with a baseline wave, its change since that wave — the difference of the two values, with
    the two intervals' half-widths added in quadrature (the two waves taken as independent samples: wider than a
    paired interval, so cautious). Negative shares count as none. None when a figure is missing."""
    found = shares.get((mapping.indicator, mapping.wave))
    if found is None:
        return None
    if not mapping.baseline_wave:
        return found
    base = shares.get((mapping.indicator, mapping.baseline_wave))
    if base is None:
        return None
    change = found[1] - base[1]
    spread = math.hypot(max(found[1] - found[0], found[2] - found[1]), max(base[1] - base[0], base[2] - base[1]))
    return (max(0.0, change - spread), max(0.0, change), max(0.0, change + spread), found[3])


def costs_for(
    shares: Mapping[tuple[str, str], tuple[float, float, float, Any]],
    people: int,
    mappings: Iterable[CostMapping],
    *,
    year: int | None = None,
) -> dict[str, Any] | None:
    """Avoided costs of the outcomes ``shares`` give: (indicator, wave) → (low, central, high share in [0, 1],
    indicator label), among ``people`` supported a year. None when no mapping applies."""
    year = price_year(year)
    cpi = lib.consumer_prices()
    items: list[dict[str, Any]] = []
    ranges: list[lib.CostRange] = []
    for mapping in mappings:
        found = outcome_shares(mapping, shares)
        if found is None or people <= 0:
            continue
        low, central, high, label = found
        outcomes = tuple(Decimal(str(round(max(0.0, share) * people, 2))) for share in (low, central, high))
        cost = mapping.unit_cost
        result = lib.avoided_cost(
            *outcomes,
            lib_unit_cost(cost),
            lib.CostMapping(mapping.indicator, cost.code, mapping.quantity, mapping.description),
            scenarios_of(mapping.scenarios),
            cpi=cpi,
            year=year,
            comparison_group=mapping.comparison_group,
        )
        ranges.append(result)
        items.append(_item(mapping, cost, label, outcomes, result))  # type: ignore[arg-type]
    if not ranges:
        return None
    return range_json(lib.total(ranges), items, year)


def _shares(
    value: float, low: float | None, high: float | None, factor: Any, label: Any
) -> tuple[float, float, float, Any]:
    """(low, central, high, label) of a share in [0, 1] from a figure in its unit (times ``factor``) and its interval
    (the value itself for a missing bound)."""
    scale = float(Decimal(str(factor)))
    return (
        (value if low is None else low) / scale,
        value / scale,
        (value if high is None else high) / scale,
        label,
    )


def sector_avoided_costs(network: Network, results: Mapping[str, Any]) -> dict[str, Any] | None:
    """Avoided costs of a consolidation's published sector figures (status ok or E only)."""
    mappings = list(CostMapping.objects.filter(network=network).select_related("unit_cost"))
    if not mappings:
        return None
    shares: dict[tuple[str, str], tuple[float, float, float, Any]] = {}
    for data in results.get("indicators", []):
        if data.get("kind") != "proportion":
            continue
        for wave in data.get("waves", []):
            cell = wave["sector"]
            if cell.get("status") not in ("ok", "E") or cell.get("value") is None:
                continue
            shares[(str(data["code"]), str(wave["wave"]))] = _shares(
                cell["value"], cell.get("low"), cell.get("high"), data.get("factor", "1"), data.get("label")
            )
    people = int(results.get("coverage", {}).get("overall", {}).get("people_covered") or 0)
    return costs_for(shares, people, mappings)


def organisation_avoided_costs(
    consolidation: Any, estimates: Mapping[tuple[str, str], Any], establishment_ids: Iterable[int]
) -> dict[str, Any] | None:
    """Avoided costs of one organisation's own results in a sector campaign (its own estimates, from
    ``queries.own_results``: no disclosure control inside the organisation), with the network's mappings; its
    people are those its establishments with results support in a year."""
    from socle.network.models import Establishment

    sector_campaign = consolidation.sector_campaign
    mappings = list(CostMapping.objects.filter(network_id=sector_campaign.network_id).select_related("unit_cost"))
    if not mappings:
        return None
    version = sector_campaign.framework_version
    indicators = {str(i["code"]): i for i in version.content.get("indicators", []) or []}
    shares: dict[tuple[str, str], tuple[float, float, float, Any]] = {}
    for (code, wave), estimate in estimates.items():
        spec = indicators.get(code)
        if spec is None or spec.get("kind") != "proportion" or estimate.value is None or estimate.masked:
            continue
        interval = estimate.interval
        shares[(code, wave)] = _shares(
            estimate.value, interval.low if interval else None, interval.high if interval else None,
            spec.get("factor", 1), spec.get("label"),
        )  # fmt: skip
    supported = Establishment.objects.filter(pk__in=list(establishment_ids)).values_list("people_supported", flat=True)
    people = sum(p or 0 for p in supported)
    return costs_for(shares, people, mappings)
