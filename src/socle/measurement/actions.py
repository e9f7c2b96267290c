"""Writes of facts: the incremental updates called by the writes of raw data, and the rebuild.

Incremental, in the transaction of the write that calls it:

- :func:`submission_received` — ``collection.actions.submit``, a new submission (never a resend);
- :func:`submissions_inserted` — ``imports.actions``, after each bulk insert (one batch of rows, few queries);
- :func:`correction_received` — ``collection.actions.correct_submission``: the old version's records out, the
  new one's in;
- :func:`reports_revised` — ``activity.actions``: a new revision's records in, the one it supersedes out.

Each computes the records to add (``socle.measurement.contributions``), sums them per fact key in Python, then
:func:`apply` writes them: one ``SELECT … FOR UPDATE`` of the facts of the cells touched (in primary-key order,
so that two writers never wait for each other in a cycle), an ``INSERT`` of the facts that did not exist yet (in a
savepoint: when a concurrent writer inserted the same fact first, the savepoint is rolled back and the facts
read again, now locked), and one ``UPDATE``. No update is lost on PostgreSQL: a fact is read under its row lock
and written in the same transaction. Evolutions are recomputed per respondent (the latest versions of the
submissions sharing a follow-up hash); on PostgreSQL an advisory lock per (organisation, bucket of follow-up
hashes) serialises two writers of the same respondent, so that the second one reads the first one's rows.

:func:`rebuild` recomputes every fact of some or all organisations from the raw data (latest versions of
submissions, current activity reports) and replaces them, in one transaction; it streams the submissions, one
organisation at a time (memory holds one organisation's facts and one respondent's rows). On PostgreSQL it locks
the facts table against writes (``EXCLUSIVE``: reads go on) for its duration, so that a submission arriving
meanwhile is counted exactly once: either before the rebuild reads the raw data, or after it, on the rebuilt facts.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction

from socle.activity.access import current_reports
from socle.collection.models import Submission
from socle.frameworks.models import FrameworkVersion
from socle.lib.measurement.stats import ProportionStats, stats_from_dict
from socle.measurement.access import facts_of
from socle.measurement.contributions import (
    Answered,
    Deltas,
    Key,
    Reader,
    Reported,
    Totals,
    group_key,
    has_evolutions,
    report_records,
)
from socle.measurement.models import Fact
from socle.network.models import Organisation

__all__ = [
    "RebuildOutcome",
    "apply",
    "correction_received",
    "rebuild",
    "reports_revised",
    "submission_received",
    "submissions_inserted",
]

# Advisory locks of respondents: (organisation, one of LOCK_BUCKETS buckets of follow-up hashes). An import takes
# at most LOCK_BUCKETS of them, well within PostgreSQL's lock table.
LOCK_BUCKETS = 64
LOCK_NAMESPACE = 0x50C1E  # "socle": keeps these apart from any other advisory lock
PARAMETERS_PER_QUERY = 30_000  # under SQLite's 32,766 and PostgreSQL's 65,535
HASHES_PER_QUERY = 500
UPDATES_PER_QUERY = 1000
ATTEMPTS = 5


def _version_shas(objects: Iterable[Any]) -> dict[int, str]:
    """The content hashes of the versions already loaded with the rows (no query)."""
    shas: dict[int, str] = {}
    for obj in objects:
        descriptor = type(obj).framework_version
        if descriptor.is_cached(obj):
            shas[obj.framework_version_id] = obj.framework_version.content_sha256
    return shas


# --- Incremental --------------------------------------------------------------------------------------------------


def submission_received(
    submission: Submission,
    scores: Mapping[str, object] | None = None,
    scored_on: datetime.date | None = None,
    *,
    new_respondent: bool = False,
) -> None:
    """A new submission (``submit``): its records in; for an evolution, its respondent's record replaced.
    ``scores``: ``Questionnaire.check(answers, today=scored_on).scores``, when the caller has them (used only when
    ``scored_on`` is the day the submission was received, so that they equal what a rebuild computes).

    ``new_respondent``: the submission's follow-up hash was issued for it, now (an entry through ``submit``: the
    code is derived from its uuid and given back only once the transaction commits), so no other submission can
    have it yet: its evolution records are its own, without reading the respondent's rows or taking their lock."""
    if not new_respondent or not submission.followup_hash:
        submissions_inserted([submission], scores=None if scores is None else [(scores, scored_on)])
        return
    reader = Reader(_version_shas([submission]))
    row = Answered.of(submission)
    if scores is not None and scored_on is not None:
        reader.know_scores(row, scores, scored_on)
    deltas: Deltas = {}
    reader.submission_records(row, deltas)
    if has_evolutions(reader, row):
        reader.respondent_records([row], deltas)
    apply(deltas)


def submissions_inserted(
    submissions: Sequence[Submission],
    *,
    scores: Sequence[tuple[Mapping[str, object], datetime.date | None]] | None = None,
) -> None:
    """New submissions, none of them a correction (``submit``, a batch of an import); ``scores``, when given, the
    scores of each submission and the day they were computed for."""
    if not submissions:
        return
    reader = Reader(_version_shas(submissions))
    rows = [Answered.of(submission) for submission in submissions]
    for row, (known, scored_on) in zip(rows, scores or (), strict=False):
        if scored_on is not None:
            reader.know_scores(row, known, scored_on)
    deltas: Deltas = {}
    for row in rows:
        reader.submission_records(row, deltas)
    evolving = [row for row in rows if has_evolutions(reader, row)]
    if evolving:
        _respondents_changed(reader, evolving, added=evolving, removed=[], into=deltas)
    apply(deltas)


def correction_received(original: Submission, correction: Submission) -> None:
    """A correction (``correct_submission``): the original's records out, the correction's in."""
    reader = Reader(_version_shas([original, correction]))
    old, new = Answered.of(original), Answered.of(correction)
    deltas: Deltas = {}
    reader.submission_records(old, deltas, -1)
    reader.submission_records(new, deltas)
    if has_evolutions(reader, old) or has_evolutions(reader, new):
        _respondents_changed(reader, [new], added=[new], removed=[old], into=deltas)
    apply(deltas)


def reports_revised(revisions: Sequence[tuple[Any, Any]]) -> None:
    """New activity report revisions, each with the revision it supersedes (None for a first one)."""
    if not revisions:
        return
    reader = Reader(_version_shas([report for pair in revisions for report in pair if report is not None]))
    deltas: Deltas = {}
    kinds: dict[Key, str] = {}
    for report, previous in revisions:
        if previous is not None:
            kinds.update(report_records(reader, Reported.of(previous), deltas, -1))
        kinds.update(report_records(reader, Reported.of(report), deltas))
    apply(deltas, kinds)


def _lock_respondents(keys: Iterable[tuple[int, str]]) -> None:
    """On PostgreSQL, the advisory locks of these respondents' buckets, in order (until the transaction ends)."""
    if connection.vendor != "postgresql":
        return  # SQLite: one writer at a time anyway
    locks = sorted(
        {
            (LOCK_NAMESPACE << 40)
            | (organisation_id << 8)
            | (hashlib.blake2b(followup_hash.encode(), digest_size=2).digest()[0] % LOCK_BUCKETS)
            for organisation_id, followup_hash in keys
        }
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT unnest(%s::bigint[]) AS k ORDER BY 1) AS locks",
            [locks],
        )


def _answered(values: Sequence[Any]) -> Answered:
    """A row of :data:`_ROWS_SQL` as the ORM would give it (SQLite returns uuids as hex, answers as text and
    naive UTC datetimes; psycopg gives jsonb as text, Django decoding it)."""
    pk, organisation_id, version_id, code, uid, wave, campaign_id, establishment_id, mode, answers, at, hashed = values
    if not isinstance(uid, uuid.UUID):
        uid = uuid.UUID(str(uid))
    if isinstance(at, str):
        at = datetime.datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=datetime.UTC)
    return Answered(
        pk, organisation_id, version_id, code, uid, wave, campaign_id, establishment_id, mode, _decoded(answers), at,
        hashed,
    )  # fmt: skip


def _rows_sql(hashes: int) -> str:
    table = connection.ops.quote_name(Submission._meta.db_table)
    marks = ", ".join(["%s"] * hashes)
    columns = ", ".join(connection.ops.quote_name("id" if name == "pk" else name) for name in Answered.FIELDS)
    return (
        f"SELECT {columns} FROM {table} AS s WHERE s.organisation_id = %s AND s.followup_hash IN ({marks}) "  # noqa: S608
        f"AND NOT EXISTS (SELECT 1 FROM {table} AS c WHERE c.corrects_id = s.id)"
    )


def _current_rows(keys: Iterable[tuple[int, str]]) -> list[Answered]:
    """The latest versions of the submissions of these respondents. Plain SQL: this runs once per submission."""
    by_organisation: dict[int, list[str]] = defaultdict(list)
    for organisation_id, followup_hash in sorted(set(keys)):
        by_organisation[organisation_id].append(followup_hash)
    rows: list[Answered] = []
    with connection.cursor() as cursor:
        for organisation_id, hashes in by_organisation.items():
            for start in range(0, len(hashes), HASHES_PER_QUERY):
                chunk = hashes[start : start + HASHES_PER_QUERY]
                cursor.execute(_rows_sql(len(chunk)), [organisation_id, *chunk])
                rows.extend(_answered(values) for values in cursor.fetchall())
    return rows


def _respondents_changed(
    reader: Reader, rows: Sequence[Answered], *, added: Sequence[Answered], removed: Sequence[Answered], into: Deltas
) -> None:
    """Evolution records of the respondents of ``rows``: the new record (their rows as stored now, which
    include ``added`` and no longer ``removed``) minus the old one (without ``added``, with ``removed``)."""
    keys = {key for row in rows if (key := group_key(row)) is not None}
    added_ids = {row.identity for row in added}
    for row in rows:  # respondents of their own: no follow-up hash
        if group_key(row) is None:
            reader.respondent_records([row], into)
    for row in removed:
        if group_key(row) is None:
            reader.respondent_records([row], into, -1)
    if not keys:
        return
    _lock_respondents(keys)
    now: dict[tuple[int, str], list[Answered]] = defaultdict(list)
    for row in _current_rows(keys):
        now[(row.organisation_id, row.followup_hash)].append(row)
    gone: dict[tuple[int, str], list[Answered]] = defaultdict(list)
    for row in removed:
        key = group_key(row)
        if key is not None:
            gone[key].append(row)
    for key in sorted(keys):
        after = now.get(key, [])
        before = [row for row in after if row.identity not in added_ids] + gone.get(key, [])
        reader.respondent_records(after, into)
        reader.respondent_records(before, into, -1)


# --- Writing facts ------------------------------------------------------------------------------------------------


def _sortable(key: Key) -> tuple[Any, ...]:
    return tuple(-1 if part is None else part for part in key)


_COLUMNS = (
    "id, organisation_id, framework_version_id, indicator, establishment_id, campaign_id, wave, period, breakdown, "
    "value, stats"
)


def _cell_sql(cell: tuple[Any, ...], facts: Sequence[tuple[str, str, str]]) -> tuple[str, list[Any]]:
    """The facts of one cell whose (indicator, breakdown, value) are among ``facts``: exactly the rows to lock."""
    version_id, establishment_id, campaign_id, wave, period = cell
    campaign = "campaign_id IS NULL" if campaign_id is None else "campaign_id = %s"
    triples = ", ".join(["(%s, %s, %s)"] * len(facts))
    clause = (
        f"(framework_version_id = %s AND establishment_id = %s AND {campaign} AND wave = %s AND period = %s "
        f"AND (indicator, breakdown, value) IN ({triples}))"
    )
    params = [version_id, establishment_id] + ([] if campaign_id is None else [campaign_id]) + [wave, period]
    return clause, params + [part for triple in facts for part in triple]


def _decoded(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _locked(changes: Mapping[Key, Any]) -> dict[Key, tuple[int, dict[str, Any]]]:
    """The id and statistics of the existing facts of these keys, locked (``FOR UPDATE`` on PostgreSQL, in id
    order, so that two writers never wait for each other in a cycle). Only the rows of these keys are read and
    locked, not every breakdown of their cells. Plain SQL: this runs once per submission, and the ORM's query
    building would cost more than the query."""
    cells: dict[tuple[Any, ...], list[tuple[str, str, str]]] = defaultdict(list)
    for key in sorted(changes, key=_sortable):
        cells[(key[1], key[3], key[4], key[5], key[6])].append((key[2], key[7], key[8]))
    table = connection.ops.quote_name(Fact._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    found: dict[Key, tuple[int, dict[str, Any]]] = {}
    clauses: list[str] = []
    params: list[Any] = []

    def select() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {_COLUMNS} FROM {table} WHERE {' OR '.join(clauses)} ORDER BY id{lock}",  # noqa: S608
                params,
            )
            for pk, *key, data in cursor.fetchall():
                found[tuple(key)] = (pk, _decoded(data))  # type: ignore[index]
        clauses.clear()
        params.clear()

    for cell in sorted(cells, key=_sortable):
        facts = cells[cell]
        for start in range(0, len(facts), PARAMETERS_PER_QUERY // 3):
            clause, values = _cell_sql(cell, facts[start : start + PARAMETERS_PER_QUERY // 3])
            if params and len(params) + len(values) > PARAMETERS_PER_QUERY:
                select()
            clauses.append(clause)
            params.extend(values)
    if clauses:
        select()
    return found


def _new_fact(key: Key, stats: dict[str, Any], period_kind: str) -> Fact:
    organisation_id, version_id, indicator, establishment_id, campaign_id, wave, period, breakdown, value = key
    return Fact(
        organisation_id=organisation_id,
        framework_version_id=version_id,
        indicator=indicator,
        establishment_id=establishment_id,
        campaign_id=campaign_id,
        wave=wave,
        period=period,
        period_kind=period_kind,
        breakdown=breakdown,
        value=value,
        stats=stats,
    )


_PROPORTION = ("n", "numerator", "dont_know")


def _sum(data: Mapping[str, Any], record: Any) -> dict[str, Any] | None:
    """``stats_from_dict(data) + record`` as ``to_dict()`` writes it, None when zero. Proportions (most facts: three
    ints) are added as they are, without building records; other kinds go through ``socle.lib.measurement``."""
    if (
        type(record) is ProportionStats
        and len(data) == 4
        and data.get("kind") == "proportion"
        and all(type(data.get(name)) is int for name in _PROPORTION)
    ):
        n, numerator, dont_know = (data[name] + getattr(record, name) for name in _PROPORTION)
        if n == numerator == dont_know == 0:
            return None
        return {"kind": "proportion", "n": n, "numerator": numerator, "dont_know": dont_know}
    total = stats_from_dict(data) + record
    return None if total.is_zero() else total.to_dict()


def apply(deltas: Mapping[Key, Any], period_kinds: Mapping[Key, str] | None = None) -> None:
    """Adds each record to the fact of its key: locked, inserted when new, deleted when back to zero."""
    changes = {key: record for key, record in deltas.items() if not record.is_zero()}
    if not changes:
        return
    kinds = period_kinds or {}
    for _attempt in range(ATTEMPTS):
        existing = _locked(changes)
        missing = sorted((key for key in changes if key not in existing), key=_sortable)
        if missing:
            try:
                with transaction.atomic():
                    Fact.objects.bulk_create(
                        [_new_fact(key, changes[key].to_dict(), kinds.get(key, "")) for key in missing],
                        batch_size=1000,
                    )
            except IntegrityError:
                continue  # a concurrent writer inserted one of them first: read them again, locked
        updated: list[tuple[str, int]] = []
        zero: list[int] = []
        for key, (pk, data) in existing.items():
            total = _sum(data, changes[key])
            if total is None:
                zero.append(pk)
            else:
                updated.append((json.dumps(total), pk))
        table = connection.ops.quote_name(Fact._meta.db_table)
        with connection.cursor() as cursor:
            for start in range(0, len(updated), UPDATES_PER_QUERY):
                # One statement for all the facts (executemany would be one round trip each on PostgreSQL).
                chunk = updated[start : start + UPDATES_PER_QUERY]
                if connection.vendor == "postgresql":
                    rows = ", ".join(["(%s::jsonb, %s::bigint)"] * len(chunk))
                    sql = f"UPDATE {table} SET stats = v.stats FROM (VALUES {rows}) AS v(stats, id) WHERE {table}.id = v.id"  # noqa: S608, E501
                else:
                    rows = ", ".join(["(%s, %s)"] * len(chunk))
                    sql = (
                        f"WITH v(stats, id) AS (VALUES {rows}) "  # noqa: S608
                        f"UPDATE {table} SET stats = v.stats FROM v WHERE {table}.id = v.id"
                    )
                cursor.execute(sql, [value for pair in chunk for value in pair])
            if zero:
                marks = ", ".join(["%s"] * len(zero))
                cursor.execute(f"DELETE FROM {table} WHERE id IN ({marks})", zero)  # noqa: S608
        return
    raise RuntimeError("facts: could not insert new facts after several attempts")  # pragma: no cover


# --- Rebuild ------------------------------------------------------------------------------------------------------


@dataclass
class RebuildOutcome:
    organisations: int = 0
    submissions: int = 0
    reports: int = 0
    facts: int = 0
    seconds: float = 0.0


def _stream(organisation_id: int, chunk_size: int) -> Iterator[Answered]:
    """The latest versions of an organisation's submissions, a respondent's rows one after the other."""
    # Plain SQL through a chunked cursor (server-side on PostgreSQL): the ORM's conversions cost more than the read.
    table = connection.ops.quote_name(Submission._meta.db_table)
    columns = ", ".join(connection.ops.quote_name("id" if name == "pk" else name) for name in Answered.FIELDS)
    sql = (
        f"SELECT {columns} FROM {table} AS s WHERE s.organisation_id = %s "  # noqa: S608
        f"AND NOT EXISTS (SELECT 1 FROM {table} AS c WHERE c.corrects_id = s.id) "
        "ORDER BY s.followup_hash, s.received_at, s.uuid"
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [organisation_id])
        while batch := cursor.fetchmany(chunk_size):
            for values in batch:
                yield _answered(values)


def _json(data: dict[str, Any]) -> str:
    """``json.dumps(data)``, written directly for proportions (most facts)."""
    if data["kind"] == "proportion" and len(data) == 4:
        n, numerator, dont_know = data["n"], data["numerator"], data["dont_know"]
        return f'{{"kind": "proportion", "n": {n}, "numerator": {numerator}, "dont_know": {dont_know}}}'
    return json.dumps(data)


def _rebuilt(organisation_id: int, reader: Reader, outcome: RebuildOutcome, chunk_size: int) -> list[tuple[Any, ...]]:
    totals = Totals()
    group: list[Answered] = []
    group_hash = ""

    def flush() -> None:
        if group:
            reader.respondent_records(group, totals)
            group.clear()
        reader.forget()

    for row in _stream(organisation_id, chunk_size):
        outcome.submissions += 1
        evolving = has_evolutions(reader, row)
        if evolving and row.followup_hash and row.followup_hash != group_hash:
            flush()  # the previous respondent is complete (rows come ordered by follow-up hash)
            group_hash = row.followup_hash
        reader.submission_records(row, totals)
        if not evolving:
            if not group:
                reader.forget()
        elif not row.followup_hash:
            reader.respondent_records([row], totals)
            reader.forget()
        else:
            group.append(row)
    flush()
    kinds: dict[Key, str] = {}
    reports = current_reports(organisation_id).values_list(*Reported.FIELDS)
    for values in reports.iterator(chunk_size=chunk_size):
        outcome.reports += 1
        kinds.update(report_records(reader, Reported(*values), totals))
    rows = [
        (*key[:7], kinds.get(key, ""), key[7], key[8], _json(data))
        for key, data in sorted(totals.records(reader), key=lambda item: _sortable(item[0]))
    ]
    reader.trim()
    return rows


_INSERTED = (
    "organisation_id",
    "framework_version_id",
    "indicator",
    "establishment_id",
    "campaign_id",
    "wave",
    "period",
    "period_kind",
    "breakdown",
    "value",
    "stats",
)


def _insert(rows: Sequence[tuple[Any, ...]]) -> None:
    """Inserts rebuilt facts (rows of :data:`_INSERTED`, ``stats`` as JSON text): a ``COPY`` on PostgreSQL, batched
    ``INSERT`` statements elsewhere, without building model instances."""
    table = connection.ops.quote_name(Fact._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in _INSERTED)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(_INSERTED))
        batch = max(1, 30_000 // len(_INSERTED))
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            values = ", ".join([f"({marks})"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values}",  # noqa: S608
                [value for row in chunk for value in row],
            )


def rebuild(organisation_ids: Sequence[int] | None = None, *, chunk_size: int = 2000) -> RebuildOutcome:
    """Every fact of these organisations (all when None) computed again from the raw data and put in place of
    the stored ones, in one transaction. Idempotent: a second run writes the same rows."""
    started = time.perf_counter()
    outcome = RebuildOutcome()
    if organisation_ids is None:
        organisation_ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    reader = Reader(dict(FrameworkVersion.objects.values_list("pk", "content_sha256")), memo=True)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Writers of facts wait until the rebuild commits, then add their records to the rebuilt facts; a
            # writer that got there first has committed before the rebuild reads the raw data. Reads go on.
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Fact._meta.db_table} IN EXCLUSIVE MODE")
        for organisation_id in organisation_ids:
            facts = _rebuilt(organisation_id, reader, outcome, chunk_size)
            facts_of(organisation_id).delete()
            _insert(facts)
            outcome.organisations += 1
            outcome.facts += len(facts)
    outcome.seconds = time.perf_counter() - started
    return outcome
