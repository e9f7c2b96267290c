"""Form helpers shared by the pages of several apps: checked uploads, the versions a comparison page shows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Protocol, TypeVar

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

TABLE_EXTENSIONS = (".csv", ".xlsx")


def checked_table_upload(upload: UploadedFile, max_bytes: int) -> UploadedFile:
    """A spreadsheet file sent by a form (frame, answers, activity data): a `.csv` or `.xlsx` within `max_bytes`,
    else a form error that says what to do."""
    if PurePath(upload.name or "").suffix.lower() not in TABLE_EXTENSIONS:
        raise forms.ValidationError(_("Choose a .csv or .xlsx file."), code="extension")
    if (upload.size or 0) > max_bytes:
        raise forms.ValidationError(
            _("This file is too large (%(size)s): the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="size",
        )
    return upload


class _Numbered(Protocol):
    number: int


Numbered = TypeVar("Numbered", bound=_Numbered)


def compared_versions(request: HttpRequest, versions: Sequence[Numbered]) -> tuple[Numbered, Numbered]:
    """The two versions a comparison page shows, from its `?from=1&to=2` (by default the one before the latest, and
    the latest); 404 for a number that is not one of ``versions`` (in increasing order, at least one)."""
    if not versions:
        raise Http404
    by_number = {v.number: v for v in versions}

    def pick(name: str, default: Numbered) -> Numbered:
        try:
            return by_number[int(request.GET.get(name, default.number))]
        except (KeyError, ValueError):
            raise Http404 from None

    return pick("from", versions[-2] if len(versions) > 1 else versions[-1]), pick("to", versions[-1])
