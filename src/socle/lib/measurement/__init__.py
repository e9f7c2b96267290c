"""The indicator engine, without Django: from answers and activity data to sufficient statistics, and from
statistics to estimates (see ``docs/measurement.md``).

- :mod:`.stats`: exact, summable records (proportion, mean, count, ratio, evolution);
- :mod:`.compute`: one submission's, one pair's or one activity report's record for a compiled indicator;
- :mod:`.estimate`: value, Wilson or t interval, "don't know" share, fragile and masked, for one group;
- :mod:`.cluster`: estimates across establishments (ratio estimator, linearised variance, design effect,
  effective n, Korn-Graubard interval, Statistics Canada reliability flags).
"""

from .cluster import ClusterSums, cluster_sums, consolidate, consolidate_indicator
from .compute import (
    Indicator,
    IndicatorError,
    activity_contribution,
    answer_contribution,
    compile_indicator,
    empty_stats,
    pair_contribution,
    respondent_breakdowns,
)
from .estimate import FRAGILE_N, MIN_CELL, Estimate, Interval, estimate_indicator, estimate_stats, reliability_flag
from .stats import (
    CountStats,
    EvolutionStats,
    MeanStats,
    ProportionStats,
    RatioStats,
    Stats,
    stats_from_dict,
)

__all__ = [
    "FRAGILE_N",
    "MIN_CELL",
    "ClusterSums",
    "CountStats",
    "Estimate",
    "EvolutionStats",
    "Indicator",
    "IndicatorError",
    "Interval",
    "MeanStats",
    "ProportionStats",
    "RatioStats",
    "Stats",
    "activity_contribution",
    "answer_contribution",
    "cluster_sums",
    "compile_indicator",
    "consolidate",
    "consolidate_indicator",
    "empty_stats",
    "estimate_indicator",
    "estimate_stats",
    "pair_contribution",
    "reliability_flag",
    "respondent_breakdowns",
    "stats_from_dict",
]
