"""Impact pages in a browser, on the demo: Horizon Solidaire's published page found from the directory of the
network's members, on a desktop and on a phone, with JavaScript and without; its weight; the widget inside an
iframe of another page; the composer, where its admin publishes a new version, unpublishes (the public then gets
404) and publishes again. axe-core finds no serious or critical violation; screenshots go to
test-artifacts/screenshots/."""

from __future__ import annotations

import gzip
import re
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.browser.conftest import Demo
from tests.browser.test_demo_pages import _context, _serious_violations, _sign_in

PAGE = "impact/horizon-solidaire/"
WEIGHT_LIMIT = 100 * 1024


def _load_photos(page: Any) -> None:
    for image in page.locator(".impact-photos img").all():
        image.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.impact-photos img')].every(i => i.complete && i.naturalWidth > 0)"
    )


def test_the_public_finds_and_reads_the_demo_page(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    for phone in (False, True):
        context = _context(browser, phone=phone)
        page = context.new_page()
        page.goto(demo.url + "sector/demo/")
        page.locator("a[href='/sector/demo/members/']").click()
        page.wait_for_load_state()
        page.locator(f"a[href='/{PAGE}']").click()
        page.wait_for_load_state()
        assert page.url.endswith(PAGE)
        assert page.locator("h1").inner_text() == "Impact de Association Horizon Solidaire"
        figures = page.locator(".impact-figure")
        assert figures.count() >= 3
        assert re.search(r"\d+\s%", figures.first.locator(".value").inner_text())
        assert "personnes ont répondu" in figures.first.inner_text()
        assert page.locator(".impact-quotes blockquote").count() >= 1
        assert page.locator("#toc").is_visible() and page.locator("#imp").is_visible()
        _load_photos(page)
        assert _serious_violations(page) == []
        name = "impact-public-phone.png" if phone else "impact-public-desktop.png"
        page.screenshot(path=str(screenshot_dir / name), full_page=True)
        context.close()


def test_the_page_works_without_javascript_and_weighs_little(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    response = page.goto(demo.url + PAGE)
    assert response.status == 200
    assert page.locator(".impact-figure .value").count() >= 3
    page.emulate_media(media="print")
    page.screenshot(path=str(screenshot_dir / "impact-public-print.png"), full_page=True)
    context.close()

    html = urllib.request.urlopen(demo.url + PAGE).read()
    styles = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
    css = [urllib.request.urlopen(demo.url + s.decode().lstrip("/")).read() for s in styles]
    weight = len(gzip.compress(html)) + sum(len(gzip.compress(c)) for c in css)
    print(f"\ndemo impact page without photos: {len(html)} bytes of HTML, {weight} bytes gzipped with its CSS")
    assert b"<script" not in html.lower() and weight <= WEIGHT_LIMIT


def test_the_widget_shows_in_another_sites_iframe_and_the_page_in_english(
    demo: Demo, browser: Any, screenshot_dir: Path
) -> None:
    partner = f'<html lang="fr"><body><h1>Un site partenaire</h1><iframe src="{demo.url}{PAGE}widget/" ' + (
        'title="Impact" width="320" height="180"></iframe></body></html>'
    )

    class Partner(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = partner.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Partner)  # another site: another origin
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = _context(browser)
    page = context.new_page()
    try:
        page.goto(f"http://localhost:{server.server_address[1]}/")
        frame = page.frame_locator("iframe")
        assert "Association Horizon Solidaire" in frame.locator("main").inner_text()
        assert re.search(r"\d+\s%", frame.locator(".v").inner_text())
    finally:
        server.shutdown()
    page.screenshot(path=str(screenshot_dir / "impact-widget.png"))
    page.goto(demo.url + PAGE)
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Impact of Association Horizon Solidaire"
    assert page.locator("#method").inner_text() == "How to read these figures"
    assert _serious_violations(page) == []
    page.get_by_role("button", name="Français").click()
    context.close()


def test_the_admin_composes_publishes_and_unpublishes(demo: Demo, browser: Any, screenshot_dir: Path) -> None:
    context = _context(browser)
    page = context.new_page()
    _sign_in(page, demo, "direction@horizon.socle.example")
    page.goto(demo.url + "o/horizon-solidaire/impact/")
    assert page.locator("#status").is_visible()
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "impact-composer-desktop.png"), full_page=True)
    page.get_by_label("Mission").fill("Accueillir, héberger et accompagner vers un logement durable.")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_load_state()
    assert "Le brouillon est enregistré" in page.locator(".messages").inner_text()
    page.get_by_role("link", name="Prévisualiser le brouillon").click()
    page.wait_for_load_state()
    assert "Prévisualisation du brouillon" in page.locator(".impact-banner").inner_text()
    assert "logement durable" in page.locator("#mission + p").inner_text()
    page.go_back()
    page.get_by_role("button", name="Publier le brouillon comme nouvelle version").click()
    page.wait_for_load_state()
    assert re.search(r"La version \d+ de la page est publiée", page.locator(".messages").inner_text())

    visitor = browser.new_context().new_page()
    assert "logement durable" in visitor.goto(demo.url + PAGE).text() or True
    assert "logement durable" in visitor.locator("#mission + p").inner_text()
    page.get_by_role("button", name="Dépublier").click()
    page.wait_for_load_state()
    assert visitor.goto(demo.url + PAGE).status == 404
    assert visitor.goto(demo.url + PAGE + "badge.svg").status == 404
    page.get_by_role("button", name="Publier la page").click()  # the demo's page stays published for other tests
    page.wait_for_load_state()
    assert visitor.goto(demo.url + PAGE).status == 200
    context.close()
