"""Consolidation results (the JSON of ``socle.sector.compute``) as pages show them, in the active language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from socle.collection.models import Wave
from socle.frameworks.models import text_in

__all__ = ["CellView", "IndicatorView", "WaveView", "coverage_reasons", "indicators_of"]


@dataclass(frozen=True)
class Bounds:
    low: float
    high: float


@dataclass
class CellView:
    label: str
    status: str
    reasons: tuple[str, ...]
    representative: bool
    value: float | None
    interval: Bounds | None
    n: int | None
    establishments: int | None
    left_out: int | None
    design_effect: float | None
    effective_n: float | None
    unweighted: float | None
    unweighted_interval: Bounds | None
    change: float | None = None

    @property
    def shown(self) -> bool:
        return self.status in ("ok", "E")

    @property
    def reason_texts(self) -> list[str]:
        return [reason_text(reason) for reason in self.reasons]


@dataclass
class WaveView:
    wave: str
    label: str
    sector: CellView
    by_region: list[CellView] = field(default_factory=list)
    by_type: list[CellView] = field(default_factory=list)
    weighting: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class IndicatorView:
    code: str
    label: str
    definition: str
    kind: str
    unit: str
    mapped_from: int
    waves: list[WaveView]


def unit_label(code: str) -> str:
    """A unit cost's unit in the active language ("visit" → "passage")."""
    from socle.sector.forms import UNIT_LABELS

    return str(UNIT_LABELS.get(code, code))


def method_label(code: str) -> str:
    """A weighting method's name in the active language."""
    from socle.sector.models import Method

    return str(Method(code).label) if code in Method.values else code


def reason_text(reason: str) -> str:
    texts = {
        "frequency": _("fewer than 11 respondents"),
        "establishments": _("fewer than 3 establishments"),
        "dominance": _("one establishment gives over 85 % of the respondents"),
        "attribute": _("everyone gave the same answer in a small group"),
        "secondary": _("hidden too, so that a hidden figure cannot be worked out from the total"),
    }
    return texts.get(reason, reason)


def _bounds(low: Any, high: Any) -> Bounds | None:
    if isinstance(low, int | float) and isinstance(high, int | float):
        return Bounds(float(low), float(high))
    return None


def _cell(data: Mapping[str, Any]) -> CellView:
    unweighted = data.get("unweighted") or {}
    change = data.get("change") or {}
    return CellView(
        label=text_in(data.get("label")),
        status=str(data.get("status", "x")),
        reasons=tuple(str(r) for r in data.get("reasons", [])),
        representative=bool(data.get("representative")),
        value=data.get("value"),
        interval=_bounds(data.get("low"), data.get("high")),
        n=data.get("n"),
        establishments=data.get("establishments"),
        left_out=data.get("left_out"),
        design_effect=data.get("design_effect"),
        effective_n=data.get("effective_n"),
        unweighted=unweighted.get("value"),
        unweighted_interval=_bounds(unweighted.get("low"), unweighted.get("high")),
        change=change.get("value"),
    )


def wave_labels() -> dict[str, str]:
    """Wave → label in the active language."""
    return {str(value): str(label) for value, label in Wave.choices}


def indicators_of(results: Mapping[str, Any], *, wave: str | None = None) -> list[IndicatorView]:
    waves = wave_labels()
    out: list[IndicatorView] = []
    for data in results.get("indicators", []):
        views = [
            WaveView(
                wave=str(w["wave"]),
                label=str(waves.get(w["wave"], w["wave"])),
                sector=_cell(w["sector"]),
                by_region=[_cell(c) for c in w.get("by_region", [])],
                by_type=[_cell(c) for c in w.get("by_type", [])],
                weighting=w.get("weighting", {}),
            )
            for w in data.get("waves", [])
            if wave is None or w["wave"] == wave
        ]
        if views:
            out.append(
                IndicatorView(
                    code=str(data["code"]),
                    label=text_in(data.get("label")),
                    definition=text_in(data.get("definition")),
                    kind=str(data.get("kind", "")),
                    unit=str(data.get("unit", "")),
                    mapped_from=int(data.get("mapped_from", 0)),
                    waves=views,
                )
            )
    return out


def coverage_reasons(results: Mapping[str, Any]) -> list[str]:
    """Why the figures are not representative, one sentence per stratum that falls short."""
    lines: list[str] = []
    for reason in results.get("coverage", {}).get("reasons", []):
        label = text_in(reason.get("label"))
        if reason.get("rule") == "min_establishments":
            lines.append(
                _("%(stratum)s: %(value)s participating establishments, %(threshold)s needed")
                % {"stratum": label, "value": int(reason["value"]), "threshold": int(reason["threshold"])}
            )
        else:
            lines.append(
                _("%(stratum)s: %(value)s %% of its people covered, %(threshold)s %% needed")
                % {
                    "stratum": label,
                    "value": round(float(reason["value"]) * 100),
                    "threshold": round(float(reason["threshold"]) * 100),
                }
            )
    return lines


def left_out_types(results: Mapping[str, Any]) -> list[str]:
    """Labels of the types of establishment the weighting left out in any indicator and wave."""
    labels = {row["type"]: text_in(row.get("label")) for row in results.get("coverage", {}).get("by_type", [])}
    found: set[str] = set()
    for data in results.get("indicators", []):
        for wave in data.get("waves", []):
            for stratum, _participating, _reason in wave.get("weighting", {}).get("left_out", []):
                found.add(str(stratum[0]))
    return sorted(labels.get(code, code) for code in found)
