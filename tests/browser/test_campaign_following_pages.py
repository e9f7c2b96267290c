"""Following the demo campaign in a real browser: the chart and its table, the QR codes that must show as images,
a paper questionnaire, the answers one by one with a correction, and the network's sector campaign; on a phone,
with axe-core finding no serious or critical violation."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any

from tests.browser.conftest import Demo, follow
from tests.browser.test_demo_pages import _context, _serious_violations, _sign_in


def _fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_staff_follow_the_demo_campaign_and_correct_an_answer_on_a_phone(
    demo: Demo, browser: Any, screenshot_dir: Path
) -> None:
    context = _context(browser, phone=True)
    page = context.new_page()
    _sign_in(page, demo, "equipe@horizon.socle.example")
    page.goto(demo.url + "o/horizon-solidaire/campaigns/")
    follow(page, page.locator("a", has_text="Entrées 2026 (démo)").first)
    page.wait_for_function("Array.from(document.images).every(img => img.complete)")
    assert page.locator("figure.chart img").count() == 1
    chart_width = page.locator("figure.chart img").evaluate("img => img.naturalWidth")
    assert chart_width > 100
    qr_widths = page.locator("img.qr").evaluate_all("imgs => imgs.map(img => img.naturalWidth)")
    assert qr_widths and all(width > 100 for width in qr_widths)  # an <img> of an SVG without namespace shows nothing
    assert "36" in page.locator("p.lead").first.inner_text()
    assert _serious_violations(page) == []
    assert _fits_the_screen(page)
    page.screenshot(path=str(screenshot_dir / "campaign-following-phone.png"), full_page=True)

    paper = page.locator("a[href*='/paper/']").first.get_attribute("href")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
    request = urllib.request.Request(demo.url.rstrip("/") + paper, headers={"Cookie": cookies})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.read(5) == b"%PDF-"

    page.locator("a[href$='/submissions/']").first.click()
    page.locator("table tbody th a").first.click()
    page.locator("a[href$='/correct/']").click()
    assert _serious_violations(page) == []
    page.locator("input[type=radio][name=q_sexe]:not(:checked):not([value=''])").first.check()
    page.locator("#id_reason").fill("Erreur de saisie du questionnaire papier")
    follow(page, page.locator("form.stacked button[type=submit]"))
    assert "/submissions/" in page.url and page.locator("table thead th").count() == 3  # question, received, correction
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "submission-history-phone.png"), full_page=True)
    context.close()


def test_the_network_sees_who_takes_part_in_its_sector_campaign(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    context = _context(browser)
    page = context.new_page()
    _sign_in(page, demo, "analyste@socle.example")  # (the admin's one-time code is for test_demo_pages)
    page.goto(demo.url + "n/demo/campaigns/")
    follow(page, page.locator("a", has_text="LCEP 2026 (démo)"))
    table = page.locator("table").first.inner_text()
    assert "Association Horizon Solidaire" in table and "36" in table
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "sector-campaign.png"), full_page=True)
    context.close()
