"""The French catalogue is complete, and the compiled .mo files committed beside it are up to date.

Run time needs no system gettext: the .mo files are committed, compiled with Babel (`socle compile_translations`).
Extraction (`makemessages`) needs xgettext; CI installs Debian's gettext so that the completeness test runs there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "socle"
FRENCH_PO = PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _untranslated(po_path: Path) -> list[str]:
    catalogue = polib.pofile(str(po_path))
    return [entry.msgid for entry in catalogue if not entry.obsolete and (not entry.translated() or entry.fuzzy)]


def test_committed_mo_files_match_their_po_files() -> None:
    call_command("compile_translations", check=True)


def test_every_french_string_is_translated() -> None:
    assert FRENCH_PO.exists()
    assert _untranslated(FRENCH_PO) == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="string extraction needs system gettext (xgettext)")
def test_the_catalogue_holds_every_string_of_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "socle"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=["fr"], verbosity=0, no_obsolete=True)
    missing = _untranslated(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    assert missing == [], f"strings without a French translation (run makemessages and translate): {missing}"


def test_pages_switch_to_english_with_the_language_cookie(client) -> None:  # type: ignore[no-untyped-def]
    assert 'lang="fr"' in client.get("/").content.decode()
    assert "Se connecter" in client.get("/accounts/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/accounts/login/").content.decode()
    assert 'lang="en"' in page
    assert "Sign in" in page


def test_the_browser_language_does_not_override_french(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="fr"' in page
