"""`socle import_xlsform`: a questionnaire from an XLSForm file into a framework's draft, or refused whole."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from socle.frameworks import actions
from socle.frameworks.models import FrameworkVersion
from tests.factories import World
from tests.framework_builder_files import write_xlsform_file
from tests.framework_docs import load, organisation_document, sector_document

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore::UserWarning:openpyxl")]


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


@pytest.fixture
def own_draft(world: World) -> FrameworkVersion:
    load(sector_document(), network=world.network)
    own = load(organisation_document(world.org))
    return actions.create_draft(own.framework, acting_user=None)


def _questionnaires(version: FrameworkVersion) -> list[str]:
    version.refresh_from_db()
    return [q["code"] for q in version.content.get("questionnaires", [])]


def test_a_form_imports_into_the_organisation_draft(own_draft: FrameworkVersion, world: World, tmp_path: Path) -> None:
    path = write_xlsform_file(tmp_path / "jardin.xlsx")
    out = StringIO()
    call_command("import_xlsform", str(path), "--organisation", world.org.slug, stdout=out)
    assert "imported into asso-a-mini v2 as 'jardin'" in out.getvalue()
    assert _questionnaires(own_draft) == ["jardin"]
    questions = own_draft.content["questionnaires"][0]["sections"][0]["questions"]
    assert [q["name"] for q in questions] == ["garden_visit", "garden_hours"]
    assert questions[1]["relevance"] == "${garden_visit} = 'oui'"


def test_dry_run_summarises_and_writes_nothing(own_draft: FrameworkVersion, world: World, tmp_path: Path) -> None:
    path = write_xlsform_file(tmp_path / "jardin.xlsx")
    out = StringIO()
    call_command("import_xlsform", str(path), "--organisation", world.org.slug, "--dry-run", stdout=out)
    assert "Dry run: nothing written" in out.getvalue()
    assert "Enquête jardin" in out.getvalue()
    assert _questionnaires(own_draft) == []


def test_unsupported_rows_are_listed_and_nothing_is_written(
    own_draft: FrameworkVersion, world: World, tmp_path: Path
) -> None:
    path = write_xlsform_file(tmp_path / "jardin.xlsx", geopoint=True)
    out = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_xlsform", str(path), "--organisation", world.org.slug, stdout=out)
    assert "survey row 5 (geopoint 'garden_place')" in out.getvalue()
    assert _questionnaires(own_draft) == []


def test_a_published_framework_without_draft_or_an_unknown_target_is_explained(world: World, tmp_path: Path) -> None:
    load(sector_document(), network=world.network)
    path = write_xlsform_file(tmp_path / "jardin.xlsx")
    with pytest.raises(CommandError, match="mini has no draft: start one first"):
        call_command("import_xlsform", str(path), "--framework", "mini")
    with pytest.raises(CommandError, match="has not adopted a framework yet"):
        call_command("import_xlsform", str(path), "--organisation", world.org.slug)
    with pytest.raises(CommandError, match="--organisation SLUG or --framework CODE"):
        call_command("import_xlsform", str(path))


def test_a_sector_draft_receives_a_questionnaire_too(world: World, tmp_path: Path) -> None:
    published = load(sector_document(), network=world.network)
    draft = actions.create_draft(published.framework, acting_user=None)
    path = write_xlsform_file(tmp_path / "jardin.xlsx", form_id="jardin_collectif")
    call_command("import_xlsform", str(path), "--framework", "mini", stdout=StringIO())
    assert _questionnaires(draft)[-1] == "jardin_collectif"
    with pytest.raises(CommandError, match="already in this framework"):
        call_command("import_xlsform", str(path), "--framework", "mini", stdout=StringIO())
