"""A person opens the demo in a real browser: login page, network home and organisation home, in French and in
English, for the roles that may see them and not for the others. Screenshots land in test-artifacts/screenshots."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError

from socle.network.demo import current_code
from tests.browser.conftest import Demo, follow

NETWORK_HOME = "n/demo/"
ORG_HOME = "o/horizon-solidaire/"


def _serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page once it has loaded. A click that navigates returns
    before the new document exists; axe started in between finds no document, so it waits and tries again."""
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            results = Axe().run(page)
            break
        except PlaywrightError as error:
            unloaded = "documentElement" in str(error) or "context was destroyed" in str(error)
            if not unloaded or attempt == 2:
                raise
            page.wait_for_timeout(200)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _context(browser: Any, *, phone: bool = False) -> Any:
    if phone:
        return browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1, is_mobile=True)
    return browser.new_context(viewport={"width": 1280, "height": 900})


def _sign_in(page: Any, demo: Demo, email: str) -> None:
    page.goto(demo.url + "accounts/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(demo.password)
    follow(page, page.get_by_role("button", name="Se connecter"))
    for attempt in range(2):
        if "/accounts/verify/" not in page.url:
            break
        if attempt:  # a code is accepted once: the same person signed in during this 30-second step already
            time.sleep(30.5 - time.time() % 30)
        page.get_by_label("Code à 6 chiffres de votre application d'authentification").fill(
            current_code(demo.totp_key(email))
        )
        follow(page, page.get_by_role("button", name="Vérifier"))


def _switch_to_english(page: Any) -> None:
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()


def test_login_page_in_french_and_english(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    context = _context(browser, phone=True)
    page = context.new_page()
    page.goto(demo.url + "accounts/login/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Se connecter"
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "login-fr-phone.png"), full_page=True)
    _switch_to_english(page)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    page.screenshot(path=str(screenshot_dir / "login-en-phone.png"), full_page=True)
    context.close()


def test_network_admin_sees_the_network_home_after_the_second_factor(
    demo: Demo, browser: Any, screenshot_dir: Path
) -> None:
    context = _context(browser)
    page = context.new_page()
    _sign_in(page, demo, "admin.reseau@socle.example")
    page.goto(demo.url + NETWORK_HOME)
    assert page.get_by_role("heading", level=1).inner_text() == "Réseau Solidarités (démo)"
    assert page.get_by_text("Participation par type d'établissement").first.is_visible()
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "network-home-fr.png"), full_page=True)
    _switch_to_english(page)
    assert page.get_by_text("Participation by type of establishment").first.is_visible()
    page.screenshot(path=str(screenshot_dir / "network-home-en.png"), full_page=True)
    # The network's staff do not enter an organisation's own space.
    response = page.goto(demo.url + ORG_HOME)
    assert response is not None and response.status == 404
    context.close()


@pytest.mark.parametrize(
    ("email", "sees_network", "sees_organisation"),
    [
        ("analyste@socle.example", True, False),
        ("direction@horizon.socle.example", False, True),
        ("equipe@horizon.socle.example", False, True),
        ("accompagnateur@socle.example", False, True),
        ("direction@toits.socle.example", False, False),
    ],
)
def test_each_role_sees_only_its_pages(
    demo: Demo, browser: Any, screenshot_dir: Path, email: str, sees_network: bool, sees_organisation: bool
) -> None:
    context = _context(browser, phone=email.startswith("equipe"))
    page = context.new_page()
    _sign_in(page, demo, email)
    for path, allowed, name in (
        (NETWORK_HOME, sees_network, "network"),
        (ORG_HOME, sees_organisation, "org"),
    ):
        response = page.goto(demo.url + path)
        assert response is not None
        assert response.status == (200 if allowed else 404), f"{email} on {path}"
        if allowed:
            assert page.locator("html").get_attribute("lang") == "fr"
            if name == "org":
                assert page.get_by_role("heading", level=1).inner_text() == "Association Horizon Solidaire"
                assert page.get_by_text("Établissements et personnes accompagnées").is_visible()
            assert _serious_violations(page) == []
            slug = email.split("@")[0].replace(".", "-")
            page.screenshot(path=str(screenshot_dir / f"{name}-home-{slug}-fr.png"), full_page=True)
            _switch_to_english(page)
            assert page.locator("html").get_attribute("lang") == "en"
            if name == "org":
                assert page.get_by_text("Establishments and the people they support").is_visible()
            page.screenshot(path=str(screenshot_dir / f"{name}-home-{slug}-en.png"), full_page=True)
            page.get_by_role("button", name="Français").click()
    context.close()


def test_anonymous_visitor_is_sent_to_the_login_page(demo: Demo, browser: Any) -> None:
    context = _context(browser)
    page = context.new_page()
    page.goto(demo.url + NETWORK_HOME)
    assert "/accounts/login/" in page.url
    context.close()
