"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against a real `socle demo` server."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("SOCLE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DEMO_PASSWORD = "demo-browser-tests-pw"

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: apt-get install chromium"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Demo:
    url: str
    output: str
    password: str = DEMO_PASSWORD

    def totp_key(self, email: str) -> str:
        match = re.search(re.escape(email) + r".*?\n\s+two-step key: ([A-Z2-7]+)", self.output)
        assert match, f"no two-step key printed for {email}"
        return match.group(1)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """Runs the README's demo command (`socle demo`) on an embedded SQLite database in a fresh data folder."""
    data_dir = tmp_path_factory.mktemp("demo-data")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCLE_") and k != "DJANGO_SETTINGS_MODULE"}
    env["SOCLE_DATA_DIR"] = str(data_dir)
    socle = [sys.executable, "-m", "socle"]
    log = data_dir / "demo.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*socle, "demo", "--addr", f"127.0.0.1:{port}", "--password", DEMO_PASSWORD],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"socle demo stopped:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url + "healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"socle demo did not answer in time:\n{log.read_text()}")
            time.sleep(0.5)
        yield Demo(url, log.read_text())
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def screenshot_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def follow(page: Any, target: Any) -> None:
    """Click a link or a form's button and wait until the page it leads to has loaded. A bare click returns once the
    navigation has started, when the new document may not be parsed yet: a count() right after it can read nothing
    (or the previous page), which made these tests fail on a loaded machine."""
    with page.expect_navigation():
        target.click()
