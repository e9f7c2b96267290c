"""The respondent form with its script on a 360 x 740 phone: the questionnaire runs in the browser, goes on when the
network is cut in the middle, waits in the outbox and arrives exactly once when the network is back; relevance and
constraints are checked in the browser as on the server; the read-aloud button speaks the question."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Demo
from tests.browser.test_demo_pages import _serious_violations
from tests.browser.test_respondent_pages import _fill_screen, _respondent_url

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}
READ_OUTBOX = """() => new Promise((resolve, reject) => {
  const request = indexedDB.open("socle-respondent", 1);
  request.onerror = () => reject(request.error);
  request.onsuccess = () => {
    const all = request.result.transaction("outbox").objectStore("outbox").getAll();
    all.onsuccess = () => resolve(all.result);
  };
})"""
SPEECH_STUB = """(() => {
  window.__spoken = [];
  window.__cancelled = 0;
  class Utterance { constructor(text) { this.text = text; this.lang = ""; } }
  window.SpeechSynthesisUtterance = Utterance;
  Object.defineProperty(window, "speechSynthesis", { configurable: true, value: {
    speak(u) { window.__spoken.push({ text: u.text, lang: u.lang }); },
    cancel() { window.__cancelled += 1; },
  } });
})();"""
NO_SPEECH = """(() => {
  Object.defineProperty(window, "speechSynthesis", { configurable: true, value: undefined });
  delete window.speechSynthesis;
})();"""


def _rows(demo: Demo, submission: str) -> list[tuple[str, str]]:
    """The submissions stored under this UUID, read from the demo's SQLite database (mode, answers)."""
    found = re.search(r"Database: (\S+)", demo.output)
    assert found, demo.output
    with sqlite3.connect(f"file:{found.group(1)}?mode=ro", uri=True) as db:
        return db.execute(
            "SELECT mode, answers FROM collection_submission WHERE uuid = ?", (uuid.UUID(submission).hex,)
        ).fetchall()


def _open_ready(page: Any, url: str, *, offline_ready: bool = False) -> None:
    page.goto(url)
    page.wait_for_selector("main[data-ready='1']")
    if offline_ready:
        page.wait_for_selector("main[data-offline='ready']", timeout=15_000)


def _heading(page: Any) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def _answer_screens(page: Any, count: int | None) -> list[str]:
    """Answers `count` screens (None: up to the closing screen); returns the headings seen."""
    seen: list[str] = []
    for _ in range(30):
        if page.locator("button[value=send]").count() or (count is not None and len(seen) >= count):
            return seen
        seen.append(_heading(page))
        _fill_screen(page)
        page.locator("button[value=next]").click()
    pytest.fail(f"the questionnaire did not end; screens seen: {seen}")


def _status(page: Any) -> Any:
    return page.locator(".outbox-status")


def test_answers_made_offline_wait_in_the_outbox_and_arrive_exactly_once(
    demo: Demo, browser: Any, screenshot_dir: Path
) -> None:
    context = browser.new_context(**PHONE, service_workers="allow")
    page = context.new_page()
    url = _respondent_url(demo)
    _open_ready(page, url, offline_ready=True)  # the service worker keeps the start page and the questionnaire
    page.locator("button[value=start]").click()
    assert page.locator("main").get_attribute("data-screen") == "section"  # the browser runs the questionnaire
    seen = _answer_screens(page, 3)
    assert seen == ["Bienvenue", "Vous", "Sécurité"]

    context.set_offline(True)  # the network is cut in the middle of the questionnaire
    seen += _answer_screens(page, None)
    assert "Horizon Solidaire" in seen and "Emploi et formation" in seen
    page.locator("button[value=send]").click()
    page.wait_for_selector(".outbox-status[data-waiting='1']")
    assert "1" in _status(page).inner_text()
    assert _heading(page) == "Merci !"
    assert page.locator("p.code").count() == 0  # the follow-up code comes once the answers are received
    [item] = page.evaluate(READ_OUTBOX)
    assert item["status"] == "waiting" and item["body"]["answers"]["sexe"]
    submission = item["uuid"]
    page.screenshot(path=str(screenshot_dir / "respondent-offline-waiting.png"), full_page=True)

    page.reload()  # offline: the page, its script and its questionnaire come from the service worker's cache
    page.wait_for_selector("main[data-ready='1']")
    page.wait_for_selector(".outbox-status[data-waiting='1']")
    assert _heading(page) == "Merci !"  # the thanks screen stays for a while, as on the server
    page.locator("button[value=new]").click()  # "Finish": ready for the next person
    assert page.locator("button[value=start]").inner_text() == "Commencer"
    page.goto(url + "?lang=en")  # a page not opened online in English: the kept start page, run in English
    page.wait_for_selector("main[data-ready='1']")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("button[value=start]").inner_text() == "Start"
    page.wait_for_selector(".outbox-status[data-waiting='1']")
    assert _rows(demo, submission) == []  # nothing reached the server while offline

    context.set_offline(False)  # the "online" event sends what waits
    page.wait_for_selector(".outbox-status[data-waiting='0']", state="attached", timeout=20_000)
    code = page.locator(".outbox-item.sent .followup").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}", code), code
    rows = _rows(demo, submission)
    assert len(rows) == 1 and rows[0][0] == "self"
    assert json.loads(rows[0][1])["sexe"] == item["body"]["answers"]["sexe"]
    page.screenshot(path=str(screenshot_dir / "respondent-offline-sent.png"), full_page=True)

    # Sending the same form again (a second flush, another tab) is a resend: 200, the same code, one row.
    again = page.evaluate(
        """async ([url, body]) => {
          const r = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
                                       body: JSON.stringify(body)});
          return [r.status, await r.json()];
        }""",
        [item["submit"], item["body"]],
    )
    assert again[0] == 200 and again[1]["created"] is False and again[1]["followup_code"] == code
    assert len(_rows(demo, submission)) == 1
    assert page.evaluate(READ_OUTBOX)[0].get("body") is None  # the answers left the device once received
    context.close()


def test_an_answer_received_but_not_acknowledged_is_sent_again_and_stored_once(
    demo: Demo, browser: Any, screenshot_dir: Path
) -> None:
    context = browser.new_context(**PHONE, service_workers="block")  # request interception needs no worker
    page = context.new_page()
    calls: list[int] = []

    def lose_the_answer(route: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            route.fetch()  # the server stores the answers…
            route.abort("connectionreset")  # …and the phone never hears back
        else:
            route.continue_()

    page.route("**/submissions", lose_the_answer)
    _open_ready(page, _respondent_url(demo))
    page.locator("button[value=start]").click()
    _answer_screens(page, None)
    page.locator("button[value=send]").click()
    page.wait_for_selector(".outbox-status[data-waiting='1']")
    [item] = page.evaluate(READ_OUTBOX)
    assert len(_rows(demo, item["uuid"])) == 1  # stored, though the phone does not know it yet
    # The sender tries again after its backoff (5 s, ±20 %): the server answers 200, a resend.
    page.wait_for_selector(".outbox-status[data-waiting='0']", state="attached", timeout=20_000)
    assert len(calls) == 2 and len(_rows(demo, item["uuid"])) == 1
    page.wait_for_selector("p.code")  # the thanks screen gets the code once the answers are received
    assert page.locator("p.code").inner_text() == page.locator(".outbox-item.sent .followup").inner_text()
    context.close()


def test_relevance_and_constraints_run_in_the_browser_and_the_pages_pass_axe(
    demo: Demo, browser: Any, screenshot_dir: Path
) -> None:
    context = browser.new_context(**PHONE)
    context.add_init_script(SPEECH_STUB)
    page = context.new_page()
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    _open_ready(page, _respondent_url(demo))
    assert _serious_violations(page) == []
    page.locator("button[value=start]").click()
    assert _heading(page) == "Bienvenue"
    page.locator("button[value=next]").click()
    assert _heading(page) == "Vous"
    assert page.evaluate("document.activeElement.tagName") == "H1"  # focus moves to the new screen's heading

    # Relevance: "other" opens a question on the same screen, in the browser, as on the server.
    other = page.locator("#q-logement_avant-autre")
    assert page.locator("#q-logement_avant_autre").count() == 0
    page.locator("fieldset#q-logement_avant label.option", has=page.locator("input[value=autre]")).click()
    assert page.locator("#q-logement_avant_autre").is_visible()
    assert page.locator(".notice").inner_text().startswith("Votre réponse a ouvert une autre question")
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "respondent-js-relevance.png"), full_page=True)
    page.locator("fieldset#q-logement_avant label.option", has=page.locator("input[value=urgence]")).click()
    assert page.locator("#q-logement_avant_autre").count() == 0
    assert other.count() == 0

    # Read aloud: the question's own text, in the page's language.
    first = page.locator("fieldset.q").first
    listen = first.locator("button.listen")
    assert re.search(r"\b1\b", listen.get_attribute("aria-label") or "")  # "Listen to question 1"
    box = listen.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44
    listen.click()
    spoken = page.evaluate("window.__spoken")
    assert spoken[0]["text"].startswith("1. Vous êtes") and spoken[0]["lang"] == "fr"
    assert any(part["text"] == "Femme" for part in spoken)
    reading = listen.inner_text()
    assert "on" in (listen.get_attribute("class") or "").split() and reading != "Listen" and reading != "Écouter"
    listen.click()  # the same button stops
    assert page.evaluate("window.__cancelled") >= 1
    assert "on" not in (listen.get_attribute("class") or "").split() and listen.inner_text() != reading

    # A constraint: the questionnaire's own message, before anything is sent.
    _fill_screen(page)
    page.locator("button[value=next]").click()
    for _ in range(2):  # Sécurité, Droits
        _fill_screen(page)
        page.locator("button[value=next]").click()
    assert _heading(page) == "Santé"
    _fill_screen(page)
    page.locator("#q-urgences_nb").fill("500")
    page.locator("button[value=next]").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible() and "Indiquez un nombre entre 0 et 100." in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.locator("#q-urgences_nb").get_attribute("aria-invalid") == "true"
    assert page.title().startswith("Erreur")
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "respondent-js-constraint.png"), full_page=True)
    page.locator("#q-urgences_nb").fill("2")
    page.locator("button[value=next]").click()
    assert _heading(page) != "Santé"
    assert not [p for p in posts if "/r/" in p]  # every screen so far ran in the browser

    _answer_screens(page, None)
    assert _serious_violations(page) == []
    page.locator("button[value=send]").click()
    page.wait_for_selector("p.code")
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "respondent-js-thanks.png"), full_page=True)
    [item] = [i for i in page.evaluate(READ_OUTBOX) if i["status"] == "sent"]
    [(mode, answers)] = _rows(demo, item["uuid"])
    stored = json.loads(answers)
    assert mode == "self" and stored["urgences_nb"] == 2 and stored["logement_avant"] == "urgence"
    assert "logement_avant_autre" not in stored
    context.close()


def test_server_errors_are_shown_to_the_person(demo: Demo, browser: Any) -> None:
    """The server is the authority: a 422 it sends back (here one this page could not foresee) takes the person
    to the question, with the server's message, and nothing waits in the outbox."""
    context = browser.new_context(**PHONE, service_workers="block")
    page = context.new_page()
    problem = {
        "detail": "1 answer does not fit the questionnaire; nothing was stored.",
        "errors": [{"question": "urgences_nb", "code": "constraint", "label": "…", "message": "Message du serveur."}],
    }
    page.route(
        "**/submissions",
        lambda route: route.fulfill(status=422, content_type="application/json", body=json.dumps(problem)),
    )
    _open_ready(page, _respondent_url(demo))
    page.locator("button[value=start]").click()
    _answer_screens(page, None)
    page.locator("button[value=send]").click()
    page.wait_for_selector(".error-summary")
    assert _heading(page) == "Santé"
    assert "Message du serveur." in page.locator("#q-urgences_nb-error").inner_text()
    assert page.evaluate(READ_OUTBOX) == []
    context.close()


def test_without_speech_synthesis_there_is_no_read_aloud_button(demo: Demo, browser: Any) -> None:
    context = browser.new_context(**PHONE)
    context.add_init_script(NO_SPEECH)
    page = context.new_page()
    _open_ready(page, _respondent_url(demo))
    page.locator("button[value=start]").click()
    page.locator("button[value=next]").click()
    assert _heading(page) == "Vous" and page.locator("button.listen").count() == 0
    context.close()


FOLLOW_UP_CAMPAIGN = """
import datetime
from django.utils import timezone
from socle.collection.actions import open_campaign
from socle.collection.models import Campaign
entry = Campaign.objects.get(name="Entrées 2026 (démo)")
today = timezone.localdate()
campaign = Campaign.objects.filter(name="Suivi (test hors ligne)").first() or open_campaign(
    entry.organisation, entry.framework_version, name="Suivi (test hors ligne)", wave="follow_up",
    starts_on=today, ends_on=today + datetime.timedelta(days=30),
    establishments=[entry.links.first().establishment], acting_user=None)
print(campaign.links.get(questionnaire_code="follow_up").code)
"""


def test_a_follow_up_questionnaire_in_the_browser_checks_the_code_and_pairs_the_answers(
    demo: Demo, browser: Any, screenshot_dir: Path
) -> None:
    from tests.test_respondent_form import ENTRY_ANSWERS

    database = Path(re.search(r"Database: (\S+)", demo.output).group(1))  # type: ignore[union-attr]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCLE_") and k != "DJANGO_SETTINGS_MODULE"}
    made = subprocess.run(
        [sys.executable, "-m", "socle", "shell", "-c", FOLLOW_UP_CAMPAIGN],
        env={**env, "SOCLE_DATA_DIR": str(database.parent)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    follow_up = f"{demo.url}r/{made.stdout.strip().splitlines()[-1]}/"
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _open_ready(page, _respondent_url(demo))
    entry = page.evaluate(
        """async ([url, answers]) => {
          const r = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
                                       body: JSON.stringify({uuid: crypto.randomUUID(), answers})});
          return await r.json();
        }""",
        [_respondent_url(demo) + "submissions", ENTRY_ANSWERS],
    )
    code = entry["followup_code"]
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")

    _open_ready(page, follow_up)
    page.locator("button[value=start]").click()
    assert page.locator("#followup-code").is_visible()
    page.locator("#followup-code").fill(wrong)
    page.locator("button[value=code]").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible() and page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.locator("#followup-code").get_attribute("aria-invalid") == "true"
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "respondent-js-followup-code.png"), full_page=True)
    page.locator("#followup-code").fill(code.lower().replace("-", " "))  # read leniently, as on the server
    page.locator("button[value=code]").click()
    assert _heading(page) == "Bienvenue"
    _answer_screens(page, None)
    page.locator("button[value=send]").click()
    page.wait_for_selector(".outbox-item.sent", state="attached")
    assert _heading(page) == "Merci !" and page.locator("p.code").count() == 0  # no new code at follow-up
    [item] = [i for i in page.evaluate(READ_OUTBOX) if i["status"] == "sent" and i["link"] in follow_up]
    found = re.search(r"Database: (\S+)", demo.output)
    assert found
    with sqlite3.connect(f"file:{found.group(1)}?mode=ro", uri=True) as db:
        hashes = db.execute(
            "SELECT uuid, followup_hash, wave FROM collection_submission WHERE uuid IN (?, ?)",
            (uuid.UUID(item["uuid"]).hex, uuid.UUID(entry["uuid"]).hex),
        ).fetchall()
    assert len(hashes) == 2 and hashes[0][1] == hashes[1][1] != ""
    assert {row[2] for row in hashes} == {"entry", "follow_up"}
    context.close()
