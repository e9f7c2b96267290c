"""Shapes shared by the endpoints of the API."""

from __future__ import annotations

from ninja import Schema


class ProblemOut(Schema):
    path: str
    message: str
    line: int | None = None


class ErrorOut(Schema):
    detail: str
    problems: list[ProblemOut] = []
