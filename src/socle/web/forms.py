"""Form helpers shared by the pages of several apps."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.core.files.uploadedfile import UploadedFile
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
