"""The DuckDB baseline of issue 5's benchmark: the aggregates the facts hold for the LCEP indicators over answers,
computed by DuckDB from a Parquet export of the raw submissions.

- :func:`export_parquet` writes the latest version of every submission of some organisations (no correction of
  it stored) as one Parquet file with pyarrow: the columns facts read (organisation, framework version,
  questionnaire, uuid, wave, campaign, establishment, mode, reception time, follow-up hash) and one text column
  ``q_<name>`` per question of the LCEP questionnaires, the answer as stored (a multiple choice as its values
  joined by spaces).
- :func:`duckdb_aggregates` runs hand-written SQL for the LCEP indicators (the expressions of
  ``frameworks/data/lcep.yaml`` written in SQL, "don't know" and unanswered as ``socle.lib.measurement.compute``
  reads them) and returns, per fact key, the same record as the facts: proportions (n, numerator, don't know),
  means (n, Σ, Σ², don't know), and the paired evolution of the self-esteem score per respondent (first entry,
  last follow-up by follow-up hash), with the breakdowns facts keep (sex, age band, mode).

Exactness: DuckDB sums integers. Values that are not integers are summed scaled to integers: the self-esteem
score (a mean of four items, in quarters) times 100; the perceived quality of support, ``(a + b + c) div 3``, which
the expression evaluator rounds to 28 significant digits (half even), times 10^27 rounded the same way, and its squares
(55 digits, more than DuckDB's 38-digit decimals or 128-bit integers hold) as three sums of the halves of each
value. Python only scales those sums back (and adds the three partial sums of squares). ``tests/test_bench_
baseline.py`` checks that every record equals the facts', key by key, on a synthetic network.
"""

from __future__ import annotations

# ruff: noqa: S608 - the SQL is built from the constants of this module, never from input
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from socle.lib.measurement.stats import EXACT, EvolutionStats, MeanStats, ProportionStats, Stats

# (organisation, framework version, indicator, establishment, campaign, wave, period, breakdown, value): a fact's key
Key = tuple[int, int, str, int, int | None, str, str, str, str]

BASE_COLUMNS = (
    "id",
    "organisation_id",
    "framework_version_id",
    "questionnaire_code",
    "uuid",
    "wave",
    "campaign_id",
    "establishment_id",
    "mode",
    "received_at",
    "followup_hash",
)
BATCH = 20_000
SPLIT = 10**14  # a scaled value q = hi * SPLIT + lo, so that Σhi², Σhi·lo and Σlo² fit in 128 bits
DONT_KNOW = "dk"


# --- Export -------------------------------------------------------------------------------------------------------


def question_names(
    document: Mapping[str, Any], questionnaires: Iterable[str] = ("entry", "follow_up", "staff")
) -> list[str]:
    """The names of the questions of these questionnaires of a framework document, in order, without notes."""
    wanted = set(questionnaires)
    names: list[str] = []
    for questionnaire in document.get("questionnaires", []) or []:
        if questionnaire.get("code") not in wanted:
            continue
        for section in questionnaire.get("sections", []) or []:
            for question in section.get("questions", []) or []:
                if question.get("type") != "note" and question["name"] not in names:
                    names.append(question["name"])
    return names


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return " ".join(str(item) for item in value)
    return str(value)


def export_parquet(path: Path, organisation_ids: Sequence[int], questions: Sequence[str]) -> int:
    """Writes the latest versions of these organisations' submissions to ``path``; returns the number of rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from socle.collection.models import Submission

    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("organisation_id", pa.int64()),
            ("framework_version_id", pa.int64()),
            ("questionnaire_code", pa.string()),
            ("uuid", pa.string()),
            ("wave", pa.string()),
            ("campaign_id", pa.int64()),
            ("establishment_id", pa.int64()),
            ("mode", pa.string()),
            ("received_at", pa.timestamp("us", tz="UTC")),
            ("followup_hash", pa.string()),
            *((f"q_{name}", pa.string()) for name in questions),
        ]
    )
    query = (
        Submission.objects.filter(organisation_id__in=list(organisation_ids), corrections__isnull=True)
        .order_by()
        .values_list("pk", *BASE_COLUMNS[1:], "answers")
    )
    rows = 0
    columns: list[list[Any]] = [[] for _ in schema]
    width = len(BASE_COLUMNS)
    with pq.ParquetWriter(path, schema) as writer:

        def flush() -> None:
            writer.write_batch(pa.record_batch(columns, schema=schema))
            for column in columns:
                column.clear()

        for values in query.iterator(chunk_size=BATCH):
            for index in range(width):
                value = values[index]
                columns[index].append(str(value) if isinstance(value, uuid.UUID) else value)
            answers = values[width]
            for offset, name in enumerate(questions, start=width):
                columns[offset].append(_text(answers.get(name)))
            rows += 1
            if rows % BATCH == 0:
                flush()
        if columns[0]:
            flush()
    return rows


# --- SQL ----------------------------------------------------------------------------------------------------------


def _q(name: str) -> str:
    return f"q_{name}"


def _dk(name: str) -> str:
    return f"coalesce(trim({_q(name)}) = '{DONT_KNOW}', false)"


def _empty(name: str) -> str:
    return f"({_q(name)} IS NULL OR trim({_q(name)}) = '')"


def _int(name: str) -> str:
    return f"TRY_CAST(trim({_q(name)}) AS INTEGER)"


def _any(test: Any, names: Sequence[str]) -> str:
    return "(" + " OR ".join(test(name) for name in names) + ")"


def _proportion(numerator: str, names: Sequence[str]) -> str:
    """A proportion with the default denominator (answered, not "don't know"): ``status``, then ``holds``."""
    return (
        f"CASE WHEN {_any(_dk, names)} THEN 'dk' WHEN {_any(_empty, names)} THEN 'none' ELSE 'n' END AS status, "
        f"coalesce({numerator}, false) AS holds"
    )


def _proportion_over(name: str, numerator: str, denominator: str) -> str:
    """A proportion with an explicit denominator, both reading the one question ``name``."""
    return (
        f"CASE WHEN {_empty(name)} THEN 'none' WHEN {_dk(name)} THEN 'dk' "
        f"WHEN coalesce({denominator}, false) THEN 'n' ELSE 'none' END AS status, "
        f"coalesce({numerator}, false) AS holds"
    )


def _in(name: str, values: Sequence[str]) -> str:
    return f"{_q(name)} IN ({', '.join(repr(value) for value in values)})"


def _selected(name: str, values: Sequence[str]) -> str:
    return "(" + " OR ".join(f"list_contains(string_split({_q(name)}, ' '), '{v}')" for v in values) + ")"


WHO5 = [f"who5_{i}" for i in range(1, 6)]
SELF_ESTEEM = ["es_qualites", "es_capable", "es_valeur", "es_content"]
QUALITY = ["qualite_ecoute", "qualite_respect", "qualite_decisions"]
PEOPLE = ("entry", "follow_up")

# code: (questionnaires, SQL of status and holds)
_PARTICIPATION = ["cvs", "groupe_expression", "activite_collective", "entraide"]
PROPORTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "i01_access_rights": (PEOPLE, _proportion(f"{_q('droits_ouverts')} = 'oui_tous'", ["droits_ouverts"])),
    "i02_access_care": (
        PEOPLE,
        _proportion_over(
            "acces_soins", _in("acces_soins", ["oui", "difficile"]), _in("acces_soins", ["oui", "difficile", "non"])
        ),
    ),
    "i04_no_emergency_visit": (PEOPLE, _proportion(f"{_int('urgences_nb')} = 0", ["urgences_nb"])),
    "i05_work_training": (
        PEOPLE,
        _proportion_over(
            "situation_emploi",
            _in("situation_emploi", ["emploi", "insertion", "formation"]),
            _in("situation_emploi", ["emploi", "insertion", "formation", "recherche"]),
        ),
    ),
    "i06_essential_expenses": (
        PEOPLE,
        _proportion(_in("depenses_essentielles", ["toujours", "souvent"]), ["depenses_essentielles"]),
    ),
    "i07_admin_autonomy": (PEOPLE, _proportion(f"{_int('demarches_autonomie')} >= 4", ["demarches_autonomie"])),
    "i08_social_ties": (PEOPLE, _proportion(f"{_q('personne_ressource')} = 'oui'", ["personne_ressource"])),
    "i11_looking_ahead": (PEOPLE, _proportion(f"{_int('projets_avenir')} >= 4", ["projets_avenir"])),
    "i12_feeling_safe": (PEOPLE, _proportion(f"{_int('securite')} = 3", ["securite"])),
    "i13_participation": (("follow_up",), _proportion(_selected("participation", _PARTICIPATION), ["participation"])),
    "i15_staff_means": (("staff",), _proportion(f"{_int('moyens_accompagner')} >= 4", ["moyens_accompagner"])),
}


def _all_numbers(names: Sequence[str]) -> str:
    return " AND ".join(f"{_int(name)} IS NOT NULL" for name in names)


def _sum(names: Sequence[str]) -> str:
    return "(" + " + ".join(f"{_int(name)}::HUGEINT" for name in names) + ")"


_E27 = "CAST('1" + "0" * 27 + "' AS HUGEINT)"
# code: (questionnaires, the value scaled to an integer or NULL, the "don't know" test, decimal places of the scale)
MEANS: dict[str, tuple[tuple[str, ...], str, str, int]] = {
    # (w1 + … + w5) * 4: an integer
    "i10_wellbeing_who5": (PEOPLE, f"CASE WHEN {_all_numbers(WHO5)} THEN {_sum(WHO5)} * 4 END", _any(_dk, WHO5), 0),
    # (a + b + c) div 3 rounded to 28 significant digits (1 before the point, 27 after), half even (never a tie):
    # the nearest integer to s·10²⁷/3
    "i14_support_quality": (
        ("follow_up",),
        f"CASE WHEN {_all_numbers(QUALITY)} THEN (2 * {_sum(QUALITY)} * {_E27} + 3) // 6 END",
        _any(_dk, QUALITY),
        27,
    ),
}
# The self-esteem score (a + b + c + d) div 4 is a multiple of 0.25: times 100 an integer.
EVOLUTION_CODE = "i09_self_esteem_progress"
EVOLUTION_VALUE = f"CASE WHEN {_all_numbers(SELF_ESTEEM)} THEN {_sum(SELF_ESTEEM)} * 25 END"
EVOLUTION_DK = _any(_dk, SELF_ESTEEM)
EVOLUTION_IMPROVEMENT = 50  # 0.5 times 100, direction up: improved when the change is strictly beyond it
EVOLUTION_SCALE = 2

RESPONDENT_BREAKDOWNS = {"sex": "sexe", "age_band": "tranche_age"}


def _breakdown_value(name: str) -> str:
    return f"CASE WHEN {_dk(name)} THEN 'dk' WHEN {_empty(name)} THEN '' ELSE {_q(name)} END"


def _split(value: str) -> str:
    hi, lo = f"(({value}) // {SPLIT})", f"(({value}) % {SPLIT})"
    return f"{hi} * {hi} AS ss_hh, {hi} * {lo} AS ss_hl, {lo} * {lo} AS ss_ll"


def _sql(indicators: Mapping[str, Sequence[str]], questions: Sequence[str]) -> str:
    """One query: a row per submission (or respondent) and indicator with its record's fields, repeated for
    each breakdown the indicator keeps, summed per fact key."""
    have = set(questions)
    keys = "organisation_id, framework_version_id, establishment_id, campaign_id, wave, mode"
    breakdowns = ", ".join(
        f"{_breakdown_value(question)} AS b_{name}" for name, question in RESPONDENT_BREAKDOWNS.items()
    )
    parts: list[str] = []
    zero = "0::HUGEINT AS v, 0::HUGEINT AS ss_hh, 0::HUGEINT AS ss_hl, 0::HUGEINT AS ss_ll"
    zero_evolution = "0 AS pairs, 0::HUGEINT AS v_to, 0 AS improved, 0 AS from_only, 0 AS to_only"
    for code, (questionnaires, status) in PROPORTIONS.items():
        if code not in indicators:
            continue
        parts.append(
            f"SELECT '{code}' AS indicator, {keys}, b_sex, b_age_band, "
            f"(status = 'n')::INTEGER AS n, (status = 'n' AND holds)::INTEGER AS numerator, "
            f"(status = 'dk')::INTEGER AS dont_know, {zero}, {zero_evolution} "
            f"FROM (SELECT {keys}, b_sex, b_age_band, {status} FROM s "
            f"WHERE questionnaire_code IN ({', '.join(repr(q) for q in questionnaires)}))"
        )
    for code, (questionnaires, value, dont_know, _scale) in MEANS.items():
        if code not in indicators:
            continue
        parts.append(
            f"SELECT '{code}' AS indicator, {keys}, b_sex, b_age_band, (v IS NOT NULL)::INTEGER AS n, 0 AS numerator, "
            f"(v IS NULL AND dk)::INTEGER AS dont_know, coalesce(v, 0) AS v, {_split('coalesce(v, 0)')}, "
            f"{zero_evolution} "
            f"FROM (SELECT {keys}, b_sex, b_age_band, {value} AS v, {dont_know} AS dk FROM s "
            f"WHERE questionnaire_code IN ({', '.join(repr(q) for q in questionnaires)}))"
        )
    if EVOLUTION_CODE in indicators:
        sides = (
            f"SELECT {keys}, b_sex, b_age_band, received_at, uuid, "
            f"CASE WHEN followup_hash = '' THEN 'row:' || id ELSE followup_hash END AS respondent, "
            f"{EVOLUTION_VALUE} AS v, ({EVOLUTION_VALUE}) IS NULL AND {EVOLUTION_DK} AS dk FROM s "
            f"WHERE questionnaire_code IN ('entry', 'follow_up')"
        )
        pairs = (
            f"WITH sides AS ({sides}), "
            "befores AS (SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY organisation_id, respondent "
            "ORDER BY received_at, uuid) AS r FROM sides WHERE wave = 'entry') WHERE r = 1), "
            "afters AS (SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY organisation_id, respondent "
            "ORDER BY received_at DESC, uuid DESC) AS r FROM sides WHERE wave = 'follow_up') WHERE r = 1), "
            "joined AS (SELECT "
            + ", ".join(
                f"CASE WHEN b.organisation_id IS NOT NULL THEN b.{column} ELSE a.{column} END AS {column}"
                for column in (*keys.split(", "), "b_sex", "b_age_band")
            )
            + ", b.organisation_id IS NOT NULL AS has_before, a.organisation_id IS NOT NULL AS has_after, "
            "b.v AS v_from, a.v AS v_to, coalesce(b.dk, false) AS dk_from, coalesce(a.dk, false) AS dk_to "
            "FROM befores AS b FULL OUTER JOIN afters AS a "
            "ON a.organisation_id = b.organisation_id AND a.respondent = b.respondent), "
            "classified AS (SELECT *, v_from IS NOT NULL AND v_to IS NOT NULL AS paired, "
            "(v_from IS NULL OR v_to IS NULL) AND has_before AND has_after AND (dk_from OR dk_to) AS unknown "
            "FROM joined) "
        )
        change = "coalesce(v_to - v_from, 0)"
        parts.append(
            f"{pairs}SELECT '{EVOLUTION_CODE}' AS indicator, {keys}, b_sex, b_age_band, 0 AS n, 0 AS numerator, "
            "unknown::INTEGER AS dont_know, CASE WHEN paired THEN v_from ELSE 0 END::HUGEINT AS v, "
            f"{_split(change)}, paired::INTEGER AS pairs, CASE WHEN paired THEN v_to ELSE 0 END::HUGEINT AS v_to, "
            f"(paired AND v_to - v_from > {EVOLUTION_IMPROVEMENT})::INTEGER AS improved, "
            "(NOT paired AND NOT unknown AND v_from IS NOT NULL)::INTEGER AS from_only, "
            "(NOT paired AND NOT unknown AND v_from IS NULL AND v_to IS NOT NULL)::INTEGER AS to_only "
            "FROM classified"
        )
    records = " UNION ALL ".join(f"({part})" for part in parts)
    fields = "n, numerator, dont_know, v, ss_hh, ss_hl, ss_ll, pairs, v_to, improved, from_only, to_only"
    base = "indicator, organisation_id, framework_version_id, establishment_id, campaign_id, wave"
    expanded = [f"SELECT {base}, '' AS breakdown, '' AS value, {fields} FROM records"]
    for name in ("sex", "age_band", "mode"):
        which = [code for code, kept in indicators.items() if name in kept]
        if not which:
            continue
        column = "mode" if name == "mode" else f"b_{name}"
        expanded.append(
            f"SELECT {base}, '{name}' AS breakdown, {column} AS value, {fields} FROM records "
            f"WHERE indicator IN ({', '.join(repr(code) for code in which)})"
        )
    sums = ", ".join(f"sum({field})::HUGEINT AS {field}" for field in fields.split(", "))
    nonzero = " OR ".join(f"sum({field}) <> 0" for field in fields.split(", "))
    columns = "id, organisation_id, framework_version_id, questionnaire_code, uuid, wave, campaign_id, "
    columns += "establishment_id, mode, received_at, followup_hash, " + ", ".join(
        _q(name) if name in have else f"NULL::VARCHAR AS {_q(name)}" for name in _read_questions()
    )
    return (
        f"WITH s AS (SELECT {columns}, {breakdowns} FROM read_parquet($path)), "
        f"records AS ({records}) "
        f"SELECT {base}, breakdown, value, {sums} FROM ({' UNION ALL '.join(expanded)}) "
        f"GROUP BY {base}, breakdown, value HAVING {nonzero}"
    )


def _read_questions() -> list[str]:
    """Every question the SQL reads."""
    return sorted(
        {
            "droits_ouverts", "acces_soins", "urgences_nb", "situation_emploi", "depenses_essentielles",
            "demarches_autonomie", "personne_ressource", "projets_avenir", "securite", "participation",
            "moyens_accompagner", *WHO5, *SELF_ESTEEM, *QUALITY, *RESPONDENT_BREAKDOWNS.values(),
        }
    )  # fmt: skip


def _scaled(value: int, places: int) -> Decimal:
    return EXACT.scaleb(Decimal(value), -places)


def _squares(hh: int, hl: int, ll: int, places: int) -> Decimal:
    return _scaled(hh * SPLIT * SPLIT + 2 * hl * SPLIT + ll, 2 * places)


def duckdb_aggregates(
    path: Path, indicators: Mapping[str, Sequence[str]], questions: Sequence[str]
) -> dict[Key, Stats]:
    """The records of the LCEP indicators over answers computed by DuckDB from the Parquet file, per fact key.
    ``indicators``: code → breakdowns it lists (only those of the LCEP SQL above are computed)."""
    import duckdb

    sql = _sql(indicators, questions)
    with duckdb.connect() as con:
        con.execute("SET threads TO 2")
        rows = con.execute(sql, {"path": str(path)}).fetchall()
    out: dict[Key, Stats] = {}
    for code, organisation, version, establishment, campaign, wave, breakdown, value, *sums in rows:
        n, numerator, dont_know, v, hh, hl, ll, pairs, v_to, improved, from_only, to_only = (int(x) for x in sums)
        record: Stats
        if code == EVOLUTION_CODE:
            record = EvolutionStats(
                pairs=pairs,
                sum_from=_scaled(v, EVOLUTION_SCALE),
                sum_to=_scaled(v_to, EVOLUTION_SCALE),
                sum_squares_change=_squares(hh, hl, ll, EVOLUTION_SCALE),
                improved=improved,
                dont_know=dont_know,
                from_only=from_only,
                to_only=to_only,
            )
        elif code in MEANS:
            places = MEANS[code][3]
            record = MeanStats(
                n=n, total=_scaled(v, places), sum_squares=_squares(hh, hl, ll, places), dont_know=dont_know
            )
        else:
            record = ProportionStats(n=n, numerator=numerator, dont_know=dont_know)
        out[(organisation, version, code, establishment, campaign, wave, "", breakdown, value)] = record
    return out


def lcep_indicators(document: Mapping[str, Any]) -> dict[str, list[str]]:
    """code → breakdowns of the document's indicators over answers that the SQL above computes."""
    known = {*PROPORTIONS, *MEANS, EVOLUTION_CODE}
    return {
        str(indicator["code"]): list(indicator.get("breakdowns") or [])
        for indicator in document.get("indicators", []) or []
        if indicator.get("code") in known and indicator.get("source") == "answers"
    }
