"""The organisation's results in the demo, as its director reads them: the dashboard of last year's entry campaign
(values, intervals, a chart with its table, entry → follow-up changes, the theory of change coloured by results),
one indicator's page (trend, establishments and groups with small cells hidden), the results report and its PDF.
axe-core finds no serious or critical violation; screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.browser.conftest import Demo
from tests.browser.test_demo_pages import _context, _serious_violations, _sign_in

PERCENT = re.compile(r"^\d{1,3},\d\s%$")
INTERVAL = re.compile(r"^\d{1,3},\d – \d{1,3},\d$")


def _open_last_year(page: Any, demo: Demo) -> None:
    page.goto(demo.url + "o/horizon-solidaire/results/")
    label = page.locator("#id_campaign option", has_text="Entrées 2025").inner_text()
    page.locator("#id_campaign").select_option(label=label)
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_load_state()


def test_director_reads_the_dashboard_of_a_campaign(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    context = _context(browser)
    page = context.new_page()
    _sign_in(page, demo, "direction@horizon.socle.example")
    _open_last_year(page, demo)
    assert page.get_by_role("heading", name="Résultats", level=1).is_visible()

    rows = page.locator("table:has(caption:has-text('Indicateurs de la campagne')) tbody tr")
    assert rows.count() >= 10
    first = rows.filter(has_text="Accès aux droits")
    cells = first.locator("td")
    assert PERCENT.match(cells.nth(0).inner_text().strip()), cells.nth(0).inner_text()
    assert INTERVAL.match(cells.nth(1).inner_text().strip()), cells.nth(1).inner_text()
    assert int(cells.nth(2).inner_text()) >= 100  # four establishments of 45 people, less "don't know"

    chart = page.locator("figure.chart img").first
    assert "intervalle de confiance" in (chart.get_attribute("alt") or "")
    assert chart.evaluate("img => img.naturalWidth") > 100  # the SVG drew

    evolutions = page.locator("table:has(caption:has-text('Évolutions entre')) tbody tr")
    assert evolutions.count() >= 1  # self-esteem, by pairs of the same people
    assert page.locator("svg.toc-diagram").is_visible()
    assert (
        page.locator(
            "svg.toc-diagram .toc-status-good, svg.toc-diagram .toc-status-poor, svg.toc-diagram .toc-status-mixed"
        ).count()
        >= 1
    )  # demo targets colour outcomes
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "results-dashboard-desktop.png"), full_page=True)

    first.get_by_role("link").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Accès aux droits", level=1).is_visible()
    assert page.locator("table:has(caption:has-text('campagne par campagne')) tbody tr").count() == 1
    establishments = page.locator("table:has(caption#bd-establishment) tbody tr")
    assert establishments.count() == 4
    assert page.locator("table:has(caption:has-text('Mode de collecte'))").count() == 1
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "results-indicator-desktop.png"), full_page=True)

    _open_last_year(page, demo)
    page.get_by_role("link", name="Rapport de résultats").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Rapport de résultats", level=1).is_visible()
    assert _serious_violations(page) == []
    pdf_href = page.get_by_role("link", name="Télécharger en PDF").get_attribute("href")
    response = page.request.get(demo.url.rstrip("/") + pdf_href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"
    (screenshot_dir / "results-report.pdf").write_bytes(response.body())
    context.close()


def test_the_dashboard_reads_on_a_phone(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    context = _context(browser, phone=True)
    page = context.new_page()
    _sign_in(page, demo, "equipe@horizon.socle.example")
    page.goto(demo.url + "o/horizon-solidaire/results/")
    assert page.locator("table:has(caption:has-text('Indicateurs de la campagne')) tbody tr").count() >= 10
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "results-dashboard-phone.png"), full_page=True)
    context.close()
