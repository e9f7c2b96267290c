"""Sector weighting (issue 6): coverage against the frame, calibration, weighted estimates.

- a coverage simulation: over an invented frame with a known true value, weighted intervals cover it at about
  their stated rate while the unweighted estimates are biased;
- the weighted estimates against ``svy`` 0.35, an independent implementation (Taylor linearisation with strata,
  clusters and weights), on respondent-level rows;
- unit and property tests of coverage rules, calibration totals, collapsing, leaving out and trimming.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socle.lib.measurement.stats import EvolutionStats, MeanStats, ProportionStats, RatioStats, Stats
from socle.lib.sector.weighting import (
    ALL,
    CoverageRules,
    FrameEstablishment,
    Weights,
    calibrate,
    coverage,
    weighted_estimate,
)

FAST = settings(max_examples=60, deadline=None, derandomize=True)


def establishment(key: str, type_: str, region: str, people: int, participating: bool = True) -> FrameEstablishment:
    return FrameEstablishment(key, type_, region, people, participating)


def represented_by_stratum(weights: Weights) -> dict[tuple[str, str], float]:
    totals: dict[tuple[str, str], float] = {}
    for key, stratum in weights.strata.items():
        totals[stratum] = totals.get(stratum, 0.0) + weights.represented(key)
    return totals


# --- 1. Coverage simulation -------------------------------------------------------------------------------------

TYPES = ("CHRS", "ACI", "CADA", "PF")
REGIONS = ("IDF", "ARA", "OCC", "HDF", "BRE")
TYPE_EFFECT = np.array([-1.2, -0.4, 0.4, 1.2])  # on the logit of the proportion; x 8 points on the mean
REGION_EFFECT = np.array([-0.4, -0.2, 0.0, 0.2, 0.4])
TAKE_PART = np.array([0.70, 0.50, 0.30, 0.15])  # participation by type…
REGION_TILT = np.array([1.2, 1.1, 1.0, 0.9, 0.8])  # … and region: the types and regions that do well take part less
DRAWS = 200


def _simulate(draws: int = DRAWS) -> dict[str, np.ndarray]:
    """Invented frame: 4 types x 5 regions x 15 establishments, 20 to 399 people each. Establishment i has its
    own true proportion pᵢ = expit(type + region + uᵢ), uᵢ ~ N(0, 0.35²) (an ICC of about 0.04 on the latent
    scale), and its own true mean μᵢ = 50 + 8 type + 6 region + N(0, 3²). The true sector values are
    Σ peopleᵢ pᵢ / Σ peopleᵢ and Σ peopleᵢ μᵢ / Σ peopleᵢ over the whole frame. Each draw: participation by type
    and region (70 % of CHRS down to 15 % of PF, less in the regions that do well), 8 to 39 respondents per
    participating establishment, binomial answers (proportion) and N(μᵢ, 15²) answers rounded (mean).

    Returns, per estimate (weighted/unweighted proportion and mean), rows of (error, covered, standard error)."""
    frame_rng = np.random.default_rng(20240611)
    type_of = np.repeat(np.arange(4), 75)
    region_of = np.tile(np.repeat(np.arange(5), 15), 4)
    people = frame_rng.integers(20, 400, 300)
    p = 1 / (1 + np.exp(-(TYPE_EFFECT[type_of] + REGION_EFFECT[region_of] + frame_rng.normal(0, 0.35, 300))))
    mu = 50 + 8 * TYPE_EFFECT[type_of] + 6 * REGION_EFFECT[region_of] + frame_rng.normal(0, 3, 300)
    truth = {"proportion": float(np.sum(people * p) / people.sum()), "mean": float(np.sum(people * mu) / people.sum())}
    keys = [f"e{i:03d}" for i in range(300)]
    rng = np.random.default_rng(7)
    rows: dict[str, list[tuple[float, bool, float]]] = {"pw": [], "pu": [], "mw": [], "mu": []}
    for _ in range(draws):
        taking_part = rng.random(300) < TAKE_PART[type_of] * REGION_TILT[region_of]
        frame = [
            establishment(keys[i], TYPES[type_of[i]], REGIONS[region_of[i]], int(people[i]), bool(taking_part[i]))
            for i in range(300)
        ]
        weights = calibrate(frame)
        records: dict[str, dict[str, Stats]] = {"proportion": {}, "mean": {}}
        for i in np.flatnonzero(taking_part):
            m = int(rng.integers(8, 40))
            values = np.rint(rng.normal(mu[i], 15, m)).astype(int)
            records["proportion"][keys[i]] = ProportionStats(n=m, numerator=int(rng.binomial(m, p[i])))
            records["mean"][keys[i]] = MeanStats(
                n=m, total=Decimal(int(values.sum())), sum_squares=Decimal(int((values * values).sum()))
            )
        for kind, short in (("proportion", "p"), ("mean", "m")):
            result = weighted_estimate(kind, records[kind], weights)
            for estimate, suffix in ((result, "w"), (result.unweighted, "u")):
                assert estimate.value is not None and estimate.interval is not None
                assert estimate.standard_error is not None
                covered = estimate.interval.low <= truth[kind] <= estimate.interval.high
                rows[short + suffix].append((estimate.value - truth[kind], covered, estimate.standard_error))
    return {name: np.array(values, dtype=float) for name, values in rows.items()}


@pytest.fixture(scope="module")
def simulation() -> dict[str, np.ndarray]:
    return _simulate()


def _summary(rows: np.ndarray) -> tuple[float, float, float, float, float]:
    """Mean error, its standard error, coverage, mean estimated standard error, empirical standard deviation."""
    errors = rows[:, 0]
    spread = float(errors.std(ddof=1))
    return (
        float(errors.mean()),
        spread / math.sqrt(len(errors)),
        float(rows[:, 1].mean()),
        float(rows[:, 2].mean()),
        spread,
    )


@pytest.mark.parametrize(("name", "label"), [("p", "proportion"), ("m", "mean")])
def test_weighted_intervals_cover_the_true_value_and_unweighted_ones_do_not(
    simulation: dict[str, np.ndarray], name: str, label: str
) -> None:
    """Coverage of 95 % intervals over 200 draws. Band: at the nominal 0.95, the coverage of 200 independent draws
    has a standard error of √(0.95·0.05/200) = 0.015; the lower bound 0.90 is 3 standard errors below. The
    estimator is deliberately conservative (METHODS: the calibration's own variance reduction is ignored, and
    there is no finite-population correction although up to 84 % of a stratum takes part), so the upper bound is
    looser: 0.995 (at most one miss in 200), and the estimated standard error may exceed the empirical one by up to
    60 %, never fall below 85 % of it. The weighted estimate is unbiased: |mean error| below 3 of its standard
    errors. The unweighted one is biased (participation is lowest where outcomes are highest): its mean error is
    more than 10 of its standard errors away from 0 and its coverage below 0.5."""
    w_bias, w_bias_se, w_coverage, w_se, w_sd = _summary(simulation[name + "w"])
    u_bias, u_bias_se, u_coverage, _, _ = _summary(simulation[name + "u"])
    report = (
        f"{label}: weighted coverage {w_coverage:.3f}, bias {w_bias:+.4f} (se {w_bias_se:.4f}), "
        f"mean estimated se {w_se:.4f} vs empirical sd {w_sd:.4f}; "
        f"unweighted coverage {u_coverage:.3f}, bias {u_bias:+.4f} (se {u_bias_se:.4f}), over {DRAWS} draws"
    )
    print(report)
    assert 0.90 <= w_coverage <= 0.995, report
    assert 0.85 <= w_se / w_sd <= 1.6, report
    assert abs(w_bias) < 3 * w_bias_se, report
    assert abs(u_bias) > 10 * u_bias_se, report
    assert u_coverage < 0.5 and u_coverage < w_coverage - 0.4, report


# --- 2. Against svy ---------------------------------------------------------------------------------------------


def _svy_fixture() -> tuple[Weights, dict[str, dict[str, Stats]], list[dict[str, object]], list[dict[str, object]]]:
    """Two types x three regions x six establishments, participation about 60 %, people 20 to 299, default rules
    (so some strata are pooled and some factors may be trimmed: svy takes the final weights as given). Each
    participating establishment has 3 to 14 respondents, each with a yes/no answer, a score 0-100 and a change
    between two waves. Returns the weights, the records per kind and the respondent rows (strata, PSU, weight
    wᵢ = peopleᵢ gᵢ / xᵢ) and the establishment rows of an activity ratio (weight gᵢ)."""
    rng = np.random.default_rng(11)
    frame = [
        establishment(f"e{k:02d}", type_, region, int(rng.integers(20, 300)), bool(rng.random() < 0.6))
        for k, (type_, region) in enumerate(
            (type_, region) for type_ in ("CHRS", "ACI") for region in ("IDF", "ARA", "OCC") for _ in range(6)
        )
    ]
    weights = calibrate(frame)
    records: dict[str, dict[str, Stats]] = {"proportion": {}, "mean": {}, "evolution": {}, "ratio": {}}
    rows: list[dict[str, object]] = []
    activity: list[dict[str, object]] = []
    for row in frame:
        if row.key not in weights.factors:
            continue
        n = int(rng.integers(3, 15))
        yes = (rng.random(n) < (0.3 if row.type == "CHRS" else 0.55)).astype(int)
        score = rng.integers(0, 26, n) * 4
        before = rng.integers(0, 26, n) * 4
        change = np.clip(before + rng.integers(-20, 30, n), 0, 100) - before
        records["proportion"][row.key] = ProportionStats(
            n=n, numerator=int(yes.sum()), dont_know=int(rng.integers(0, 3))
        )
        records["mean"][row.key] = MeanStats(
            n=n, total=Decimal(int(score.sum())), sum_squares=Decimal(int((score * score).sum()))
        )
        records["evolution"][row.key] = EvolutionStats(
            pairs=n,
            sum_from=Decimal(int(before.sum())),
            sum_to=Decimal(int((before + change).sum())),
            sum_squares_change=Decimal(int((change * change).sum())),
            improved=int((change > 0).sum()),
        )
        stratum = "|".join(weights.strata[row.key])
        weight = weights.represented(row.key) / n
        for j in range(n):
            rows.append(
                {
                    "stratum": stratum,
                    "establishment": row.key,
                    "w": weight,
                    "yes": int(yes[j]),
                    "score": float(score[j]),
                    "improved": int(change[j] > 0),
                    "change": float(change[j]),
                    "region": row.region,
                }
            )
        exits, stays = int(rng.integers(0, 40)), int(rng.integers(40, 120))
        records["ratio"][row.key] = RatioStats(numerator=Decimal(exits), denominator=Decimal(stays), reports=12)
        activity.append(
            {
                "stratum": stratum,
                "establishment": row.key,
                "g": weights.factors[row.key],
                "exits": float(exits),
                "stays": float(stays),
                "region": row.region,
            }
        )
    return weights, records, rows, activity


def _svy_row(result: object, **where: object) -> dict[str, float]:
    frame = result.to_polars()  # type: ignore[attr-defined]
    for column, value in where.items():
        frame = frame.filter(frame[column] == value)
    assert frame.height == 1
    return frame.row(0, named=True)  # type: ignore[no-any-return]


def test_weighted_estimates_equal_svy() -> None:
    """``svy.Sample(rows, svy.Design(stratum, psu=establishment, wgt=w))`` — Taylor linearisation, with replacement,
    no fpc — gives the same value, standard error, degrees of freedom and interval to 1e-6 for a proportion
    (``prop(ci_method="beta")``, R's ``svyciprop(method="beta")`` = our Korn-Graubard), a mean, an evolution's
    share improved and mean change, an activity ratio (establishment rows weighted gᵢ), and the domain of one
    region (``where=``: establishments outside stay PSUs with zeros, df = the domain's PSUs - strata).

    One difference, by choice: the design effect of a **proportion**. svy (like R's ``deff = "replace"``) divides
    by the variance of a simple random sample estimated with ``svyvar``, ``p(1 - p) n/(n - 1)``, where Socle
    divides by ``p(1 - p)/n`` — so that the effective n is ``p(1 - p)/V``, the one the Korn-Graubard interval uses
    (and the one :mod:`socle.lib.measurement.cluster` reports). Ours is svy's x n/(n - 1), asserted below. For a
    mean both use the weighted variance with n/(n - 1), and they agree."""
    svy = pytest.importorskip("svy")
    import polars as pl

    weights, records, rows, activity = _svy_fixture()
    sample = svy.Sample(pl.DataFrame(rows), svy.Design(stratum="stratum", psu="establishment", wgt="w"))
    idf = {str(row["establishment"]) for row in rows if row["region"] == "IDF"}
    assert len({row["stratum"] for row in rows}) == 6  # six design strata, of 2 to 6 establishments
    in_idf = svy.col("region") == "IDF"

    def check(ours: object, theirs: dict[str, float], binary: bool) -> None:
        from socle.lib.sector.weighting import WeightedEstimate

        assert isinstance(ours, WeightedEstimate) and ours.value is not None and ours.interval is not None
        assert ours.standard_error is not None and ours.design_effect is not None
        assert ours.value == pytest.approx(theirs["est"], abs=1e-6)
        assert ours.standard_error == pytest.approx(theirs["se"], abs=1e-6)
        assert ours.interval.low == pytest.approx(theirs["lci"], abs=1e-6)
        assert ours.interval.high == pytest.approx(theirs["uci"], abs=1e-6)
        assert ours.degrees_of_freedom == theirs["df"]
        assert ours.n == theirs["n"]
        expected_deff = theirs["deff"] * ours.n / (ours.n - 1) if binary else theirs["deff"]
        assert ours.design_effect == pytest.approx(expected_deff, rel=1e-6)

    for domain, where in ((None, None), (idf, in_idf)):
        proportion = weighted_estimate("proportion", records["proportion"], weights, domain=domain)
        check(
            proportion, _svy_row(sample.estimation.prop("yes", ci_method="beta", deff="wr", where=where), yes=1), True
        )
        mean = weighted_estimate("mean", records["mean"], weights, domain=domain)
        check(mean, _svy_row(sample.estimation.mean("score", deff="wr", where=where)), False)
        evolution = weighted_estimate("evolution", records["evolution"], weights, domain=domain)
        check(
            evolution,
            _svy_row(sample.estimation.prop("improved", ci_method="beta", deff="wr", where=where), improved=1),
            True,
        )
        check(evolution.change, _svy_row(sample.estimation.mean("change", deff="wr", where=where)), False)

    establishments = svy.Sample(pl.DataFrame(activity), svy.Design(stratum="stratum", psu="establishment", wgt="g"))
    for domain, where in ((None, None), (idf, in_idf)):
        ours = weighted_estimate("ratio", records["ratio"], weights, domain=domain)
        theirs = _svy_row(establishments.estimation.ratio("exits", "stays", where=where))
        assert ours.value == pytest.approx(theirs["est"], abs=1e-6)
        assert ours.standard_error == pytest.approx(theirs["se"], abs=1e-6)
        assert ours.interval is not None
        assert ours.interval.low == pytest.approx(theirs["lci"], abs=1e-6)
        assert ours.interval.high == pytest.approx(theirs["uci"], abs=1e-6)
        assert ours.design_effect is None and ours.effective_n is None


# --- 3. Coverage rules ------------------------------------------------------------------------------------------


def _stratum(participating: int, total: int, people_in: int, people_out: int) -> list[FrameEstablishment]:
    """``total`` CHRS establishments in IDF, the first ``participating`` taking part and supporting ``people_in``
    people together, the others ``people_out``."""
    rows = []
    for k in range(total):
        inside = k < participating
        count, first = (participating, k == 0) if inside else (total - participating, k == participating)
        amount = people_in if inside else people_out
        rows.append(establishment(f"e{k}", "CHRS", "IDF", amount // count + (amount % count if first else 0), inside))
    return rows


@pytest.mark.parametrize(
    ("participating", "people_in", "failed"),
    [
        (3, 100, ()),  # exactly 3 establishments and exactly 10 %: both bounds included
        (2, 100, ("min_establishments",)),
        (3, 99, ("min_people_share",)),  # 99 of 999 people: 9.9 %
        (3, 101, ()),
        (2, 90, ("min_establishments", "min_people_share")),
    ],
)
def test_coverage_rules_label_the_boundaries(participating: int, people_in: int, failed: tuple[str, ...]) -> None:
    frame = _stratum(participating, 10, people_in, 900)
    result = coverage(frame, CoverageRules())
    cell = result.strata[("CHRS", "IDF")]
    assert cell.failed == failed
    assert cell.meets_rules is (not failed)
    assert result.representative is (not failed)
    assert [reason.rule for reason in result.reasons] == list(failed)
    assert all(reason.stratum == ("CHRS", "IDF") for reason in result.reasons)
    assert cell.participating == participating and cell.establishments == 10
    assert cell.people_covered == people_in and cell.people == people_in + 900


def test_coverage_overall_by_type_and_by_region() -> None:
    frame = [
        establishment("a", "CHRS", "IDF", 100),
        establishment("b", "CHRS", "IDF", 100),
        establishment("c", "CHRS", "IDF", 100),
        establishment("d", "CHRS", "ARA", 50, False),
        establishment("e", "ACI", "ARA", 0, True),  # people unknown
        establishment("f", "ACI", "ARA", 0, False),
    ]
    result = coverage(frame)
    assert not result.representative
    assert {(reason.stratum, reason.rule) for reason in result.reasons} == {
        (("CHRS", "ARA"), "min_establishments"),
        (("CHRS", "ARA"), "min_people_share"),
        (("ACI", "ARA"), "min_establishments"),
    }  # ACI x ARA: no people known, judged on its share of establishments (1 of 2)
    assert result.overall.stratum == (ALL, ALL)
    assert (result.overall.establishments, result.overall.participating) == (6, 4)
    assert (result.overall.people, result.overall.people_covered, result.overall.unknown_size) == (350, 300, 2)
    assert result.by_type["CHRS"].people_share == pytest.approx(300 / 350)
    assert result.by_type["ACI"].people_share is None and result.by_type["ACI"].unknown_size == 2
    assert result.by_region["ARA"].stratum == (ALL, "ARA")
    assert result.by_region["ARA"].participating == 1 and result.by_region["IDF"].meets_rules
    with pytest.raises(ValueError, match="negative"):
        establishment("x", "CHRS", "IDF", -1)
    with pytest.raises(ValueError, match="twice"):
        coverage([establishment("a", "CHRS", "IDF", 1), establishment("a", "ACI", "IDF", 1)])


# --- 4. Calibration ---------------------------------------------------------------------------------------------

frames = st.lists(
    st.tuples(
        st.sampled_from(["CHRS", "ACI", "CADA"]),
        st.sampled_from(["IDF", "ARA", "OCC", "BRE"]),
        st.integers(0, 500),
        st.booleans(),
    ),
    min_size=1,
    max_size=60,
).map(lambda rows: [establishment(f"e{k}", *row) for k, row in enumerate(rows)])


@FAST
@given(frames)
def test_calibrated_people_add_up_to_the_frame_in_every_weighting_stratum(frame: list[FrameEstablishment]) -> None:
    weights = calibrate(frame, CoverageRules(trim=None))
    assert weights.converged
    assert set(weights.factors) | weights.left_out_establishments == {e.key for e in frame if e.participating}
    represented = represented_by_stratum(weights)
    assert set(represented) == {s for s in weights.targets if any(weights.strata[k] == s for k in weights.strata)}
    for stratum, target in weights.targets.items():
        assert represented[stratum] == pytest.approx(target, rel=1e-9)
    kept_types = {e.type for e in frame if e.key in weights.factors}
    people = {e.key: weights.imputed.get(e.key, e.people) for e in frame}
    assert weights.population == pytest.approx(sum(people[e.key] for e in frame if e.type in kept_types))
    assert {left.stratum[0] for left in weights.left_out}.isdisjoint(kept_types)


@FAST
@given(frames)
def test_raking_meets_the_type_and_region_margins(frame: list[FrameEstablishment]) -> None:
    weights = calibrate(frame, CoverageRules(trim=None), method="raking")
    kept_types = {stratum[0] for stratum in weights.strata.values()}
    kept = [e for e in frame if e.type in kept_types]
    people = {e.key: weights.imputed.get(e.key, e.people) for e in kept}
    dropped = {c.stratum[1] for c in weights.collapsed if c.into == (ALL, ALL)}
    margins: list[tuple[str, set[str]]] = [("type", {e.type for e in kept})]
    if weights.converged:  # otherwise infeasible margins: a region only where none of its types takes part
        margins.append(("region", {e.region for e in kept} - dropped))
    for attribute, classes in margins:
        for name in classes:
            members = [e for e in kept if getattr(e, attribute) == name]
            pooled = [c.into[1] for c in weights.collapsed if c.stratum == (ALL, name)]
            if pooled:  # a pooled region: the margin is that of the pool
                members = [
                    e for e in kept if e.region in {c.stratum[1] for c in weights.collapsed if c.into[1] == pooled[0]}
                ]
            got = sum(weights.represented(e.key) for e in members)
            assert got == pytest.approx(sum(people[e.key] for e in members), rel=1e-6)


def test_with_every_establishment_taking_part_the_weights_are_people_over_respondents() -> None:
    frame = [establishment(f"e{k}", ("CHRS", "ACI")[k % 2], ("IDF", "ARA")[k // 2 % 2], 10 + 7 * k) for k in range(12)]
    weights = calibrate(frame)
    assert weights.factors == {e.key: pytest.approx(1.0) for e in frame}
    assert not weights.collapsed and not weights.left_out and not weights.trimmed
    records = {e.key: ProportionStats(n=3 + k, numerator=k % 4) for k, e in enumerate(frame)}
    result = weighted_estimate("proportion", records, weights)
    # wᵢ = peopleᵢ / xᵢ x 1: the estimate is Σ peopleᵢ pᵢ / Σ peopleᵢ.
    expected = sum(e.people * Fraction(records[e.key].numerator, records[e.key].n) for e in frame) / sum(
        e.people for e in frame
    )
    assert result.value == pytest.approx(float(expected))
    assert result.population == pytest.approx(sum(e.people for e in frame))
    assert result.n == sum(r.n for r in records.values()) and result.establishments == 12 and result.strata == 4


def test_sparse_strata_are_collapsed_and_said_so() -> None:
    frame = [
        *(establishment(f"a{k}", "CHRS", "IDF", 100) for k in range(3)),
        establishment("b0", "CHRS", "ARA", 100),
        establishment("b1", "CHRS", "ARA", 100, False),
        establishment("c0", "CHRS", "OCC", 50),
        establishment("c1", "CHRS", "OCC", 50, False),
        *(establishment(f"d{k}", "ACI", "IDF", 80) for k in range(2)),
        establishment("e0", "ACI", "ARA", 80),
    ]
    weights = calibrate(frame, CoverageRules(trim=None))
    pool = ("CHRS", "ARA+OCC")
    assert {(c.stratum, c.into) for c in weights.collapsed} == {
        (("CHRS", "ARA"), pool),
        (("CHRS", "OCC"), pool),
        (("ACI", "IDF"), ("ACI", ALL)),  # ACI x ARA alone has 1: pooled alone it is still 1, so the whole type
        (("ACI", "ARA"), ("ACI", ALL)),
    }
    assert weights.strata["b0"] == weights.strata["c0"] == pool
    assert weights.targets[pool] == 300 and weights.targets[("CHRS", "IDF")] == 300
    assert weights.factors["b0"] == pytest.approx(2.0)
    assert represented_by_stratum(weights) == pytest.approx(dict(weights.targets))


def test_a_stratum_nothing_can_absorb_is_left_out_and_reported() -> None:
    frame = [
        *(establishment(f"a{k}", "CHRS", "IDF", 100) for k in range(3)),
        establishment("m0", "Maraude", "IDF", 40),
        establishment("m1", "Maraude", "ARA", 60, False),
    ]
    weights = calibrate(frame)
    assert [(left.stratum, left.participating, left.people) for left in weights.left_out] == [
        (("Maraude", "ARA"), 0, 60),
        (("Maraude", "IDF"), 1, 40),
    ]
    assert weights.left_out_establishments == {"m0"} and "m0" not in weights.factors
    assert weights.population == 300
    records = {key: ProportionStats(n=10, numerator=5) for key in ("a0", "a1", "a2", "m0")}
    result = weighted_estimate("proportion", records, weights)
    assert result.left_out == 1 and result.establishments == 3
    assert result.unweighted.clusters == 4  # the unweighted estimate describes every participant
    with pytest.raises(ValueError, match="not among"):
        weighted_estimate("proportion", {"m1": ProportionStats(n=1)}, weights)
    with pytest.raises(ValueError, match="count"):
        weighted_estimate("count", {}, weights)


def test_trimming_caps_the_factors_and_keeps_the_type_totals() -> None:
    # CHRS x ARA: 2 of 20 establishments take part, a factor of 10 where the others have about 1.
    frame = [
        *(establishment(f"i{k}", "CHRS", "IDF", 100) for k in range(6)),
        *(establishment(f"o{k}", "CHRS", "OCC", 100, k < 5) for k in range(6)),
        *(establishment(f"a{k}", "CHRS", "ARA", 100, k < 2) for k in range(20)),
    ]
    untrimmed = calibrate(frame, CoverageRules(trim=None))
    assert max(untrimmed.factors.values()) == pytest.approx(10.0)
    weights = calibrate(frame, CoverageRules(trim=3.5))
    median = float(np.median(list(untrimmed.factors.values())))
    assert weights.caps == {"CHRS": pytest.approx(3.5 * median)}
    assert set(weights.trimmed) == {"a0", "a1"} and weights.trimmed["a0"] == pytest.approx(10.0)
    assert max(weights.factors.values()) / median <= 3.5 + 1e-9
    assert sum(weights.represented(key) for key in weights.factors) == pytest.approx(3200)
    # The people the trimmed stratum lost went to the other strata of the type.
    assert represented_by_stratum(weights)[("CHRS", "ARA")] < 2000
    assert weights.factors["i0"] > 1 and weights.converged


def test_unknown_people_are_imputed_the_median_of_the_stratum() -> None:
    frame = [
        establishment("a", "CHRS", "IDF", 100),
        establishment("b", "CHRS", "IDF", 301),
        establishment("c", "CHRS", "IDF", 0),
        establishment("d", "CHRS", "ARA", 0, False),
        establishment("e", "ACI", "ARA", 0),
        establishment("f", "ACI", "ARA", 0),
    ]
    weights = calibrate(frame)
    assert weights.imputed == {"c": 201, "d": 201, "e": 201, "f": 201}  # median 200.5, rounded half up
    assert weights.people["c"] == 201
