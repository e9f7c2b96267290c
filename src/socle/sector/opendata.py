"""Open data of published sector figures (METHODS.md §4): CSV files and a Frictionless Data Package, built from a
:class:`socle.sector.models.Publication` only, never from a consolidation (a draft or one in review is not public).

What goes out is what the publication already holds (``figures``: disclosure-controlled by
``socle.sector.compute``), passed once more through the rules of what may be shown, so that an export can never show
more than the rules allow even from a hand-edited row:

- a cell with status ``x`` (confidential) or ``-`` (no respondent) has no value, interval nor count;
- a cell with status ``F`` (unreliable) has its counts but no value nor interval;
- avoided costs (``avoided_costs.csv``, for the whole sector) keep only the outcomes whose sector figures (at the
  wave, and at the baseline wave when there is one) are published (``ok`` or ``E``); they are estimates rounded as
  the pages show them: people counted as outcomes to the person, euros to the euro;
- every count of people or respondents behind a figure or in the frame is rounded to
  :attr:`DisclosureRules.rounding_base` (5), and so is the count of establishments behind a cell (``round_count``).
  The coverage of the frame keeps its counts of establishments exact: the frame is the network's list of
  establishments, not people, and the representative label is judged on them (3 participating establishments per
  stratum); its counts of people are rounded.

The functions below are pure (``figures`` and a few facts about the publication in, rows and bytes out):
:func:`indicator_rows`, :func:`coverage_rows`, :func:`definition_rows`, :func:`avoided_cost_rows`,
:func:`metadata`, :func:`datapackage`, :func:`files`; :func:`write` and :func:`zip_bytes` put the same files in a
folder or a zip. The public API of sector figures (``socle.api.sector``) serves the same rows and metadata.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from socle.lib.sector.disclosure import MASKED, STATUSES, DisclosureRules, round_count

__all__ = [
    "AVOIDED_COST_FIELDS",
    "COVERAGE_FIELDS",
    "DEFINITION_FIELDS",
    "FILE_NAMES",
    "INDICATOR_FIELDS",
    "LICENSE",
    "STATUS_MEANINGS",
    "Field",
    "Source",
    "avoided_cost_rows",
    "coverage_rows",
    "datapackage",
    "definition_rows",
    "files",
    "indicator_rows",
    "metadata",
    "source_of",
    "write",
    "zip_bytes",
]

ALL = "*"  # the code of "every type" or "every region", as in the figures
SHOWN = ("ok", "E")  # statuses whose value and interval are published
COUNTED = ("ok", "E", "F")  # statuses whose counts are published
LICENSE = {
    "name": "etalab-2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "title": "Licence Ouverte / Open Licence version 2.0",
}
STATUS_MEANINGS: dict[str, dict[str, str]] = {
    "ok": {
        "fr": "publié",
        "en": "published",
    },
    "E": {
        "fr": "à interpréter avec prudence : coefficient de variation entre 16,5 % et 33,3 %",
        "en": "interpret with caution: coefficient of variation between 16.5 % and 33.3 %",
    },
    "F": {
        "fr": "trop peu fiable pour être publié (coefficient de variation au-delà de 33,3 % ou effectif efficace "
        "sous 30) : l'effectif est donné, pas la valeur",
        "en": "too unreliable to publish (coefficient of variation over 33.3 % or effective sample under 30): "
        "the count is given, not the value",
    },
    "x": {
        "fr": "confidentiel (secret statistique) : moins de 11 répondants ou de 3 établissements, un établissement "
        "qui fournit plus de 85 % des répondants, une réponse unanime dans un petit groupe, ou masqué pour qu'une "
        "autre case masquée ne puisse pas être recalculée ; ni valeur ni effectif",
        "en": "confidential (statistical secrecy): fewer than 11 respondents or 3 establishments, one establishment "
        "giving over 85 % of the respondents, a unanimous answer in a small group, or hidden so that another hidden "
        "figure cannot be worked out; neither value nor count",
    },
    "-": {
        "fr": "aucun répondant",
        "en": "no respondent",
    },
}
REPRESENTATIVE_LABELS = {
    True: {"fr": "représentatif", "en": "representative"},
    False: {
        "fr": "non représentatif : décrit les structures participantes",
        "en": "not representative: describes the participating establishments",
    },
}
GROUP_KINDS = ("sector", "region", "type")
COVERAGE_LEVELS = ("overall", "type", "region", "stratum")


@dataclass(frozen=True)
class Field:
    """A column of a CSV file, as a Table Schema field."""

    name: str
    type: str  # string, integer, number, boolean
    description: str
    required: bool = False
    enum: Sequence[str] = ()

    def descriptor(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "description": self.description}
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            out["constraints"] = constraints
        return out


INDICATOR_FIELDS: tuple[Field, ...] = (
    Field("code", "string", "The indicator's code (see definitions.csv).", required=True),
    Field("label_fr", "string", "The indicator's label in French."),
    Field("label_en", "string", "The indicator's label in English."),
    Field("wave", "string", "When the people answered: entry, follow_up or exit.", required=True),
    Field(
        "group_kind",
        "string",
        "sector (every establishment), region or type (of establishment).",
        required=True,
        enum=GROUP_KINDS,
    ),
    Field(
        "group_code",
        "string",
        "* for the sector; the region's INSEE code; the type of establishment's code.",
        required=True,
    ),
    Field("group_label", "string", "The group's name in French."),
    Field("group_label_en", "string", "The group's name in English."),
    Field(
        "status",
        "string",
        "ok, E (interpret with caution), F (unreliable: count only), x (confidential: "
        "nothing), - (no respondent). See the package's socle.statuses.",
        required=True,
        enum=STATUSES,
    ),
    Field("value", "number", "The weighted estimate, in the unit; empty unless the status is ok or E."),
    Field("low", "number", "Lower bound of the 95 % interval (establishments as clusters); empty unless ok or E."),
    Field("high", "number", "Upper bound of the 95 % interval; empty unless ok or E."),
    Field("n_rounded", "integer", "Respondents behind the figure, rounded to 5; empty for x and -."),
    Field(
        "establishments",
        "integer",
        "Establishments with respondents behind the figure, rounded to 5; empty for x and -.",
    ),
    Field(
        "representative",
        "boolean",
        "true when the coverage of this group meets the network's thresholds; "
        "otherwise the figure describes the participating establishments only.",
    ),
    Field("unit", "string", "The indicator's unit (% for a share)."),
)
COVERAGE_FIELDS: tuple[Field, ...] = (
    Field("level", "string", "overall, type, region or stratum (type × region).", required=True, enum=COVERAGE_LEVELS),
    Field("type_code", "string", "The type of establishment; * for every type.", required=True),
    Field("region_code", "string", "The region's INSEE code; * for every region.", required=True),
    Field("label", "string", "The group's name in French."),
    Field("label_en", "string", "The group's name in English."),
    Field("establishments", "integer", "Establishments of the network's frame in the group (exact).", required=True),
    Field("participating", "integer", "Of them, establishments taking part (exact).", required=True),
    Field("establishment_share", "number", "participating / establishments."),
    Field("people", "integer", "People supported a year by the establishments of the frame, rounded to 5."),
    Field("people_covered", "integer", "Of them, people supported by the participating establishments, rounded to 5."),
    Field("people_share", "number", "people_covered / people (computed before rounding)."),
    Field("unknown_size", "integer", "Establishments whose number of people is not known (exact)."),
    Field("meets_rules", "boolean", "The group meets the network's coverage thresholds (see socle.method)."),
    Field("failed", "string", "The thresholds it fails, separated by ;: min_establishments, min_people_share."),
)
DEFINITION_FIELDS: tuple[Field, ...] = (
    Field("code", "string", "The indicator's code.", required=True),
    Field("label_fr", "string", "Label in French."),
    Field("label_en", "string", "Label in English."),
    Field("definition_fr", "string", "Definition in French."),
    Field("definition_en", "string", "Definition in English."),
    Field(
        "kind",
        "string",
        "proportion (a share of people), mean, or evolution (share of people whose situation "
        "improved between entry and follow-up).",
        required=True,
    ),
    Field("unit", "string", "The unit of its values."),
    Field("direction", "string", "up: higher is better; down: lower is better; none."),
)
AVOIDED_COST_FIELDS: tuple[Field, ...] = (
    Field("indicator", "string", "The sector indicator whose outcomes are valued (definitions.csv).", required=True),
    Field("wave", "string", "The wave of the indicator's share.", required=True),
    Field(
        "baseline_wave",
        "string",
        "When given, the outcomes are the change of the share since this wave; otherwise the share itself.",
    ),
    Field("description", "string", "What is avoided, in the network's words (French)."),
    Field("quantity", "number", "Units of the cost avoided in a year per person counted as an outcome."),
    Field("unit_cost_code", "string", "The unit cost's code.", required=True),
    Field("unit_cost_label_fr", "string", "The unit cost's name in French."),
    Field("unit_cost_label_en", "string", "The unit cost's name in English."),
    Field("unit_cost", "number", "The unit cost, in euros of unit_cost_year."),
    Field("cost_unit", "string", "What one unit is (a night, a day, a visit…)."),
    Field("unit_cost_year", "integer", "The year of the unit cost's euros."),
    Field("source", "string", "Where the unit cost comes from."),
    Field("to_verify", "boolean", "true when the unit cost is second-hand and still to be checked at its source."),
    Field(
        "outcomes_low",
        "integer",
        "People counted as outcomes, low scenario: the lower end of the share's 95 % interval times the people the "
        "participating establishments support in a year, to the nearest person.",
    ),
    Field("outcomes_central", "integer", "People counted as outcomes: the share's value, to the nearest person."),
    Field("outcomes_high", "integer", "People counted as outcomes: the upper end of the interval."),
    Field(
        "low",
        "number",
        "Costs avoided in a year, low scenario, in euros of price_year (to the euro), after deadweight, attribution, "
        "displacement, drop-off and discounting (see the package's socle.avoided_costs for each scenario).",
    ),
    Field("central", "number", "Costs avoided in a year, central scenario, in euros of price_year."),
    Field("high", "number", "Costs avoided in a year, high scenario, in euros of price_year."),
    Field("price_year", "integer", "The year of the euros of low, central and high (indexed by consumer prices)."),
    Field(
        "comparison_group",
        "boolean",
        "true when a comparison group tells what would have happened without the support.",
    ),
    Field(
        "label",
        "string",
        "illustratif: an order of magnitude under stated assumptions, not a measured saving.",
    ),
)
FILE_NAMES = ("indicators.csv", "coverage.csv", "definitions.csv", "avoided_costs.csv", "datapackage.json")
_RESOURCES: tuple[tuple[str, str, tuple[Field, ...], list[str]], ...] = (
    (
        "indicators",
        "Sector indicators, weighted to the network's frame, for the sector, each region and each type of "
        "establishment, by wave; disclosure-controlled.",
        INDICATOR_FIELDS,
        ["code", "wave", "group_kind", "group_code"],
    ),
    (
        "coverage",
        "Coverage of the network's frame by the participating establishments: overall, by type, by region and by "
        "stratum (type × region).",
        COVERAGE_FIELDS,
        ["level", "type_code", "region_code"],
    ),
    ("definitions", "Definitions of the sector indicators.", DEFINITION_FIELDS, ["code"]),
    (
        "avoided_costs",
        "Public costs avoided in a year, for the whole sector: each valued outcome's low, central and high range "
        "(illustrative without a comparison group). Empty when the network values no outcome.",
        AVOIDED_COST_FIELDS,
        ["indicator", "wave", "unit_cost_code"],
    ),
)


@dataclass(frozen=True)
class Source:
    """What the files are made of: a publication's figures, and a few facts about it."""

    network_slug: str
    network_name: str
    code: str
    version: int
    published_at: datetime
    figures: Mapping[str, Any]
    named_organisations: Sequence[str] = ()
    url: str = ""  # the public page of this version
    rules: DisclosureRules = field(default_factory=DisclosureRules)


def source_of(publication: Any, *, base_url: str = "") -> Source:
    """The :class:`Source` of a :class:`socle.sector.models.Publication` (its network and sector campaign loaded)."""
    network = publication.network
    code = publication.sector_campaign.code
    return Source(
        network_slug=network.slug,
        network_name=network.name,
        code=code,
        version=publication.version,
        published_at=publication.published_at,
        figures=publication.figures,
        named_organisations=tuple(str(n) for n in publication.named_organisations or ()),
        url=f"{base_url}/sector/{network.slug}/{code}/v{publication.version}/" if base_url else "",
    )


# --- Rows --------------------------------------------------------------------------------------------------------


def _text(value: Any, language: str) -> str:
    if isinstance(value, Mapping):
        return str(value.get(language) or value.get("fr") or "")
    return "" if value is None else str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _count(value: Any, rules: DisclosureRules) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return round_count(int(value), rules.rounding_base)


def _cell_row(cell: Mapping[str, Any], rules: DisclosureRules) -> dict[str, Any]:
    """Status, value, interval and rounded counts of one cell, as the rules allow them out."""
    status = str(cell.get("status", MASKED))
    if status not in STATUSES:
        status = MASKED  # unknown: show nothing
    shown = status in SHOWN
    counted = status in COUNTED
    return {
        "status": status,
        "value": _number(cell.get("value")) if shown else None,
        "low": _number(cell.get("low")) if shown else None,
        "high": _number(cell.get("high")) if shown else None,
        "n_rounded": _count(cell.get("n"), rules) if counted else None,
        "establishments": _count(cell.get("establishments"), rules) if counted else None,
    }


def indicator_rows(figures: Mapping[str, Any], rules: DisclosureRules | None = None) -> list[dict[str, Any]]:
    """One row per indicator, wave and group (the sector, then each region, then each type): the columns of
    :data:`INDICATOR_FIELDS`."""
    rules = rules or DisclosureRules()
    rows: list[dict[str, Any]] = []
    for indicator in figures.get("indicators", []) or []:
        label = indicator.get("label")
        common = {"code": str(indicator["code"]), "label_fr": _text(label, "fr"), "label_en": _text(label, "en")}
        unit = str(indicator.get("unit", ""))
        for wave in indicator.get("waves", []) or []:
            groups: list[tuple[str, Mapping[str, Any]]] = [("sector", wave["sector"])]
            groups += [("region", cell) for cell in wave.get("by_region", []) or []]
            groups += [("type", cell) for cell in wave.get("by_type", []) or []]
            for kind, cell in groups:
                cell_label = cell.get("label")
                rows.append(
                    {
                        **common,
                        "wave": str(wave["wave"]),
                        "group_kind": kind,
                        "group_code": ALL if kind == "sector" else str(cell.get("key", "")),
                        "group_label": _text(cell_label, "fr"),
                        "group_label_en": _text(cell_label, "en"),
                        **_cell_row(cell, rules),
                        "representative": bool(cell.get("representative")),
                        "unit": unit,
                    }
                )
    return rows


def coverage_rows(figures: Mapping[str, Any], rules: DisclosureRules | None = None) -> list[dict[str, Any]]:
    """The coverage of the frame: overall, by type, by region, by stratum (:data:`COVERAGE_FIELDS`)."""
    rules = rules or DisclosureRules()
    found = figures.get("coverage", {}) or {}
    levels: list[tuple[str, Iterable[Mapping[str, Any]]]] = [
        ("overall", [found["overall"]] if found.get("overall") else []),
        ("type", found.get("by_type", []) or []),
        ("region", found.get("by_region", []) or []),
        ("stratum", found.get("strata", []) or []),
    ]
    rows: list[dict[str, Any]] = []
    for level, items in levels:
        for item in items:
            label = item.get("label")
            rows.append(
                {
                    "level": level,
                    "type_code": str(item.get("type", ALL)),
                    "region_code": str(item.get("region", ALL)),
                    "label": _text(label, "fr"),
                    "label_en": _text(label, "en"),
                    "establishments": int(item.get("establishments", 0)),
                    "participating": int(item.get("participating", 0)),
                    "establishment_share": _number(item.get("establishment_share")),
                    "people": _count(item.get("people"), rules),
                    "people_covered": _count(item.get("people_covered"), rules),
                    "people_share": _number(item.get("people_share")),
                    "unknown_size": int(item.get("unknown_size", 0)),
                    "meets_rules": bool(item.get("meets")),
                    "failed": ";".join(str(f) for f in item.get("failed", []) or []),
                }
            )
    return rows


def definition_rows(figures: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per published indicator (:data:`DEFINITION_FIELDS`)."""
    return [
        {
            "code": str(indicator["code"]),
            "label_fr": _text(indicator.get("label"), "fr"),
            "label_en": _text(indicator.get("label"), "en"),
            "definition_fr": _text(indicator.get("definition"), "fr"),
            "definition_en": _text(indicator.get("definition"), "en"),
            "kind": str(indicator.get("kind", "")),
            "unit": str(indicator.get("unit", "")),
            "direction": str(indicator.get("direction", "none")),
        }
        for indicator in figures.get("indicators", []) or []
    ]


def _whole(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else round(number)


def _published_items(figures: Mapping[str, Any], found: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The avoided costs' items whose sector figures are published (status ok or E) at their wave and baseline."""
    shown = {
        (str(indicator.get("code")), str(wave.get("wave")))
        for indicator in figures.get("indicators", []) or []
        for wave in indicator.get("waves", []) or []
        if (wave.get("sector", {}) or {}).get("status") in SHOWN
    }
    return [
        item
        for item in found.get("items", []) or []
        if (str(item.get("indicator")), str(item.get("wave"))) in shown
        and (not item.get("baseline_wave") or (str(item.get("indicator")), str(item["baseline_wave"])) in shown)
    ]


def avoided_cost_rows(figures: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per valued outcome of the published avoided costs (:data:`AVOIDED_COST_FIELDS`), rounded as the
    pages show them: people to the person, euros to the euro. Empty when the figures hold none."""
    found = figures.get("avoided_costs")
    if not isinstance(found, Mapping):
        return []
    label = str(found.get("label", ""))
    rows: list[dict[str, Any]] = []
    for item in _published_items(figures, found):
        cost = item.get("unit_cost", {}) or {}
        outcomes = item.get("outcomes", {}) or {}
        cost_label = cost.get("label")
        rows.append(
            {
                "indicator": str(item.get("indicator", "")),
                "wave": str(item.get("wave", "")),
                "baseline_wave": str(item.get("baseline_wave") or ""),
                "description": str(item.get("description", "")),
                "quantity": _number(item.get("quantity")),
                "unit_cost_code": str(cost.get("code", "")),
                "unit_cost_label_fr": _text(cost_label, "fr"),
                "unit_cost_label_en": _text(cost_label, "en"),
                "unit_cost": _number(cost.get("value")),
                "cost_unit": str(cost.get("unit", "")),
                "unit_cost_year": _whole(cost.get("year")),
                "source": str(cost.get("source", "")),
                "to_verify": bool(cost.get("verify")),
                "outcomes_low": _whole(outcomes.get("low")),
                "outcomes_central": _whole(outcomes.get("central")),
                "outcomes_high": _whole(outcomes.get("high")),
                "low": _whole(item.get("low")),
                "central": _whole(item.get("central")),
                "high": _whole(item.get("high")),
                "price_year": _whole(found.get("year")),
                "comparison_group": bool(item.get("comparison_group")),
                "label": str(item.get("label_result", label)),
            }
        )
    return rows


def _avoided_costs_metadata(figures: Mapping[str, Any]) -> dict[str, Any] | None:
    """The total range and each outcome's scenarios (deadweight, attribution, displacement, drop-off, discount
    rate, years) of the items that go out (:func:`_published_items`), or None when the figures hold no avoided
    cost."""
    found = figures.get("avoided_costs")
    if not isinstance(found, Mapping):
        return None
    items = _published_items(figures, found)
    ends = ("low", "central", "high")
    if len(items) == len(found.get("items", []) or []):
        total = found.get("total", {}) or {}
    else:  # an item left out (a hand-edited publication): the total of those that go out
        total = {end: sum(_number(item.get(end)) or 0.0 for item in items) for end in ends}
    return {
        "label": str(found.get("label", "")),
        "price_year": _whole(found.get("year")),
        "total": {end: _whole(total.get(end)) for end in ends},
        "description": (
            "Each valued outcome counts the people the indicator's share stands for among the people the "
            "participating establishments support in a year (the share's change since baseline_wave when given; "
            "the ends of its 95 % interval for the low and high scenarios), times the units of cost each avoids, "
            "times the unit cost indexed to price_year; then deadweight, attribution, displacement and drop-off "
            "are taken off and later years discounted, per scenario. Without a comparison group the range is "
            "labelled illustratif: it illustrates orders of magnitude, it does not measure an effect."
        ),
        "scenarios": [
            {
                "indicator": str(item.get("indicator", "")),
                "wave": str(item.get("wave", "")),
                "unit_cost_code": str((item.get("unit_cost", {}) or {}).get("code", "")),
                "scenarios": item.get("scenarios", {}) or {},
            }
            for item in items
        ],
    }


# --- Metadata ----------------------------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def metadata(source: Source) -> dict[str, Any]:
    """What a reader needs besides the rows: the publication, the method and its thresholds, what each status
    means, the representative label, the named participating organisations (the ``socle`` property of the
    package; the API's metadata)."""
    figures = source.figures
    rules = figures.get("rules", {}) or {}
    coverage_rules = dict(rules.get("coverage", {}) or {})
    disclosure_rules = {**(rules.get("disclosure", {}) or {}), "rounding_base": source.rules.rounding_base}
    representative = bool((figures.get("coverage", {}) or {}).get("representative"))
    participants = figures.get("participants", {}) or {}
    campaign = figures.get("sector_campaign", {}) or {}
    framework = figures.get("framework", {}) or {}
    return {
        "schema": 1,
        "network": {"slug": source.network_slug, "name": source.network_name},
        "sector_campaign": {
            "code": source.code,
            "name": str(campaign.get("name", "")),
            "starts_on": str(campaign.get("starts_on", "")),
            "ends_on": str(campaign.get("ends_on", "")),
        },
        "framework": {
            "slug": str(framework.get("slug", "")),
            "number": framework.get("number"),
            "title_fr": _text(framework.get("title"), "fr"),
            "title_en": _text(framework.get("title"), "en"),
        },
        "version": source.version,
        "published_at": _iso(source.published_at),
        "representative": representative,
        "representative_label": REPRESENTATIVE_LABELS[representative],
        "participants": {
            "organisations": int(participants.get("organisations", 0)),
            "establishments": int(participants.get("establishments", 0)),
        },
        "named_organisations": list(source.named_organisations),
        "method": {
            "weighting": str(coverage_rules.get("method", "")),
            "description": (
                "Each respondent stands for the people their establishment supports (weight = people supported "
                "/ respondents); establishments are calibrated to the network's frame by type and region "
                "(post-stratification or raking), extreme weights trimmed. Intervals at 95 % by Taylor "
                "linearisation with establishments as clusters (Korn-Graubard for shares, t for means). "
                "Strata with too few participating establishments are pooled or left out."
            ),
            "clusters": "establishments",
            "coverage_rules": coverage_rules,
            "disclosure_rules": disclosure_rules,
            "rounding": (
                f"Counts of respondents, of people and of the establishments behind a figure are rounded to the "
                f"nearest multiple of {source.rules.rounding_base}; the frame's counts of establishments in "
                f"coverage.csv are exact."
            ),
        },
        "statuses": STATUS_MEANINGS,
        "avoided_costs": _avoided_costs_metadata(figures),
    }


def _name(source: Source) -> str:
    raw = f"{source.network_slug}-{source.code}".lower()
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in raw)


def datapackage(source: Source) -> dict[str, Any]:
    """The Frictionless Data Package descriptor (v1, profile ``tabular-data-package``) of the CSV files, with
    Socle's metadata under ``socle``."""
    campaign_name = str((source.figures.get("sector_campaign", {}) or {}).get("name", source.code))
    resources = [
        {
            "name": name,
            "path": f"{name}.csv",
            "profile": "tabular-data-resource",
            "title": name,
            "description": description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "doubleQuote": True, "lineTerminator": "\r\n", "header": True},
            "schema": {
                "fields": [f.descriptor() for f in fields],
                "missingValues": [""],
                "primaryKey": primary_key,
            },
        }
        for name, description, fields, primary_key in _RESOURCES
    ]
    label = REPRESENTATIVE_LABELS[bool((source.figures.get("coverage", {}) or {}).get("representative"))]["en"]
    sources: list[dict[str, str]] = [{"title": f"{source.network_name} — Socle"}]
    if source.url:
        sources[0]["path"] = source.url
    return {
        "profile": "tabular-data-package",
        "name": _name(source),
        "title": f"{campaign_name} — {source.network_name}",
        "description": (
            f"Sector figures of {source.network_name} for {campaign_name}, version {source.version}: published, "
            f"weighted and disclosure-controlled aggregates of the member organisations' results. "
            f"{label[:1].upper()}{label[1:]}."
        ),
        "version": str(source.version),
        "created": _iso(source.published_at),
        "licenses": [LICENSE],
        "sources": sources,
        "contributors": [{"title": source.network_name, "role": "publisher"}],
        "keywords": ["social sector", "impact", "sector figures", "Socle"],
        "resources": resources,
        "socle": metadata(source),
    }


# --- Files -------------------------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return str(value)


def _csv(fields: Sequence[Field], rows: Iterable[Mapping[str, Any]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=",", lineterminator="\r\n")
    writer.writerow([f.name for f in fields])
    for row in rows:
        writer.writerow([_cell_text(row.get(f.name)) for f in fields])
    return out.getvalue().encode("utf-8")


def files(source: Source) -> dict[str, bytes]:
    """File name → content, in the order of :data:`FILE_NAMES`."""
    figures = source.figures
    descriptor = json.dumps(datapackage(source), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    return {
        "indicators.csv": _csv(INDICATOR_FIELDS, indicator_rows(figures, source.rules)),
        "coverage.csv": _csv(COVERAGE_FIELDS, coverage_rows(figures, source.rules)),
        "definitions.csv": _csv(DEFINITION_FIELDS, definition_rows(figures)),
        "avoided_costs.csv": _csv(AVOIDED_COST_FIELDS, avoided_cost_rows(figures)),
        "datapackage.json": descriptor.encode("utf-8"),
    }


def write(source: Source, directory: Path) -> list[Path]:
    """Writes the files into ``directory`` (made when missing; files of the same names replaced)."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, content in files(source).items():
        path = directory / name
        partial = directory / f".{name}.partial"
        partial.write_bytes(content)
        partial.replace(path)
        written.append(path)
    return written


def zip_bytes(source: Source) -> bytes:
    """The same files in a zip archive."""
    buffer = io.BytesIO()
    stamp = source.published_at.astimezone(UTC) if source.published_at.tzinfo else source.published_at
    when = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files(source).items():
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()
