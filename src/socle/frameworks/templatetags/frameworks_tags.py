"""Template helpers for framework pages: texts in the active language, pictograms of pictorial scales."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from socle.frameworks.models import text_in

register = template.Library()

FACE = re.compile(r"^face_([1-5])$")


@register.filter
def text(value: Any, language: str | None = None) -> str:
    """`{{ node.label|text }}`: a text in the active language, French if it has none."""
    return text_in(value, language)


@register.simple_tag
def pictogram(name: str, size: int = 48) -> SafeString:
    """A simple line pictogram for a scale point (`face_1` … `face_5`, `yes`, `no`, `dont_know`); decorative:
    the word is always written next to it, so the picture is hidden from screen readers."""
    match = FACE.match(name or "")
    if match:
        level = int(match.group(1))
        bend = (level - 3) * 9  # frown (1) … smile (5)
        mouth = f"M30 64 Q50 {64 + bend} 70 64"
        body = (
            '<circle cx="50" cy="50" r="44" fill="none" stroke="currentColor" stroke-width="6"/>'
            '<circle cx="35" cy="40" r="5" fill="currentColor"/><circle cx="65" cy="40" r="5" fill="currentColor"/>'
            f'<path d="{mouth}" fill="none" stroke="currentColor" stroke-width="6" stroke-linecap="round"/>'
        )
    elif name == "yes":
        body = (
            '<path d="M20 52 L42 74 L82 28" fill="none" stroke="currentColor" stroke-width="10" '
            'stroke-linecap="round"/>'
        )
    elif name == "no":
        body = (
            '<path d="M25 25 L75 75 M75 25 L25 75" fill="none" stroke="currentColor" stroke-width="10" '
            'stroke-linecap="round"/>'
        )
    elif name == "dont_know":
        body = (
            '<circle cx="50" cy="50" r="44" fill="none" stroke="currentColor" stroke-width="6"/>'
            '<text x="50" y="66" font-size="48" text-anchor="middle" fill="currentColor">?</text>'
        )
    else:
        return mark_safe("")
    return format_html(
        '<svg class="pictogram" viewBox="0 0 100 100" width="{}" height="{}" aria-hidden="true" '
        'focusable="false">{}</svg>',
        size,
        size,
        mark_safe(body),  # noqa: S308 - body is built above from constants and integers only
    )
