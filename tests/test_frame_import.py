"""Importing the frame: the action, the command and the page."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from socle.audit.models import AuditEvent
from socle.lib.frame import read_frame
from socle.lib.identifiers import siren_with_check_digit
from socle.network import synthetic
from socle.network.frame_import import (
    FrameImportResult,
    accepted_types,
    import_frame,
    import_frame_file,
)
from socle.network.models import Establishment, Network, Organisation
from tests.factories import World, make_establishment, make_network, make_organisation


def frame_csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(synthetic.COLUMNS), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def run_import(network: Network, rows: list[dict[str, str]], **kwargs: Any) -> FrameImportResult:
    outcome = import_frame_file(
        network=network, filename="frame.csv", content=frame_csv(rows), acting_user=None, **kwargs
    )
    assert outcome.ok, outcome.errors[:5]
    assert outcome.result is not None
    return outcome.result


def counts(network: Network) -> tuple[int, int]:
    return (
        Establishment.objects.filter(network=network).count(),
        Organisation.objects.filter(network=network).count(),
    )


@pytest.fixture
def network(db: None) -> Network:
    return make_network("frame-net", "Réseau du cadre")


# --- the action ---------------------------------------------------------------------------------------------


def test_accepted_types(network: Network) -> None:
    types = accepted_types(network)
    assert list(types) == ["lcep"]
    assert types["lcep"]["chrs"][0].startswith("CHRS")
    assert "accueil-de-jour" in types["lcep"]


def test_import_then_import_again(network: Network) -> None:
    rows = synthetic.frame_rows(200, seed=11)
    sirens = {r["siren"] for r in rows if r["siren"]}

    first = run_import(network, rows)
    assert first == FrameImportResult(
        establishments_created=200, organisations_created=len(sirens), organisations_updated=0
    )
    assert counts(network) == (200, len(sirens))
    establishment = Establishment.objects.get(network=network, finess=rows[0]["finess"])
    assert establishment.name == rows[0]["nom"]
    assert establishment.participates == (rows[0]["participe"] == "oui")
    assert establishment.type.field.code == "lcep"

    second = run_import(network, rows)
    assert second == FrameImportResult(establishments_unchanged=200)
    assert counts(network) == (200, len(sirens))
    assert AuditEvent.objects.filter(action="frame.imported", network=network).count() == 2

    rows[5] = {**rows[5], "nom": "Nouveau nom", "places": "77"}
    third = run_import(network, rows)
    assert third == FrameImportResult(establishments_updated=1, establishments_unchanged=199)
    changed = Establishment.objects.get(network=network, finess=rows[5]["finess"])
    assert (changed.name, changed.places) == ("Nouveau nom", 77)


def test_bad_rows_import_nothing_and_are_all_listed(network: Network) -> None:
    rows = synthetic.frame_rows(150, seed=12)
    rows[10] = {**rows[10], "finess": "123"}
    rows[50] = {**rows[50], "departement": "99"}
    rows[120] = {**rows[120], "places": "beaucoup"}
    before = (counts(network), Organisation.objects.count(), AuditEvent.objects.count())

    outcome = import_frame_file(network=network, filename="frame.csv", content=frame_csv(rows), acting_user=None)

    assert outcome.result is None
    assert [(e.row, e.column, e.value) for e in outcome.errors] == [
        (12, "finess", "123"),
        (52, "departement", "99"),
        (122, "places", "beaucoup"),
    ]
    assert (counts(network), Organisation.objects.count(), AuditEvent.objects.count()) == before


def test_dry_run_counts_but_writes_nothing(network: Network) -> None:
    rows = synthetic.frame_rows(30, seed=13)
    result = run_import(network, rows, dry_run=True)
    assert result.establishments_created == 30
    assert counts(network) == (0, 0)
    assert not AuditEvent.objects.filter(action="frame.imported").exists()


def test_audit_row(network: Network, world: World) -> None:
    user = world.users["network_admin"]
    rows = synthetic.frame_rows(5, seed=14)
    import_frame_file(network=network, filename="cadre-2025.csv", content=frame_csv(rows), acting_user=user)
    event = AuditEvent.objects.get(action="frame.imported", network=network)
    assert (event.actor, event.target) == (user, "cadre-2025.csv")
    assert event.data["establishments_created"] == 5
    assert set(event.data) == set(FrameImportResult().as_dict())


def test_organisations_membership_slugs_and_e_mails(network: Network) -> None:
    other = make_network("other-frame-net")
    make_organisation(other, "association-solidarite-varnelle", name="Association Solidarité Varnelle")
    known = make_organisation(network, "known", member=False, name="Known", contact_email="old@example.org")
    member = make_organisation(network, "member-org", member=True, name="Member")
    base = synthetic.frame_rows(6, seed=15)
    long_name = "Association " + "Très Longue " * 12

    def r(i: int, **values: str) -> dict[str, str]:
        return {**base[i], **values}

    siren_1, siren_2, siren_3 = (siren_with_check_digit(f"6600000{i}") for i in (1, 2, 3))
    rows = [
        # a new organisation that takes part, whose slug clashes with one of another network
        r(0, siren=siren_1, organisme="Association Solidarité Varnelle", participe="oui", email_contact=""),
        # another new organisation with the same name
        r(1, siren=siren_2, organisme="Association Solidarité Varnelle", participe="non", email_contact=""),
        r(2, siren=siren_3, organisme=long_name, participe="non", email_contact="long@example.org"),
        # an existing non-member gets a participating establishment: it becomes a member; its e-mail is kept
        r(3, siren=known.siren, organisme="Known", participe="oui", email_contact=""),
        # an existing member with no participating establishment stays a member; its e-mail is updated
        r(4, siren=member.siren, organisme="Member", participe="non", email_contact="new@example.org"),
    ]
    result = run_import(network, rows)
    assert (result.organisations_created, result.organisations_updated) == (3, 2)

    first, second = Organisation.objects.filter(siren__in=[siren_1, siren_2]).order_by("siren")
    assert (first.slug, first.is_member) == ("association-solidarite-varnelle-2", True)
    assert (second.slug, second.is_member) == ("association-solidarite-varnelle-3", False)
    long = Organisation.objects.get(siren=siren_3)
    assert len(long.slug) <= 80 and long.slug.startswith("association-tres-longue")
    assert long.contact_email == "long@example.org"
    known.refresh_from_db()
    member.refresh_from_db()
    assert (known.is_member, known.contact_email) == (True, "old@example.org")
    assert (member.is_member, member.contact_email) == (True, "new@example.org")
    assert Establishment.objects.get(finess=rows[3]["finess"]).organisation == known


def test_empty_cells_keep_what_is_known(network: Network) -> None:
    organisation = make_organisation(network, name="Gestionnaire")
    establishment = make_establishment(network, organisation, participates=False, places=40, people=100)
    row = {
        "finess": establishment.finess,
        "nom": establishment.name,
        "champ": "",
        "type": "chrs",
        "departement": establishment.departement,
        "region": "",
        "places": "",
        "personnes_accompagnees": "",
        "salaries": "",
        "participe": "non",
        "siren": "",
        "organisme": "",
        "email_contact": "",
    }
    assert run_import(network, [row]) == FrameImportResult(establishments_unchanged=1)
    establishment.refresh_from_db()
    assert (establishment.places, establishment.people_supported, establishment.organisation) == (
        40,
        100,
        organisation,
    )


def _queries_of_import(network: Network, rows: list[dict[str, str]]) -> int:
    validation = read_frame("frame.csv", frame_csv(rows), accepted_types=accepted_types(network), field_codes=["lcep"])
    assert validation.ok
    with CaptureQueriesContext(connection) as context:
        import_frame(network=network, records=validation.records, acting_user=None)
    return len(context.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_rows(db: None) -> None:
    small, large = make_network("small"), make_network("large")
    small_rows = synthetic.frame_rows(50, seed=21)
    large_rows = synthetic.frame_rows(500, seed=22)
    created = (_queries_of_import(small, small_rows), _queries_of_import(large, large_rows))
    assert created[0] == created[1], created

    # Every row and organisation changes: the updates too are a fixed number of queries.
    def renamed(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        return [{**r, "nom": r["nom"] + " bis", "organisme": r["organisme"] and r["organisme"] + " bis"} for r in rows]

    updated = (_queries_of_import(small, renamed(small_rows)), _queries_of_import(large, renamed(large_rows)))
    assert updated[0] == updated[1], updated
    assert Establishment.objects.filter(network=large, name__endswith=" bis").count() == 500


# --- the command --------------------------------------------------------------------------------------------


def test_command_imports(network: Network, tmp_path: Path) -> None:
    path = synthetic.write_frame_xlsx(synthetic.frame_rows(20, seed=31), tmp_path / "cadre.xlsx")
    out = io.StringIO()
    call_command("import_establishments", str(path), "--network", network.slug, stdout=out)
    assert "cadre.xlsx imported into frame-net: 20 rows." in out.getvalue()
    assert "Establishments: 20 created, 0 updated, 0 unchanged" in out.getvalue()
    assert counts(network)[0] == 20

    out = io.StringIO()
    call_command("import_establishments", str(path), "--network", network.slug, "--dry-run", stdout=out)
    assert "Dry run, nothing was written" in out.getvalue()
    assert "establishments: 0 created, 0 updated, 20 unchanged" in out.getvalue()


def test_command_lists_every_error_and_fails(network: Network, tmp_path: Path) -> None:
    rows = synthetic.frame_rows(20, seed=32)
    rows[1] = {**rows[1], "finess": "123"}
    rows[5] = {**rows[5], "salaries": "-2"}
    rows[9] = {**rows[9], "type": "xyz"}
    path = tmp_path / "cadre.csv"
    path.write_bytes(frame_csv(rows))
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"^Nothing was imported: 3 errors\.$") as raised:
        call_command("import_establishments", str(path), "--network", network.slug, stderr=err)
    assert raised.value.returncode == 1
    lines = err.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("row 3, column finess, value '123': a FINESS number has 9 characters")
    assert lines[1] == "row 7, column salaries, value '-2': must be a whole number ≥ 0"
    assert lines[2].startswith("row 11, column type, value 'xyz': unknown type 'xyz' for field lcep")
    assert counts(network) == (0, 0)


@pytest.mark.parametrize(
    ("name", "content", "network_slug", "message"),
    [
        ("cadre.csv", b"finess\n", "nope", "No network has the slug 'nope'"),
        ("cadre.ods", b"x", "frame-net", "unsupported file type '.ods'"),
        ("missing.csv", None, "frame-net", "cannot be read"),
        ("cadre.xlsx", b"not a workbook", "frame-net", "this file is not an Excel workbook"),
    ],
)
def test_command_refuses(
    network: Network, tmp_path: Path, name: str, content: bytes | None, network_slug: str, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_establishments", str(path), "--network", network_slug)


# --- the page -----------------------------------------------------------------------------------------------


def url(world: World) -> str:
    return reverse("network:frame_import", args=[world.network.slug])


def upload(content: bytes, name: str = "cadre.csv", **data: Any) -> dict[str, Any]:
    return {"file": SimpleUploadedFile(name, content), **data}


def test_page_shows_the_form_and_the_columns(as_role: Any, world: World) -> None:
    response = as_role("network_admin").get(url(world))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="file"' in page and 'accept=".csv,.xlsx"' in page
    assert 'enctype="multipart/form-data"' in page
    assert page.count("<label") >= 2
    assert "<code>personnes_accompagnees</code>" in page
    assert "<code>pension-de-famille</code>" in page


def test_network_admin_imports(as_role: Any, world: World) -> None:
    client = as_role("network_admin")
    rows = synthetic.frame_rows(25, seed=41)
    before = counts(world.network)[0]
    response = client.post(url(world), upload(frame_csv(rows)))
    assert response.status_code == 302
    assert response.url == reverse("network:frame", args=[world.network.slug])
    assert counts(world.network)[0] == before + 25
    messages = [m.message for m in get_messages(response.wsgi_request)]
    assert len(messages) == 1 and "cadre.csv" in messages[0]
    event = AuditEvent.objects.get(action="frame.imported")
    assert event.actor == world.users["network_admin"]


def test_check_only(as_role: Any, world: World) -> None:
    before = counts(world.network)
    response = as_role("network_admin").post(
        url(world), upload(frame_csv(synthetic.frame_rows(8, seed=42)), dry_run="on")
    )
    assert response.status_code == 200
    assert response.context["check"].establishments_created == 8
    assert counts(world.network) == before


def test_bad_file_lists_every_error(as_role: Any, world: World) -> None:
    rows = synthetic.frame_rows(12, seed=43)
    rows[2] = {**rows[2], "finess": rows[2]["finess"][:-1] + str((int(rows[2]["finess"][-1]) + 1) % 10)}
    rows[7] = {**rows[7], "departement": "96"}
    before = counts(world.network)
    response = as_role("network_admin").post(url(world), upload(frame_csv(rows)))
    assert response.status_code == 422
    assert response.context["error_count"] == 2
    page = response.content.decode()
    assert "the check digit of this FINESS number is wrong" in page
    assert "not a département code of the official list" in page
    assert "<caption>" in page and '<th scope="col"' in page
    assert counts(world.network) == before


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("cadre.pdf", b"%PDF-1.4", "extension"),
        ("cadre.csv", b"x" * (10 * 1024 * 1024 + 1), "size"),
    ],
)
def test_refused_files(as_role: Any, world: World, name: str, content: bytes, code: str) -> None:
    response = as_role("network_admin").post(url(world), upload(content, name))
    assert response.status_code == 422
    assert response.context["form"].has_error("file", code=code)


def test_unreadable_file(as_role: Any, world: World) -> None:
    response = as_role("network_admin").post(url(world), upload(b"not a workbook", "cadre.xlsx"))
    assert response.status_code == 422
    assert "this file is not an Excel workbook" in response.context["form"].errors["file"][0]


def test_no_file(as_role: Any, world: World) -> None:
    response = as_role("network_admin").post(url(world), {})
    assert response.status_code == 422
    assert response.context["form"].has_error("file", code="required")


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("network_analyst", 403),
        ("org_admin", 404),
        ("org_staff", 404),
        ("facilitator", 404),
        ("other_network_admin", 404),
    ],
)
def test_who_may_import(as_role: Any, world: World, role: str, status: int, method: str) -> None:
    client = as_role(role)
    before = counts(world.network)
    data = upload(frame_csv(synthetic.frame_rows(3, seed=44))) if method == "post" else {}
    response = getattr(client, method)(url(world), data)
    assert response.status_code == status
    assert counts(world.network) == before


def test_anonymous_is_sent_to_sign_in(world: World, client: Client) -> None:
    response = client.get(url(world))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_very_long_list_of_errors_is_cut(as_role: Any, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("socle.network.views_frame.MAX_ERRORS_SHOWN", 2)
    rows = [{**r, "places": "x"} for r in synthetic.frame_rows(5, seed=45)]
    response = as_role("network_admin").post(url(world), upload(frame_csv(rows)))
    assert response.status_code == 422
    assert response.context["error_count"] == 5
    assert len(response.context["errors_shown"]) == 2
    assert response.context["errors_cut"] is True
