"""The API tokens page in the demo, on a 360 x 740 phone: create a token, see its secret once, revoke it; axe-core
finds no serious or critical violation, and the token works against the API until it is revoked."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.browser.conftest import Demo, follow
from tests.browser.test_demo_pages import _context, _serious_violations, _sign_in


def _fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def _api_status(demo: Demo, secret: str) -> int:
    request = urllib.request.Request(demo.url + "api/v1/submissions", headers={"Authorization": f"Bearer {secret}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            json.load(response)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_an_admin_creates_and_revokes_a_token_on_a_phone(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    context = _context(browser, phone=True)
    page = context.new_page()
    _sign_in(page, demo, "direction@horizon.socle.example")
    page.goto(demo.url + "o/horizon-solidaire/")
    follow(page, page.locator("a[href$='/api-tokens/']"))
    assert page.url.endswith("/o/horizon-solidaire/api-tokens/")
    assert _serious_violations(page) == []
    assert _fits_the_screen(page)

    follow(page, page.locator("form.stacked button[type=submit]"))  # nothing filled in: the form says what to do
    assert page.locator(".errorlist").count() == 2
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "api-tokens-errors-phone.png"), full_page=True)

    page.locator("#id_name").fill("Tableur du siège")
    page.locator("input[name=scopes][value='submissions:read']").check()
    follow(page, page.locator("form.stacked button[type=submit]"))
    secret = page.locator("#secret").input_value()
    assert secret.startswith("socle_")
    assert _serious_violations(page) == []
    assert _fits_the_screen(page)
    page.screenshot(path=str(screenshot_dir / "api-token-created-phone.png"), full_page=True)
    assert _api_status(demo, secret) == 200

    follow(page, page.locator("a.button-link[href$='/api-tokens/']"))
    assert secret not in page.content()  # shown once, never again
    assert "Tableur du siège" in page.locator("table").inner_text()
    assert _serious_violations(page) == []
    assert _fits_the_screen(page)  # the table scrolls in its own box
    page.screenshot(path=str(screenshot_dir / "api-tokens-phone.png"), full_page=True)
    page.locator("a[href$='/revoke/']").first.click()
    page.wait_for_url("**/revoke/")
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "api-token-revoke-phone.png"), full_page=True)
    button = page.locator("main form button[type=submit]")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44
    follow(page, button)
    assert page.locator(".message-success").count() == 1
    assert page.locator("table .badge-muted").count() == 1
    assert _api_status(demo, secret) == 401
    context.close()
