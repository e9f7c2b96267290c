"""The page where a network admin imports the frame of establishments from a CSV or Excel file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from socle.lib.frame import COLUMNS, SUPPORTED_EXTENSIONS
from socle.network.access import get_network_for_user
from socle.network.frame_import import FrameFileError, import_frame_file
from socle.web.forms import checked_table_upload

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Enough for any real file; a page listing more errors than this helps nobody fix them.
MAX_ERRORS_SHOWN = 2000


class FrameImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Frame file (CSV or Excel .xlsx, 10 MB at most)"),
        widget=forms.FileInput(attrs={"accept": ",".join(SUPPORTED_EXTENSIONS)}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only"),
        help_text=gettext_lazy("Checks every row and says what would change, without importing anything."),
        required=False,
    )

    def clean_file(self) -> UploadedFile:
        upload = checked_table_upload(self.cleaned_data["file"], MAX_UPLOAD_BYTES)
        return upload


@dataclass(frozen=True)
class ColumnHelp:
    name: str
    aliases: list[str]
    required: Promise | str
    meaning: Promise | str


_MEANINGS: dict[str, Promise] = {
    "finess": gettext_lazy("The establishment's FINESS number (9 characters, with its check digit)."),
    "name": gettext_lazy("The establishment's name."),
    "field": gettext_lazy("The field of activity, by its code or name."),
    "type": gettext_lazy("The type of establishment, by its code or its name (see the list below)."),
    "departement": gettext_lazy("The département code: 01 to 95, 2A, 2B, 971 to 976."),
    "region": gettext_lazy("The region code; when empty, it is taken from the département."),
    "places": gettext_lazy("Number of places (a whole number; may be empty)."),
    "people_supported": gettext_lazy("Number of people supported in a year (a whole number; may be empty)."),
    "employees": gettext_lazy("Number of employees (a whole number; may be empty)."),
    "participates": gettext_lazy("Whether the establishment takes part in the measurement: oui or non (empty: non)."),
    "siren": gettext_lazy("SIREN number of the managing organisation (required when the establishment takes part)."),
    "organisation_name": gettext_lazy(
        "Name of the managing organisation (required when the establishment takes part)."
    ),
    "contact_email": gettext_lazy("Contact e-mail of the organisation, used to invite it (may be empty)."),
}


def _column_help(several_fields: bool) -> list[ColumnHelp]:
    rows = []
    for column in COLUMNS:
        if column.required or (column.key == "field" and several_fields):
            required: Promise | str = gettext_lazy("yes")
        elif column.key == "field":
            required = gettext_lazy("no: this network has one field")
        else:
            required = gettext_lazy("no")
        aliases = [alias for alias in column.aliases if alias != column.name]
        rows.append(ColumnHelp(column.name, aliases, required, _MEANINGS[column.key]))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def frame_import(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_network_for_user(request, slug, write=True)
    network = access.network
    form = FrameImportForm(request.POST, request.FILES) if request.method == "POST" else FrameImportForm()
    context: dict[str, Any] = {"access": access, "network": network, "form": form}
    if request.method == "POST" and form.is_valid():
        upload: UploadedFile = form.cleaned_data["file"]
        try:
            outcome = import_frame_file(
                network=network,
                filename=upload.name or "",
                content=upload.read(),
                acting_user=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except FrameFileError as error:
            form.add_error("file", _("This file cannot be read: %(reason)s.") % {"reason": error})
        else:
            if not outcome.ok:
                context.update(
                    filename=outcome.filename,
                    error_count=len(outcome.errors),
                    errors_shown=outcome.errors[:MAX_ERRORS_SHOWN],
                    errors_cut=len(outcome.errors) > MAX_ERRORS_SHOWN,
                )
            elif outcome.dry_run:
                context.update(filename=outcome.filename, rows=outcome.rows, check=outcome.result)
            else:
                result = outcome.result
                assert result is not None
                messages.success(
                    request,
                    _(
                        "%(file)s imported: %(created)d establishments created, %(updated)d updated, "
                        "%(unchanged)d unchanged; %(org_created)d organisations created, "
                        "%(org_updated)d updated."
                    )
                    % {
                        "file": outcome.filename,
                        "created": result.establishments_created,
                        "updated": result.establishments_updated,
                        "unchanged": result.establishments_unchanged,
                        "org_created": result.organisations_created,
                        "org_updated": result.organisations_updated,
                    },
                )
                return redirect("network:frame", network.slug)
    fields = list(network.fields.prefetch_related("establishment_types"))
    context.update(columns=_column_help(len(fields) > 1), fields=fields)
    status = 422 if form.errors or context.get("error_count") else 200
    return render(request, "network/frame_import.html", context, status=status)
