"""Learning paths in a browser, on the demo: the public catalogue and a lesson; the admin of Les Toits Partagés
completes the introduction (lessons, a quiz failed then passed with its feedback, exercises detected from the
organisation's data, among them the number read on its own dashboard) and gets the certificate; an exercise of the
full course is not detected until the admin saves the impact page's draft; Horizon Solidaire's admin completes the
full course; the home shows the approach's steps; the network's admin edits a module of the introduction, sees a
mistake located, compares the draft with the published version and publishes it. axe-core finds no serious or
critical violation; screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path
from typing import Any

from socle.learning.content import shipped_document
from socle.lib.learning.document import Path as LearningPath
from socle.lib.learning.document import read_path
from tests.browser.conftest import Demo, follow
from tests.browser.test_demo_pages import _context, _serious_violations, _sign_in


def _read_lessons(page: Any, base: str, path: LearningPath) -> None:
    page.goto(base + f"lessons/{path.modules[0].lessons[0].code}/")
    for _ in path.lessons:
        page.locator("form button[type=submit]").filter(has_text="J'ai lu cette leçon").click()
        page.wait_for_load_state()


def _pass_quiz(page: Any, base: str, module: Any) -> None:
    page.goto(base + f"{module.code}/")
    for question in module.quiz:
        page.locator(f"#{question.code}-{question.answer}").check()
    page.get_by_role("button", name="Vérifier mes réponses").click()
    page.wait_for_load_state()
    assert "Quiz réussi" in page.locator("#quiz + p").inner_text()


def _dashboard_figure(page: Any, demo: Demo, slug: str) -> tuple[str, str]:
    page.goto(demo.url + f"o/{slug}/results/")
    row = page.locator("table tbody tr").filter(has=page.locator("th a")).first
    return row.locator("th a").inner_text().strip(), row.locator("td").nth(2).inner_text().strip()


def _check(page: Any, base: str, module: Any, exercise: Any, figure: tuple[str, str] | None = None) -> str:
    page.goto(base + f"{module.code}/")
    section = page.locator(f"#exercise-{exercise.code}")
    if exercise.check == "dashboard_n" and figure is not None:
        section.get_by_label("Indicateur").select_option(label=figure[0])
        section.get_by_label("Nombre de personnes qui ont répondu").fill(figure[1])
    section.get_by_role("button", name="Vérifier dans les données de mon organisation").click()
    page.wait_for_load_state()
    return str(page.locator(".messages").inner_text())


def _complete(page: Any, demo: Demo, slug: str, code: str) -> None:
    path = read_path(shipped_document(code))
    base = demo.url + f"o/{slug}/learn/{code}/"
    _read_lessons(page, base, path)
    figure = None
    for module in path.modules:
        _pass_quiz(page, base, module)
        for exercise in module.exercises:
            if exercise.check == "dashboard_n":
                figure = _dashboard_figure(page, demo, slug)
            message = _check(page, base, module, exercise, figure)
            assert "Fait" in message, (exercise.code, message)
    page.goto(base)
    assert "Parcours terminé" in page.locator("main").inner_text()
    certificate = page.locator("a[href$='certificate.pdf']")
    assert certificate.is_visible()


def test_the_public_catalogue_and_a_lesson(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    for phone in (False, True):
        context = _context(browser, phone=phone)
        page = context.new_page()
        page.goto(demo.url + "learn/")
        assert page.locator(".card").count() >= 2
        assert _serious_violations(page) == []
        page.locator("a[href='/learn/demo/introduction/']").click()
        page.wait_for_load_state()
        page.locator("main ol a").first.click()
        page.wait_for_load_state()
        assert page.locator("article.lesson h1").is_visible()
        assert _serious_violations(page) == []
        suffix = "phone" if phone else "desktop"
        page.screenshot(path=str(screenshot_dir / f"learning-lesson-{suffix}.png"), full_page=True)
        context.close()


def test_a_new_admin_completes_the_introduction_and_an_exercise_is_detected_once_done(
    demo: Demo, browser: Any, screenshot_dir: Path
) -> None:
    context = _context(browser)
    page = context.new_page()
    _sign_in(page, demo, "direction@toits.socle.example")
    page.goto(demo.url + "o/toits-partages/")
    assert page.locator("[data-step]").count() == 5
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "learning-approach-desktop.png"), full_page=True)

    intro = read_path(shipped_document("introduction"))
    base = demo.url + "o/toits-partages/learn/introduction/"
    first = intro.modules[0]
    page.goto(base + f"{first.code}/")
    for question in first.quiz:  # every answer wrong first: each shows its feedback
        page.locator(f"#{question.code}-{(question.answer + 1) % len(question.choices)}").check()
    page.get_by_role("button", name="Vérifier mes réponses").click()
    page.wait_for_load_state()
    assert (
        "0 bonne réponse" in page.locator("#quiz + p").inner_text()
        or "0 bonnes réponses" in page.locator("#quiz + p").inner_text()
    )
    assert page.locator("fieldset .message-error").count() == len(first.quiz)
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "learning-quiz-feedback-desktop.png"), full_page=True)
    _complete(page, demo, "toits-partages", "introduction")
    page.screenshot(path=str(screenshot_dir / "learning-path-completed-desktop.png"), full_page=True)
    pdf = context.request.get(demo.url + "o/toits-partages/learn/introduction/certificate.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    full = read_path(shipped_document("mesure-gestion"))
    communication = full.module("communication")
    assert communication is not None
    draft = next(e for e in communication.exercises if e.check == "impact_draft")
    base = demo.url + "o/toits-partages/learn/mesure-gestion/"
    assert "Pas encore" in _check(page, base, communication, draft)
    page.goto(demo.url + "o/toits-partages/impact/")
    page.get_by_label("Mission").fill("Loger et accompagner les familles.")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_load_state()
    assert "Fait" in _check(page, base, communication, draft)
    context.close()


def test_horizons_admin_completes_the_full_course(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    context = _context(browser)
    page = context.new_page()
    _sign_in(page, demo, "direction@horizon.socle.example")
    _complete(page, demo, "horizon-solidaire", "mesure-gestion")
    page.goto(demo.url + "o/horizon-solidaire/learn/mesure-gestion/analyse/")
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "learning-module-desktop.png"), full_page=True)
    context.close()


def test_the_catalogue_answers_without_javascript(demo: Demo) -> None:
    html = urllib.request.urlopen(demo.url + "learn/").read().decode()
    assert re.search(r"Introduction à la mesure", html) and "<script" not in html.lower()


def test_the_network_admin_edits_a_module_compares_and_publishes(
    demo: Demo, browser: Any, screenshot_dir: Path
) -> None:
    """Last of this file: the introduction's new version only changes a module's title."""
    context = _context(browser)
    page = context.new_page()
    _sign_in(page, demo, "admin.reseau@socle.example")
    page.goto(demo.url + "n/demo/learn/")
    follow(page, page.locator("a[href='/n/demo/learn/introduction/']"))
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "learning-network-path.png"), full_page=True)
    first = read_path(shipped_document("introduction")).modules[0]
    follow(page, page.locator(f"a[href$='/modules/{first.code}/']"))
    editor = page.locator("textarea[name=text]")
    text = editor.input_value()
    assert text.startswith(f"code: {first.code}\n") and "de quoi parle-t-on ?" in text

    editor.fill(text.replace("correct: true", "correct: false", 1))  # a question left without a right answer
    follow(page, page.get_by_role("button", name="Vérifier et enregistrer dans le brouillon"))
    assert "modules[0].quiz[0]" in page.locator("#problems").inner_text()
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "learning-network-module-error.png"), full_page=True)

    page.locator("textarea[name=text]").fill(
        text.replace("de quoi parle-t-on ?", "de quoi parle-t-on, et pourquoi ?", 1)
    )
    follow(page, page.get_by_role("button", name="Vérifier et enregistrer dans le brouillon"))
    assert page.url.endswith("/n/demo/learn/introduction/")
    assert "est enregistré dans le brouillon" in page.locator(".messages").inner_text()
    draft = page.locator("table tbody tr").first
    assert "brouillon" in draft.inner_text()
    follow(page, draft.get_by_role("link", name=re.compile("Changements de la version")))
    rows = page.locator("table.changes tbody tr")
    assert rows.count() == 1 and "de quoi parle-t-on, et pourquoi ?" in rows.first.inner_text(), rows.all_inner_texts()
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "learning-network-diff.png"), full_page=True)

    page.go_back()
    page.wait_for_load_state()
    follow(page, page.get_by_role("link", name="Lire la version 2"))  # the draft read whole before publishing
    assert "de quoi parle-t-on, et pourquoi ?" in page.locator("main").inner_text()
    assert page.locator(".badge-ok").count() == sum(
        len(m.quiz) for m in read_path(shipped_document("introduction")).modules
    )
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "learning-network-preview.png"), full_page=True)
    page.go_back()
    page.wait_for_load_state()
    follow(page, page.get_by_role("button", name=re.compile("Publier la version")))
    assert "publiée" in page.locator(".messages").inner_text()
    public = urllib.request.urlopen(demo.url + "learn/demo/introduction/").read().decode()
    assert "de quoi parle-t-on, et pourquoi ?" in public.replace("&#x27;", "'")
    context.close()
