"""Lessons' Markdown, rendered safely with markdown-it-py (CommonMark): raw HTML is never passed through (it is
escaped), images are off, and links may only point inside Socle (a path starting with ``/``) or to https pages;
:func:`markdown_problems` says what a text breaks, for the path's checks."""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt

__all__ = ["markdown_problems", "render"]


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")


TAG = re.compile(r"<\s*/?\s*[A-Za-z!?]")
LINK = re.compile(r"\]\(\s*<?([^)\s>]*)")  # what follows "](" in inline links, even those markdown-it refuses


def _links(text: str) -> list[str]:
    hrefs: list[str] = [match.group(1) for match in LINK.finditer(text)]
    for token in _parser().parse(text):
        for child in token.children or ():
            if child.type == "link_open":
                hrefs.append(str(child.attrGet("href") or ""))
    return hrefs


def markdown_problems(text: str) -> list[str]:
    """What the text breaks: raw HTML, images, links outside Socle other than https, level-1 headings."""
    problems = []
    for token in _parser().parse(text):
        if token.type == "heading_open" and token.tag == "h1":
            problems.append("a lesson starts its headings at ## (the page has its own title)")
    if TAG.search(text):
        problems.append("raw HTML is not allowed in lessons")
    if "![" in text:
        problems.append("images are not allowed in lessons")
    for href in _links(text):
        if not (href.startswith("/") and not href.startswith("//")) and not href.startswith("https://"):
            problems.append(f"a link goes inside Socle (/…) or to an https page, not {href!r}")
    return sorted(set(problems))


def render(text: str, *, top: int = 3) -> str:
    """HTML of a lesson's Markdown; headings are shifted down so that ``##`` becomes ``h<top>`` (h3 under the
    page's h2 by default; h4 where the lesson's own title is an h3), never beyond h6."""
    html = str(_parser().render(text))
    shift = top - 2
    for level in range(5, 1, -1):
        to = min(level + shift, 6)
        html = html.replace(f"<h{level}>", f"<h{to}>").replace(f"</h{level}>", f"</h{to}>")
    return html
