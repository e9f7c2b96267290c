"""The learning paths shipped with Socle (``data/paths/*.yaml``): the introduction and the full formation-action
course, loaded into a network as its first versions (``socle load_learning_paths``, and the demo). A network then
edits them as its own data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from socle.learning import actions
from socle.learning.models import PathVersion
from socle.network.models import Network

DATA = Path(__file__).resolve().parent / "data" / "paths"
SHIPPED = ("introduction", "mesure-gestion")


def shipped_document(code: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((DATA / f"{code}.yaml").read_text(encoding="utf-8"))
    return document


def load_shipped_paths(network: Network, *, acting_user: Any = None) -> list[PathVersion]:
    """Publishes the shipped paths in the network (a path whose latest published version already has the same
    content is left as it is)."""
    return [
        actions.load_path(network, shipped_document(code), publish=True, acting_user=acting_user) for code in SHIPPED
    ]
