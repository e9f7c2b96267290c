"""Activity data: reports and their revisions, the entry and correction form, history, file import and its
command, permissions and tenant isolation, the demo."""

from __future__ import annotations

import datetime
import io
import threading
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from socle.activity import actions
from socle.activity.access import current_reports
from socle.activity.models import ActivityReport, ImmutableReportError
from socle.audit.models import AuditEvent
from socle.frameworks.models import FrameworkVersion
from socle.lib.activity.periods import parse_period
from tests.conftest import login_as
from tests.factories import World, make_establishment
from tests.framework_docs import load, organisation_document, sector_document

pytestmark = pytest.mark.django_db

ITEMS = [
    {
        "code": "people_supported",
        "label": {"fr": "Personnes accompagnées", "en": "People supported"},
        "description": {"fr": "Chacune comptée une fois.", "en": "Each counted once."},
        "type": "integer",
        "unit": {"fr": "personnes", "en": "people"},
    },
    {"code": "exits", "label": {"fr": "Sorties", "en": "Exits"}, "type": "integer"},
    {"code": "exits_housing", "label": {"fr": "Sorties vers un logement", "en": "Exits to housing"}, "type": "integer"},
    {"code": "staff_fte", "label": {"fr": "ETP", "en": "Staff (FTE)"}, "type": "decimal"},
]
CHECKS = [
    {
        "code": "exits_le_people",
        "rule": "${exits} <= ${people_supported}",
        "message": {
            "fr": "Les sorties ne peuvent pas dépasser le nombre de personnes accompagnées.",
            "en": "Exits cannot be more than the number of people supported.",
        },
    },
    {
        "code": "housing_le_exits",
        "rule": "${exits_housing} <= ${exits}",
        "message": {"fr": "Plus de sorties vers un logement que de sorties", "en": "More exits to housing than exits"},
    },
]
FRAMEWORK = "asso-a-mini"
GOOD = {"people_supported": "120", "exits": "40", "exits_housing": "15", "staff_fte": "12,5"}


def _sector_with_items() -> dict[str, Any]:
    document = sector_document()
    document["activity_items"] = ITEMS
    document["activity_checks"] = CHECKS
    return document


@pytest.fixture
def version(world: World) -> FrameworkVersion:
    load(_sector_with_items(), network=world.network)
    return load(organisation_document(world.org))


def _url(
    name: str, world: World, *, establishment: Any = None, period: str = "2025", framework: str = FRAMEWORK
) -> str:
    target = establishment or world.establishment
    return reverse(name, args=[world.org.slug, framework, target.public_id, period])


def _post(values: dict[str, str], **extra: str) -> dict[str, str]:
    return {**{f"v_{code}": value for code, value in values.items()}, **extra}


def _enter(world: World, version: FrameworkVersion, values: dict[str, str] | None = None, **kwargs: Any) -> Any:
    return actions.save_report(
        organisation=world.org,
        establishment=kwargs.pop("establishment", world.establishment),
        version=version,
        period=parse_period(kwargs.pop("period", "2025")),
        raw=values or GOOD,
        acting_user=kwargs.pop("acting_user", world.users["org_staff"]),
        **kwargs,
    )


# --- consistency checks ---------------------------------------------------------------------------------------------


def test_exits_above_people_supported_are_refused_with_a_message_naming_the_items(as_role, world, version) -> None:  # type: ignore[no-untyped-def]
    client = as_role("org_staff")
    client.cookies["django_language"] = "en"
    response = client.post(_url("activity:entry", world), _post({**GOOD, "people_supported": "30"}))
    assert response.status_code == 422
    page = response.content.decode()
    assert "Exits cannot be more than the number of people supported." in page
    assert "Check: People supported, Exits." in page  # the summary names the items in question
    assert 'value="30"' in page and 'value="12,5"' in page  # the values stay in the form
    # Both fields are marked and point to the check's message in the summary.
    assert 'aria-describedby="check_exits_le_people" aria-invalid="true"' in page
    assert 'aria-describedby="id_v_people_supported_help check_exits_le_people" aria-invalid="true"' in page
    assert '<li id="check_exits_le_people"><a href="#id_v_people_supported">' in page
    assert not ActivityReport.objects.exists()


def test_a_value_that_is_not_a_count_is_shown_next_to_its_field(as_role, world, version) -> None:  # type: ignore[no-untyped-def]
    client = as_role("org_admin")
    client.cookies["django_language"] = "en"
    response = client.post(_url("activity:entry", world), _post({**GOOD, "exits": "4,5"}))
    assert response.status_code == 422
    page = response.content.decode()
    assert (
        '<p class="errorlist" id="id_v_exits_error">Write a whole number with digits only, for example 12.</p>' in page
    )
    assert 'href="#id_v_exits"' in page
    assert not ActivityReport.objects.exists()


def test_the_action_refuses_inconsistent_values_and_stores_nothing(world, version) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(actions.InvalidReport) as caught:
        _enter(world, version, {**GOOD, "exits_housing": "41"}, language="en")
    assert [(p.code, p.message) for p in caught.value.problems] == [
        ("housing_le_exits", "More exits to housing than exits")
    ]
    assert not ActivityReport.objects.exists() and not AuditEvent.objects.filter(action__startswith="activity").exists()


# --- entry, correction, history ---------------------------------------------------------------------------------


def test_staff_enter_a_report_then_an_admin_corrects_it_and_the_history_keeps_both(as_role, world, version) -> None:  # type: ignore[no-untyped-def]
    staff = as_role("org_staff")
    staff.cookies["django_language"] = "en"
    url = _url("activity:entry", world)
    assert staff.get(url).status_code == 200
    response = staff.post(url, _post(GOOD, based_on="0"))
    assert response.status_code == 302
    first = ActivityReport.objects.get()
    assert first.values == {"exits": 40, "exits_housing": 15, "people_supported": 120, "staff_fte": "12.5"}
    assert first.numbers["staff_fte"] == Decimal("12.5")
    assert (first.revision, first.source, first.entered_by) == (1, "form", world.users["org_staff"])
    assert AuditEvent.objects.get(action="activity.entered").target == str(first.public_id)

    admin = login_as(Client(), world.users["org_admin"])
    admin.cookies["django_language"] = "en"
    form = admin.get(url).content.decode()
    assert "Correct the activity data" in form and 'value="120"' in form and 'value="12.5"' in form
    # A correction needs a reason.
    refused = admin.post(url, _post({**GOOD, "people_supported": "125"}, based_on="1"))
    assert refused.status_code == 422
    assert "Say why you correct these values" in refused.content.decode()
    assert ActivityReport.objects.count() == 1
    done = admin.post(url, _post({**GOOD, "people_supported": "125"}, based_on="1", comment="Bilan annuel vérifié"))
    assert done.status_code == 302

    second = current_reports(world.org.pk).get()
    assert (second.revision, second.supersedes_id, second.comment) == (2, first.pk, "Bilan annuel vérifié")
    assert second.values["people_supported"] == 125
    assert ActivityReport.objects.get(pk=first.pk).values["people_supported"] == 120  # the old one remains
    audit = AuditEvent.objects.get(action="activity.corrected")
    assert audit.actor == world.users["org_admin"] and audit.data["changed"] == ["people_supported"]
    assert audit.organisation == world.org and audit.data["revision"] == 2

    history = staff.get(_url("activity:history", world)).content.decode()
    assert "Revision 2" in history and "Revision 1" in history and "Bilan annuel vérifié" in history
    assert "What changed" in history
    change = history.index("What changed")
    assert "People supported" in history[change:] and "120" in history[change:] and "125" in history[change:]


def test_saving_the_same_values_again_creates_no_revision(as_role, world, version) -> None:  # type: ignore[no-untyped-def]
    saved = _enter(world, version)
    again = _enter(world, version, {**GOOD, "staff_fte": "12.50"}, comment="rien")
    assert saved.created and not again.created and again.report == saved.report
    client = as_role("org_admin")
    response = client.post(_url("activity:entry", world), _post(GOOD, based_on="1", comment="rien"))
    assert response.status_code == 302
    assert ActivityReport.objects.count() == 1


def test_a_form_opened_before_someone_else_saved_does_not_overwrite_their_values(as_role, world, version) -> None:  # type: ignore[no-untyped-def]
    _enter(world, version)
    client = as_role("org_admin")
    client.cookies["django_language"] = "en"
    response = client.post(_url("activity:entry", world), _post({**GOOD, "exits": "41"}, based_on="0"))
    assert response.status_code == 409
    assert "Somebody saved this report while you were editing it" in response.content.decode()
    assert ActivityReport.objects.count() == 1


def test_an_empty_form_and_a_period_not_started_are_refused(as_role, world, version) -> None:  # type: ignore[no-untyped-def]
    client = as_role("org_admin")
    client.cookies["django_language"] = "en"
    empty = client.post(_url("activity:entry", world), _post({}))
    assert empty.status_code == 422 and "Enter at least one value." in empty.content.decode()
    future = str(datetime.date.today().year + 1)
    page = client.get(_url("activity:entry", world, period=future)).content.decode()
    assert "This period has not started yet" in page and 'name="v_exits"' not in page
    assert client.post(_url("activity:entry", world, period=future), _post(GOOD)).status_code == 422
    with pytest.raises(actions.ActionError):
        _enter(world, version, period=future)
    assert not ActivityReport.objects.exists()


def test_a_period_is_addressed_by_its_canonical_code_only(as_role, world, version) -> None:  # type: ignore[no-untyped-def]
    client = as_role("org_admin")
    assert client.get(_url("activity:entry", world, period="2025-Q1")).status_code == 200
    assert client.get(_url("activity:entry", world, period="2025-03")).status_code == 200
    for bad in ("2025-q1", "2025-3", "2025-Q5", "25"):
        assert client.get(_url("activity:entry", world, period=bad)).status_code == 404


# --- the rows themselves --------------------------------------------------------------------------------------------


def test_a_report_never_changes_in_place(world, version) -> None:  # type: ignore[no-untyped-def]
    report = _enter(world, version).report
    report.values = {"exits": 1}
    with pytest.raises(ImmutableReportError):
        report.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        ActivityReport.objects.filter(pk=report.pk).update(values={"exits": 1})
    with pytest.raises(DatabaseError), transaction.atomic():
        ActivityReport.objects.filter(pk=report.pk).update(comment="changed")
    ActivityReport.objects.filter(pk=report.pk).update(entered_by=None)  # an account deleted: allowed
    assert ActivityReport.objects.get(pk=report.pk).values["exits"] == 40


def test_the_database_keeps_one_current_report_per_establishment_period_and_framework(world, version) -> None:  # type: ignore[no-untyped-def]
    first = _enter(world, version).report
    second = _enter(world, version, {**GOOD, "exits": "41"}, comment="corrigé").report

    def clone(**changes: Any) -> ActivityReport:
        fields = {
            f.name: getattr(first, f.name)
            for f in ActivityReport._meta.concrete_fields
            if f.name not in ("id", "public_id", "entered_at")
        }
        return ActivityReport(**{**fields, **changes})

    for duplicate in (
        clone(),  # a second first revision
        clone(revision=2, supersedes=first),  # a second successor of revision 1
        clone(revision=3, supersedes=None),  # a later revision that supersedes nothing
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            duplicate.save()
    assert list(current_reports(world.org.pk)) == [second]
    # Another period of the same establishment is another report.
    other = _enter(world, version, period="2025-Q1").report
    assert set(current_reports(world.org.pk)) == {second, other}


def test_current_reports_is_one_simple_query_for_the_values_of_an_item(
    world, version, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    _enter(world, version)
    _enter(world, version, {**GOOD, "people_supported": "130"}, comment="corrigé")
    with django_assert_num_queries(1):
        report = (
            current_reports(world.org.pk)
            .filter(framework__slug=FRAMEWORK, establishment=world.establishment, period="2025")
            .first()
        )
    assert report is not None and report.numbers["people_supported"] == 130
    assert current_reports(world.other_org.pk).count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_corrections_of_one_report_keep_one_chain(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter: SQLite serialises every write transaction")
    load(_sector_with_items(), network=world.network)
    version = load(organisation_document(world.org))
    _enter(world, version)
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def correct(people: int) -> None:
        try:
            barrier.wait()
            saved = _enter(world, version, {**GOOD, "people_supported": str(people)}, comment="x", based_on=1)
            outcomes.append("created" if saved.created else "same")
        except actions.ReportConflict:
            outcomes.append("conflict")
        except Exception as error:  # recorded and asserted below
            outcomes.append(repr(error))
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=correct, args=(200 + n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 19 + ["created"], outcomes
    assert ActivityReport.objects.count() == 2 and current_reports(world.org.pk).get().revision == 2


# --- import ---------------------------------------------------------------------------------------------------------

HEADER = "establishment;name;period;people_supported;exits;exits_housing;staff_fte"


def _file(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


def _import(world: World, version: FrameworkVersion, content: bytes, **kwargs: Any) -> actions.ImportOutcome:
    return actions.import_reports(
        organisation=world.org,
        version=version,
        filename="activite.csv",
        content=content,
        acting_user=kwargs.pop("acting_user", world.users["org_staff"]),
        **kwargs,
    )


@pytest.fixture
def second(world: World) -> Any:
    return make_establishment(world.network, world.org, name="Accueil de jour")


def test_an_import_with_one_bad_row_imports_nothing_and_reports_every_bad_row(world, version, second) -> None:  # type: ignore[no-untyped-def]
    e1, e2 = world.establishment.finess, second.finess
    content = _file(
        f"{e1};;2025;120;40;15;12,5",
        f"{e2};;2025;30;40;15;3",  # row 3: exits > people
        f"{world.other_establishment.finess};;2025;10;1;0;1",  # row 4: another organisation's establishment
        f"{e2};;2025-Q1;ten;1;0;1",  # row 5
    )
    outcome = _import(world, version, content, language="en")
    assert not outcome.ok
    assert [(e.row, e.column, e.value, e.reason) for e in outcome.errors] == [
        (
            3,
            "people_supported, exits",
            "people_supported=30; exits=40",
            "Exits cannot be more than the number of people supported.",
        ),
        (
            4,
            "establishment",
            world.other_establishment.finess,
            "No establishment of your organisation has this FINESS number.",
        ),
        (5, "people_supported", "ten", "Write a whole number with digits only, for example 12."),
    ]
    assert not ActivityReport.objects.exists() and not AuditEvent.objects.filter(action__startswith="activity").exists()


def test_importing_the_same_file_twice_creates_no_new_revision_and_a_change_needs_a_comment(
    world, version, second
) -> None:  # type: ignore[no-untyped-def]
    e1, e2 = world.establishment.finess, second.finess
    content = _file(f"{e1};A;2025;120;40;15;12,5", f"{e2};B;2025-Q1;30;4;1;2", f"{e2};B;2025-Q2;;;;")
    first = _import(world, version, content)
    assert (first.ok, first.created, first.corrected, first.unchanged, first.skipped_rows) == (True, 2, 0, 0, (4,))
    assert ActivityReport.objects.filter(source="import").count() == 2
    assert AuditEvent.objects.filter(action="activity.entered").count() == 2
    assert AuditEvent.objects.get(action="activity.imported").data["created"] == 2

    again = _import(world, version, content)
    assert (again.ok, again.created, again.corrected, again.unchanged) == (True, 0, 0, 2)
    assert ActivityReport.objects.count() == 2

    changed = _file(f"{e1};A;2025;121;40;15;12.5", f"{e2};B;2025-Q1;30;4;1;2")
    without_reason = _import(world, version, changed)
    assert without_reason.comment_required and not without_reason.ok
    assert ActivityReport.objects.count() == 2
    dry = _import(world, version, changed, dry_run=True)
    assert (dry.ok, dry.corrected, dry.unchanged) == (True, 1, 1)
    assert ActivityReport.objects.count() == 2
    done = _import(world, version, changed, comment="Chiffres du rapport annuel")
    assert (done.ok, done.created, done.corrected, done.unchanged) == (True, 0, 1, 1)
    current = current_reports(world.org.pk).get(establishment=world.establishment)
    assert (current.revision, current.values["people_supported"], current.comment) == (
        2,
        121,
        "Chiffres du rapport annuel",
    )
    assert AuditEvent.objects.filter(action="activity.corrected").count() == 1


def test_the_import_page_checks_imports_and_reports(as_role, world, version, second) -> None:  # type: ignore[no-untyped-def]
    client = as_role("org_staff")
    client.cookies["django_language"] = "en"
    url = reverse("activity:import", args=[world.org.slug, FRAMEWORK])
    assert client.get(url).status_code == 200
    bad = SimpleUploadedFile("activite.csv", _file(f"{second.finess};;2025-Q9;1;1;1;1"))
    response = client.post(url, {"file": bad})
    assert response.status_code == 422
    page = response.content.decode()
    assert "1 error: nothing was imported" in page and "2025-Q9" in page and "A quarter is Q1 to Q4" in page
    good = _file(f"{second.finess};;2025;10;2;1;1")
    checked = client.post(url, {"file": SimpleUploadedFile("a.csv", good), "dry_run": "on"})
    assert checked.status_code == 200 and "The file is valid" in checked.content.decode()
    assert not ActivityReport.objects.exists()
    done = client.post(url, {"file": SimpleUploadedFile("a.csv", good)})
    assert done.status_code == 302
    assert ActivityReport.objects.get().establishment == second


def test_the_template_has_the_right_header_and_imports_back_once_filled(as_role, world, version) -> None:  # type: ignore[no-untyped-def]
    client = as_role("org_staff")
    response = client.get(reverse("activity:template", args=[world.org.slug, FRAMEWORK]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == HEADER
    year = datetime.date.today().year - 1
    assert lines[1] == f"{world.establishment.finess};{world.establishment.name};{year};;;;"
    empty = _import(world, version, response.content)
    assert empty.ok and empty.created == 0 and len(empty.skipped_rows) == 1
    filled = text.replace(f"{year};;;;", f"{year};50;10;3;4,5").encode("utf-8")
    outcome = _import(world, version, filled)
    assert outcome.ok and outcome.created == 1


def test_the_command_shares_the_import_and_lists_every_error(world, version, tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "activite.csv"
    good.write_bytes(_file(f"{world.establishment.finess};;2025;120;40;15;12,5"))
    out = io.StringIO()
    call_command("import_activity", str(good), "--organisation", world.org.slug, "--dry-run", stdout=out)
    assert "1 reports entered" in out.getvalue() and not ActivityReport.objects.exists()
    call_command(
        "import_activity", str(good), "--organisation", world.org.slug, "--user", "staff@asso-a.test", stdout=out
    )
    report = ActivityReport.objects.get()
    assert report.entered_by == world.users["org_staff"] and report.source == "import"
    call_command("import_activity", str(good), "--organisation", world.org.slug, stdout=out)
    assert ActivityReport.objects.count() == 1 and "0 reports entered, 0 corrected, 1 unchanged" in out.getvalue()

    bad = tmp_path / "bad.csv"
    bad.write_bytes(_file(f"{world.establishment.finess};;2025;10;40;15;1", "nope;;2025;1;1;1;1"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 2 errors"):
        call_command("import_activity", str(bad), "--organisation", world.org.slug, stderr=err)
    assert "row 2, column people_supported, exits" in err.getvalue()
    assert "row 3, column establishment, value 'nope'" in err.getvalue()
    with pytest.raises(CommandError, match="not an admin or staff member"):
        call_command("import_activity", str(good), "--organisation", world.org.slug, "--user", "admin@asso-b.test")
    assert ActivityReport.objects.count() == 1


# --- permissions and tenant isolation -------------------------------------------------------------------------------


@pytest.fixture
def other_version(world: World, version: FrameworkVersion) -> FrameworkVersion:
    return load(organisation_document(world.other_org))


def test_staff_write_facilitators_read_and_outsiders_see_nothing(world, version, client) -> None:  # type: ignore[no-untyped-def]
    _enter(world, version)
    overview = reverse("activity:overview", args=[world.org.slug])
    entry = _url("activity:entry", world)
    history = _url("activity:history", world)
    import_url = reverse("activity:import", args=[world.org.slug, FRAMEWORK])
    template = reverse("activity:template", args=[world.org.slug, FRAMEWORK])
    expected = {
        "org_admin": (200, 200, 200, 200, 200, 302),
        "org_staff": (200, 200, 200, 200, 200, 302),
        "facilitator": (200, 403, 200, 403, 200, 403),
        "facilitator_without_consent": (404, 404, 404, 404, 404, 404),
        "network_admin": (404, 404, 404, 404, 404, 404),
        "network_analyst": (404, 404, 404, 404, 404, 404),
        "other_org_admin": (404, 404, 404, 404, 404, 404),
        "other_network_admin": (404, 404, 404, 404, 404, 404),
    }
    for role, statuses in expected.items():
        login_as(client, world.users[role])
        got = (
            client.get(overview).status_code,
            client.get(entry).status_code,
            client.get(history).status_code,
            client.get(import_url).status_code,
            client.get(template).status_code,
            client.post(entry, _post({**GOOD, "exits": "39"}, comment=f"by {role}")).status_code,
        )
        assert got == statuses, role
        client.logout()
    anonymous = client.get(overview)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("accounts:login"))
    # Two corrections went through: the admin's and the staff member's; only the first changed the values.
    assert ActivityReport.objects.count() == 2


def test_another_organisations_establishment_framework_or_report_is_not_found(
    as_role, world, version, other_version
) -> None:  # type: ignore[no-untyped-def]
    other_report = actions.save_report(
        organisation=world.other_org,
        establishment=world.other_establishment,
        version=other_version,
        period=parse_period("2025"),
        raw=GOOD,
        acting_user=None,
    ).report
    client = as_role("org_admin")
    # Their establishment under our organisation, their framework under ours, our slug for their report.
    assert client.get(_url("activity:entry", world, establishment=world.other_establishment)).status_code == 404
    assert client.get(_url("activity:history", world, establishment=world.other_establishment)).status_code == 404
    assert client.get(_url("activity:entry", world, framework="asso-b-mini")).status_code == 404
    assert client.get(reverse("activity:import", args=[world.org.slug, "asso-b-mini"])).status_code == 404
    assert client.get(reverse("activity:overview", args=[world.other_org.slug])).status_code == 404
    their_url = reverse(
        "activity:history", args=[world.other_org.slug, "asso-b-mini", world.other_establishment.public_id, "2025"]
    )
    assert client.get(their_url).status_code == 404
    assert client.get(f"{reverse('activity:overview', args=[world.org.slug])}?framework=asso-b-mini").status_code == 404
    assert (
        client.get(reverse("activity:overview", args=[world.org.slug]))
        .content.decode()
        .count(world.other_establishment.name)
        == 0
    )
    with pytest.raises(actions.ActionError):
        actions.save_report(
            organisation=world.org,
            establishment=world.other_establishment,
            version=version,
            period=parse_period("2025"),
            raw=GOOD,
            acting_user=None,
        )
    with pytest.raises(actions.ActionError):
        _import(world, other_version, _file(f"{world.establishment.finess};;2025;1;1;1;1"))
    assert list(current_reports(world.org.pk)) == [] and list(current_reports(world.other_org.pk)) == [other_report]
    missing = reverse("activity:history", args=[world.org.slug, FRAMEWORK, uuid.uuid4(), "2025"])
    assert client.get(missing).status_code == 404


def test_the_overview_shows_what_is_entered_and_what_is_missing(as_role, world, version, second) -> None:  # type: ignore[no-untyped-def]
    _enter(world, version)
    client = as_role("facilitator")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("activity:overview", args=[world.org.slug]) + "?year=2025&kind=year").content.decode()
    assert "1 of 2 reports entered for these periods." in page
    assert page.count(">entered<") == 1 and page.count(">missing<") == 1
    assert "12.5" in page and "120" in page
    assert f'href="{_url("activity:entry", world)}"' not in page  # a facilitator gets no link to the form
    assert f'href="{_url("activity:history", world)}"' in page
    quarters = client.get(reverse("activity:overview", args=[world.org.slug]) + "?year=2025&kind=quarter")
    assert quarters.content.decode().count(">missing<") == 8


def test_the_overview_without_a_framework_says_what_to_do(as_role, world) -> None:  # type: ignore[no-untyped-def]
    client = as_role("org_admin")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("activity:overview", args=[world.org.slug])).content.decode()
    assert "Your organisation has no published framework yet" in page


def test_the_organisation_home_links_to_the_activity_pages(as_role, world) -> None:  # type: ignore[no-untyped-def]
    page = as_role("org_staff").get(reverse("network:organisation_home", args=[world.org.slug])).content.decode()
    assert reverse("activity:overview", args=[world.org.slug]) in page


def test_every_problem_of_the_library_has_a_translatable_message() -> None:
    from socle.activity import messages
    from socle.lib.activity import imports, values

    assert set(values.MESSAGES) == set(messages.VALUE_MESSAGES)
    assert set(imports.ROW_MESSAGES) - {"bad_period"} == set(messages.ROW_MESSAGES)
    assert {"empty", "shape", "year", "quarter", "month", "kind"} == set(messages.PERIOD_MESSAGES)
    with translation.override("en"):
        for code, english in values.MESSAGES.items():
            assert str(messages.VALUE_MESSAGES[code]) == english
        for code, english in imports.ROW_MESSAGES.items():
            if code not in ("bad_period", "bad_finess"):  # these two carry the library's detail in English
                assert str(messages.ROW_MESSAGES[code]) == english


# --- demo -----------------------------------------------------------------------------------------------------------


def test_the_demo_loads_activity_data_once_with_a_correction(db: None) -> None:
    from socle.activity.demo import load_demo_activity
    from socle.collection.demo import load_demo_campaign
    from socle.frameworks.demo import load_demo_frameworks
    from socle.network.demo import load_demo

    for _run in range(2):
        result = load_demo("a-demo-password")
        load_demo_frameworks(result.network)
        load_demo_campaign(result.network)
        current = load_demo_activity(result.network)
    assert len(current) == 4 and ActivityReport.objects.count() == 5
    corrected = ActivityReport.objects.get(revision=2)
    assert corrected.establishment.name == "CHRS Les Tilleuls" and corrected.comment
    assert corrected.supersedes.values["nights"] * 10 <= corrected.values["nights"]  # type: ignore[union-attr]
    assert AuditEvent.objects.filter(action__startswith="activity.").count() == 5
