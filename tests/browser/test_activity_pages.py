"""Activity data in the demo, on a 360 x 740 phone: the overview, the entry form with a failed check, the saved
report and the history of a corrected one; axe-core finds no serious or critical violation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import Demo, follow
from tests.browser.test_demo_pages import _context, _serious_violations, _sign_in


def _fits_the_screen(page: Any) -> bool:
    """No sideways scrolling of the page itself (wide tables scroll inside their own box)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_staff_enter_activity_data_on_a_phone(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    context = _context(browser, phone=True)
    page = context.new_page()
    _sign_in(page, demo, "equipe@horizon.socle.example")
    base = demo.url + "o/horizon-solidaire/activity/"

    page.goto(base)
    assert page.locator("table.activity-grid .badge-ok").count() == 4  # the demo's 2025 reports
    assert page.locator("table.activity-values tbody tr").count() == 4
    assert _serious_violations(page) == []
    assert _fits_the_screen(page)
    page.screenshot(path=str(screenshot_dir / "activity-overview-phone.png"), full_page=True)

    page.goto(base + "?year=2025&kind=quarter")
    follow(page, page.locator("table.activity-grid a[href$='/2025-Q1/']").first)
    assert page.locator("input.number-input").count() == 10
    page.locator("#id_v_people_supported").fill("40")
    page.locator("#id_v_entries").fill("12")
    page.locator("#id_v_exits_total").fill("55")
    page.locator("#id_v_staff_fte").fill("7,5")
    follow(page, page.locator("form.activity-form button[type=submit]"))

    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert "Les sorties ne peuvent pas dépasser" in summary.inner_text()
    assert page.locator("#id_v_exits_total").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_v_exits_total").input_value() == "55"  # what was typed stays
    assert _serious_violations(page) == []
    assert _fits_the_screen(page)
    page.screenshot(path=str(screenshot_dir / "activity-entry-error-phone.png"), full_page=True)
    box = page.locator("form.activity-form button[type=submit]").bounding_box()
    assert box is not None and box["height"] >= 44

    page.locator("#id_v_exits_total").fill("10")
    follow(page, page.locator("form.activity-form button[type=submit]"))
    assert page.url.startswith(base) and "kind=quarter" in page.url
    assert page.locator(".message-success").count() == 1
    assert page.locator("table.activity-grid .badge-ok").count() == 1

    page.goto(base + "?year=2025&kind=year")
    for link in page.locator("table.activity-grid a[href$='/2025/history/']").all():
        href = link.get_attribute("href")
        assert href
        page_of_history = context.new_page()
        page_of_history.goto(demo.url.rstrip("/") + href)
        if page_of_history.locator("section.revision").count() == 2:
            assert "Nuitées mal saisies" in page_of_history.content()
            assert _serious_violations(page_of_history) == []
            assert _fits_the_screen(page_of_history)
            page_of_history.screenshot(path=str(screenshot_dir / "activity-history-phone.png"), full_page=True)
            page_of_history.close()
            break
        page_of_history.close()
    else:
        raise AssertionError("no report of the demo has two revisions")

    page.goto(base)
    follow(page, page.locator("a[href$='/import/']").first)
    assert page.locator("input[type=file]").count() == 1
    assert _serious_violations(page) == []
    assert _fits_the_screen(page)
    page.screenshot(path=str(screenshot_dir / "activity-import-phone.png"), full_page=True)
    context.close()
