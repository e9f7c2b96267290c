"""Frameworks in the database: loading and exporting files, publishing, immutability, the pages and the API."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from socle.audit.models import AuditEvent
from socle.frameworks import actions
from socle.frameworks.demo import lcep_text
from socle.frameworks.models import Framework, FrameworkVersion, ImmutableVersionError
from socle.lib.frameworks.document import dump_yaml
from tests.factories import World
from tests.framework_docs import load, sector_document
from tests.test_lib_framework_document import MISTAKES

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int]:
    return Framework.objects.count(), FrameworkVersion.objects.count()


def test_load_framework_loads_and_publishes_lcep_with_an_audit_row(world: World, tmp_path: Path) -> None:
    path = tmp_path / "lcep.yaml"
    path.write_text(lcep_text(), encoding="utf-8")
    out = StringIO()
    call_command("load_framework", str(path), "--network", world.network.slug, "--publish", stdout=out)
    version = FrameworkVersion.objects.get(framework__slug="lcep")
    assert version.is_published and version.number == 1
    assert len(version.content["indicators"]) == 15
    assert "lcep v1 published" in out.getvalue()
    assert AuditEvent.objects.filter(action="framework.version_published", target="lcep v1").count() == 1
    call_command("load_framework", str(path), "--network", world.network.slug, stdout=out)
    assert "already published with this content" in out.getvalue()
    assert FrameworkVersion.objects.count() == 1


def test_export_then_load_then_export_gives_the_same_bytes_through_the_commands(world: World, tmp_path: Path) -> None:
    load(sector_document(), network=world.network)
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    call_command("export_framework", "mini", "--version", "1", "-o", str(first), stderr=StringIO())
    call_command("load_framework", str(first), "--network", world.network.slug, stdout=StringIO())
    call_command("export_framework", "mini", "-o", str(second), stderr=StringIO())
    assert first.read_bytes() == second.read_bytes()
    as_json = tmp_path / "mini.json"
    call_command("export_framework", "mini", "-o", str(as_json), stderr=StringIO())
    assert json.loads(as_json.read_text())["code"] == "mini"


def test_a_file_with_mistakes_writes_nothing_and_lists_every_problem(world: World, tmp_path: Path) -> None:
    doc = sector_document()
    doc["indicators"][0]["numerator"] = "${q_logement} = 'oui'"
    doc["links"][0]["to"] = "nowhere"
    path = tmp_path / "bad.yaml"
    path.write_text(dump_yaml(doc), encoding="utf-8")
    before = (*_counts(), AuditEvent.objects.count())
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was loaded: 2 problems"):
        call_command("load_framework", str(path), "--network", world.network.slug, stderr=err)
    assert f"{path}:" in err.getvalue()
    assert "indicators[0].numerator: unknown question 'q_logement'" in err.getvalue()
    assert "links[0].to: unknown node 'nowhere'" in err.getvalue()
    assert (*_counts(), AuditEvent.objects.count()) == before


def test_an_unknown_field_or_a_taken_code_is_refused(world: World) -> None:
    doc = sector_document()
    doc["field"] = "nowhere"
    with pytest.raises(actions.DocumentRejected, match="field: unknown field 'nowhere'"):
        load(doc, network=world.network)
    load(sector_document(), network=world.network)
    with pytest.raises(actions.DocumentRejected, match="already used by another framework"):
        load(sector_document(), network=world.other_network)


def test_a_published_version_loaded_again_with_other_content_is_refused(world: World) -> None:
    load(sector_document(), network=world.network)
    changed = sector_document()
    changed["title"]["fr"] = "Autre titre"
    with pytest.raises(actions.DocumentRejected, match="version 1 of mini is published and cannot be changed"):
        load(changed, network=world.network)
    assert FrameworkVersion.objects.get().title == "Mini référentiel"


def test_export_framework_says_what_is_wrong(world: World) -> None:
    with pytest.raises(CommandError, match="No framework has the code 'nothing'"):
        call_command("export_framework", "nothing")
    load(sector_document(), network=world.network)
    with pytest.raises(CommandError, match=r"mini has no version 7 \(versions: 1\)"):
        call_command("export_framework", "mini", "--version", "7")


# --- immutability -----------------------------------------------------------------------------------------------


@pytest.fixture
def published(world: World) -> FrameworkVersion:
    return load(sector_document(), network=world.network)


def test_the_model_refuses_to_save_or_delete_a_published_version(published: FrameworkVersion) -> None:
    published.content["title"]["fr"] = "Changé"
    with pytest.raises(ImmutableVersionError):
        published.save()
    with pytest.raises(ImmutableVersionError):
        published.delete()
    assert FrameworkVersion.objects.get().title == "Mini référentiel"


def test_the_database_refuses_an_update_that_bypasses_the_model(published: FrameworkVersion) -> None:
    with pytest.raises(DatabaseError, match="published framework version cannot be changed"), transaction.atomic():
        FrameworkVersion.objects.filter(pk=published.pk).update(content={"changed": True})
    with pytest.raises(DatabaseError, match="published framework version cannot be changed"), transaction.atomic():
        FrameworkVersion.objects.filter(pk=published.pk).update(status="draft")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE frameworks_frameworkversion SET number = 9 WHERE id = %s", [published.pk])
    published.refresh_from_db()
    assert published.number == 1 and published.is_published and published.content["code"] == "mini"


def test_a_draft_can_change_and_a_person_deleted_later_does_not_block_on_a_published_version(
    world: World, published: FrameworkVersion
) -> None:
    draft = actions.create_draft(published.framework, acting_user=world.users["network_admin"])
    FrameworkVersion.objects.filter(pk=draft.pk).update(content={**draft.content, "title": {"fr": "Nouveau"}})
    admin = world.users["network_admin"]
    assert admin is not None
    FrameworkVersion.objects.filter(pk=published.pk).update(created_by=admin)  # not a guarded column
    admin.delete()
    published.refresh_from_db()
    assert published.created_by is None


def test_the_edit_page_answers_409_for_a_published_version_and_changes_nothing(as_role, published) -> None:  # type: ignore[no-untyped-def]
    client = as_role("network_admin")
    url = reverse("frameworks:edit", args=["mini", 1])
    assert client.get(url).status_code == 409
    response = client.post(url, {"text": dump_yaml({**published.content, "title": {"fr": "Changé"}})})
    assert response.status_code == 409
    assert FrameworkVersion.objects.get().title == "Mini référentiel"


def test_the_api_answers_409_for_a_published_version_and_changes_nothing(as_role, published) -> None:  # type: ignore[no-untyped-def]
    client = as_role("network_admin")
    url = "/api/v1/frameworks/mini/versions/1"
    changed = {**published.content, "title": {"fr": "Changé"}}
    response = client.put(url, json.dumps(changed), content_type="application/json")
    assert response.status_code == 409
    assert "published" in response.json()["detail"]
    assert FrameworkVersion.objects.get().title == "Mini référentiel"


def test_the_api_reads_and_replaces_a_draft_and_reports_problems_with_paths(as_role, published) -> None:  # type: ignore[no-untyped-def]
    client = as_role("network_admin")
    response = client.post("/api/v1/frameworks/mini/versions")
    assert response.status_code == 201
    draft = response.json()
    assert draft["number"] == 2 and draft["status"] == "draft"
    document = draft["document"]
    document["title"]["fr"] = "Deuxième"
    response = client.put("/api/v1/frameworks/mini/versions/2", json.dumps(document), content_type="application/json")
    assert response.status_code == 200, response.content
    assert client.get("/api/v1/frameworks/mini/versions/2").json()["document"]["title"]["fr"] == "Deuxième"
    document["indicators"][0]["numerator"] = "${q_logement} = 'oui'"
    response = client.put("/api/v1/frameworks/mini/versions/2", json.dumps(document), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["problems"][0] == {
        "path": "indicators[0].numerator",
        "message": "unknown question 'q_logement'",
        "line": None,
    }
    assert FrameworkVersion.objects.get(number=2).title == "Deuxième"


@pytest.mark.parametrize(
    ("role", "get_status", "put_status"),
    [
        ("anonymous", 401, 401),
        ("network_analyst", 200, 403),
        ("org_admin", 200, 403),
        ("other_network_admin", 404, 404),
    ],
)
def test_the_api_applies_the_same_access_rules_as_the_pages(as_role, published, role, get_status, put_status) -> None:  # type: ignore[no-untyped-def]
    client = as_role(role)
    assert client.get("/api/v1/frameworks/mini/versions/1").status_code == get_status
    response = client.put(
        "/api/v1/frameworks/mini/versions/1", json.dumps(published.content), content_type="application/json"
    )
    assert response.status_code == put_status


def test_the_api_refuses_a_write_without_its_csrf_token(world: World, published: FrameworkVersion) -> None:
    from django.test import Client

    from tests.conftest import login_as

    client = login_as(Client(enforce_csrf_checks=True), world.users["network_admin"])
    response = client.post("/api/v1/frameworks/mini/versions")
    assert response.status_code == 403
    assert FrameworkVersion.objects.count() == 1


def test_the_openapi_description_lists_the_framework_endpoints(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/frameworks/{slug}/versions/{number}" in spec["paths"]


# --- publishing and pages ------------------------------------------------------------------------------------------


def test_publishing_a_draft_through_the_page_freezes_it_and_writes_an_audit_row(as_role, world: World) -> None:  # type: ignore[no-untyped-def]
    load(sector_document(), network=world.network, publish=False)
    client = as_role("network_admin")
    response = client.post(reverse("frameworks:publish", args=["mini", 1]))
    assert response.status_code == 302
    version = FrameworkVersion.objects.get()
    assert version.is_published and version.published_by == world.users["network_admin"]
    assert AuditEvent.objects.filter(action="framework.version_published", target="mini v1").exists()
    assert as_role("network_analyst").post(reverse("frameworks:publish", args=["mini", 1])).status_code == 403


def test_editing_a_draft_as_text_reports_problems_with_lines_and_saves_nothing(as_role, world: World) -> None:  # type: ignore[no-untyped-def]
    load(sector_document(), network=world.network, publish=False)
    client = as_role("network_admin")
    url = reverse("frameworks:edit", args=["mini", 1])
    page = client.get(url)
    assert page.status_code == 200 and "socle_framework: 1" in page.content.decode()
    doc = sector_document()
    doc["indicators"][0]["numerator"] = "${q_logement} = 'oui'"
    response = client.post(url, {"text": dump_yaml(doc)})
    assert response.status_code == 422
    html = response.content.decode()
    assert "unknown question &#x27;q_logement&#x27;" in html or "unknown question 'q_logement'" in html
    assert FrameworkVersion.objects.get().content["indicators"][0]["numerator"] == "${droits} = 'oui'"
    doc = sector_document()
    doc["title"]["fr"] = "Titre revu"
    assert client.post(url, {"text": dump_yaml(doc)}).status_code == 302
    assert FrameworkVersion.objects.get().title == "Titre revu"


def test_the_version_page_shows_the_theory_of_change_indicators_and_questionnaires(as_role, world: World) -> None:  # type: ignore[no-untyped-def]
    from socle.frameworks.actions import load_framework_text

    load_framework_text(lcep_text(), filename="lcep.yaml", network=world.network, publish=True)
    for role in ("network_admin", "network_analyst", "org_admin", "org_staff", "facilitator"):
        response = as_role(role).get(reverse("frameworks:version", args=["lcep", 1]))
        assert response.status_code == 200, role
    html = response.content.decode()
    assert "<svg" in html and 'class="toc-stages"' in html
    assert html.count('href="/f/lcep/v/1/indicators/#ind-') == 15
    indicators = as_role("org_admin").get(reverse("frameworks:indicators", args=["lcep", 1])).content.decode()
    assert indicators.count('class="indicator"') == 15


@pytest.mark.parametrize(
    ("query", "expected"), [("", "Questionnaire"), ("?lang=en", "questionnaire"), ("?lang=fr&easy=1", "facile")]
)
def test_questionnaires_preview_in_french_english_and_easy_read(
    as_role, world: World, query: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    from socle.frameworks.actions import load_framework_text

    load_framework_text(lcep_text(), filename="lcep.yaml", network=world.network, publish=True)
    response = as_role("org_staff").get(reverse("frameworks:questionnaire", args=["lcep", 1, "entry"]) + query)
    assert response.status_code == 200
    html = response.content.decode()
    lang = "en" if "lang=en" in query else "fr"
    assert f'class="questionnaire-preview" lang="{lang}"' in html
    if "easy" in query:
        assert "Avez-vous toutes les aides auxquelles vous avez droit" in html
    elif lang == "en":
        assert "Today, do you have all the rights and benefits you are entitled to?" in html
    else:
        assert "Aujourd’hui, avez-vous tous les droits et aides" in html


def test_members_do_not_see_drafts_and_outsiders_see_nothing(as_role, world: World) -> None:  # type: ignore[no-untyped-def]
    load(sector_document(), network=world.network, publish=False)
    url = reverse("frameworks:version", args=["mini", 1])
    assert as_role("network_analyst").get(url).status_code == 200
    assert as_role("org_admin").get(url).status_code == 404
    assert as_role("other_network_admin").get(url).status_code == 404
    assert as_role("anonymous").get(url).status_code == 404


def test_the_diff_page_shows_what_changed_between_two_versions(as_role, world: World) -> None:  # type: ignore[no-untyped-def]
    version = load(sector_document(), network=world.network)
    draft = actions.create_draft(version.framework, acting_user=None)
    changed = dict(draft.content)
    changed["indicators"] = [*draft.content["indicators"][:2]]
    actions.save_draft(draft, changed, acting_user=None)
    html = as_role("network_admin").get(reverse("frameworks:diff", args=["mini"]) + "?from=1&to=2").content.decode()
    assert "i_housing" in html and "removed" in html


def test_the_json_schema_is_published(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/schemas/framework.schema.json")
    assert response.status_code == 200
    assert response.json()["title"] == "Socle framework version"


# --- acceptance: an organisation framework derived from LCEP survives the sector's upgrade -------------------------


def _lcep_v2(v1: FrameworkVersion) -> dict[str, object]:
    """LCEP version 2: a reworded indicator, a new indicator, a question removed that Horizon does not use."""
    import copy

    doc = copy.deepcopy(v1.content)
    doc["version"] = 2
    doc["change_notes"] = {"fr": "Deuxième version après les ateliers.", "en": "Second version after the workshops."}
    doc["indicators"][0]["label"]["fr"] = "Accès effectif aux droits"
    new = copy.deepcopy(doc["indicators"][0])
    new.update(code="i16_bank_account", numerator="${compte_bancaire} = 'oui'")
    new["label"] = {"fr": "Compte bancaire", "en": "Bank account"}
    doc["indicators"].append(new)
    entry = next(q for q in doc["questionnaires"] if q["code"] == "entry")
    for section in entry["sections"]:
        section["questions"] = [q for q in section["questions"] if q["name"] != "date_arrivee"]
    return doc


def test_an_lcep_organisation_framework_survives_the_upgrade_to_lcep_v2(as_role, world: World) -> None:  # type: ignore[no-untyped-def]
    from socle.frameworks.actions import load_framework_text
    from socle.frameworks.demo import horizon_document

    v1 = load_framework_text(lcep_text(), filename="lcep.yaml", network=world.network, publish=True).version
    own_doc = horizon_document(world.org)
    own = load(own_doc, publish=True)
    own_indicators = [i["code"] for i in own.content["indicators"]]
    assert len(own_indicators) == 3
    assert [i.get("maps_to") for i in own.content["indicators"]] == ["i07_admin_autonomy", None, None]
    doc_v2 = _lcep_v2(v1)
    v2 = load(doc_v2, network=world.network)  # type: ignore[arg-type]
    assert v2.number == 2 and v2.is_published

    client = as_role("org_admin")
    page = client.get(reverse("frameworks:upgrade", args=[own.framework.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    for shown in ("i01_access_rights", "i16_bank_account", "entry/date_arrivee"):
        assert shown in html, shown
    response = client.post(reverse("frameworks:upgrade", args=[own.framework.slug]), {"to": "2"})
    assert response.status_code == 302
    draft = FrameworkVersion.objects.get(framework=own.framework, status="draft")
    assert draft.number == 2 and draft.base_version == v2
    assert [i["code"] for i in draft.content["indicators"]] == own_indicators
    assert draft.content["indicators"][0]["maps_to"] == "i07_admin_autonomy"
    assert client.post(reverse("frameworks:publish", args=[own.framework.slug, 2])).status_code == 302
    draft.refresh_from_db()
    assert draft.is_published
    version_page = client.get(reverse("frameworks:version", args=[own.framework.slug, 2])).content.decode()
    assert version_page.count(f'href="/f/{own.framework.slug}/v/2/indicators/#ind-') == 16 + 3
    diff_page = client.get(reverse("frameworks:diff", args=[own.framework.slug]) + "?from=1&to=2").content.decode()
    assert "i16_bank_account" in diff_page and "date_arrivee" in diff_page
    own.refresh_from_db()
    assert own.base_version == v1, "version 1 of the organisation framework still reads against LCEP v1"


@pytest.mark.parametrize("mistake", [m[0] for m in MISTAKES])
def test_no_mistake_writes_anything(world: World, mistake: str) -> None:
    mutation = next(m[1] for m in MISTAKES if m[0] == mistake)
    doc = sector_document()
    mutation(doc)
    before = (*_counts(), AuditEvent.objects.count())
    with pytest.raises(actions.DocumentRejected) as caught:
        load(doc, network=world.network)
    assert all(p.file == "test.yaml" and p.line for p in caught.value.problems)
    assert (*_counts(), AuditEvent.objects.count()) == before
