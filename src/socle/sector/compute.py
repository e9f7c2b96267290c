"""Sector figures of one sector campaign, computed from :class:`socle.sector.inputs.SectorInputs` into the JSON a
:class:`socle.sector.models.Consolidation` keeps (``results``), with disclosure control already applied.

For every sector indicator and wave: the weighted estimate for the sector and per region and per type
(``socle.lib.sector.weighting``: calibration of the participating establishments of that very cell to the frame,
establishments as clusters), the unweighted estimate beside it, the representative label from the coverage
against the frame, and each number's status from disclosure control (``socle.lib.sector.disclosure``): a cell
with status ``x`` keeps no value, interval nor count; ``F`` keeps its count but no estimate.

``results`` (schema 1)::

    {"schema": 1, "sector_campaign": {...}, "framework": {...}, "rules": {...},
     "coverage": {"overall": C, "strata": [C], "by_type": [C], "by_region": [C], "representative": bool,
                  "reasons": [{"type", "region", "rule", "value", "threshold"}]},
     "participants": {"organisations": n, "establishments": n, "organisation_ids": [...]},
     "indicators": [{"code", "label", "definition", "kind", "unit", "factor", "direction", "outcomes",
                     "mapped_from", "waves": [{"wave", "sector": CELL, "by_region": [CELL], "by_type": [CELL],
                                               "weighting": {...}}]}],
     "benchmarks": {"<code>/<wave>": {"organisations", "q1", "median", "q3"} | null},
     "not_mapped": [...]}

``participants.organisation_ids`` and ``benchmarks`` stay inside the network (reviews, members' benchmarks);
:func:`public_figures` drops them from what is published.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

import numpy as np

from socle.lib import geo
from socle.lib.measurement.cluster import _components
from socle.lib.measurement.compute import Indicator
from socle.lib.measurement.stats import EvolutionStats, ProportionStats, Stats
from socle.lib.sector import disclosure
from socle.lib.sector.weighting import (
    ALL,
    Coverage,
    CoverageRules,
    StratumCoverage,
    WeightedEstimate,
    Weights,
    calibrate,
    coverage,
    weighted_cell,
)
from socle.measurement.contributions import version_indicators
from socle.network.models import EstablishmentType
from socle.sector.inputs import SectorInputs
from socle.sector.models import SectorSettings

__all__ = ["BENCHMARK_MIN_ORGANISATIONS", "coverage_rules", "public_figures", "results_of"]

SCHEMA = 1
# Quartiles of organisations' values are shown to members only with at least this many organisations, each with
# at least the disclosure threshold of respondents: no quartile is then one organisation's value alone.
BENCHMARK_MIN_ORGANISATIONS = 5
PRIVATE_KEYS = ("benchmarks",)


def coverage_rules(settings: SectorSettings) -> CoverageRules:
    return CoverageRules(
        min_establishments=int(settings.min_establishments),
        min_people_share=float(settings.min_people_share),
        trim=float(settings.trim),
        min_weighting_establishments=int(settings.min_weighting_establishments),
    )


def _number(value: float | None, digits: int = 6) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)


def _coverage_row(row: StratumCoverage, label: Any) -> dict[str, Any]:
    return {
        "type": row.stratum[0],
        "region": row.stratum[1],
        "label": label,
        "establishments": row.establishments,
        "participating": row.participating,
        "people": row.people,
        "people_covered": row.people_covered,
        "unknown_size": row.unknown_size,
        "establishment_share": _number(row.establishment_share),
        "people_share": _number(row.people_share),
        "meets": row.meets_rules,
        "failed": list(row.failed),
    }


def _labels(inputs: SectorInputs) -> tuple[dict[str, Any], dict[str, Any]]:
    field_id = inputs.version.framework.field_id
    types = EstablishmentType.objects.all() if field_id is None else EstablishmentType.objects.filter(field_id=field_id)
    type_labels: dict[str, Any] = {t.code: {"fr": t.name_fr, "en": t.name_en or t.name_fr} for t in types}
    region_labels: dict[str, Any] = {code: name for code, name in geo.REGIONS.items()}
    return type_labels, region_labels


def _coverage_json(found: Coverage, type_labels: Mapping[str, Any], region_labels: Mapping[str, Any]) -> dict[str, Any]:
    def stratum_label(type_code: str, region: str) -> Any:
        if type_code == ALL and region == ALL:
            return {"fr": "Ensemble", "en": "All"}
        if region == ALL:
            return type_labels.get(type_code, type_code)
        if type_code == ALL:
            return region_labels.get(region, region)
        kind = type_labels.get(type_code, {"fr": type_code, "en": type_code})
        place = region_labels.get(region, region)
        return {"fr": f"{kind['fr']} · {place}", "en": f"{kind['en']} · {place}"}

    return {
        "overall": _coverage_row(found.overall, stratum_label(ALL, ALL)),
        "strata": [_coverage_row(row, stratum_label(*key)) for key, row in sorted(found.strata.items())],
        "by_type": [_coverage_row(row, stratum_label(key, ALL)) for key, row in sorted(found.by_type.items())],
        "by_region": [_coverage_row(row, stratum_label(ALL, key)) for key, row in sorted(found.by_region.items())],
        "representative": found.representative,
        "reasons": [
            {
                "type": reason.stratum[0],
                "region": reason.stratum[1],
                "label": stratum_label(*reason.stratum),
                "rule": reason.rule,
                "value": _number(reason.value),
                "threshold": _number(reason.threshold),
            }
            for reason in found.reasons
        ],
    }


def _respondents(record: Stats) -> tuple[int, int | None]:
    """(respondents in the denominator, respondents in the numerator or None) of one record."""
    if isinstance(record, ProportionStats):
        return record.n, record.numerator
    if isinstance(record, EvolutionStats):
        return record.pairs, record.improved
    return int(_components(record)[1]), None


def _disclosure_cell(records: Mapping[str, Stats], keys: Sequence[str], estimate: WeightedEstimate) -> disclosure.Cell:
    contributions: dict[str, int] = {}
    numerator: int | None = 0
    for key in keys:
        record = records.get(key)
        if record is None:
            continue
        x, y = _respondents(record)
        if x > 0:
            contributions[key] = x
        numerator = None if (y is None or numerator is None) else numerator + y
    return disclosure.Cell(
        respondents=sum(contributions.values()),
        contributions=contributions,
        numerator=numerator,
        flag=estimate.flag,
    )


def _cell_json(
    key: str, label: Any, estimate: WeightedEstimate, decision: disclosure.Decision, representative: bool
) -> dict[str, Any]:
    status = decision.status
    shown = status in ("ok", "E")
    out: dict[str, Any] = {
        "key": key,
        "label": label,
        "status": status,
        "reasons": list(decision.reasons),
        "representative": representative,
        "value": _number(estimate.value) if shown else None,
        "low": _number(estimate.interval.low) if shown and estimate.interval else None,
        "high": _number(estimate.interval.high) if shown and estimate.interval else None,
        "method": estimate.interval.method if shown and estimate.interval else "",
        "n": estimate.n if decision.published else None,
        "establishments": estimate.establishments if decision.published else None,
        "left_out": estimate.left_out if decision.published else None,
        "design_effect": _number(estimate.design_effect, 3) if shown else None,
        "weighting_design_effect": _number(estimate.weighting_design_effect, 3) if shown else None,
        "effective_n": _number(estimate.effective_n, 1) if shown else None,
        "cv": _number(estimate.cv, 4) if shown else None,
        "unweighted": None,
        "change": None,
    }
    unweighted = estimate.unweighted
    if shown and unweighted.value is not None:
        out["unweighted"] = {
            "value": _number(unweighted.value),
            "low": _number(unweighted.interval.low) if unweighted.interval else None,
            "high": _number(unweighted.interval.high) if unweighted.interval else None,
        }
    change = estimate.change
    if shown and change is not None and change.value is not None:
        out["change"] = {
            "value": _number(change.value),
            "low": _number(change.interval.low) if change.interval else None,
            "high": _number(change.interval.high) if change.interval else None,
        }
    return out


def _quartiles(
    inputs: SectorInputs, records: Mapping[str, Stats], indicator: Indicator, minimum: int
) -> dict[str, Any] | None:
    """Quartiles across organisations of their own (unweighted) values, each organisation with at least
    ``minimum`` respondents; None with fewer than :data:`BENCHMARK_MIN_ORGANISATIONS` such organisations."""
    # An organisation's value is the ratio of its sums (as its own dashboard shows it): Σy / Σx, times the factor.
    sums: dict[int, list[float]] = {}
    for key, record in records.items():
        y, x, _change = _components(record)
        found = sums.setdefault(inputs.organisation_of[key], [0.0, 0.0, 0])
        found[0] += float(y)
        found[1] += float(x)
        found[2] += _respondents(record)[0]
    factor = float(indicator.factor)
    values = [y / x * factor for y, x, respondents in sums.values() if respondents >= minimum and x > 0]
    if len(values) < BENCHMARK_MIN_ORGANISATIONS:
        return None
    q1, median, q3 = (float(v) for v in np.percentile(values, [25, 50, 75]))
    return {"organisations": len(values), "q1": _number(q1), "median": _number(median), "q3": _number(q3)}


def results_of(inputs: SectorInputs, settings: SectorSettings) -> dict[str, Any]:
    """The consolidation's ``results`` (see the module docstring)."""
    rules = coverage_rules(settings)
    disclosure_rules = disclosure.DisclosureRules()
    type_labels, region_labels = _labels(inputs)
    found = coverage(inputs.frame, rules)
    compiled = version_indicators(inputs.version.pk, inputs.version.content_sha256).by_code
    frame_keys = {row.key: row for row in inputs.frame}
    regions = sorted({row.region for row in inputs.frame})
    types = sorted({row.type for row in inputs.frame})
    indicators: list[dict[str, Any]] = []
    benchmarks: dict[str, Any] = {}
    calibrated: dict[frozenset[str], Weights] = {}  # cells with the same participants share their weights
    for spec in inputs.document.get("indicators", []) or []:
        code = str(spec["code"])
        indicator = compiled.get(code)
        if indicator is None or indicator.kind == "count" or indicator.source == "activity":
            continue
        waves: list[dict[str, Any]] = []
        for wave in inputs.waves:
            # Establishments whose records hold respondents in this cell are the participants calibrated to the frame.
            records = {k: r for k, r in inputs.records.get((code, wave), {}).items() if _respondents(r)[0] > 0}
            if not records:
                continue
            waves.append(_wave(inputs, indicator, wave, records, rules, settings, disclosure_rules, found,
                               regions, types, region_labels, type_labels, frame_keys, calibrated))  # fmt: skip
            benchmarks[f"{code}/{wave}"] = _quartiles(inputs, records, indicator, disclosure_rules.min_respondents)
        if not waves:
            continue
        indicators.append(
            {
                "code": code,
                "label": spec.get("label"),
                "definition": spec.get("definition"),
                "kind": indicator.kind,
                "unit": str(spec.get("unit", "")),
                "factor": str(Decimal(indicator.factor).normalize()),
                "direction": str(spec.get("direction", "none")),
                "outcomes": [str(o) for o in spec.get("outcomes", []) or []],
                "mapped_from": len(inputs.mapped_from.get(code, ())),
                "waves": waves,
            }
        )
    campaign = inputs.sector_campaign
    return {
        "schema": SCHEMA,
        "sector_campaign": {
            "code": campaign.code,
            "name": campaign.name,
            "starts_on": campaign.starts_on.isoformat(),
            "ends_on": campaign.ends_on.isoformat(),
        },
        "framework": {
            "slug": inputs.version.framework.slug,
            "number": inputs.version.number,
            "title": inputs.version.content.get("title"),
        },
        "rules": {
            "coverage": {
                "min_establishments": rules.min_establishments,
                "min_people_share": rules.min_people_share,
                "trim": rules.trim,
                "min_weighting_establishments": rules.min_weighting_establishments,
                "method": settings.method,
            },
            "disclosure": {
                "min_respondents": disclosure_rules.min_respondents,
                "min_establishments": disclosure_rules.min_establishments,
                "dominance": disclosure_rules.dominance,
                "attribute_max": disclosure_rules.attribute_max,
            },
        },
        "coverage": _coverage_json(found, type_labels, region_labels),
        "participants": {
            "organisations": len(inputs.organisations),
            "establishments": len(inputs.organisation_of),
            "organisation_ids": sorted(inputs.organisations),
        },
        "indicators": indicators,
        "benchmarks": benchmarks,
        "not_mapped": [{"indicator": c, "maps_to": t, "reason": r} for c, t, r in inputs.not_mapped],
    }


def _protected(
    records: Mapping[str, Stats],
    estimates: Mapping[tuple[str, str], tuple[WeightedEstimate, list[str]]],
    rules: disclosure.DisclosureRules,
) -> dict[tuple[str, str], disclosure.Decision]:
    """Statuses of the sector cell, the regions and the types: two one-way tables (regions + total, types +
    total), each protected and checked (``assert_protected``: no published cell breaks a rule, no masked cell can
    be worked out from the others); the total is masked when either table masks it."""
    total = estimates[("", "")]
    decisions: dict[tuple[str, str], disclosure.Decision] = {}
    for position in (0, 1):
        parts = {key: value for key, value in estimates.items() if key[position] and not key[1 - position]}
        table: dict[tuple[str, ...], disclosure.Cell] = {
            (key[position],): _disclosure_cell(records, keys, estimate) for key, (estimate, keys) in parts.items()
        }
        table[("",)] = _disclosure_cell(records, total[1], total[0])
        found = disclosure.protect(table, rules)
        disclosure.assert_protected(table, found, rules)
        for key in parts:
            decisions[key] = found[(key[position],)]
        previous = decisions.get(("", ""))
        if previous is None or found[("",)].masked:
            decisions[("", "")] = found[("",)]
    return decisions


def _wave(
    inputs: SectorInputs,
    indicator: Indicator,
    wave: str,
    records: Mapping[str, Stats],
    rules: CoverageRules,
    settings: SectorSettings,
    disclosure_rules: disclosure.DisclosureRules,
    found: Coverage,
    regions: Sequence[str],
    types: Sequence[str],
    region_labels: Mapping[str, Any],
    type_labels: Mapping[str, Any],
    frame_keys: Mapping[str, Any],
    calibrated: dict[frozenset[str], Weights],
) -> dict[str, Any]:
    taking_part = frozenset(records)
    weights = calibrated.get(taking_part)
    if weights is None:
        frame = [replace(row, participating=row.key in taking_part) for row in inputs.frame]
        method = "raking" if settings.method == "raking" else "poststratification"
        weights = calibrated[taking_part] = calibrate(frame, rules, method=method)
    cell = weighted_cell(indicator, records, weights)
    sector = cell.estimate()
    estimates: dict[tuple[str, ...], tuple[WeightedEstimate, list[str]]] = {("", ""): (sector, list(records))}
    in_region: dict[str, list[str]] = {}
    of_type: dict[str, list[str]] = {}
    for key in records:
        in_region.setdefault(frame_keys[key].region, []).append(key)
        of_type.setdefault(frame_keys[key].type, []).append(key)
    for region in regions:
        if keys := in_region.get(region):
            estimates[(region, "")] = (cell.estimate(set(keys), unweighted=False), keys)
    for type_code in types:
        if keys := of_type.get(type_code):
            estimates[("", type_code)] = (cell.estimate(set(keys), unweighted=False), keys)
    decisions = _protected(records, estimates, disclosure_rules)
    representative = found.representative
    by_region = [
        _cell_json(
            region,
            region_labels.get(region, region),
            estimates[(region, "")][0],
            decisions[(region, "")],
            found.by_region[region].meets_rules if region in found.by_region else False,
        )
        for region in regions
        if (region, "") in estimates
    ]
    by_type = [
        _cell_json(
            type_code,
            type_labels.get(type_code, type_code),
            estimates[("", type_code)][0],
            decisions[("", type_code)],
            found.by_type[type_code].meets_rules if type_code in found.by_type else False,
        )
        for type_code in types
        if ("", type_code) in estimates
    ]
    return {
        "wave": wave,
        "sector": _cell_json("", {"fr": "Ensemble", "en": "All"}, sector, decisions[("", "")], representative),
        "by_region": by_region,
        "by_type": by_type,
        "weighting": {
            "method": weights.method,
            "collapsed": [[list(c.stratum), list(c.into), c.reason] for c in weights.collapsed],
            "left_out": [[list(lo.stratum), lo.participating, lo.reason] for lo in weights.left_out],
            "trimmed": len(weights.trimmed),
            "imputed": len(weights.imputed),
        },
    }


def public_figures(results: Mapping[str, Any]) -> dict[str, Any]:
    """What is published of a consolidation: everything but the members' benchmarks and who the participants
    are by id (named participants are the publication's own list)."""
    out = {key: value for key, value in results.items() if key not in PRIVATE_KEYS}
    participants = dict(out.get("participants", {}))
    participants.pop("organisation_ids", None)
    out["participants"] = participants
    return out
