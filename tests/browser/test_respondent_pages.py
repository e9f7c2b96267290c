"""A respondent answers the LCEP entry questionnaire of the demo on a 360 x 740 phone, in French, in English and
in easy-read, and again with JavaScript turned off; axe-core finds no serious or critical violation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Demo
from tests.browser.test_demo_pages import _serious_violations


def _respondent_url(demo: Demo) -> str:
    found = re.search(r"Respondent link \(.*\): (http://\S+/r/\w+/)", demo.output)
    assert found, demo.output
    return found.group(1)


def _fill_screen(page: Any) -> None:
    """Answer every question on the screen with the first answer offered (or a plausible value)."""
    for fieldset in page.locator("fieldset.q").all():
        checked = fieldset.locator("input:checked").count()
        if not checked:
            fieldset.locator("label.option:not(.dk)").first.click()
    for field in page.locator("div.q input[type=text]").all():
        if field.input_value():
            continue
        mode = field.get_attribute("inputmode") or ""
        field.fill("1" if mode in ("numeric", "decimal") else "bien")
    for field in page.locator("div.q input[type=date]").all():
        if not field.input_value():
            field.fill("2026-01-15")
    for field in page.locator("div.q textarea").all():
        if not field.input_value():
            field.fill("Ça va mieux depuis que je suis ici.")


def _complete(
    page: Any, url: str, *, language: str, easy: bool, screenshot_dir: Path, name: str, axe: bool = True
) -> str:
    page.goto(url)
    page.locator(f"input[name=lang][value={language}]").check()
    if easy:
        page.locator("input[name=easy]").check()
    page.locator("button[value=show]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language
    assert not axe or _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / f"respondent-{name}-start.png"), full_page=True)
    page.locator("button[value=start]").click()
    page.wait_for_load_state()
    seen = []
    for _ in range(30):
        if page.locator("button[value=send]").count():
            break
        heading = page.get_by_role("heading", level=1).inner_text()
        if heading not in seen:
            seen.append(heading)
            if len(seen) == 2:
                assert not axe or _serious_violations(page) == []
                page.screenshot(path=str(screenshot_dir / f"respondent-{name}-section.png"), full_page=True)
        _fill_screen(page)
        page.locator("button[value=next]").click()
        page.wait_for_load_state()
    else:
        pytest.fail(f"the questionnaire did not end; screens seen: {seen}")
    page.locator("button[value=send]").click()
    page.wait_for_load_state()
    code = page.locator("p.code").inner_text()
    assert not axe or _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / f"respondent-{name}-thanks.png"), full_page=True)
    return code


@pytest.mark.parametrize(
    ("language", "easy", "expected"),
    [("fr", False, "Merci"), ("en", False, "Thank you"), ("fr", True, "Merci")],
    ids=["french", "english", "easy-read"],
)
def test_a_respondent_completes_the_entry_questionnaire_on_a_phone(
    demo: Demo, browser: Any, screenshot_dir: Path, language: str, easy: bool, expected: str
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    name = f"{language}{'-easy' if easy else ''}"
    code = _complete(
        page, _respondent_url(demo), language=language, easy=easy, screenshot_dir=screenshot_dir, name=name
    )
    assert expected in page.get_by_role("heading", level=1).inner_text()
    assert re.fullmatch(r"[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}", code.strip()), code
    context.close()


def test_the_form_works_with_javascript_turned_off(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, java_script_enabled=False)
    page = context.new_page()
    # axe-core runs in the page, so it cannot run here; the same pages were checked with scripts on.
    _complete(
        page, _respondent_url(demo), language="fr", easy=False, screenshot_dir=screenshot_dir, name="no-js", axe=False
    )
    assert "Merci" in page.get_by_role("heading", level=1).inner_text()
    context.close()
