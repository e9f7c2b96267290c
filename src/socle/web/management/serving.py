"""Runs Socle under gunicorn (a production WSGI server); static files are served by whitenoise."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from socle.wsgi import application

        return application


def parse_addr(addr: str) -> tuple[str, int]:
    host, sep, port = addr.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--addr must look like HOST:PORT, for example 127.0.0.1:8000 (got {addr!r})")
    return host.strip("[]"), int(port)


def serve(addr: str, workers: int, threads: int) -> None:
    host, port = parse_addr(addr)
    call_command("collectstatic", interactive=False, verbosity=0)
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    _Gunicorn(
        {
            "bind": bind,
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": "-",
            "errorlog": "-",
            "timeout": 60,
            "graceful_timeout": 10,
        }
    ).run()
