"""A background worker next to a server in one command: `socle demo` uses it so that imports run in the demo."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

STOP_SECONDS = 10


def needs_worker() -> bool:
    """Whether tasks wait for a worker (the database backend) rather than running at once."""
    return "ImmediateBackend" not in str(settings.TASKS.get("default", {}).get("BACKEND", ""))


@contextmanager
def background_worker() -> Iterator[subprocess.Popen[bytes] | None]:
    """Runs `socle worker` in a child process for the duration of the block, then stops it (SIGTERM: the task
    under way finishes first; killed after 10 seconds)."""
    if not needs_worker():
        yield None
        return
    command = [sys.executable, "-m", "socle", "worker", "--no-reload", "--interval", "1"]
    process = subprocess.Popen(command, env=os.environ.copy())  # noqa: S603 - our own command
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
