"""Learning paths (issue 8): the shipped courses are valid and agree with the approach's steps; paths are versioned
data edited by network staff; a learner reads lessons, passes quizzes (scored with feedback), and does exercises
that Socle detects from the organisation's real data; completion gives a certificate; facilitators and admins see
the progress of learners who share it; the organisation's home shows the approach's steps from its real state."""

from __future__ import annotations

import copy
import datetime
import re
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, transaction
from django.test import Client

from socle.audit.models import AuditEvent
from socle.collection import actions as collection_actions
from socle.learning import actions, content
from socle.learning.access import published_paths
from socle.learning.models import PathVersion, Progress
from socle.lib.learning.document import CHECKS, dump_yaml, read_path
from socle.network.actions import ActionError
from tests.factories import World
from tests.framework_docs import load, organisation_document, sector_document
from tests.test_lib_learning import document
from tests.test_permissions import login_as

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def path_document() -> dict[str, Any]:
    """The small test path, with one exercise detected from data and one read on the dashboard."""
    doc = document()
    doc["modules"][0]["exercises"].append(
        {"code": "e2", "title": {"fr": "Lire"}, "check": "dashboard_n", "instructions": {"fr": "Lisez le tableau."}}
    )
    return doc


@pytest.fixture
def published(world: World) -> PathVersion:
    return actions.load_path(world.network, path_document(), publish=True, acting_user=None)


def client_for(world: World, role: str = "org_admin") -> Client:
    return login_as(Client(), world.users[role])


# --- The shipped courses ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", content.SHIPPED)
def test_the_shipped_paths_are_valid(code: str) -> None:
    path = read_path(content.shipped_document(code))
    assert path.code == code and len(path.modules) >= 4
    assert all(m.quiz for m in path.modules), "every module has a quiz"
    words = sum(len(lesson.body["fr"].split()) for _m, lesson in path.lessons)
    assert words > 3000


def _texts(path: Any) -> list[dict[str, str]]:
    """Every text of a path: titles, summary, lessons, questions, choices, feedback, exercises."""
    texts = [path.title, path.summary]
    for module in path.modules:
        texts.append(module.title)
        texts += [text for lesson in module.lessons for text in (lesson.title, lesson.body)]
        for question in module.quiz:
            texts.append(question.question)
            texts += [text for choice in question.choices for text in (choice.text, choice.feedback)]
        texts += [text for exercise in module.exercises for text in (exercise.title, exercise.instructions)]
    return texts


@pytest.mark.parametrize("code", content.SHIPPED)
def test_the_shipped_paths_are_in_french_and_in_english(code: str) -> None:
    path = read_path(content.shipped_document(code))
    texts = _texts(path)
    assert [t["fr"][:60] for t in texts if not t.get("en", "").strip()] == []
    assert sum(len(lesson.body["en"].split()) for _m, lesson in path.lessons) > 3000


def test_a_lesson_reads_in_the_learners_language(world: World) -> None:
    content.load_shipped_paths(world.network)
    url = f"/learn/{world.network.slug}/introduction/lessons/pourquoi-mesurer/"
    french = Client().get(url).content.decode()
    english_client = Client()
    english_client.cookies["django_language"] = "en"
    english = english_client.get(url).content.decode()
    assert "Pourquoi mesurer son impact social" in french and "Deux raisons" in french
    assert "Why measure social impact" in english and "Two reasons that go together" in english
    assert "Deux raisons" not in english
    assert '<html lang="en"' in english


def test_the_full_course_teaches_every_step_and_every_exercise() -> None:
    path = read_path(content.shipped_document("mesure-gestion"))
    assert {"referentiel", "collecte", "analyse", "communication", "amelioration"} <= {m.code for m in path.modules}
    assert {e.check for _m, e in path.exercises} == CHECKS


# --- Paths as versioned data --------------------------------------------------------------------------------------


def test_learners_get_each_paths_latest_published_version_never_a_draft(world: World) -> None:
    from socle.learning.access import published_paths

    first = actions.load_path(world.network, path_document(), publish=True, acting_user=None)
    second_document = copy.deepcopy(path_document())
    second_document["title"]["fr"] = "Essai, deuxième"
    second = actions.load_path(world.network, second_document, publish=True, acting_user=None)
    draft_document = copy.deepcopy(path_document())
    draft_document["title"]["fr"] = "Essai, brouillon"
    actions.load_path(world.network, draft_document, acting_user=None)
    assert second.number == first.number + 1
    assert [v.pk for v in published_paths(world.network.pk)] == [second.pk]
    assert [v.pk for v in published_paths() if v.path.network_id == world.network.pk] == [second.pk]
    catalogue = Client().get("/learn/").content.decode()
    assert "Essai, deuxième" in catalogue and "brouillon" not in catalogue


def test_a_draft_changes_a_published_version_never_does(world: World) -> None:
    draft = actions.load_path(world.network, path_document(), acting_user=None)
    changed = copy.deepcopy(path_document())
    changed["title"]["fr"] = "Essai, deuxième"
    again = actions.load_path(world.network, changed, acting_user=None)
    assert again.pk == draft.pk and again.content["title"]["fr"] == "Essai, deuxième"
    published = actions.publish_version(again, acting_user=None)
    assert actions.load_path(world.network, changed, publish=True, acting_user=None).pk == published.pk
    with pytest.raises(DatabaseError), transaction.atomic():
        PathVersion.objects.filter(pk=published.pk).update(content={"forged": True})
    newer = actions.load_path(world.network, path_document(), acting_user=None)
    assert newer.number == 2 and not newer.is_published


def test_a_broken_or_reserved_document_is_refused_and_writes_nothing(world: World) -> None:
    broken = path_document()
    broken["modules"][0]["quiz"][0]["choices"][1]["correct"] = True
    with pytest.raises(ActionError, match=r"modules\[0\]\.quiz\[0\]\.choices"):
        actions.load_path(world.network, broken, acting_user=None)
    reserved = path_document()
    reserved["modules"][0]["code"] = "share"
    with pytest.raises(ActionError, match="share"):
        actions.load_path(world.network, reserved, acting_user=None)
    assert not PathVersion.objects.exists()


def test_network_staff_load_paths_in_the_browser(world: World) -> None:
    admin = client_for(world, "network_admin")
    bad = admin.post(f"/n/{world.network.slug}/learn/", {"text": "socle_learning: [1,\n  code: x"})
    assert bad.status_code == 422 and re.search(r"(line|ligne) \d", bad.content.decode())
    import yaml

    text = yaml.safe_dump(path_document(), allow_unicode=True)
    assert admin.post(f"/n/{world.network.slug}/learn/", {"text": text}).status_code == 302
    version = PathVersion.objects.get()
    assert not version.is_published
    assert admin.post(f"/n/{world.network.slug}/learn/essai/v1/publish/").status_code == 302
    version.refresh_from_db()
    assert version.is_published
    analyst = client_for(world, "network_analyst")
    assert analyst.post(f"/n/{world.network.slug}/learn/", {"text": text}).status_code == 403
    exported = analyst.get(f"/n/{world.network.slug}/learn/essai/v1/export/")
    assert yaml.safe_load(exported.content) == path_document()


def _module_editor(admin: Client, url: str) -> tuple[dict[str, Any], str]:
    """The module's YAML and the base the editor shows."""
    import yaml

    page = admin.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    return yaml.safe_load(form.initial["text"]), form.initial["base"]


def test_staff_edit_one_module_into_a_draft_compare_and_publish_it(world: World, published: PathVersion) -> None:
    admin = client_for(world, "network_admin")
    base = f"/n/{world.network.slug}/learn/essai/"
    assert "Module 1" in admin.get(base).content.decode()
    module, sha = _module_editor(admin, base + "modules/m1/")
    assert module == path_document()["modules"][0] and sha == published.content_sha256

    module["title"] = {"fr": "Premier module", "en": "First module"}
    assert admin.post(base + "modules/m1/", {"text": dump_yaml(module), "base": sha}).status_code == 302
    draft = PathVersion.objects.get(number=2)
    expected = path_document()
    expected["modules"][0]["title"] = {"fr": "Premier module", "en": "First module"}
    assert not draft.is_published and draft.content == expected
    assert draft.created_by == world.users["network_admin"]

    module["lessons"][0]["title"] = {"fr": "Leçon une"}
    saved = admin.post(base + "modules/m1/", {"text": dump_yaml(module), "base": draft.content_sha256})
    assert saved.status_code == 302
    assert PathVersion.objects.count() == 2, "a second save changes the draft, it makes no third version"
    stale = admin.post(base + "modules/m1/", {"text": dump_yaml(module), "base": sha})
    assert stale.status_code == 422 and "rouvrez le module" in stale.content.decode()

    changes = admin.get(base + "diff/").context["changes"]
    assert [(c.action, c.kind, c.key, c.fields) for c in changes] == [
        ("changed", "module", "m1", ("title",)),
        ("changed", "lesson", "m1/l1", ("title",)),
    ]
    assert [v.number for v in published_paths(world.network.pk)] == [1], "learners keep v1 until v2 is published"
    assert admin.post(base + "v2/publish/", {"next": "path"})["Location"] == base
    assert [v.number for v in published_paths(world.network.pk)] == [2]
    events = list(AuditEvent.objects.filter(action="learning.module_saved").values_list("data", flat=True))
    assert len(events) == 2 and all(e["module"] == "m1" and e["number"] == 2 for e in events)


def test_every_shipped_module_goes_through_the_editor_unchanged(world: World) -> None:
    """The editor's text, sent back as a browser sends a textarea (CRLF line breaks), is the module as it was: the
    last lesson's final line break and the literal blocks survive, so saving changes nothing."""
    for code in content.SHIPPED:
        version = actions.load_path(world.network, content.shipped_document(code), publish=True, acting_user=None)
        admin = client_for(world, "network_admin")
        for module in version.content["modules"]:
            url = f"/n/{world.network.slug}/learn/{code}/modules/{module['code']}/"
            page = admin.get(url)
            text = page.context["form"].initial["text"]
            assert (
                admin.post(url, {"text": text.replace("\n", "\r\n"), "base": version.content_sha256}).status_code == 302
            )
    assert PathVersion.objects.count() == len(content.SHIPPED)


def test_staff_read_a_version_whole_with_its_right_answers(world: World, published: PathVersion) -> None:
    analyst = client_for(world, "network_analyst")
    page = analyst.get(f"/n/{world.network.slug}/learn/essai/v1/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h4>Titre</h4>" in html and "<strong>gras</strong>" in html  # the lesson's Markdown, under its h3
    right = re.findall(r"<li>([^<]*) <span class=\"badge badge-ok\">", html)
    assert right == ["4", "Bleu", "1"]  # each question's right answer, and only it
    assert "Ouvrez." in html and "campaign" in html  # an exercise, its instructions and what Socle checks
    assert analyst.get(f"/n/{world.network.slug}/learn/essai/v2/").status_code == 404
    other = client_for(world, "org_admin")
    assert other.get(f"/n/{world.network.slug}/learn/essai/v1/").status_code == 404


def test_a_broken_module_says_what_and_where_and_writes_nothing(world: World, published: PathVersion) -> None:
    admin = client_for(world, "network_admin")
    base = f"/n/{world.network.slug}/learn/essai/"
    module, sha = _module_editor(admin, base + "modules/m1/")
    two_right = copy.deepcopy(module)
    two_right["quiz"][0]["choices"][1]["correct"] = True
    renamed = {**module, "code": "m9"}
    for text, message in [
        ("code: m1\ntitle: [fr", r"(line|ligne) \d"),
        (dump_yaml(two_right), r"modules\[0\]\.quiz\[0\]\.choices"),
        (dump_yaml(renamed), "doit rester m1"),
        ("- m1\n- m2\n", "ensemble de champs"),
    ]:
        response = admin.post(base + "modules/m1/", {"text": text, "base": sha})
        assert response.status_code == 422 and re.search(message, response.content.decode()), text
    assert admin.get(base + "modules/?module=share")["Location"] == base + "?error=code#add-module"
    assert admin.get(base + "modules/?module=Bad Code")["Location"] == base + "?error=code#add-module"
    assert "ne peut pas nommer un module" in admin.get(base + "?error=code").content.decode()
    assert PathVersion.objects.count() == 1 and PathVersion.objects.get().content == path_document()
    assert not AuditEvent.objects.filter(action__startswith="learning.module").exists()
    assert admin.get(base + "modules/m9/", {"x": 1}).status_code == 200  # a new module's starter, nothing written
    assert admin.get(f"/n/{world.network.slug}/learn/nothing/modules/m1/").status_code == 404


def test_a_module_is_added_at_the_end_and_removed_but_never_the_last(world: World, published: PathVersion) -> None:
    admin = client_for(world, "network_admin")
    base = f"/n/{world.network.slug}/learn/essai/"
    assert admin.get(base + "modules/?module=m2")["Location"] == base + "modules/m2/"
    starter, sha = _module_editor(admin, base + "modules/m2/")
    assert starter["code"] == "m2" and starter["lessons"][0]["code"] == "m2-1"
    empty = admin.post(base + "modules/m2/", {"text": dump_yaml(starter), "base": sha})
    assert empty.status_code == 422 and "modules[1].title" in empty.content.decode()

    starter["title"] = {"fr": "Deuxième module"}
    starter["lessons"][0].update(title={"fr": "Lire"}, body={"fr": "Un texte."})
    assert admin.post(base + "modules/m2/", {"text": dump_yaml(starter), "base": sha}).status_code == 302
    draft = PathVersion.objects.get(number=2)
    assert [m["code"] for m in draft.content["modules"]] == ["m1", "m2"]
    unchanged = admin.post(base + "modules/m2/", {"text": dump_yaml(starter), "base": draft.content_sha256})
    assert unchanged.status_code == 302 and PathVersion.objects.count() == 2

    assert admin.post(base + "modules/m1/", {"remove": "1", "base": draft.content_sha256}).status_code == 302
    draft.refresh_from_db()
    assert [m["code"] for m in draft.content["modules"]] == ["m2"]
    changes = admin.get(base + "diff/").context["changes"]
    assert {(c.action, c.kind, c.key) for c in changes} >= {("removed", "module", "m1"), ("added", "module", "m2")}
    last = admin.post(base + "modules/m2/", {"remove": "1", "base": draft.content_sha256})
    assert last.status_code == 422 and "au moins un module" in last.content.decode()
    analyst = client_for(world, "network_analyst")
    assert analyst.post(base + "modules/m2/", {"remove": "1", "base": draft.content_sha256}).status_code == 403
    assert analyst.get(base + "modules/m2/").status_code == 200  # analysts read the module's text
    draft.refresh_from_db()
    assert [m["code"] for m in draft.content["modules"]] == ["m2"]


# --- The learner ------------------------------------------------------------------------------------------------------


def _campaign_with_answers(world: World, answers: int) -> Any:
    load(sector_document(), network=world.network)
    version = load(organisation_document(world.org), publish=True)
    campaign = collection_actions.open_campaign(
        world.org,
        version,
        name="Entrées",
        wave="entry",
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=30),
        establishments=[world.establishment],
        acting_user=None,
    )
    for i in range(answers):
        collection_actions.submit(
            campaign=campaign,
            establishment=world.establishment,
            questionnaire_code="entry",
            submission_uuid=uuid.uuid4(),
            answers={"droits": "oui" if i % 2 else "non"},
            mode="self",
        )
    return campaign


def test_a_learner_completes_a_path_with_exercises_detected_from_data(
    world: World, published: PathVersion, tmp_path: Path
) -> None:
    client = client_for(world)
    base = f"/o/{world.org.slug}/learn/essai/"
    assert client.post(base + "lessons/l1/").status_code == 302
    wrong = client.post(base + "m1/quiz/", {"q1": "1", "q2": "0"}).content.decode()
    assert "Non." in wrong and "Oui." in wrong
    right = client.post(base + "m1/quiz/", {"q1": "0", "q2": "0", "q3": "1"}).content.decode()
    assert "Oui." in right and "Non." in right
    progress = Progress.objects.get(user=world.users["org_admin"])
    assert progress.quizzes["m1"] == {"right": 2, "total": 3, "passed": True, "given": {"q1": 0, "q2": 0, "q3": 1}}

    client.post(base + "exercise/e1/")
    progress.refresh_from_db()
    assert "e1" not in progress.exercises  # no campaign yet: not detected
    _campaign_with_answers(world, 12)
    client.post(base + "exercise/e1/")
    client.post(base + "exercise/e2/", {"indicator": "i_rights", "n": "11"})  # misread
    progress.refresh_from_db()
    assert "e1" in progress.exercises and "e2" not in progress.exercises and progress.completed_at is None
    assert client.get(base + "certificate.pdf").status_code == 404
    client.post(base + "exercise/e2/", {"indicator": "i_rights", "n": "12"})
    progress.refresh_from_db()
    assert progress.completed_at is not None

    pdf = client.get(base + "certificate.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    (tmp_path / "c.pdf").write_bytes(pdf.content)
    info = subprocess.run(["pdfinfo", str(tmp_path / "c.pdf")], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE) and "Essai" in text and world.org.name in text
    # another organisation's member cannot reach this organisation's learning space
    assert client_for(world, "other_org_admin").get(base).status_code == 404


def test_progress_is_seen_only_when_shared_and_only_by_admins_and_facilitators(
    world: World, published: PathVersion
) -> None:
    staff = client_for(world, "org_staff")
    staff.post(f"/o/{world.org.slug}/learn/essai/lessons/l1/")
    admin = client_for(world)
    assert world.users["org_staff"].email not in admin.get(f"/o/{world.org.slug}/learn/learners/").content.decode()
    staff.post(f"/o/{world.org.slug}/learn/essai/share/", {"shared": "on"})
    listing = admin.get(f"/o/{world.org.slug}/learn/learners/").content.decode()
    assert world.users["org_staff"].email in listing or (world.users["org_staff"].full_name or "§") in listing
    assert client_for(world, "facilitator").get(f"/o/{world.org.slug}/learn/learners/").status_code == 200
    assert staff.get(f"/o/{world.org.slug}/learn/learners/").status_code == 403


def test_quiz_answers_out_of_range_or_forged_are_refused(world: World, published: PathVersion) -> None:
    client = client_for(world)
    assert client.post(f"/o/{world.org.slug}/learn/essai/m1/quiz/", {"q1": "9"}).status_code == 302
    assert client.post(f"/o/{world.org.slug}/learn/essai/m1/quiz/", {"q1": "x"}).status_code == 404
    assert client.post(f"/o/{world.org.slug}/learn/essai/nope/quiz/").status_code == 404
    assert client.post(f"/o/{world.org.slug}/learn/essai/exercise/nope/").status_code == 404
    progress = Progress.objects.filter(user=world.users["org_admin"]).first()
    assert progress is None or "m1" not in progress.quizzes


def test_the_catalogue_and_lessons_are_public_and_safe(world: World, published: PathVersion) -> None:
    doc = path_document()
    doc["modules"][0]["lessons"][0]["body"] = {"fr": "## Un titre\n\nDu texte & des *idées* [Socle](/learn/)."}
    actions.load_path(world.network, doc, publish=True, acting_user=None)
    catalogue = Client().get("/learn/").content.decode()
    assert "Essai" in catalogue and f"/learn/{world.network.slug}/essai/" in catalogue
    lesson = Client().get(f"/learn/{world.network.slug}/essai/lessons/l1/").content.decode()
    assert "<h3>Un titre</h3>" in lesson and "<em>idées</em>" in lesson and "&amp;" in lesson
    assert Client().get(f"/learn/{world.network.slug}/nope/").status_code == 404


def test_the_home_shows_the_approach_from_the_real_state(world: World) -> None:
    for version in content.load_shipped_paths(world.network):
        assert version.is_published
    client = client_for(world)
    home = client.get(f"/o/{world.org.slug}/").content.decode()
    assert home.count('data-status="todo"') == 5
    assert f"/o/{world.org.slug}/learn/mesure-gestion/referentiel/" in home
    _campaign_with_answers(world, 3)
    home = client.get(f"/o/{world.org.slug}/").content.decode()
    statuses = re.findall(r'data-step="(\w+)" data-status="(\w+)"', home)
    assert dict(statuses) == {
        "framework": "done",
        "collection": "done",
        "analysis": "done",
        "communication": "todo",
        "improvement": "todo",
    }


def test_every_check_is_read_from_the_organisations_own_data(world: World) -> None:
    from socle.impact import actions as impact_actions
    from socle.improvement import actions as improvement_actions
    from socle.learning import exercises

    assert exercises.all_detected(world.org) == dict.fromkeys(exercises.DETECTED, False)
    _campaign_with_answers(world, 1)
    impact_actions.save_draft(world.org, {"mission": "M"}, acting_user=None)
    framework = world.org.frameworks.get()
    improvement_actions.create_action(organisation=world.org, framework=framework, title="Agir", acting_user=None)
    found = exercises.all_detected(world.org)
    assert {check for check, done in found.items() if done} == {
        "own_framework",
        "own_indicator",
        "campaign",
        "answers",
        "action",
        "impact_draft",
    }
    assert not any(exercises.all_detected(world.other_org).values())  # another organisation's data never counts
