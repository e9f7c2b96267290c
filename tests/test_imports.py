"""Imports of files of answers: the command, the actions, the task (immediate and database backends), the pages
and who may use them."""

from __future__ import annotations

import datetime
import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from socle.audit.models import AuditEvent
from socle.collection import actions as collection_actions
from socle.collection.models import Campaign, Mode, Submission
from socle.frameworks.models import FrameworkVersion
from socle.imports import actions
from socle.imports.models import ImportJob
from socle.lib.collection import followup
from socle.lib.imports.files import read_table
from tests.factories import World, make_establishment
from tests.framework_docs import load, organisation_document, sector_document

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}

GOOD = "id_ligne;sexe;droits;estime;urgences;own_garden\n1;Femme;oui;4;2;non\n2;h;nsp;5;;oui\n3;a;non;3;0;\n"
# Row 3: unknown choice; row 4: a required answer missing; row 6: the constraint 0..100 violated.
THREE_BAD = "id_ligne;sexe;droits;estime;urgences\n1;Femme;oui;4;2\n2;x;oui;4;2\n3;f;;4;\n4;h;non;5;1\n5;f;oui;4;200\n"


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def _version(world: World) -> FrameworkVersion:
    if not FrameworkVersion.objects.filter(framework__slug=f"{world.org.slug}-mini").exists():
        load(sector_document(), network=world.network)
        load(organisation_document(world.org))
    return FrameworkVersion.objects.get(framework__slug=f"{world.org.slug}-mini", number=1)


def _campaign(world: World, wave: str = "entry", establishments: list[Any] | None = None) -> Campaign:
    return collection_actions.open_campaign(
        world.org,
        _version(world),
        name=f"Campagne {wave} {Campaign.objects.count()}",
        wave=wave,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        establishments=establishments or [world.establishment],
        acting_user=None,
    )


@pytest.fixture
def campaign(world: World) -> Campaign:
    return _campaign(world)


def _code(campaign: Campaign, questionnaire: str = "entry") -> str:
    return campaign.links.filter(questionnaire_code=questionnaire).order_by("establishment__name").first().code


def _write(tmp_path: Path, text: str, name: str = "answers.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_submissions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _failing_command(*args: str) -> tuple[str, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_submissions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(caught.value)


# --- The command --------------------------------------------------------------------------------------------------


def test_a_file_with_three_bad_rows_imports_nothing_and_reports_all_three(
    world: World, campaign: Campaign, tmp_path: Path
) -> None:
    path = _write(tmp_path, THREE_BAD)
    _out, err, message = _failing_command(str(path), "--campaign", _code(campaign))
    assert message == "Nothing was imported: 3 errors."
    lines = err.strip().splitlines()
    assert lines == [
        "row 3, column sexe, value 'x': not one of the answers offered: write a code (f, h, a) or a label of the list",
        "row 4, column droits, value '': required: write an answer, or dk for “don't know”",
        "row 6, column urgences, value '200': this answer is not accepted by the questionnaire's rule: "
        "Between 0 and 100",
    ]
    assert not Submission.objects.exists()
    assert not AuditEvent.objects.filter(action="submissions.imported").exists()


def test_a_good_file_stores_exactly_what_submit_would_store(world: World, campaign: Campaign, tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    out, _err = _command(str(path), "--campaign", _code(campaign), "--user", "admin@asso-a.test")
    assert "Imported: 3 new, 0 already imported (unchanged)." in out
    assert "id_ligne -> row id" in out and "Avez-vous" not in out
    stored = {s.answers_sha256: s for s in Submission.objects.all()}
    assert len(stored) == 3
    row = Submission.objects.get(answers__droits="dk")
    assert row.answers == {"sexe": "h", "droits": "dk", "estime": "5", "own_garden": "oui"}
    assert row.mode == Mode.IMPORT and row.entered_by == world.users["org_admin"]
    assert row.link == campaign.links.get() and row.establishment == world.establishment
    assert row.organisation == world.org and row.wave == "entry"
    # the same answers sent through submit with the same uuid are "already received", not a conflict
    again = collection_actions.submit(
        campaign=campaign,
        establishment=world.establishment,
        questionnaire_code="entry",
        submission_uuid=row.uuid,
        answers={"sexe": "h", "droits": "dk", "estime": "5", "own_garden": "oui"},
        mode="paper",
    )
    assert not again.created and again.submission.pk == row.pk
    assert followup.keyed_hash(collection_actions.followup_key(world.org), again.followup_code) == row.followup_hash
    event = AuditEvent.objects.get(action="submissions.imported")
    assert event.data["imported"] == 3 and event.organisation == world.org


def test_reimporting_with_a_row_id_stores_nothing_new_and_a_changed_row_is_a_conflict(
    world: World, campaign: Campaign, tmp_path: Path
) -> None:
    path = _write(tmp_path, GOOD)
    _command(str(path), "--campaign", _code(campaign))
    first = set(Submission.objects.values_list("uuid", flat=True))
    out, _err = _command(str(path), "--campaign", _code(campaign))
    assert "Imported: 0 new, 3 already imported (unchanged)." in out
    assert set(Submission.objects.values_list("uuid", flat=True)) == first

    changed = GOOD.replace("3;a;non;3;0;", "3;a;oui;3;0;") + "4;f;oui;1;1;oui\n"
    _out, err, message = _failing_command(str(_write(tmp_path, changed)), "--campaign", _code(campaign))
    assert message == "Nothing was imported: 1 error."
    assert err.strip() == (
        "row 4, column id_ligne, value '3': this row id was already imported with other answers: nothing was "
        "changed (an import never changes a stored answer)"
    )
    assert Submission.objects.count() == 3  # the new row 4 was not stored either
    assert Submission.objects.get(answers__sexe="a").answers["droits"] == "non"


def test_a_dry_run_checks_everything_and_stores_nothing(world: World, campaign: Campaign, tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    out, _err = _command(str(path), "--campaign", _code(campaign), "--dry-run")
    assert "All 3 rows are valid. Dry run: nothing was written. Importing would give 3 new" in out
    assert not Submission.objects.exists() and not AuditEvent.objects.filter(action="submissions.imported").exists()
    _command(str(path), "--campaign", _code(campaign))
    out, _err = _command(str(path), "--campaign", _code(campaign), "--dry-run")
    assert "Importing would give 0 new, 3 already imported" in out
    _out, err, _message = _failing_command(str(_write(tmp_path, THREE_BAD)), "--campaign", _code(campaign), "--dry-run")
    assert len(err.strip().splitlines()) == 3
    assert Submission.objects.count() == 3


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (GOOD, "utf-8"),
        ("\ufeff" + GOOD, "utf-8"),
        (GOOD.replace(";", ","), "utf-8"),
        (GOOD.replace("Femme", "Féminin").replace("sexe", "Sexe").replace("Féminin", "f"), "cp1252"),
    ],
)
def test_csv_with_semicolons_commas_a_bom_or_in_windows_1252_all_import(
    world: World, campaign: Campaign, tmp_path: Path, text: str, encoding: str
) -> None:
    _command(str(_write(tmp_path, text, encoding=encoding)), "--campaign", _code(campaign))
    assert Submission.objects.count() == 3


def test_an_xlsx_file_imports_with_an_explicit_mapping(world: World, campaign: Campaign, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Référence", "Genre", "Droits ouverts", "Estime", "Urgences (nombre)"])
    sheet.append(["A-1", "Femme", "Oui", 4, 2])
    sheet.append(["A-2", "Homme", "Non", 5.0, 0])
    path = tmp_path / "answers.xlsx"
    book.save(path)
    args = [str(path), "--campaign", _code(campaign), "--row-id", "Référence"]
    _out, _err, message = _failing_command(*args)  # the required question droits has no column
    assert message == "Nothing was imported: 1 error."
    out, _err = _command(
        *args,
        "--map",
        "Genre=sexe",
        "--map",
        "Droits ouverts=droits",
        "--map",
        "Estime=estime",
        "--map",
        "Urgences (nombre)=urgences",
    )
    assert "Référence -> row id" in out and "Genre -> sexe" in out
    assert sorted(Submission.objects.values_list("answers__sexe", flat=True)) == ["f", "h"]
    assert Submission.objects.get(answers__sexe="h").answers == {
        "sexe": "h",
        "droits": "non",
        "estime": "5",
        "urgences": 0,
    }


def test_a_map_to_an_unknown_question_is_reported(world: World, campaign: Campaign, tmp_path: Path) -> None:
    _out, err, message = _failing_command(
        str(_write(tmp_path, GOOD)), "--campaign", _code(campaign), "--map", "sexe=colour"
    )
    assert "no question 'colour'" in err and message == "Nothing was imported: 1 error."


def test_a_campaign_id_and_an_establishment_column_spread_rows_over_establishments(
    world: World, tmp_path: Path
) -> None:
    second = make_establishment(world.network, world.org, name="Maison Relais du Port")
    campaign = _campaign(world, establishments=[world.establishment, second])
    text = (
        "row_id;finess;sexe;droits\n"
        f"1;{world.establishment.finess};f;oui\n"
        "2;Maison relais du port;h;non\n"
        f"3;{world.other_establishment.finess};h;non\n"
    )
    path = _write(tmp_path, text)
    _out, err, _message = _failing_command(str(path), "--campaign", str(campaign.public_id))
    assert err.strip() == (
        f"row 4, column finess, value '{world.other_establishment.finess}': no establishment of this campaign has "
        "this FINESS number or name"
    )
    _command(str(_write(tmp_path, "\n".join(text.splitlines()[:3]) + "\n")), "--campaign", str(campaign.public_id))
    rows = dict(Submission.objects.values_list("answers__sexe", "establishment"))
    assert rows == {"f": world.establishment.pk, "h": second.pk}
    assert Submission.objects.get(answers__sexe="h").link.establishment == second
    # without the column, the file cannot say where its rows go
    _out, err, _message = _failing_command(str(_write(tmp_path, GOOD)), "--campaign", str(campaign.public_id))
    assert "must say each row's establishment" in err


def test_the_questionnaire_must_be_named_when_the_campaign_has_several(world: World, tmp_path: Path) -> None:
    campaign = _campaign(world)
    with pytest.raises(actions.ActionError, match="no questionnaire follow_up"):
        actions.resolve_target(str(campaign.public_id), "follow_up")
    with pytest.raises(CommandError, match="No collection link has the code nope"):
        _command(str(_write(tmp_path, GOOD)), "--campaign", "nope")
    with pytest.raises(CommandError, match="is for the questionnaire entry"):
        _command(str(_write(tmp_path, GOOD)), "--campaign", _code(campaign), "--questionnaire", "follow_up")


def test_at_entry_each_row_gets_the_code_submit_would_give_and_the_codes_file_lists_them(
    world: World, campaign: Campaign, tmp_path: Path
) -> None:
    codes_path = tmp_path / "codes.csv"
    _command(str(_write(tmp_path, GOOD)), "--campaign", _code(campaign), "--codes", str(codes_path))
    table = read_table("codes.csv", codes_path.read_bytes())
    assert table.header == ("row", "row_id", "followup_code")
    key = collection_actions.followup_key(world.org)
    by_row_id = {cells[1]: cells[2] for _n, cells in table.rows}
    assert sorted(by_row_id) == ["1", "2", "3"]
    for submission in Submission.objects.all():
        issued = collection_actions.issued_code(key, submission.uuid)
        assert submission.followup_hash == followup.keyed_hash(key, issued)
    assert {followup.normalise(code) for code in by_row_id.values()} == {
        collection_actions.issued_code(key, s.uuid) for s in Submission.objects.all()
    }


def test_at_follow_up_the_code_column_pairs_rows_with_entry_and_a_mistyped_code_is_an_error(
    world: World, campaign: Campaign, tmp_path: Path
) -> None:
    entry = collection_actions.submit(
        campaign=campaign,
        establishment=world.establishment,
        questionnaire_code="entry",
        submission_uuid=uuid.uuid4(),
        answers={"droits": "oui"},
        mode="self",
    )
    later = _campaign(world, "follow_up")
    code = followup.printable(entry.followup_code)
    wrong = entry.followup_code[:-1] + ("0" if entry.followup_code[-1] != "0" else "1")
    text = f"id_ligne;code_suivi;droits\n1;{code};non\n2;;oui\n3;{wrong};oui\n"
    _out, err, _message = _failing_command(str(_write(tmp_path, text)), "--campaign", _code(later, "follow_up"))
    assert err.strip() == (
        f"row 4, column code_suivi, value '{wrong}': this code has a typing mistake: check each character against "
        "the card"
    )
    _command(str(_write(tmp_path, "\n".join(text.splitlines()[:3]) + "\n")), "--campaign", _code(later, "follow_up"))
    paired = Submission.objects.get(campaign=later, answers__droits="non")
    assert paired.followup_hash == entry.submission.followup_hash
    assert Submission.objects.get(campaign=later, answers__droits="oui").followup_hash == ""


def test_without_a_row_id_the_command_warns_that_a_second_import_adds_the_rows_again(
    world: World, campaign: Campaign, tmp_path: Path
) -> None:
    path = _write(tmp_path, "sexe;droits\nf;oui\nh;non\n")
    out, _err = _command(str(path), "--campaign", _code(campaign))
    assert "No row id column: importing this file again would add its rows again." in out
    _command(str(path), "--campaign", _code(campaign))
    assert Submission.objects.count() == 4


def test_unreadable_files_are_refused_with_the_reason(world: World, campaign: Campaign, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="unsupported file type"):
        _command(str(_write(tmp_path, GOOD, name="a.txt")), "--campaign", _code(campaign))
    with pytest.raises(CommandError, match="the file is empty"):
        _command(str(_write(tmp_path, "", name="b.csv")), "--campaign", _code(campaign))
    _out, err, _message = _failing_command(
        str(_write(tmp_path, "sexe;droits\n", name="c.csv")), "--campaign", _code(campaign)
    )
    assert err.strip() == "row 2, column -, value '': the file has a header row but no rows of answers"


# --- Jobs and the task ----------------------------------------------------------------------------------------------


def _job(world: World, campaign: Campaign, text: str = GOOD, name: str = "answers.csv") -> ImportJob:
    target = actions.target_of(campaign, "entry", world.establishment)
    return actions.create_job(
        target=target, file_name=name, content=text.encode(), acting_user=world.users["org_admin"]
    )


def _queue(job: ImportJob, world: World, django_capture_on_commit_callbacks: Any, dry_run: bool = False) -> None:
    targets = [target for _title, target in job.mapping]
    with django_capture_on_commit_callbacks(execute=True):
        actions.queue_job(job, targets=targets, dry_run=dry_run, acting_user=world.users["org_admin"])


def test_a_job_runs_at_once_with_the_immediate_backend(
    world: World, campaign: Campaign, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = IMMEDIATE
    job = _job(world, campaign)
    assert job.status == "new" and job.rows_total == 3 and job.header[:2] == ["id_ligne", "sexe"]
    _queue(job, world, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.imported_count, job.skipped_count, job.error_count) == ("done", 3, 0, 0)
    assert job.rows_processed == 3 and job.task_id and job.started_at and job.finished_at
    assert job.row_id_column == "id_ligne"
    assert Submission.objects.filter(entered_by=world.users["org_admin"], mode="import").count() == 3


def test_the_three_bad_rows_through_a_job_are_kept_as_the_error_report(
    world: World, campaign: Campaign, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = IMMEDIATE
    job = _job(world, campaign, THREE_BAD)
    _queue(job, world, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.imported_count, job.error_count) == ("done", 0, 3)
    assert not job.imported
    assert [(e["row"], e["column"], e["value"], e["code"]) for e in job.errors] == [
        (3, "sexe", "x", "unknown_choice"),
        (4, "droits", "", "required"),
        (6, "urgences", "200", "constraint"),
    ]
    assert all(e["reason"] for e in job.errors)
    assert not Submission.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_queued_in_the_database_is_run_by_the_worker(world: World, settings: Any) -> None:
    settings.TASKS = DATABASE
    from django_tasks_db.models import DBTaskResult

    campaign = _campaign(world)
    job = _job(world, campaign)
    actions.queue_job(job, targets=[t for _title, t in job.mapping], dry_run=False, acting_user=None)
    job.refresh_from_db()
    assert job.status == "queued" and job.task_id
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.status == "READY" and task.args_kwargs["args"] == [job.pk]
    assert not Submission.objects.exists()
    out = io.StringIO()
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", stdout=out)
    job.refresh_from_db()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL", task.traceback
    assert (job.status, job.imported_count, job.skipped_count, job.error_count) == ("done", 3, 0, 0)
    assert Submission.objects.filter(campaign=campaign).count() == 3


def test_running_a_job_twice_imports_once_and_a_retried_job_without_row_id_stores_nothing_twice(
    world: World, campaign: Campaign, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = IMMEDIATE
    job = _job(world, campaign, "sexe;droits\nf;oui\nh;non\n")
    _queue(job, world, django_capture_on_commit_callbacks)
    assert actions.run_job(job.pk) == {"skipped": True}  # not queued any more
    ImportJob.objects.filter(pk=job.pk).update(status="queued")  # as if the worker died before recording the end
    assert actions.run_job(job.pk) == {"imported": 0, "skipped": 2, "errors": 0}
    assert Submission.objects.count() == 2


def test_a_dry_run_job_stores_nothing(
    world: World, campaign: Campaign, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = IMMEDIATE
    job = _job(world, campaign)
    _queue(job, world, django_capture_on_commit_callbacks, dry_run=True)
    job.refresh_from_db()
    assert (job.status, job.dry_run, job.imported_count, job.error_count) == ("done", True, 3, 0)
    assert not job.imported and not Submission.objects.exists()


def test_a_job_whose_file_cannot_be_read_any_more_fails_with_the_reason(
    world: World, campaign: Campaign, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = IMMEDIATE
    job = _job(world, campaign)
    ImportJob.objects.filter(pk=job.pk).update(content=b"other;columns\n1;2\n")
    job.refresh_from_db()
    _queue(job, world, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == "failed" and "columns are not the ones mapped" in job.failure
    assert not Submission.objects.exists()


# --- Pages --------------------------------------------------------------------------------------------------------


def _admin(as_role: Any, language: str = "en") -> Client:
    client = as_role("org_admin")
    client.cookies["django_language"] = language
    return client


def _upload(client: Client, world: World, campaign: Campaign, content: bytes, name: str = "answers.csv", **data: Any):  # type: ignore[no-untyped-def]
    upload = io.BytesIO(content)
    upload.name = name
    form = {"file": upload, "questionnaire": "entry", "establishment": str(world.establishment.public_id)}
    form.update(data)
    return client.post(reverse("imports:upload", args=[world.org.slug, campaign.public_id]), form)


def _mapping_form(job: ImportJob, **changes: str) -> dict[str, str]:
    form = {f"col-{index}": target for index, (_title, target) in enumerate(job.mapping)}
    form.update(changes)
    return form


def test_the_browser_flow_upload_mapping_progress_result_and_downloads(
    as_role: Any, world: World, campaign: Campaign, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = IMMEDIATE
    client = _admin(as_role)
    page = client.get(reverse("collection:campaign", args=[world.org.slug, campaign.public_id])).content.decode()
    upload_url = reverse("imports:upload", args=[world.org.slug, campaign.public_id])
    assert upload_url in page
    assert client.get(upload_url).status_code == 200
    response = _upload(client, world, campaign, GOOD.encode())
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "imports:mapping", args=[world.org.slug, job.public_id]
    )
    mapping = client.get(response["Location"]).content.decode()
    assert '<select id="col-0" name="col-0" aria-describedby="col-0-values">' in mapping
    assert '<option value="@row_id" selected>' in mapping
    assert '<label for="col-1">Column “sexe”</label>' in mapping and "Femme" in mapping  # preview
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response["Location"], _mapping_form(job))
    assert response.status_code == 302
    progress = reverse("imports:progress", args=[world.org.slug, job.public_id])
    assert response["Location"] == progress
    response = client.get(progress)  # immediate backend: already finished
    result_url = reverse("imports:result", args=[world.org.slug, job.public_id])
    assert response.status_code == 302 and response["Location"] == result_url
    result = client.get(result_url).content.decode()
    assert "3 questionnaires imported." in result
    assert reverse("imports:codes", args=[world.org.slug, job.public_id, "csv"]) in result
    codes = client.get(reverse("imports:codes", args=[world.org.slug, job.public_id, "csv"]))
    table = read_table("codes.csv", codes.content)
    assert table.header == ("Row", "Row id", "Follow-up code") and [c[1] for _n, c in table.rows] == ["1", "2", "3"]
    key = collection_actions.followup_key(world.org)
    hashes = {followup.keyed_hash(key, followup.normalise(c[2])) for _n, c in table.rows}
    assert hashes == set(Submission.objects.values_list("followup_hash", flat=True))
    xlsx = client.get(reverse("imports:codes", args=[world.org.slug, job.public_id, "xlsx"]))
    assert load_workbook(io.BytesIO(xlsx.content)).active.max_row == 4
    # the mapping page of a job that ran sends to its progress
    assert client.get(reverse("imports:mapping", args=[world.org.slug, job.public_id]))["Location"] == progress


def test_the_browser_reports_three_bad_rows_and_the_error_report_downloads(
    as_role: Any, world: World, campaign: Campaign, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = IMMEDIATE
    client = _admin(as_role)
    _upload(client, world, campaign, THREE_BAD.encode())
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:mapping", args=[world.org.slug, job.public_id]), _mapping_form(job))
    result = client.get(reverse("imports:result", args=[world.org.slug, job.public_id])).content.decode()
    assert "3 errors: nothing was imported." in result
    assert "Not one of the answers offered: write a code (f, h, a) or a label of the list." in result
    assert "Between 0 and 100" in result
    report = client.get(reverse("imports:errors", args=[world.org.slug, job.public_id, "csv"]))
    assert report["Content-Disposition"] == 'attachment; filename="answers-errors.csv"'
    table = read_table("r.csv", report.content)
    assert table.header == ("Row", "Column", "Value", "Reason")
    assert [cells[:3] for _n, cells in table.rows] == [
        ["3", "sexe", "x"],
        ["4", "droits", ""],
        ["6", "urgences", "200"],
    ]
    assert table.rows[1][1][3] == "Required: write an answer, or dk for “don't know”."
    xlsx = client.get(reverse("imports:errors", args=[world.org.slug, job.public_id, "xlsx"]))
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("Row", "Column", "Value", "Reason") and rows[3][:3] == (6, "urgences", "200")
    assert client.get(reverse("imports:codes", args=[world.org.slug, job.public_id, "csv"])).status_code == 404
    assert not Submission.objects.exists()


def test_french_is_the_default_on_the_pages_and_in_the_report(
    as_role: Any, world: World, campaign: Campaign, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = IMMEDIATE
    client = as_role("org_admin")  # no language chosen: French
    with translation.override("fr"):
        _upload(client, world, campaign, THREE_BAD.encode())
        job = ImportJob.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("imports:mapping", args=[world.org.slug, job.public_id]), _mapping_form(job))
        report = client.get(reverse("imports:errors", args=[world.org.slug, job.public_id, "csv"]))
    table = read_table("r.csv", report.content)
    assert len(table.rows) == 3 and table.rows[2][1][3]


def test_the_progress_page_reloads_itself_and_shows_a_progress_bar(
    as_role: Any, world: World, campaign: Campaign, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = DATABASE
    client = _admin(as_role)
    _upload(client, world, campaign, GOOD.encode())
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:mapping", args=[world.org.slug, job.public_id]), _mapping_form(job))
    url = reverse("imports:progress", args=[world.org.slug, job.public_id])
    page = client.get(url).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress id="import-progress" max="100"' in page and "Waiting for the worker" in page
    ImportJob.objects.filter(pk=job.pk).update(status="running", rows_processed=1)
    page = client.get(url).content.decode()
    assert 'value="33"' in page and "Checking the rows: 1 of 3" in page
    result = reverse("imports:result", args=[world.org.slug, job.public_id])
    assert client.get(result)["Location"] == url  # not finished yet


def test_the_mapping_page_refuses_a_mapping_without_a_required_question_and_can_check_only(
    as_role: Any, world: World, campaign: Campaign, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = IMMEDIATE
    client = _admin(as_role)
    _upload(client, world, campaign, GOOD.encode())
    job = ImportJob.objects.get()
    url = reverse("imports:mapping", args=[world.org.slug, job.public_id])
    response = client.post(url, _mapping_form(job, **{"col-2": ""}))
    assert response.status_code == 422
    assert "The question droits is required and no column gives it" in response.content.decode()
    response = client.post(url, _mapping_form(job, **{"col-2": "sexe"}))
    assert response.status_code == 422 and "both give sexe" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # an unknown target is read as "ignore"
        response = client.post(url, {**_mapping_form(job, **{"col-5": "not-a-question"}), "dry_run": "on"})
    job.refresh_from_db()
    assert response.status_code == 302 and job.dry_run and job.status == "done" and job.imported_count == 3
    assert job.mapping[5] == ["own_garden", ""]
    assert not Submission.objects.exists()
    assert (
        "Nothing was imported (check only)"
        in client.get(reverse("imports:result", args=[world.org.slug, job.public_id])).content.decode()
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("answers.txt", b"sexe\nf\n", "Choose a .csv or .xlsx file."),
        ("answers.csv", b"", "The submitted file is empty."),
        ("answers.xlsx", b"not a workbook", "This Excel workbook cannot be read"),
        ("answers.csv", b"\xef\xbb\xbfsexe\n\xff\n", "cannot be read: save it again"),
        ("answers.xls", b"x", "Choose a .csv or .xlsx file."),
    ],
)
def test_files_that_cannot_be_read_are_refused_on_the_upload_page(
    as_role: Any, world: World, campaign: Campaign, name: str, content: bytes, message: str
) -> None:
    response = _upload(_admin(as_role), world, campaign, content, name=name)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_too_large_is_refused(as_role: Any, world: World, campaign: Campaign, monkeypatch: Any) -> None:
    monkeypatch.setattr(actions, "MAX_FILE_BYTES", 10)
    response = _upload(_admin(as_role), world, campaign, GOOD.encode())
    assert response.status_code == 422 and "This file is too large" in response.content.decode()


def test_the_upload_can_leave_the_establishment_to_a_column(
    as_role: Any, world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = IMMEDIATE
    second = make_establishment(world.network, world.org, name="Maison Relais")
    campaign = _campaign(world, establishments=[world.establishment, second])
    client = as_role("org_admin")
    text = f"row_id;finess;sexe;droits\n1;{second.finess};f;oui\n"
    _upload(client, world, campaign, text.encode(), establishment="rows")
    job = ImportJob.objects.get()
    assert job.establishment is None and ["finess", "@establishment"] in job.mapping
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:mapping", args=[world.org.slug, job.public_id]), _mapping_form(job))
    assert Submission.objects.get().establishment == second


# --- Who may import -------------------------------------------------------------------------------------------------


@pytest.fixture
def finished_job(world: World, campaign: Campaign, settings: Any, django_capture_on_commit_callbacks: Any) -> ImportJob:
    settings.TASKS = IMMEDIATE
    job = _job(world, campaign)
    _queue(job, world, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    return job


OUTCOMES = {
    "anonymous": "login",
    "network_admin": 404,
    "network_analyst": 404,
    "facilitator": 403,
    "facilitator_without_consent": 404,
    "org_admin": "ok",
    "org_staff": 403,
    "other_org_admin": 404,
    "other_network_admin": 404,
}


@pytest.mark.parametrize("role", list(OUTCOMES))
def test_only_the_organisations_admins_use_the_import_pages(
    client: Client, world: World, campaign: Campaign, finished_job: ImportJob, role: str
) -> None:
    from tests.conftest import login_as

    login_as(client, world.users[role])
    slug, job_id = world.org.slug, finished_job.public_id
    new_job = _job(world, campaign)
    urls = [
        ("get", reverse("imports:upload", args=[slug, campaign.public_id])),
        ("post", reverse("imports:upload", args=[slug, campaign.public_id])),
        ("get", reverse("imports:mapping", args=[slug, new_job.public_id])),
        ("post", reverse("imports:mapping", args=[slug, new_job.public_id])),
        ("get", reverse("imports:progress", args=[slug, job_id])),
        ("get", reverse("imports:result", args=[slug, job_id])),
        ("get", reverse("imports:errors", args=[slug, job_id, "csv"])),
        ("get", reverse("imports:codes", args=[slug, job_id, "csv"])),
    ]
    expected = OUTCOMES[role]
    for method, url in urls:
        response = getattr(client, method)(url)
        if expected == "login":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        elif expected == "ok":
            assert response.status_code in (200, 302, 422), (url, response.status_code)
        else:
            assert response.status_code == expected, (url, method, response.status_code)


def test_another_organisations_job_or_campaign_is_not_found_through_ones_own_address(
    as_role: Any, world: World, campaign: Campaign, finished_job: ImportJob
) -> None:
    other_version = load(sector_document("autre"), network=world.network)
    assert other_version  # the other organisation's campaign needs its own framework
    load(organisation_document(world.other_org, base_code="autre"))
    theirs = collection_actions.open_campaign(
        world.other_org,
        FrameworkVersion.objects.get(framework__slug=f"{world.other_org.slug}-autre"),
        name="Leur campagne",
        wave="entry",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        establishments=[world.other_establishment],
        acting_user=None,
    )
    their_job = actions.create_job(
        target=actions.target_of(theirs, "entry", world.other_establishment),
        file_name="x.csv",
        content=GOOD.encode(),
        acting_user=None,
    )
    client = as_role("org_admin")
    slug = world.org.slug
    assert client.get(reverse("imports:result", args=[slug, their_job.public_id])).status_code == 404
    assert client.get(reverse("imports:mapping", args=[slug, their_job.public_id])).status_code == 404
    assert client.get(reverse("imports:upload", args=[slug, theirs.public_id])).status_code == 404
    assert client.get(reverse("imports:errors", args=[slug, their_job.public_id, "csv"])).status_code == 404
    # and a link code of another organisation is not found when the organisation is given
    with pytest.raises(actions.ActionError):
        actions.resolve_target(theirs.links.get().code, organisation=world.org)


def test_the_import_link_shows_on_the_campaign_page_for_admins_only(
    as_role: Any, world: World, campaign: Campaign
) -> None:
    url = reverse("collection:campaign", args=[world.org.slug, campaign.public_id])
    upload = reverse("imports:upload", args=[world.org.slug, campaign.public_id])
    assert upload in as_role("org_admin").get(url).content.decode()
    assert upload not in as_role("org_staff").get(url).content.decode()


def test_the_benchmark_runs_at_a_tiny_size(world: World, tmp_path: Path) -> None:
    from socle.benchmarks.imports import import_benchmark
    from socle.benchmarks.runner import Context

    ctx = Context(quick=True, rows=[], workdir=tmp_path)
    import_benchmark(ctx, n=30)
    names = [row.name for row in ctx.rows]
    assert any("import 30 submissions (CSV): first import" in name for name in names)
    values = {row.name: row for row in ctx.rows}
    assert all(row.value >= 0 for row in values.values())
    assert Submission.objects.filter(mode="import").count() == 30
    assert connection.vendor in ("sqlite", "postgresql")
