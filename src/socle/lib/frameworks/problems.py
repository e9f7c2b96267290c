"""A problem found in a framework document, located by its path (and its file and line when known)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    """`("indicators", 3, "numerator")` → `indicators[3].numerator`; the empty path is `(document)`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(document)"


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str
    file: str | None = None
    line: int | None = None

    @property
    def where(self) -> str:
        place = self.file or ""
        if self.line is not None:
            place = f"{place}:{self.line}" if place else f"line {self.line}"
        return place

    def __str__(self) -> str:
        where = self.where
        text = f"{format_path(self.path)}: {self.message}"
        return f"{where}: {text}" if where else text


class FrameworkDocumentError(ValueError):
    """A document that cannot be accepted; `problems` lists every reason found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
