"""Sector figures in a browser, on the demo: the public page of demo-2026 (coverage, "non représentatif", the
weighted figures with their status, the avoided-cost range labelled illustratif), the network staff's pages
(sector campaigns, the published consolidation with the members' review, the unit costs), and a member's page
(its answer, its value beside the sector's quartiles). axe-core finds no serious or critical violation;
screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import Demo
from tests.browser.test_demo_pages import _context, _serious_violations, _sign_in

PUBLIC = "sector/demo/demo-2026/"


def test_the_public_reads_the_published_sector_figures(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    for phone in (False, True):
        context = _context(browser, phone=phone)
        page = context.new_page()
        page.goto(demo.url + "sector/demo/")
        page.locator(f"a[href='/{PUBLIC}']").click()
        page.wait_for_load_state()
        assert page.url.endswith(PUBLIC)
        assert "non représentatif" in page.locator("#coverage-title + p").inner_text()
        rows = page.locator("div[aria-labelledby='sector-caption'] table tbody tr")
        assert rows.count() >= 10
        assert page.locator("#costs-title").is_visible()
        assert "Illustratif" in page.locator("section[aria-labelledby='costs-title']").inner_text()
        assert _serious_violations(page) == []
        name = "sector-public-phone.png" if phone else "sector-public-desktop.png"
        page.screenshot(path=str(screenshot_dir / name), full_page=True)
        context.close()


def test_the_network_staff_and_a_member_read_the_consolidation(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    context = _context(browser)
    page = context.new_page()
    # The analyst reads what the admin reads; signing in as the admin here would spend the two-step code that the
    # report's browser test needs in the same half-minute.
    _sign_in(page, demo, "analyste@socle.example")
    page.goto(demo.url + "n/demo/sector/")
    assert _serious_violations(page) == []
    page.locator("a[href*='/sector/consolidations/']").first.click()
    page.wait_for_load_state()
    assert page.locator("#reviews-title").is_visible()
    assert page.locator("section[aria-labelledby='reviews-title'] li").count() >= 3
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "sector-consolidation-desktop.png"), full_page=True)
    page.goto(demo.url + "n/demo/sector/costs/")
    assert page.locator("div[aria-labelledby='costs-caption'] table tbody tr").count() >= 8
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "sector-costs-desktop.png"), full_page=True)
    context.close()

    context = _context(browser)
    page = context.new_page()
    _sign_in(page, demo, "direction@horizon.socle.example")
    page.goto(demo.url + "o/horizon-solidaire/sector/")
    page.locator("a[href^='/o/horizon-solidaire/sector/']:not([href='/o/horizon-solidaire/sector/'])").first.click()
    page.wait_for_load_state()
    assert page.locator("#review-title").is_visible()
    assert page.locator("#benchmarks-title").is_visible()
    assert page.locator("div[aria-labelledby='benchmarks-caption'] table tbody tr").count() >= 1
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "sector-member-desktop.png"), full_page=True)
    context.close()
