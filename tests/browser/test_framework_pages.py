"""The LCEP framework in a real browser: its theory of change as a diagram and as a list, its 15 indicators, its
questionnaires in French, English and easy-read, printable; Horizon Solidaire's own framework on top of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import Demo
from tests.browser.test_demo_pages import _context, _serious_violations, _sign_in, _switch_to_english

LCEP = "f/lcep/v/1/"


def test_lcep_shows_its_theory_of_change_and_fifteen_indicators(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    context = _context(browser)
    page = context.new_page()
    _sign_in(page, demo, "direction@horizon.socle.example")
    response = page.goto(demo.url + LCEP)
    assert response is not None and response.status == 200
    assert "Référentiel sectoriel LCEP" in page.get_by_role("heading", level=1).inner_text()
    assert "non texte officiel" in page.locator(".notice").inner_text()
    diagram = page.locator("svg[role=img]").first
    assert diagram.is_visible()
    assert diagram.locator("g.toc-node").count() >= 30
    assert page.locator(".toc-stages > li").count() == 6  # the same theory of change, as nested lists
    assert page.locator("#indicators + .table-wrap tbody tr").count() == 15
    assert page.get_by_role("heading", name="15 indicateurs").is_visible()
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "framework-lcep-fr.png"), full_page=True)
    # The diagram scrolls sideways in its box; let it show whole for its picture.
    page.add_style_tag(content="main { max-width: none; } .toc-scroll { overflow: visible; }")
    page.set_viewport_size({"width": 1600, "height": 900})
    diagram.screenshot(path=str(screenshot_dir / "framework-lcep-theory-of-change.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert diagram.is_visible() and page.locator(".toc-stages").is_visible()
    page.screenshot(path=str(screenshot_dir / "framework-lcep-print.png"), full_page=True)
    page.emulate_media(media="screen")
    _switch_to_english(page)
    assert "LCEP sector framework" in page.get_by_role("heading", level=1).inner_text()
    page.goto(demo.url + LCEP + "indicators/")
    assert page.locator("article.indicator").count() == 15
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "framework-lcep-indicators-en.png"), full_page=True)
    page.get_by_role("button", name="Français").click()
    context.close()


def test_the_entry_questionnaire_previews_in_french_english_and_easy_read(
    demo: Demo, browser: Any, screenshot_dir: Path
) -> None:
    context = _context(browser, phone=True)
    page = context.new_page()
    _sign_in(page, demo, "equipe@horizon.socle.example")
    for query, lang, words, name in (
        ("", "fr", "avez-vous tous les droits et aides", "fr"),
        ("?lang=en", "en", "do you have all the rights and benefits", "en"),
        ("?lang=fr&easy=1", "fr", "Avez-vous toutes les aides auxquelles vous avez droit", "easy-fr"),
        ("?lang=en&easy=1", "en", "Do you get all the help you have a right to", "easy-en"),
    ):
        response = page.goto(demo.url + LCEP + "q/entry/" + query)
        assert response is not None and response.status == 200
        preview = page.locator(".questionnaire-preview")
        assert preview.get_attribute("lang") == lang
        assert words in preview.inner_text()
        assert page.locator(".choices.scale svg.pictogram").count() >= 5
        assert _serious_violations(page) == []
        page.screenshot(path=str(screenshot_dir / f"questionnaire-entry-{name}-phone.png"), full_page=True)
    context.close()


def test_horizon_sees_its_own_framework_on_top_of_lcep(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    context = _context(browser)
    page = context.new_page()
    _sign_in(page, demo, "direction@horizon.socle.example")
    page.goto(demo.url + "o/horizon-solidaire/frameworks/")
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "organisation-frameworks-fr.png"), full_page=True)
    response = page.goto(demo.url + "f/horizon-solidaire-lcep/v/1/")
    assert response is not None and response.status == 200
    rows = page.locator("#indicators + .table-wrap tbody tr")
    assert rows.count() == 18
    assert (
        page.get_by_text("alimente l'indicateur sectoriel").count()
        + page.get_by_text("alimente l’indicateur sectoriel").count()
        == 1
    )
    assert page.locator("svg g.toc-highlight").count() == 3  # its own nodes stand out in the diagram
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "framework-horizon-fr.png"), full_page=True)
    context.close()
