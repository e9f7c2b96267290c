"""Settings fail loudly on bad values; the deploy check is clean; /healthz reports the database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from socle.lib.env import EnvError, env_bool, env_int, env_list
from socle.web.management.serving import parse_addr


def test_env_helpers_read_good_values_and_refuse_bad_ones() -> None:
    assert env_bool("X", environ={"X": "yes"}) is True
    assert env_bool("X", environ={"X": "0"}) is False
    assert env_bool("X", default=True, environ={}) is True
    with pytest.raises(EnvError, match="X='maybe' is not a boolean"):
        env_bool("X", environ={"X": "maybe"})
    assert env_int("N", 3, environ={"N": "12"}) == 12
    with pytest.raises(EnvError, match="not an integer"):
        env_int("N", 3, environ={"N": "twelve"})
    with pytest.raises(EnvError, match="below the minimum"):
        env_int("N", 3, environ={"N": "0"}, minimum=1)
    assert env_list("L", [], environ={"L": "a.org, b.org"}) == ["a.org", "b.org"]
    with pytest.raises(EnvError, match="empty item"):
        env_list("L", [], environ={"L": "a.org,,b.org"})


def _socle(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SOCLE_") and k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-m", "socle", *args],
        env={**base, "SOCLE_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_bad_setting_stops_the_program_with_a_clear_message(tmp_path: Path) -> None:
    result = _socle(["check"], {"SOCLE_DEBUG": "perhaps"}, tmp_path)
    assert result.returncode != 0
    assert "SOCLE_DEBUG='perhaps' is not a boolean" in result.stderr


def test_the_secret_key_is_generated_once_and_kept_in_the_data_folder(tmp_path: Path) -> None:
    assert _socle(["check"], {}, tmp_path).returncode == 0
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    assert len(first) >= 50 and oct(key_file.stat().st_mode)[-3:] == "600"
    assert _socle(["check"], {}, tmp_path).returncode == 0
    assert key_file.read_text() == first


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {
        "SOCLE_DEBUG": "false",
        "SOCLE_HTTPS": "true",
        "SOCLE_ALLOWED_HOSTS": "socle.example.org",
        "SOCLE_SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-test-0123456789",
        "SOCLE_BASE_URL": "https://socle.example.org",
    }
    result = _socle(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_no_secret_key_is_written_in_the_repository() -> None:
    root = Path(__file__).resolve().parents[1]
    settings_text = (root / "src" / "socle" / "settings.py").read_text()
    assert 'SECRET_KEY = "' not in settings_text and "django-insecure" not in settings_text
    tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=False).stdout
    assert "secret_key" not in tracked.split() and "demo_password" not in tracked


def test_healthz_reports_the_database(client: Client, db: None) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_answers_503_when_the_database_is_down(
    client: Client, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection
    from django.db.utils import OperationalError

    def broken(*args: object, **kwargs: object) -> None:
        raise OperationalError("down")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken)
        response = client.get("/healthz")
    assert response.status_code == 503


def test_serve_addresses_are_checked() -> None:
    assert parse_addr("127.0.0.1:8000") == ("127.0.0.1", 8000)
    assert parse_addr("[::1]:9000") == ("::1", 9000)
    for bad in ("8000", "localhost:", "host:99999", ":80"):
        with pytest.raises(ValueError, match="HOST:PORT"):
            parse_addr(bad)


def test_demo_prepares_twice_without_duplicates(tmp_path: Path) -> None:
    first = _socle(["demo", "--no-serve", "--password", "a-demo-password"], {}, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "http://127.0.0.1:8000/" in first.stdout and "direction@horizon.socle.example" in first.stdout
    assert "http://127.0.0.1:8000/impact/horizon-solidaire/" in first.stdout  # the demo publishes an impact page
    assert "http://127.0.0.1:8000/learn/" in first.stdout  # and the learning paths
    second = _socle(["demo", "--no-serve"], {}, tmp_path)
    assert second.returncode == 0, second.stderr
    assert "a-demo-password" in second.stdout  # the password is kept in the data folder
    counts = _socle(
        [
            "shell",
            "-c",
            "from socle.network.models import *; from socle.collection.models import Submission; "
            "print(Establishment.objects.count(), Organisation.objects.count(), Submission.objects.count())",
        ],
        {},
        tmp_path,
    )
    reset = _socle(["demo", "--no-serve", "--reset"], {}, tmp_path)
    assert reset.returncode == 0, reset.stderr
    after_reset = _socle(
        [
            "shell",
            "-c",
            "from socle.network.models import *; from socle.collection.models import Submission; "
            "print(Establishment.objects.count(), Organisation.objects.count(), Submission.objects.count())",
        ],
        {},
        tmp_path,
    )
    assert counts.stdout == after_reset.stdout and counts.stdout.strip() != "0 0 0"
    # the open campaign's 36 invented answers, last year's 180 entries and 126 follow-ups (socle.measurement.demo),
    # and 600 entries and 415 follow-ups (70 % of people, drawn) of the other members in the sector campaign
    # demo-2026 (socle.sector.demo), each added once
    assert counts.stdout.split()[-1] == "1357"
