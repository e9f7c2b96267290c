"""The advocacy report of the demo's published sector figures (demo-2026), as the public reads it from the
published page: the label "non représentatif", the chart with its table, the theory of change, then the report of
one région and the PDF; and as the network admin makes its PDF in the background, following the progress page
until the download. axe-core finds no serious or critical violation; screenshots go to
test-artifacts/screenshots/. Locators use addresses and ids, not words: the French translations come later."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import Demo
from tests.browser.test_demo_pages import _context, _serious_violations, _sign_in

PUBLIC = "sector/demo/demo-2026/"


def test_the_public_reads_the_advocacy_report(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    context = _context(browser)
    page = context.new_page()
    page.goto(demo.url + PUBLIC)
    page.locator(f"a[href='/{PUBLIC}report/']").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/{PUBLIC}report/")
    assert page.locator("strong.label").first.inner_text() == "non représentatif : décrit les structures participantes"
    chart = page.locator("figure img").first
    assert chart.evaluate("img => img.naturalWidth") > 100  # the SVG drew
    assert page.locator("table.key tbody tr").count() >= 9  # the chart's figures, and the others, in a table
    assert page.locator("svg.toc-diagram").is_visible()
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "sector-report-desktop.png"), full_page=True)

    page.locator("#report-region").select_option("84")
    page.locator("nav form button[type=submit]").click()
    page.wait_for_load_state()
    assert "Auvergne-Rhône-Alpes" in page.locator("h1").inner_text()
    assert page.locator("table.coverage tbody tr").count() >= 1  # the région's strata
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "sector-report-region.png"), full_page=True)

    href = page.locator("a[href*='report.pdf']").first.get_attribute("href")
    assert href and "region=84" in href
    response = page.request.get(demo.url.rstrip("/") + href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"
    context.close()


def test_the_network_admin_makes_the_report_pdf_in_the_background(
    demo: Demo, browser: Any, screenshot_dir: Path
) -> None:
    context = _context(browser)
    page = context.new_page()
    _sign_in(page, demo, "admin.reseau@socle.example")
    page.goto(demo.url + "n/demo/sector/")
    form = page.locator("form[action*='/sector/publications/']").first
    form.locator("select").select_option("11")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/sector/reports/**")
    page.locator("a[href$='/report.pdf']").wait_for(timeout=90_000)  # the page refreshes itself until it is done
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "sector-report-job-done.png"), full_page=True)
    href = page.locator("a[href$='/report.pdf']").get_attribute("href")
    response = page.request.get(demo.url.rstrip("/") + str(href))
    assert response.status == 200 and response.body()[:5] == b"%PDF-"
    (screenshot_dir / "sector-report-ile-de-france.pdf").write_bytes(response.body())
    context.close()
