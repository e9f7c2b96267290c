"""Importing a file of answers into a campaign: all or nothing, every error reported, safe to repeat.

``import_file`` is the one way a file's rows become submissions; the command ``socle import_submissions`` calls
it directly and the pages call it through an :class:`ImportJob` run by the worker (``socle.imports.tasks``).

1. **Read and check every row** (``socle.lib.imports``): the file's cells become raw answers, checked by the
   questionnaire exactly as ``socle.collection.actions.submit`` checks them, plus the row id, establishment,
   follow-up code and quote consent columns. One error anywhere: nothing is stored, every error is reported.
2. **Store every row in one transaction**, as ``submit`` would store it: the same checked answers
   (``stored_answers``), digest (``answers_digest``), follow-up hash (a code issued at entry with
   ``issued_code``, or the code read at follow-up and exit), mode ``import``, ``entered_by`` the person. Rows
   are written with ``bulk_create`` in batches of :data:`BATCH`; the queries do not grow per row.
3. **Idempotent with a row id column**: the submission's uuid is ``uuid5(campaign, questionnaire, row id)``, so
   importing the same file again stores nothing new ("already imported"), and a row id whose answers (or
   establishment, follow-up code, quote consent) changed is a conflict: an error, and nothing is stored. Without
   a row id, a job's rows get ``uuid5(job, row number)`` (a retried job stores nothing twice), and a command's
   rows random uuids: importing the file again adds its rows again.

A dry run does all the checks, including the comparison with what is stored, and writes nothing.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socle.audit.models import record
from socle.collection import actions as collection_actions
from socle.collection.models import Campaign, CollectionLink, Mode, Submission, Wave
from socle.imports.models import ImportJob
from socle.lib.collection import followup
from socle.lib.collection.answers import Questionnaire
from socle.lib.imports.files import SUPPORTED_EXTENSIONS, ImportFileError, Note, Table, read_table
from socle.lib.imports.mapping import (
    ESTABLISHMENT,
    FOLLOWUP_CODE,
    QUOTE_CONSENT,
    ROLES,
    ROW_ID,
    MappingError,
    Plan,
    Question,
    apply_explicit,
    questions_of,
    suggest,
)
from socle.lib.imports.rows import (
    EstablishmentRef,
    RowError,
    RowReader,
    ValidRow,
    plan_problems,
    validate,
)
from socle.measurement import actions as facts
from socle.network.actions import ActionError
from socle.network.frame_import import _whole_batches
from socle.network.models import Establishment, Organisation

__all__ = [
    "BATCH",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "FileProblem",
    "ImportOutcome",
    "Target",
    "create_job",
    "entry_codes",
    "import_file",
    "insert_submissions",
    "queue_job",
    "resolve_target",
    "run_job",
    "target_of",
]

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
BATCH = 2000
PROGRESS_EVERY = 2000
PREVIEW_ROWS = 5
# The namespace of the uuids of imported rows: uuid5(IMPORT_NAMESPACE, "<campaign>/<questionnaire>/<row id>").
IMPORT_NAMESPACE = uuid_module.UUID("5e7c1e0a-1b0f-4b8e-9a55-3c0de1f0a7e2")


class FileProblem(ActionError):
    """The file cannot be read at all (type, size, encoding, damage); ``error`` has the code when it comes from
    ``socle.lib.imports.files``."""

    def __init__(self, message: str, error: ImportFileError | None = None) -> None:
        super().__init__(message)
        self.error = error


# --- Where the rows go ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A campaign and questionnaire, and either one link (every row goes to its establishment) or the links of
    every establishment of the campaign for that questionnaire (each row names its establishment)."""

    campaign: Campaign
    questionnaire_code: str
    link: CollectionLink | None
    links: Mapping[int, CollectionLink]  # establishment id -> link

    @property
    def organisation(self) -> Organisation:
        return self.campaign.organisation

    @property
    def establishment(self) -> Establishment | None:
        return self.link.establishment if self.link is not None else None

    def questionnaire(self) -> tuple[Questionnaire, str]:
        return collection_actions.questionnaire_of(self.campaign.framework_version, self.questionnaire_code)

    def questions(self) -> tuple[Question, ...]:
        document = self.campaign.framework_version.effective_content()
        return questions_of(document, self.questionnaire_code)

    def reads_followup(self) -> bool:
        """Whether a follow-up code column is read: follow-up and exit waves, questionnaires for people."""
        _questionnaire, audience = self.questionnaire()
        return audience == "people_supported" and self.campaign.wave != Wave.ENTRY

    def issues_codes(self) -> bool:
        """Whether each row gets a follow-up code to hand out: entry wave, questionnaires for people."""
        _questionnaire, audience = self.questionnaire()
        return audience == "people_supported" and self.campaign.wave == Wave.ENTRY

    def roles(self) -> tuple[str, ...]:
        roles = [ROW_ID, QUOTE_CONSENT]
        if self.link is None:
            roles.append(ESTABLISHMENT)
        if self.reads_followup():
            roles.append(FOLLOWUP_CODE)
        return tuple(role for role in ROLES if role in roles)


def _campaigns() -> Any:
    return Campaign.objects.select_related(
        "organisation__network", "framework_version__framework", "framework_version__base_version"
    )


def target_of(campaign: Campaign, questionnaire_code: str, establishment: Establishment | None = None) -> Target:
    """The target of an import into ``campaign`` (one establishment, or each row names its own)."""
    links = {
        link.establishment_id: link
        for link in CollectionLink.objects.select_related("establishment").filter(
            campaign=campaign, questionnaire_code=questionnaire_code
        )
    }
    if not links:
        raise ActionError(_("This campaign has no questionnaire %(code)s at its wave.") % {"code": questionnaire_code})
    link = None
    if establishment is not None:
        link = links.get(establishment.pk)
        if link is None:
            raise ActionError(_("This establishment does not take part in this campaign."))
    return Target(campaign, questionnaire_code, link, links)


def resolve_target(code: str, questionnaire: str | None = None, *, organisation: Organisation | None = None) -> Target:
    """``code`` is a collection link's code (one establishment and questionnaire) or a campaign's public id
    (then each row names its establishment; ``questionnaire`` is needed when the wave has several)."""
    text = code.strip()
    link = CollectionLink.objects.filter(code=text.lower()).select_related("campaign").first()
    if link is not None and (organisation is None or link.organisation_id == organisation.pk):
        if questionnaire and questionnaire != link.questionnaire_code:
            raise ActionError(
                _("The link %(code)s is for the questionnaire %(questionnaire)s.")
                % {"code": link.code, "questionnaire": link.questionnaire_code}
            )
        campaign = _campaigns().get(pk=link.campaign_id)
        target = target_of(campaign, link.questionnaire_code)
        return Target(campaign, link.questionnaire_code, target.links[link.establishment_id], target.links)
    try:
        public_id = uuid_module.UUID(text)
    except ValueError:
        raise ActionError(
            _("No collection link has the code %(code)s, and it is not a campaign id.") % {"code": text}
        ) from None
    campaigns = _campaigns().filter(public_id=public_id)
    if organisation is not None:
        campaigns = campaigns.filter(organisation=organisation)
    campaign = campaigns.first()
    if campaign is None:
        raise ActionError(_("No campaign has the id %(code)s.") % {"code": text})
    codes = sorted(set(campaign.links.values_list("questionnaire_code", flat=True)))
    if questionnaire is None:
        if len(codes) != 1:
            raise ActionError(
                _("This campaign has several questionnaires (%(codes)s): say which one the file answers.")
                % {"codes": ", ".join(codes)}
            )
        questionnaire = codes[0]
    if questionnaire not in codes:
        raise ActionError(
            _("This campaign has no questionnaire %(code)s; its questionnaires are %(codes)s.")
            % {"code": questionnaire, "codes": ", ".join(codes)}
        )
    return target_of(campaign, questionnaire)


# --- Reading the file -----------------------------------------------------------------------------------------


def read_file(file_name: str, content: bytes) -> Table:
    """The file's table, or ``FileProblem`` saying why it cannot be read."""
    if PurePath(file_name).suffix.lower() not in SUPPORTED_EXTENSIONS:
        error = ImportFileError("extension", "unsupported file type: use a .csv or .xlsx file")
        raise FileProblem(str(error), error)
    if len(content) > MAX_FILE_BYTES:
        raise FileProblem(
            _("This file is too large: the limit is %(limit)s MB.") % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
        )
    try:
        return read_table(file_name, content, max_rows=MAX_ROWS)
    except ImportFileError as error:
        raise FileProblem(str(error), error) from None


def plan_for(target: Target, header: Sequence[str], explicit: Sequence[tuple[str, str]] = ()) -> Plan:
    """The automatic mapping of the file's columns, with the person's choices applied (``MappingError``)."""
    questions = target.questions()
    roles = target.roles()
    return apply_explicit(suggest(header, questions, roles=roles), explicit, questions, roles=roles)


# --- Importing ----------------------------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    """What ``import_file`` did. With errors nothing was stored; with ``dry_run`` nothing either, and the
    counts say what importing would do."""

    file_name: str
    rows: int
    dry_run: bool
    plan: Plan
    notes: list[Note] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    imported: int = 0
    skipped: int = 0  # already imported with the same answers
    codes: list[tuple[int, str, str]] = field(default_factory=list)  # at entry: (row, row id, follow-up code)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def has_row_id(self) -> bool:
        return self.plan.column(ROW_ID) is not None


def row_uuid(target: Target, row: ValidRow, seed: uuid_module.UUID | None) -> uuid_module.UUID:
    if row.row_id:
        name = f"{target.campaign.public_id}/{target.questionnaire_code}/{row.row_id}"
        return uuid_module.uuid5(IMPORT_NAMESPACE, name)
    if seed is not None:
        return uuid_module.uuid5(seed, str(row.row))
    return uuid_module.uuid4()


def import_file(
    *,
    target: Target,
    file_name: str,
    content: bytes,
    acting_user: Any,
    explicit: Sequence[tuple[str, str]] = (),
    plan: Plan | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    seed: uuid_module.UUID | None = None,
    keep_codes: bool = True,
) -> ImportOutcome:
    """Reads, checks and (unless ``dry_run`` or any error) stores a file's rows; see the module docstring.

    ``plan`` is a mapping already chosen (the job's); otherwise the automatic mapping with ``explicit`` applied.
    ``keep_codes``: whether the outcome lists the follow-up codes issued at entry (a job derives them again
    when they are downloaded). Raises ``FileProblem`` when the file cannot be read at all.
    """
    table = read_file(file_name, content)
    questions = target.questions()
    questionnaire, _audience = target.questionnaire()
    if plan is None:
        try:
            plan = plan_for(target, table.header, explicit)
        except MappingError as error:
            outcome = ImportOutcome(file_name, len(table.rows), dry_run, suggest(table.header, questions))
            outcome.errors = [RowError(table.header_row, "", "", "mapping", str(error), {"detail": str(error)})]
            outcome.error_count = 1
            return outcome
    elif plan.header != table.header:
        raise FileProblem(_("The file's columns are not the ones mapped: upload the file again."))
    outcome = ImportOutcome(file_name, len(table.rows), dry_run, plan, notes=list(table.notes))
    problems = plan_problems(plan, questions, header_row=table.header_row, needs_establishment=target.link is None)
    reader = RowReader(
        plan,
        questions,
        questionnaire,
        establishments=(
            [
                EstablishmentRef(
                    link.establishment_id,
                    link.establishment.finess,
                    link.establishment.name,
                    str(link.establishment.public_id),
                )
                for link in target.links.values()
            ]
            if target.link is None
            else None
        ),
        read_followup=target.reads_followup(),
        today=timezone.localdate(),
    )
    validation = validate(table, reader, problems=problems, progress=progress, every=PROGRESS_EVERY)
    del table
    if not validation.ok:
        outcome.errors, outcome.error_count = validation.errors, validation.error_count
        return outcome
    _store(target, validation.valid, questionnaire.names, outcome, acting_user=acting_user, seed=seed, codes=keep_codes)
    return outcome


def _batches(rows: Sequence[ValidRow]) -> Iterator[Sequence[ValidRow]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _store(
    target: Target,
    rows: Sequence[ValidRow],
    names: Sequence[str],
    outcome: ImportOutcome,
    *,
    acting_user: Any,
    seed: uuid_module.UUID | None,
    codes: bool,
) -> None:
    """Stores the valid rows in one transaction, or reports every conflict with what is stored."""
    campaign = target.campaign
    version = campaign.framework_version
    code = target.questionnaire_code
    entered_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    issues_codes = target.issues_codes()
    reads_followup = target.reads_followup()
    titles = _titles(outcome.plan)
    conflicts: list[RowError] = []
    # On SQLite, one INSERT per batch rather than one per 66 rows (Django assumes 999 parameters at most).
    with transaction.atomic(), _whole_batches():
        # Two imports into one campaign wait for each other: the second sees the first one's rows.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        key = collection_actions.followup_key(campaign.organisation)
        for batch in _batches(rows):
            prepared = []
            for row in batch:
                submission_uuid = row_uuid(target, row, seed)
                stored = collection_actions.stored_answers(row.answers(names))
                followup_hash = ""
                if issues_codes:
                    issued = collection_actions.issued_code(key, submission_uuid)
                    followup_hash = followup.keyed_hash(key, issued)
                    if codes:
                        outcome.codes.append((row.row, row.row_id, followup.printable(issued)))
                elif reads_followup and row.followup_code:
                    followup_hash = followup.keyed_hash(key, row.followup_code)
                link = target.link or target.links[row.establishment or 0]
                prepared.append((row, submission_uuid, stored, followup_hash, link))
            existing = {
                found[0]: found
                for found in Submission.objects.filter(
                    framework_version=version, questionnaire_code=code, uuid__in=[p[1] for p in prepared]
                ).values_list(
                    "uuid", "answers_sha256", "campaign_id", "establishment_id", "followup_hash", "quote_consent"
                )
            }
            new: list[Submission] = []
            for row, submission_uuid, stored, followup_hash, link in prepared:
                digest = collection_actions.answers_digest(stored)
                found = existing.get(submission_uuid)
                if found is not None:
                    differing = _differences(
                        found, digest, campaign.pk, link.establishment_id, followup_hash, row.quote_consent
                    )
                    if differing:
                        conflicts.append(_conflict(row, titles, differing))
                    else:
                        outcome.skipped += 1
                    continue
                outcome.imported += 1
                if conflicts or outcome.dry_run:
                    continue
                new.append(
                    Submission(
                        uuid=submission_uuid,
                        organisation_id=campaign.organisation_id,
                        campaign=campaign,
                        link=link,
                        establishment_id=link.establishment_id,
                        framework_version=version,
                        questionnaire_code=code,
                        wave=campaign.wave,
                        mode=Mode.IMPORT,
                        answers=stored,
                        answers_sha256=digest,
                        followup_hash=followup_hash,
                        quote_consent=row.quote_consent,
                        entered_by=entered_by,
                    )
                )
            if new:
                insert_submissions(new)
                facts.submissions_inserted(new)
        if conflicts:
            transaction.set_rollback(True)
            outcome.errors, outcome.error_count = conflicts, len(conflicts)
            outcome.imported = outcome.skipped = 0
            outcome.codes = []
            return
        if outcome.dry_run:
            transaction.set_rollback(True)
            return
        record(
            "submissions.imported",
            actor=acting_user,
            network=campaign.organisation.network,
            organisation=campaign.organisation,
            target=str(campaign.public_id),
            file=outcome.file_name,
            questionnaire=code,
            establishment=target.link.establishment.finess if target.link else "",
            rows=outcome.rows,
            imported=outcome.imported,
            already_imported=outcome.skipped,
            row_id=outcome.has_row_id,
        )


def insert_submissions(submissions: Sequence[Submission], *, keep_received_at: bool = False) -> None:
    """Inserts new submissions in one statement: ``bulk_create``, or on PostgreSQL a ``COPY`` of the same values
    (Django's bulk insert binds each value in Python, about 0.25 ms a row; COPY does it in psycopg's C code).
    Values are prepared by each field, as ``bulk_create`` prepares them. No model signal fires, and nothing
    checks the answers: the caller has checked them as ``submit`` does. Only inserts: the rows stay immutable.

    ``received_at`` is the time of the insert (``auto_now_add``), unless ``keep_received_at``: then each
    submission's own ``received_at`` is written as it is. Only the synthetic data builder
    (``socle.collection.synthetic``) asks for that, to spread invented answers over a campaign's weeks; every
    real answer is stamped when it arrives.
    """
    if not submissions:
        return
    if not keep_received_at and connection.vendor != "postgresql":
        Submission.objects.bulk_create(submissions)
        return
    fields = [field for field in Submission._meta.concrete_fields if not field.primary_key]
    given = {"received_at"} if keep_received_at else set()
    if keep_received_at and any(submission.received_at is None for submission in submissions):
        raise ValueError("keep_received_at: every submission needs its received_at")
    rows = (
        [
            field.get_db_prep_save(
                getattr(submission, field.attname) if field.name in given else field.pre_save(submission, True),
                connection,
            )
            for field in fields
        ]
        for submission in submissions
    )
    table = connection.ops.quote_name(Submission._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            # Table and column names come from the model, quoted; the values are bound parameters.
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(rows))  # noqa: S608


def _titles(plan: Plan) -> dict[str, str]:
    column = plan.column(ROW_ID)
    return {"row_id": plan.header[column] if column is not None else ""}


def _differences(
    found: tuple[Any, ...],
    digest: str,
    campaign_id: int,
    establishment_id: int,
    followup_hash: str,
    quote_consent: bool | None,
) -> list[str]:
    _uuid, stored_digest, stored_campaign, stored_establishment, stored_hash, stored_consent = found
    differing = []
    if stored_digest != digest or stored_campaign != campaign_id:
        differing.append("answers")
    if stored_establishment != establishment_id:
        differing.append("establishment")
    if stored_hash != followup_hash:
        differing.append("followup_code")
    if stored_consent != quote_consent:
        differing.append("quote_consent")
    return differing


def _conflict(row: ValidRow, titles: Mapping[str, str], differing: Sequence[str]) -> RowError:
    words = {
        "answers": "answers",
        "establishment": "establishment",
        "followup_code": "follow-up code",
        "quote_consent": "quote consent",
    }
    what = ", ".join(words[part] for part in differing)
    return RowError(
        row.row,
        titles["row_id"],
        row.row_id,
        "conflict",
        f"this row id was already imported with other {what}: nothing was changed (an import never changes a "
        "stored answer)",
        {"what": ",".join(differing)},
    )


# --- Jobs: the same import, run by the worker ---------------------------------------------------------------------


def create_job(
    *,
    target: Target,
    file_name: str,
    content: bytes,
    acting_user: Any,
) -> ImportJob:
    """Reads an uploaded file (``FileProblem`` when it cannot be) and keeps it, with its automatic mapping,
    for the person to check the mapping before the import runs."""
    table = read_file(file_name, content)
    plan = plan_for(target, table.header)
    return ImportJob.objects.create(
        organisation=target.organisation,
        campaign=target.campaign,
        link=target.link,
        establishment=target.establishment,
        questionnaire_code=target.questionnaire_code,
        file_name=PurePath(file_name).name[:255],
        file_size=len(content),
        content=content,
        header=list(table.header),
        preview=table.preview(PREVIEW_ROWS),
        notes=[{"code": n.code, "message": n.message} for n in table.notes],
        mapping=plan.as_json(),
        rows_total=len(table.rows),
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )


def job_target(job: ImportJob) -> Target:
    target = target_of(job.campaign, job.questionnaire_code)
    link = target.links.get(job.establishment_id) if job.establishment_id else None
    return Target(target.campaign, target.questionnaire_code, link, target.links)


def queue_job(job: ImportJob, *, targets: Sequence[str], dry_run: bool, acting_user: Any) -> ImportJob:
    """Fixes the job's mapping (one target per column) and hands it to the worker."""
    from socle.imports.tasks import run_import  # the task module imports this one

    if job.status != ImportJob.Status.NEW:
        raise ActionError(_("This import has already started."))
    header = tuple(str(title) for title in job.header)
    if len(targets) != len(header):
        raise ActionError(_("Choose what each column of the file gives."))
    target = job_target(job)
    questions = {q.name for q in target.questions()}
    roles = set(target.roles())
    for chosen in targets:
        if chosen and chosen not in questions and chosen not in roles:
            raise ActionError(_("Choose, for each column, a question of the questionnaire or “ignore”."))
    plan = Plan(header, tuple(targets))
    row_id = plan.column(ROW_ID)
    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.NEW).update(
            mapping=plan.as_json(),
            row_id_column=header[row_id] if row_id is not None else "",
            dry_run=dry_run,
            status=ImportJob.Status.QUEUED,
            queued_at=timezone.now(),
        )
        if not updated:
            raise ActionError(_("This import has already started."))
        record(
            "import.queued",
            actor=acting_user,
            network=job.organisation.network,
            organisation=job.organisation,
            target=str(job.public_id),
            file=job.file_name,
            campaign=str(job.campaign.public_id),
            dry_run=dry_run,
        )

        def enqueue() -> None:
            result = run_import.enqueue(job.pk)
            ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))

        transaction.on_commit(enqueue)
    job.refresh_from_db()
    return job


def run_job(job_id: int) -> dict[str, Any]:
    """Runs a queued job once (the task's body): progress while checking, then the outcome on the job."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportJob.Status.QUEUED:
            return {"skipped": True}
        job.status = ImportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.rows_processed = 0
        job.save(update_fields=["status", "started_at", "rows_processed"])
    job = ImportJob.objects.select_related(
        "campaign__organisation__network",
        "campaign__framework_version__framework",
        "campaign__framework_version__base_version",
        "created_by",
    ).get(pk=job_id)

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(rows_processed=done)

    try:
        outcome = import_file(
            target=job_target(job),
            file_name=job.file_name,
            content=bytes(job.content),
            acting_user=job.created_by,
            plan=Plan.from_json(job.mapping),
            dry_run=job.dry_run,
            progress=progress,
            seed=job.public_id,
            keep_codes=False,
        )
    except ActionError as error:
        _finish(job_id, status=ImportJob.Status.FAILED, failure=str(error))
        return {"failed": str(error)}
    except BaseException:
        _finish(job_id, status=ImportJob.Status.FAILED, failure=_("The import stopped on an unexpected error."))
        raise
    _finish(
        job_id,
        status=ImportJob.Status.DONE,
        rows_total=outcome.rows,
        rows_processed=outcome.rows,
        imported_count=outcome.imported,
        skipped_count=outcome.skipped,
        error_count=outcome.error_count,
        errors=[error.as_json() for error in outcome.errors],
    )
    return {"imported": outcome.imported, "skipped": outcome.skipped, "errors": outcome.error_count}


def _finish(job_id: int, **values: Any) -> None:
    ImportJob.objects.filter(pk=job_id).update(finished_at=timezone.now(), **values)


def entry_codes(job: ImportJob) -> list[tuple[int, str, str]]:
    """At entry, the follow-up code of each imported row: (row, row id, code), derived again from the file and
    the organisation's key, as ``submit`` derives it (codes themselves are never stored)."""
    if not job.imported:
        return []
    target = job_target(job)
    if not target.issues_codes():
        return []
    table = read_file(job.file_name, bytes(job.content))
    plan = Plan.from_json(job.mapping)
    row_id = plan.column(ROW_ID)
    key = collection_actions.followup_key(job.organisation)
    codes = []
    for number, cells in table.rows:
        identifier = cells[row_id] if row_id is not None and row_id < len(cells) else ""
        row = ValidRow(number, identifier, None, (), "", None)
        issued = collection_actions.issued_code(key, row_uuid(target, row, job.public_id))
        codes.append((number, identifier, followup.printable(issued)))
    return codes
