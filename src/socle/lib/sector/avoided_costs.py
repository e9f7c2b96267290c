"""Avoided public costs and social value (METHODS.md §5).

An outcome counted by an indicator (an exit to stable housing, an emergency-department visit avoided, a return to
work) times the units it avoids (:class:`CostMapping`: 365 nights of hotel a year, say) times a **unit cost**
(:class:`UnitCost`, data with its source and year) gives the **gross** cost avoided for a public budget, in the
first year, before any adjustment.

The **net** value applies the SROI adjustments of Social Value International's guide, in this order:

- ``deadweight``: the share that would have happened anyway; ``attribution``: the share due to others;
  ``displacement``: the share that only moved the cost elsewhere. Year 1 = gross * (1 - deadweight) *
  (1 - attribution) * (1 - displacement);
- ``drop_off``: from year 2 on, each year keeps (1 - drop_off) of the year before, over ``years`` years;
- discounting at ``discount_rate``, every year including the first, as the SROI guide's present value does:
  value of year t / (1 + rate)^t (3.5 % is the HM Treasury Green Book rate the guide cites).

Result: a **range** (:class:`CostRange`: low, central, high), never one ratio, each end computed from its own
outcomes, unit cost (the unit cost's published low / high when it has one) and adjustments
(:class:`Scenarios`). The scenarios must be ordered (the low one at least as cautious as the central one on every
adjustment, which is at least as cautious as the high one), so that low <= central <= high always. The result is
labelled ``"illustratif"`` unless a comparison group exists.

Unit costs are indexed to the publication year by the INSEE consumer price index (:func:`indexed`):
value * index(to year) / index(cost year). Money is computed in exact decimals and rounded to the cent (half up)
only in the results.

``starting_unit_costs()`` and ``consumer_prices()`` load the starting table of METHODS.md §5 and the index series
shipped in ``data/`` (values marked ``verify`` are second-hand and must be shown as such).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources
from typing import Any, Final

import yaml

__all__ = [
    "ILLUSTRATIVE",
    "SCENARIOS",
    "UNITS",
    "Adjustments",
    "Basis",
    "CostMapping",
    "CostRange",
    "PriceIndex",
    "Scenarios",
    "UnitCost",
    "YearFlow",
    "avoided_cost",
    "consumer_price_index",
    "consumer_prices",
    "indexed",
    "starting_unit_costs",
    "total",
]

ILLUSTRATIVE: Final = "illustratif"
UNITS: Final = ("day", "night", "week", "month", "year", "visit", "stay", "place_year", "person", "event")
SCENARIOS: Final = ("low", "central", "high")
CENT: Final = Decimal("0.01")


def _decimal(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str | float):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return result


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class UnitCost:
    """One unit cost, as data: ``value`` in euros of ``year`` per ``unit`` (one of :data:`UNITS`), with its
    ``source``; ``verify`` when second-hand or derived (shown as such); ``low`` / ``high`` a published range
    around the value, used by the low and high scenarios (the value itself when absent)."""

    code: str
    label: str
    value: Decimal
    unit: str
    year: int
    source: str
    verify: bool = False
    low: Decimal | None = None
    high: Decimal | None = None
    label_en: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("unit_cost.code must not be empty")
        for name in ("value", "low", "high"):
            raw = getattr(self, name)
            if raw is None:
                continue
            number = _decimal(raw, f"unit_cost.{name}")
            if number <= 0:
                raise ValueError(f"unit_cost.{name} must be positive, got {raw!r} ({self.code})")
            object.__setattr__(self, name, number)
        if self.low is not None and self.low > self.value:
            raise ValueError(f"unit_cost.low ({self.low}) must not exceed unit_cost.value ({self.value})")
        if self.high is not None and self.high < self.value:
            raise ValueError(f"unit_cost.high ({self.high}) must not be under unit_cost.value ({self.value})")
        if self.unit not in UNITS:
            raise ValueError(f"unit_cost.unit must be one of {', '.join(UNITS)}, got {self.unit!r} ({self.code})")
        if isinstance(self.year, bool) or not isinstance(self.year, int) or not 1900 <= self.year <= 2100:
            raise ValueError(f"unit_cost.year must be a year, got {self.year!r} ({self.code})")
        if not self.source.strip():
            raise ValueError(f"unit_cost.source must not be empty ({self.code})")

    def scenario_value(self, scenario: str) -> Decimal:
        """The value the ``low``, ``central`` or ``high`` scenario uses."""
        if scenario == "low" and self.low is not None:
            return self.low
        if scenario == "high" and self.high is not None:
            return self.high
        return self.value


@dataclass(frozen=True)
class Adjustments:
    """The SROI adjustments of one scenario: shares in [0, 1] and ``years`` >= 1 (see the module docstring)."""

    deadweight: Decimal
    attribution: Decimal
    displacement: Decimal
    drop_off: Decimal
    discount_rate: Decimal
    years: int

    def __post_init__(self) -> None:
        for name in ("deadweight", "attribution", "displacement", "drop_off", "discount_rate"):
            number = _decimal(getattr(self, name), f"adjustments.{name}")
            if not 0 <= number <= 1:
                raise ValueError(f"adjustments.{name} must be within [0, 1], got {getattr(self, name)!r}")
            object.__setattr__(self, name, number)
        if isinstance(self.years, bool) or not isinstance(self.years, int) or self.years < 1:
            raise ValueError(f"adjustments.years must be a whole number of at least 1, got {self.years!r}")

    @property
    def retained(self) -> Decimal:
        """The share of the gross value kept in year 1: (1 - deadweight)(1 - attribution)(1 - displacement)."""
        return (1 - self.deadweight) * (1 - self.attribution) * (1 - self.displacement)


_CAUTIOUS_WHEN_HIGHER: Final = ("deadweight", "attribution", "displacement", "drop_off", "discount_rate")


@dataclass(frozen=True)
class Scenarios:
    """Low, central and high adjustments. The low scenario must be at least as cautious as the central one, and
    the central one as the high one: deadweight, attribution, displacement, drop-off and discount rate not lower,
    years not more."""

    low: Adjustments
    central: Adjustments
    high: Adjustments

    def __post_init__(self) -> None:
        for cautious, bold in (("low", "central"), ("central", "high")):
            a, b = getattr(self, cautious), getattr(self, bold)
            for name in _CAUTIOUS_WHEN_HIGHER:
                if getattr(a, name) < getattr(b, name):
                    raise ValueError(
                        f"scenarios.{cautious}.{name} ({getattr(a, name)}) must be at least "
                        f"scenarios.{bold}.{name} ({getattr(b, name)}): the {cautious} scenario is the more cautious"
                    )
            if a.years > b.years:
                raise ValueError(
                    f"scenarios.{cautious}.years ({a.years}) must not exceed scenarios.{bold}.years ({b.years})"
                )

    @classmethod
    def single(cls, adjustments: Adjustments) -> Scenarios:
        """The same adjustments in the three scenarios (the range then comes from outcomes and unit cost)."""
        return cls(adjustments, adjustments, adjustments)


@dataclass(frozen=True)
class CostMapping:
    """How an indicator's outcomes avoid a unit cost: each outcome avoids ``quantity`` units of ``unit_cost``
    (a unit cost's code) a year, for example an exit to stable housing avoids 365 hotel nights."""

    indicator: str
    unit_cost: str
    quantity: Decimal
    description: str = ""

    def __post_init__(self) -> None:
        if not self.indicator:
            raise ValueError("mapping.indicator must not be empty")
        if not self.unit_cost:
            raise ValueError("mapping.unit_cost must not be empty")
        quantity = _decimal(self.quantity, "mapping.quantity")
        if quantity <= 0:
            raise ValueError(f"mapping.quantity must be positive, got {self.quantity!r}")
        object.__setattr__(self, "quantity", quantity)


@dataclass(frozen=True)
class YearFlow:
    """The present value of year ``year`` (1 = the first) in each scenario (0 past a scenario's horizon)."""

    year: int
    low: Decimal
    central: Decimal
    high: Decimal


@dataclass(frozen=True)
class Basis:
    """Everything one range was computed from, for "how it is computed": the mapping, the unit cost (with its
    source and year), the price year and the unit cost indexed to it per scenario, the outcomes per scenario,
    the scenarios, and whether a comparison group exists."""

    mapping: CostMapping
    unit_cost: UnitCost
    price_year: int
    indexed_cost: tuple[Decimal, Decimal, Decimal]
    outcomes: tuple[Decimal, Decimal, Decimal]
    scenarios: Scenarios
    comparison_group: bool


@dataclass(frozen=True)
class CostRange:
    """Net present values ``low`` <= ``central`` <= ``high`` (euros of ``price_year``, to the cent); the
    ``gross_*`` costs avoided in the first year before adjustments; ``per_year`` present values; ``label``
    ``"illustratif"`` unless every part rests on a comparison group (``""`` then); ``bases`` the inputs."""

    low: Decimal
    central: Decimal
    high: Decimal
    gross_low: Decimal
    gross_central: Decimal
    gross_high: Decimal
    per_year: tuple[YearFlow, ...]
    label: str
    bases: tuple[Basis, ...] = field(default=())

    @property
    def illustrative(self) -> bool:
        return self.label == ILLUSTRATIVE


# --- Indexation -------------------------------------------------------------------------------------------------


def indexed(cost: UnitCost, to_year: int, cpi: Mapping[int, Decimal], *, value: Decimal | None = None) -> Decimal:
    """``value`` (the unit cost's own by default), in euros of ``cost.year``, in euros of ``to_year``:
    * index(to_year) / index(cost.year). Unrounded. Raises ValueError naming a year the index lacks."""
    amount = cost.value if value is None else value
    if to_year == cost.year:
        return amount
    for year in (cost.year, to_year):
        if year not in cpi:
            covered = f"{min(cpi)}-{max(cpi)}" if cpi else "no year"
            raise ValueError(f"the consumer price index has no value for {year} (it covers {covered}): {cost.code}")
        if cpi[year] <= 0:
            raise ValueError(f"the consumer price index for {year} must be positive, got {cpi[year]}")
    return amount * Decimal(cpi[to_year]) / Decimal(cpi[cost.year])


# --- Avoided costs ----------------------------------------------------------------------------------------------


def _outcomes(low: Any, central: Any, high: Any) -> tuple[Decimal, Decimal, Decimal]:
    values = tuple(_decimal(v, f"outcomes_{name}") for v, name in zip((low, central, high), SCENARIOS, strict=True))
    for value, name in zip(values, SCENARIOS, strict=True):
        if value < 0:
            raise ValueError(f"outcomes_{name} must be 0 or more, got {value}")
    if not values[0] <= values[1] <= values[2]:
        raise ValueError(f"outcomes must be ordered outcomes_low <= outcomes_central <= outcomes_high, got {values}")
    return values[0], values[1], values[2]


def _flows(gross: Decimal, adjustments: Adjustments) -> list[Decimal]:
    """Present values year by year."""
    value = gross * adjustments.retained
    keep = 1 - adjustments.drop_off
    factor = 1 + adjustments.discount_rate
    flows = []
    for t in range(1, adjustments.years + 1):
        flows.append(value / factor**t)
        value *= keep  # never keep ** 0: a drop-off of 100 % would make it 0 ** 0
    return flows


def avoided_cost(
    outcomes_low: Decimal | int,
    outcomes_central: Decimal | int,
    outcomes_high: Decimal | int,
    cost: UnitCost,
    mapping: CostMapping,
    scenarios: Scenarios,
    *,
    cpi: Mapping[int, Decimal],
    year: int,
    comparison_group: bool = False,
) -> CostRange:
    """The range of public costs avoided by the outcomes of one indicator (see the module docstring), in euros
    of ``year``. ``outcomes_*``: outcomes counted in each scenario (for example the ends of the outcome's
    confidence interval), ordered; ``comparison_group``: the outcomes are net of a comparison group (otherwise
    the result is labelled ``"illustratif"``)."""
    if mapping.unit_cost != cost.code:
        raise ValueError(f"mapping.unit_cost ({mapping.unit_cost!r}) is not the unit cost given ({cost.code!r})")
    outcomes = _outcomes(outcomes_low, outcomes_central, outcomes_high)
    prices = tuple(indexed(cost, year, cpi, value=cost.scenario_value(name)) for name in SCENARIOS)
    adjustments = (scenarios.low, scenarios.central, scenarios.high)
    gross = [outcomes[i] * mapping.quantity * prices[i] for i in range(3)]
    flows = [_flows(gross[i], adjustments[i]) for i in range(3)]
    horizon = max(len(f) for f in flows)
    padded = [[*f, *[Decimal(0)] * (horizon - len(f))] for f in flows]
    per_year = tuple(
        YearFlow(t + 1, _money(padded[0][t]), _money(padded[1][t]), _money(padded[2][t])) for t in range(horizon)
    )
    basis = Basis(
        mapping,
        cost,
        year,
        (prices[0], prices[1], prices[2]),
        outcomes,
        scenarios,
        comparison_group,
    )
    return CostRange(
        low=_money(sum(flows[0], Decimal(0))),
        central=_money(sum(flows[1], Decimal(0))),
        high=_money(sum(flows[2], Decimal(0))),
        gross_low=_money(gross[0]),
        gross_central=_money(gross[1]),
        gross_high=_money(gross[2]),
        per_year=per_year,
        label="" if comparison_group else ILLUSTRATIVE,
        bases=(basis,),
    )


def total(ranges: Iterable[CostRange]) -> CostRange:
    """Several ranges added up, end by end and year by year; ``"illustratif"`` when any part is. The ranges
    must be in euros of the same year (checked on their bases)."""
    ranges = list(ranges)
    if not ranges:
        raise ValueError("total needs at least one range")
    years = {basis.price_year for r in ranges for basis in r.bases}
    if len(years) > 1:
        raise ValueError(f"ranges in euros of different years cannot be added: {sorted(years)}")
    horizon = max(len(r.per_year) for r in ranges)
    per_year = []
    for t in range(horizon):
        flows = [r.per_year[t] for r in ranges if t < len(r.per_year)]
        per_year.append(
            YearFlow(
                t + 1,
                sum((f.low for f in flows), Decimal(0)),
                sum((f.central for f in flows), Decimal(0)),
                sum((f.high for f in flows), Decimal(0)),
            )
        )

    def summed(name: str) -> Decimal:
        return sum((getattr(r, name) for r in ranges), Decimal(0))

    return CostRange(
        low=summed("low"),
        central=summed("central"),
        high=summed("high"),
        gross_low=summed("gross_low"),
        gross_central=summed("gross_central"),
        gross_high=summed("gross_high"),
        per_year=tuple(per_year),
        label=ILLUSTRATIVE if any(r.illustrative for r in ranges) else "",
        bases=tuple(basis for r in ranges for basis in r.bases),
    )


# --- Shipped data -----------------------------------------------------------------------------------------------


def _load(name: str) -> Any:
    text = resources.files("socle.lib.sector").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


_UNIT_COST_FIELDS: Final = {f.name for f in fields(UnitCost)}


def starting_unit_costs() -> tuple[UnitCost, ...]:
    """The starting unit costs of METHODS.md §5 (``data/unit_costs.yaml``), in the file's order."""
    rows = _load("unit_costs.yaml")["unit_costs"]
    costs = []
    for row in rows:
        data = dict(row)
        data["label"] = data.pop("label_fr")
        unknown = set(data) - _UNIT_COST_FIELDS
        if unknown:
            raise ValueError(f"unit_costs.yaml: unknown fields {sorted(unknown)} in {row.get('code')!r}")
        costs.append(UnitCost(**data))
    return tuple(costs)


@dataclass(frozen=True)
class PriceIndex:
    """An annual consumer price index: ``values`` by year, its ``base`` and ``source``, and the years whose value
    is to be verified."""

    values: Mapping[int, Decimal]
    base: str
    source: str
    verify: frozenset[int]


def consumer_price_index() -> PriceIndex:
    """The INSEE consumer price index shipped in ``data/cpi.yaml`` (see the file for what is to be verified)."""
    data = _load("cpi.yaml")
    values = {int(row["year"]): _decimal(row["value"], f"cpi {row['year']}") for row in data["values"]}
    verify = frozenset(int(row["year"]) for row in data["values"] if row.get("verify", True))
    return PriceIndex(values, str(data["base"]), str(data["source"]), verify)


def consumer_prices() -> dict[int, Decimal]:
    """The shipped index's values by year, for :func:`indexed` and :func:`avoided_cost`."""
    return dict(consumer_price_index().values)
