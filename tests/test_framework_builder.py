"""Organisation frameworks in the browser: adopt, build, upgrade, and questionnaires to and from XLSForm files."""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from socle.audit.models import AuditEvent
from socle.frameworks import actions
from socle.frameworks.models import Framework, FrameworkVersion
from tests.conftest import login_as
from tests.factories import ROLES, World
from tests.framework_builder_files import xlsform_bytes
from tests.framework_docs import load, organisation_document, published_sector, sector_document

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:openpyxl")


@pytest.fixture(autouse=True)
def _english(client, settings):  # type: ignore[no-untyped-def]
    """These tests read the English texts of the pages (the French ones are checked by the catalogue tests)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


# --- Helpers ------------------------------------------------------------------------------------------------------


def adopted(world: World) -> FrameworkVersion:
    """asso-a adopted the published sector version 1: its framework is a draft version 1 without additions."""
    sector = published_sector(world.network)
    framework = actions.adopt_framework(world.org, sector, acting_user=world.users["org_admin"])
    return framework.versions.get(number=1)


def build_url(version: FrameworkVersion) -> str:
    return reverse("frameworks:build", args=[version.framework.slug, version.number])


def reloaded(version: FrameworkVersion) -> FrameworkVersion:
    return FrameworkVersion.objects.get(pk=version.pk)


def outcome_data(**overrides: str) -> dict[str, str]:
    data = {
        "form": "outcome",
        "outcome-code": "own_out_jobs",
        "outcome-label_fr": "Retour à l'emploi",
        "outcome-label_en": "Back to work",
        "outcome-term": "medium",
        "outcome-follows": "out_rights",
    }
    data.update(overrides)
    return data


def question_data(**overrides: str) -> dict[str, str]:
    data = {
        "form": "question",
        "question-questionnaire": "entry",
        "question-name": "own_job",
        "question-type": "either_or",
        "question-label_fr": "Avez-vous un emploi ?",
        "question-label_en": "Do you have a job?",
        "question-easy_label_fr": "Vous travaillez ?",
        "question-choices": "__new_yes_no__",
        "question-required": "on",
        "question-dont_know": "on",
    }
    data.update(overrides)
    return data


def indicator_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "form": "indicator",
        "indicator-code": "own_jobs",
        "indicator-label_fr": "Retour à l'emploi",
        "indicator-label_en": "Back to work",
        "indicator-definition_fr": "Part des personnes en emploi",
        "indicator-outcome": "own_out_jobs",
        "indicator-kind": "proportion",
        "indicator-questionnaires": ["entry"],
        "indicator-expression": "${own_job} = 'oui'",
        "indicator-unit": "%",
        "indicator-direction": "up",
        "indicator-maps_to": "i_rights",
    }
    data.update(overrides)
    return data


def text_of(response: Any) -> str:
    return response.content.decode()


# --- The organisation's frameworks, and adopting one --------------------------------------------------------------


def test_an_org_admin_sees_the_sector_framework_and_adopts_its_published_version(world: World, as_role: Any) -> None:
    sector = published_sector(world.network)
    client = as_role("org_admin")
    page = client.get(reverse("frameworks:organisation_frameworks", args=[world.org.slug]))
    assert page.status_code == 200
    assert reverse("frameworks:version", args=["mini", 1]) in text_of(page)
    assert reverse("frameworks:adopt", args=[world.org.slug]) in text_of(page)

    response = client.post(reverse("frameworks:adopt", args=[world.org.slug]), {"framework": "mini", "version": 1})
    framework = Framework.objects.get(organisation=world.org, base=sector.framework)
    assert response.status_code == 302
    assert response["Location"] == reverse("frameworks:build", args=[framework.slug, 1])
    draft = framework.versions.get()
    assert not draft.is_published and draft.base_version == sector
    assert AuditEvent.objects.filter(action="framework.adopted", organisation=world.org).exists()

    page = client.get(reverse("frameworks:organisation_frameworks", args=[world.org.slug]))
    assert reverse("frameworks:build", args=[framework.slug, 1]) in text_of(page)
    assert reverse("frameworks:adopt", args=[world.org.slug]) not in text_of(page)


def test_adopting_twice_or_an_unknown_version_is_refused_with_a_message(world: World, as_role: Any) -> None:
    adopted(world)
    client = as_role("org_admin")
    url = reverse("frameworks:adopt", args=[world.org.slug])
    response = client.post(url, {"framework": "mini", "version": 1}, follow=True)
    assert "already adopted" in text_of(response)
    response = client.post(url, {"framework": "mini", "version": 9}, follow=True)
    assert "Choose a published version" in text_of(response)
    assert Framework.objects.filter(organisation=world.org).count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("org_staff", 403),
        ("facilitator", 403),
        ("other_org_admin", 404),
        ("network_admin", 404),
        ("other_network_admin", 404),
    ],
)
def test_only_the_org_admin_may_adopt(world: World, as_role: Any, role: str, status: int) -> None:
    published_sector(world.network)
    response = as_role(role).post(
        reverse("frameworks:adopt", args=[world.org.slug]), {"framework": "mini", "version": 1}
    )
    assert response.status_code == status
    assert not Framework.objects.filter(organisation=world.org).exists()


def test_staff_read_the_frameworks_page_without_the_adopt_button(world: World, as_role: Any) -> None:
    published_sector(world.network)
    page = as_role("org_staff").get(reverse("frameworks:organisation_frameworks", args=[world.org.slug]))
    assert page.status_code == 200
    assert "Mini framework" in text_of(page)  # the framework's English title: the page is in English
    assert reverse("frameworks:adopt", args=[world.org.slug]) not in text_of(page)


def test_the_frameworks_page_says_when_a_newer_sector_version_is_available(world: World, as_role: Any) -> None:
    version = adopted(world)
    load(sector_document(version=2), network=world.network)
    page = as_role("org_staff").get(reverse("frameworks:organisation_frameworks", args=[world.org.slug]))
    assert "Version 2 of the sector framework is available." in text_of(page)
    assert reverse("frameworks:upgrade", args=[version.framework.slug]) in text_of(page)


# --- Building -----------------------------------------------------------------------------------------------------


def test_the_builder_adds_an_outcome_a_question_and_a_mapped_indicator_that_the_version_page_shows(
    world: World, as_role: Any
) -> None:
    version = adopted(world)
    client = as_role("org_admin")
    page = client.get(build_url(version))
    assert page.status_code == 200
    assert "Add an outcome" in text_of(page) and "Add an indicator" in text_of(page)
    assert re.search(r'<input type="checkbox" name="question-dont_know"[^>]* checked', page.content.decode())

    for data in (outcome_data(), question_data(), indicator_data()):
        response = client.post(build_url(version), data)
        assert response.status_code == 302, text_of(response)

    content = reloaded(version).content
    assert content["nodes"] == [
        {
            "code": "own_out_jobs",
            "kind": "outcome",
            "term": "medium",
            "label": {"fr": "Retour à l'emploi", "en": "Back to work"},
        }
    ]
    assert content["links"] == [{"from": "out_rights", "to": "own_out_jobs"}]
    section = content["questionnaire_extensions"][0]
    assert section["questionnaire"] == "entry"
    question = section["sections"][0]["questions"][0]
    assert question == {
        "name": "own_job",
        "type": "either_or",
        "label": {"fr": "Avez-vous un emploi ?", "en": "Do you have a job?"},
        "easy_label": {"fr": "Vous travaillez ?"},
        "choices": "yes_no",
        "dont_know": True,
        "required": True,
    }  # the new yes / no list is the sector's own, identical one
    indicator = content["indicators"][0]
    assert indicator["maps_to"] == "i_rights"
    assert indicator["numerator"] == "${own_job} = 'oui'" and indicator["factor"] == 100

    page = text_of(client.get(reverse("frameworks:version", args=[version.framework.slug, 1])))
    assert "Back to work" in page
    indicators = text_of(client.get(reverse("frameworks:indicators", args=[version.framework.slug, 1])))
    assert "own_jobs" in indicators and "Access to rights" in indicators
    preview = text_of(client.get(reverse("frameworks:questionnaire", args=[version.framework.slug, 1, "entry"])))
    assert "Avez-vous un emploi ?" in preview

    listing = text_of(client.get(build_url(version)))
    for code in ("own_out_jobs", "own_jobs", "own_job", "i_rights"):
        assert code in listing


def test_a_second_question_goes_into_the_same_own_section(world: World, as_role: Any) -> None:
    version = adopted(world)
    client = as_role("org_admin")
    client.post(build_url(version), question_data())
    client.post(
        build_url(version),
        question_data(
            **{
                "question-name": "own_age",
                "question-type": "integer",
                "question-choices": "",
                "question-label_en": "",
            }
        ),
    )
    sections = reloaded(version).content["questionnaire_extensions"][0]["sections"]
    assert len(sections) == 1
    assert [q["name"] for q in sections[0]["questions"]] == ["own_job", "own_age"]
    assert sections[0]["label"] == {"fr": "Questions de Association A", "en": "Questions from Association A"}


def test_an_indicator_over_an_unknown_question_shows_the_problem_and_writes_nothing(world: World, as_role: Any) -> None:
    version = adopted(world)
    before = copy.deepcopy(version.content)
    response = as_role("org_admin").post(
        build_url(version),
        indicator_data(
            **{
                "indicator-outcome": "out_rights",
                "indicator-expression": "${nowhere} = 'oui'",
            }
        ),
    )
    assert response.status_code == 422
    page = text_of(response)
    assert "indicators[0].numerator" in page and "unknown question &#x27;nowhere&#x27;" in page
    assert reloaded(version).content == before


def test_an_expression_that_cannot_be_read_is_shown_too(world: World, as_role: Any) -> None:
    version = adopted(world)
    response = as_role("org_admin").post(
        build_url(version),
        indicator_data(
            **{
                "indicator-outcome": "out_rights",
                "indicator-expression": "${droits} = = 'oui'",
            }
        ),
    )
    assert response.status_code == 422
    assert "cannot read the expression" in text_of(response)


def test_a_code_of_the_sector_is_refused(world: World, as_role: Any) -> None:
    version = adopted(world)
    before = copy.deepcopy(version.content)
    response = as_role("org_admin").post(build_url(version), outcome_data(**{"outcome-code": "out_rights"}))
    assert response.status_code == 422
    assert "belongs to the sector framework" in text_of(response)
    assert reloaded(version).content == before


def test_a_code_out_of_the_pattern_and_a_missing_choice_list_are_form_errors(world: World, as_role: Any) -> None:
    version = adopted(world)
    client = as_role("org_admin")
    response = client.post(build_url(version), outcome_data(**{"outcome-code": "Own Jobs"}))
    assert response.status_code == 422
    assert "lowercase letter" in text_of(response)
    response = client.post(build_url(version), question_data(**{"question-choices": ""}))
    assert response.status_code == 422
    assert "Choose the list of possible answers." in text_of(response)
    response = client.post(build_url(version), indicator_data(**{"indicator-expression": ""}))
    assert response.status_code == 422
    assert "needs an expression" in text_of(response)
    assert "nodes" not in reloaded(version).content


def test_removing_an_element_asks_first_then_removes_it_with_its_links(world: World, as_role: Any) -> None:
    version = adopted(world)
    client = as_role("org_admin")
    client.post(build_url(version), outcome_data())
    url = reverse("frameworks:remove_element", args=[version.framework.slug, 1])

    asked = client.post(url, {"collection": "nodes", "code": "own_out_jobs"})
    assert asked.status_code == 200
    assert "Yes, remove own_out_jobs" in text_of(asked)
    assert "out_rights → own_out_jobs" in text_of(asked)
    assert reloaded(version).content["nodes"]

    done = client.post(url, {"collection": "nodes", "code": "own_out_jobs", "confirm": "on"})
    assert done.status_code == 302
    content = reloaded(version).content
    assert "nodes" not in content and "links" not in content


def test_removing_a_question_an_indicator_uses_is_refused_and_named(world: World, as_role: Any) -> None:
    version = adopted(world)
    client = as_role("org_admin")
    for data in (outcome_data(), question_data(), indicator_data()):
        client.post(build_url(version), data)
    before = reloaded(version).content
    url = reverse("frameworks:remove_element", args=[version.framework.slug, 1])
    response = client.post(url, {"collection": "questions", "code": "entry/own_job", "confirm": "on"})
    assert response.status_code == 422
    assert "unknown question &#x27;own_job&#x27;" in text_of(response)
    assert reloaded(version).content == before
    client.post(url, {"collection": "indicators", "code": "own_jobs", "confirm": "on"})
    client.post(url, {"collection": "questions", "code": "entry/own_job", "confirm": "on"})
    assert "questionnaire_extensions" not in reloaded(version).content


def test_removing_a_sector_element_is_not_possible(world: World, as_role: Any) -> None:
    version = adopted(world)
    url = reverse("frameworks:remove_element", args=[version.framework.slug, 1])
    response = as_role("org_admin").post(
        url, {"collection": "nodes", "code": "out_rights", "confirm": "on"}, follow=True
    )
    assert "is not one of your own elements" in text_of(response)


def test_a_published_version_cannot_be_built_on(world: World, as_role: Any) -> None:
    version = adopted(world)
    actions.publish_version(version, acting_user=None)
    client = as_role("org_admin")
    assert client.get(build_url(version)).status_code == 409
    assert client.post(build_url(version), outcome_data()).status_code == 409
    url = reverse("frameworks:remove_element", args=[version.framework.slug, 1])
    assert client.post(url, {"collection": "nodes", "code": "x"}).status_code == 409
    assert client.get(reverse("frameworks:import_xlsform", args=[version.framework.slug, 1])).status_code == 409


def test_a_sector_framework_has_no_builder(world: World, as_role: Any) -> None:
    load(sector_document(), network=world.network, publish=False)
    assert as_role("network_admin").get(reverse("frameworks:build", args=["mini", 1])).status_code == 404


# --- Upgrading: the acceptance scenario ---------------------------------------------------------------------------


def sector_v2_compatible() -> dict[str, Any]:
    """Version 2: a changed label, a new indicator, and a question the organisation does not use removed."""
    doc = sector_document(version=2)
    doc["change_notes"] = {"fr": "Nouvel indicateur d'estime", "en": "New self-esteem indicator"}
    doc["nodes"][2]["label"] = {"fr": "Ouverture des droits", "en": "Rights opened"}
    doc["indicators"].append(
        {
            "code": "i_esteem_mean",
            "label": {"fr": "Estime moyenne", "en": "Mean self-esteem"},
            "definition": {"fr": "Estime de soi moyenne", "en": "Mean self-esteem"},
            "outcomes": ["out_esteem"],
            "kind": "mean",
            "source": "answers",
            "questionnaires": ["entry"],
            "value": "${estime}",
            "direction": "up",
        }
    )
    for questionnaire in doc["questionnaires"]:
        section = questionnaire["sections"][0]
        section["questions"] = [q for q in section["questions"] if q["name"] != "urgences"]
    return doc


def sector_v2_breaking() -> dict[str, Any]:
    """Version 2 removes from the entry questionnaire the question 'droits' the organisation's indicator uses."""
    doc = sector_document(version=2)
    entry = doc["questionnaires"][0]
    entry["sections"][0]["questions"] = [
        q for q in entry["sections"][0]["questions"] if q["name"] not in ("droits", "urgences")
    ]
    doc["indicators"][0]["questionnaires"] = ["follow_up"]
    return doc


@pytest.fixture
def published_organisation(world: World) -> FrameworkVersion:
    """asso-a's framework v1, on sector v1, with three own indicators (one mapped to i_rights), published."""
    published_sector(world.network)
    return load(organisation_document(world.org))


def test_upgrade_shows_the_sector_changes_then_keeps_the_own_indicators_and_mapping(
    world: World, as_role: Any, published_organisation: FrameworkVersion
) -> None:
    slug = published_organisation.framework.slug
    assert published_organisation.is_published
    sector_v2 = load(sector_v2_compatible(), network=world.network)
    client = as_role("org_admin")

    page = client.get(reverse("frameworks:upgrade", args=[slug]))
    assert page.status_code == 200
    text = text_of(page)
    assert "i_esteem_mean" in text  # added indicator
    assert "entry/urgences" in text and "follow_up/urgences" in text  # removed question
    assert "out_rights" in text and "Rights opened" in text  # changed label
    assert "New self-esteem indicator" in text
    assert "all fit the new version" in text
    changes = {(c.action, c.collection, c.key) for c in page.context["changes"]}
    assert {
        ("added", "indicators", "i_esteem_mean"),
        ("removed", "questions", "entry/urgences"),
        ("changed", "nodes", "out_rights"),
    } <= changes

    response = client.post(reverse("frameworks:upgrade", args=[slug]), {"to": 2})
    assert response.status_code == 302
    draft = FrameworkVersion.objects.get(framework__slug=slug, number=2)
    assert response["Location"] == reverse("frameworks:version", args=[slug, 2])
    assert draft.base_version == sector_v2 and not draft.is_published
    assert [i["code"] for i in draft.content["indicators"]] == ["own_rights_full", "own_garden", "own_count"]
    assert draft.content["indicators"][0]["maps_to"] == "i_rights"
    assert reloaded(published_organisation).content["base"] == {"framework": "mini", "version": 1}

    published = client.post(reverse("frameworks:publish", args=[slug, 2]))
    assert published.status_code == 302
    assert reloaded(draft).is_published
    page = text_of(client.get(reverse("frameworks:upgrade", args=[slug])))
    assert "nothing to upgrade" in page


def test_upgrade_names_what_no_longer_fits_and_writes_nothing(
    world: World, as_role: Any, published_organisation: FrameworkVersion
) -> None:
    slug = published_organisation.framework.slug
    load(sector_v2_breaking(), network=world.network)
    client = as_role("org_admin")

    page = client.get(reverse("frameworks:upgrade", args=[slug]))
    assert page.status_code == 200
    text = text_of(page)
    assert "entry/droits" in text
    assert "indicators[0].numerator" in text and "unknown question &#x27;droits&#x27;" in text

    response = client.post(reverse("frameworks:upgrade", args=[slug]), {"to": 2})
    assert response.status_code == 422
    assert "does not fit the new version" in text_of(response)
    assert list(FrameworkVersion.objects.filter(framework__slug=slug).values_list("number", flat=True)) == [1]


def test_upgrading_a_draft_moves_it_onto_the_new_version(world: World, as_role: Any) -> None:
    version = adopted(world)
    as_role("org_admin").post(build_url(version), outcome_data())
    load(sector_v2_compatible(), network=world.network)
    response = as_role("org_admin").post(reverse("frameworks:upgrade", args=[version.framework.slug]), {"to": 2})
    assert response.status_code == 302
    draft = reloaded(version)
    assert draft.number == 1 and draft.base_version.number == 2
    assert draft.content["nodes"][0]["code"] == "own_out_jobs"


def test_staff_see_the_upgrade_page_but_cannot_upgrade(
    world: World, as_role: Any, published_organisation: FrameworkVersion
) -> None:
    slug = published_organisation.framework.slug
    load(sector_v2_compatible(), network=world.network)
    client = as_role("org_staff")
    page = client.get(reverse("frameworks:upgrade", args=[slug]))
    assert page.status_code == 200 and "i_esteem_mean" in text_of(page)
    assert "Upgrade to version 2" not in text_of(page)
    assert client.post(reverse("frameworks:upgrade", args=[slug]), {"to": 2}).status_code == 403


def test_a_stale_upgrade_target_is_refused(
    world: World, as_role: Any, published_organisation: FrameworkVersion
) -> None:
    slug = published_organisation.framework.slug
    load(sector_v2_compatible(), network=world.network)
    response = as_role("org_admin").post(reverse("frameworks:upgrade", args=[slug]), {"to": 5}, follow=True)
    assert "look again" in text_of(response)
    assert FrameworkVersion.objects.filter(framework__slug=slug).count() == 1


# --- XLSForm ------------------------------------------------------------------------------------------------------


def xlsform_file(*, geopoint: bool = False, form_id: str = "jardin", name: str = "jardin.xlsx") -> SimpleUploadedFile:
    data = xlsform_bytes(geopoint=geopoint, form_id=form_id)
    return SimpleUploadedFile(name, data, content_type="application/vnd.ms-excel")


def import_url(version: FrameworkVersion) -> str:
    return reverse("frameworks:import_xlsform", args=[version.framework.slug, version.number])


def test_check_only_shows_the_summary_and_writes_nothing(world: World, as_role: Any) -> None:
    version = adopted(world)
    before = copy.deepcopy(version.content)
    response = as_role("org_admin").post(import_url(version), {"file": xlsform_file(), "action": "check"})
    assert response.status_code == 200
    text = text_of(response)
    assert "Enquête jardin (jardin)" in text and "2 questions" in text
    assert "can be imported" in text
    assert reloaded(version).content == before


def test_an_xlsform_is_imported_into_an_organisation_draft(world: World, as_role: Any) -> None:
    version = adopted(world)
    client = as_role("org_admin")
    response = client.post(import_url(version), {"file": xlsform_file(), "action": "import"})
    assert response.status_code == 302, text_of(response)
    assert response["Location"] == reverse("frameworks:questionnaire", args=[version.framework.slug, 1, "jardin"])
    content = reloaded(version).content
    questionnaire = content["questionnaires"][0]
    assert questionnaire["code"] == "jardin"
    assert [q["name"] for s in questionnaire["sections"] for q in s["questions"]] == ["garden_visit", "garden_hours"]
    assert [cl["name"] for cl in content["choice_lists"]] == ["yn"]
    preview = client.get(response["Location"])
    assert "Venez-vous au jardin ?" in text_of(preview)

    again = client.post(import_url(version), {"file": xlsform_file(), "action": "import"})
    assert again.status_code == 422
    assert "already in this framework" in text_of(again)


def test_an_xlsform_is_imported_into_a_sector_draft_by_the_network_admin(world: World, as_role: Any) -> None:
    version = load(sector_document(), network=world.network, publish=False)
    response = as_role("network_admin").post(
        import_url(version),
        {
            "file": xlsform_file(),
            "action": "import",
            "code": "garden",
        },
    )
    assert response.status_code == 302, text_of(response)
    assert [q["code"] for q in reloaded(version).content["questionnaires"]] == ["entry", "follow_up", "garden"]


def test_an_unsupported_row_is_refused_with_its_row_number(world: World, as_role: Any) -> None:
    version = adopted(world)
    before = copy.deepcopy(version.content)
    client = as_role("org_admin")
    response = client.post(import_url(version), {"file": xlsform_file(geopoint=True), "action": "import"})
    assert response.status_code == 422
    rows = response.context["result"].unsupported
    assert [(r.sheet, r.row, r.type, r.name) for r in rows] == [("survey", 5, "geopoint", "garden_place")]
    text = text_of(response)
    assert "Nothing was imported" in text and "garden_place" in text and '<td class="num">5</td>' in text
    assert reloaded(version).content == before

    checked = client.post(import_url(version), {"file": xlsform_file(geopoint=True), "action": "check"})
    assert checked.status_code == 200
    assert "garden_place" in text_of(checked)
    assert reloaded(version).content == before


def test_a_file_that_is_not_an_xlsform_is_a_clear_error(world: World, as_role: Any) -> None:
    version = adopted(world)
    client = as_role("org_admin")
    bad = SimpleUploadedFile("form.xlsx", b"not a spreadsheet")
    response = client.post(import_url(version), {"file": bad, "action": "import"})
    assert response.status_code == 422
    assert "cannot be read as an XLSForm" in text_of(response)
    wrong = SimpleUploadedFile("form.csv", b"a;b")
    response = client.post(import_url(version), {"file": wrong, "action": "import"})
    assert response.status_code == 422
    assert "Choose an .xlsx or .xls file." in text_of(response)


def test_an_upload_over_five_megabytes_is_refused(world: World, as_role: Any) -> None:
    version = adopted(world)
    big = SimpleUploadedFile("big.xlsx", b"0" * (5 * 1024 * 1024 + 1))
    response = as_role("org_admin").post(import_url(version), {"file": big, "action": "import"})
    assert response.status_code == 422
    assert "larger than 5 MB" in text_of(response)


def test_temporary_files_are_removed(world: World, as_role: Any, tmp_path: Path, monkeypatch: Any) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    version = adopted(world)
    client = as_role("org_admin")
    client.post(import_url(version), {"file": xlsform_file(), "action": "check"})
    client.post(import_url(version), {"file": SimpleUploadedFile("x.xlsx", b"junk"), "action": "check"})
    assert list(tmp_path.iterdir()) == []


def test_a_questionnaire_exports_as_an_xlsform_that_reads_back(world: World, as_role: Any) -> None:
    version = adopted(world)
    client = as_role("org_admin")
    client.post(build_url(version), question_data())
    response = as_role("org_staff").get(reverse("frameworks:export_xlsform", args=[version.framework.slug, 1, "entry"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{version.framework.slug}-v1-entry.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    names = [row[1] for row in book["survey"].iter_rows(values_only=True)]
    assert "droits" in names and "own_job" in names  # the sector's questions and the organisation's own
    lists = {row[0] for row in book["choices"].iter_rows(min_row=2, values_only=True)}
    assert lists == {"sex", "yes_no", "scale5"}


def test_exporting_an_unknown_questionnaire_is_404(world: World, as_role: Any) -> None:
    version = adopted(world)
    url = reverse("frameworks:export_xlsform", args=[version.framework.slug, 1, "nowhere"])
    assert as_role("org_admin").get(url).status_code == 404


# --- Permissions on every view ------------------------------------------------------------------------------------

OK, LOGIN = "ok", "login"


def expect(allowed: tuple[str, ...], read_only: tuple[str, ...] = ()) -> dict[str, Any]:
    expected: dict[str, Any] = dict.fromkeys(ROLES, 404)
    expected["anonymous"] = LOGIN
    expected.update(dict.fromkeys(allowed, OK))
    expected.update(dict.fromkeys(read_only, 403))
    return expected


ORG_READ = expect(("org_admin", "org_staff", "facilitator"))
ORG_WRITE = expect(("org_admin",), read_only=("org_staff", "facilitator"))
SECTOR_READ = expect(
    (
        "network_admin",
        "network_analyst",
        "facilitator",
        "facilitator_without_consent",
        "org_admin",
        "org_staff",
        "other_org_admin",
    )
)
SECTOR_DRAFT_WRITE = expect(
    ("network_admin",),
    read_only=(
        "network_analyst",
        "facilitator",
        "facilitator_without_consent",
        "org_admin",
        "org_staff",
        "other_org_admin",
    ),
)


def _org_version(w: World) -> tuple[str, int]:
    version = FrameworkVersion.objects.get(framework__organisation=w.org)
    return version.framework.slug, version.number


VIEW_CASES: dict[str, tuple[str, str, Any, dict[str, Any], dict[str, Any]]] = {
    "organisation_frameworks": ("frameworks:organisation_frameworks", "GET", lambda w: [w.org.slug], {}, ORG_READ),
    "adopt": ("frameworks:adopt", "POST", lambda w: [w.org.slug], {}, ORG_WRITE),
    "build_get": ("frameworks:build", "GET", _org_version, {}, ORG_WRITE),
    "build_post": ("frameworks:build", "POST", _org_version, {"form": "outcome"}, ORG_WRITE),
    "remove_element": ("frameworks:remove_element", "POST", _org_version, {}, ORG_WRITE),
    "upgrade_get": ("frameworks:upgrade", "GET", lambda w: [_org_version(w)[0]], {}, ORG_READ),
    "upgrade_post": ("frameworks:upgrade", "POST", lambda w: [_org_version(w)[0]], {}, ORG_WRITE),
    "import_xlsform_get": ("frameworks:import_xlsform", "GET", _org_version, {}, ORG_WRITE),
    "import_xlsform_post": ("frameworks:import_xlsform", "POST", _org_version, {}, ORG_WRITE),
    "import_xlsform_sector_get": ("frameworks:import_xlsform", "GET", lambda w: ["draft", 1], {}, SECTOR_DRAFT_WRITE),
    "export_xlsform": ("frameworks:export_xlsform", "GET", lambda w: [*_org_version(w), "entry"], {}, ORG_READ),
    "export_xlsform_sector": ("frameworks:export_xlsform", "GET", lambda w: ["mini", 1, "entry"], {}, SECTOR_READ),
}
PERMISSION_CASES = [(case, role) for case in VIEW_CASES for role in ROLES]


def _outcome(response: Any) -> Any:
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith(reverse("accounts:login")) else OK
    return OK if response.status_code in (200, 422) else response.status_code


@pytest.mark.parametrize(("case", "role"), PERMISSION_CASES, ids=[f"{c}-{r}" for c, r in PERMISSION_CASES])
def test_each_role_gets_what_the_rules_say(world: World, client: Client, case: str, role: str) -> None:
    adopted(world)
    load(sector_document("draft"), network=world.network, publish=False)
    name, method, args, data, expected = VIEW_CASES[case]
    url = reverse(name, args=args(world))
    login_as(client, world.users[role])
    response = client.post(url, data) if method == "POST" else client.get(url)
    assert _outcome(response) == expected[role], f"{role} {method} {url}: {response.status_code}"


def test_another_organisations_framework_is_404_through_every_view(world: World, as_role: Any) -> None:
    version = adopted(world)
    slug = version.framework.slug
    client = as_role("other_org_admin")
    for url in (
        build_url(version),
        reverse("frameworks:upgrade", args=[slug]),
        import_url(version),
        reverse("frameworks:export_xlsform", args=[slug, 1, "entry"]),
    ):
        assert client.get(url).status_code == 404, url
    remove = reverse("frameworks:remove_element", args=[slug, 1])
    assert client.post(remove, {"collection": "nodes", "code": "x"}).status_code == 404


def test_writes_need_the_csrf_token(world: World) -> None:
    version = adopted(world)
    client = Client(enforce_csrf_checks=True)
    login_as(client, world.users["org_admin"])
    assert client.post(build_url(version), outcome_data()).status_code == 403
    assert client.post(reverse("frameworks:adopt", args=[world.org.slug]), {}).status_code == 403
