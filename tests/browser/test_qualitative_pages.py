"""Open answers in the demo: the organisation admin reads Horizon Solidaire's open answers, searches them without
accents, codes one through its form (no JavaScript needed), and reads the counts per theme with their chart and
table; axe-core finds no serious or critical violation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import Demo, follow
from tests.browser.test_demo_pages import _context, _serious_violations, _sign_in


def test_an_admin_codes_an_open_answer_and_reads_the_themes(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    context = _context(browser)
    page = context.new_page()
    _sign_in(page, demo, "direction@horizon.socle.example")
    base = demo.url + "o/horizon-solidaire/open-answers/"

    page.goto(demo.url + "o/horizon-solidaire/")
    follow(page, page.get_by_role("link", name="Réponses ouvertes"))
    assert page.url == base
    assert page.get_by_role("heading", level=1).inner_text() == "Réponses ouvertes"
    assert page.locator("li.open-answer").count() > 3
    assert _serious_violations(page) == []

    page.get_by_label("Thème").select_option("none")
    follow(page, page.get_by_role("button", name="Afficher"))
    answer = page.locator("li.open-answer").first
    anchor = answer.get_attribute("id")
    answer.get_by_label("Santé").check()
    answer.get_by_label("Lien social et écoute").check()
    follow(page, answer.get_by_role("button", name="Enregistrer les thèmes"))
    assert page.locator(".message-success").inner_text().strip() == "Les thèmes de la réponse sont enregistrés."
    assert "theme=none" in page.url and f"#{anchor}" in page.url
    page.goto(base)
    coded = page.locator(f"#{anchor}")
    assert coded.get_by_label("Santé").is_checked() and coded.get_by_label("Lien social et écoute").is_checked()
    coded.scroll_into_view_if_needed()
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "qualitative-open-answers.png"), full_page=True)

    page.get_by_label("Mots").fill("LOGEMENT")
    follow(page, page.get_by_role("button", name="Afficher"))
    texts = page.locator("li.open-answer blockquote").all_inner_texts()
    assert texts and all("logement" in t.lower() for t in texts)

    follow(page, page.get_by_role("link", name="Thèmes dans le temps"))
    assert page.locator("figure.chart img").get_attribute("alt")
    assert page.locator("table").first.locator("tbody tr").count() == 5
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "qualitative-themes.png"), full_page=True)

    follow(page, page.get_by_role("link", name="Citations"))
    assert page.locator(".badge-ok").count() >= 1  # the demo's approved quote
    assert "Alex Direction" in page.locator("li.open-answer").first.inner_text()
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "qualitative-quotes.png"), full_page=True)
    context.close()


def test_open_answers_fit_a_phone(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    context = _context(browser, phone=True)
    page = context.new_page()
    _sign_in(page, demo, "equipe@horizon.socle.example")
    page.goto(demo.url + "o/horizon-solidaire/open-answers/?theme=none")
    assert page.locator("li.open-answer").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "qualitative-open-answers-phone.png"), full_page=False)
    context.close()
