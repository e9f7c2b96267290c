"""Continuous improvement in the demo, as Horizon Solidaire's director works on it: the demo's targets and action
plan, a target and an action added through the forms (after a form error), and the comparison of two campaigns.
axe-core finds no serious or critical violation; screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import Demo, follow
from tests.browser.test_demo_pages import _context, _serious_violations, _sign_in


def test_director_sets_a_target_and_plans_an_action(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    context = _context(browser)
    page = context.new_page()
    _sign_in(page, demo, "direction@horizon.socle.example")
    base = demo.url + "o/horizon-solidaire/improvement/"

    page.goto(base)
    assert page.get_by_role("heading", name="Amélioration continue", level=1).is_visible()
    assert page.locator("nav.subnav a[aria-current='page']").inner_text() == "Amélioration continue"
    assert page.locator("table.improvement-targets tbody tr").count() == 3  # the demo's targets
    assert page.locator("table.improvement-plan tbody tr").count() == 4  # and its plan
    assert page.locator("table.improvement-plan tr.overdue").count() == 1
    assert _serious_violations(page) == []

    page.get_by_role("link", name="Fixer une cible").click()
    page.locator("#id_indicator").select_option("i02_access_care")
    page.locator("#id_value").fill("beaucoup")
    follow(page, page.get_by_role("button", name="Enregistrer la cible"))
    summary = page.locator(".error-summary")
    assert summary.is_visible() and "La cible doit être un nombre" in summary.inner_text()
    assert page.locator("#id_value").get_attribute("aria-invalid") == "true"
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "improvement-target-error.png"), full_page=True)
    page.locator("#id_value").fill("85")
    page.locator("#id_due_on").fill("2027-12-31")
    follow(page, page.get_by_role("button", name="Enregistrer la cible"))
    assert page.locator(".message-success").count() == 1
    assert page.locator("table.improvement-targets tbody tr").count() == 4

    page.get_by_role("link", name="Ajouter une action").click()
    page.locator("#id_title").fill("Accompagner physiquement aux rendez-vous médicaux")
    page.locator("input[name=outcomes][value=oc_care]").check()
    page.locator("#id_owner").select_option(label="Jo Équipe")
    page.locator("#id_due_on").fill("2027-06-30")
    page.locator("#id_status").select_option("in_progress")
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "improvement-action-form.png"), full_page=True)
    follow(page, page.get_by_role("button", name="Enregistrer l’action"))
    assert page.locator(".message-success").count() == 1
    assert page.locator("table.improvement-plan tbody tr").count() == 5
    assert page.get_by_role("rowheader", name="Accompagner physiquement").is_visible()
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "improvement-overview.png"), full_page=True)

    page.goto(base + "compare/")
    assert page.locator("#id_a option").count() >= 2
    follow(page, page.get_by_role("button", name="Comparer"))
    assert page.locator("table.improvement-compare tbody tr").count() >= 10
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "improvement-compare.png"), full_page=True)
    context.close()
