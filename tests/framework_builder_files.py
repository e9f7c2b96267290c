"""A small XLSForm written with openpyxl, for the import tests."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook


def xlsform_bytes(*, geopoint: bool = False, form_id: str = "jardin") -> bytes:
    import io

    book = Workbook()
    book.remove(book.active)
    survey = book.create_sheet("survey")
    survey.append(["type", "name", "label::Français (fr)", "label::English (en)", "relevant"])
    survey.append(["begin group", "g_garden", "Le jardin", "The garden", ""])
    survey.append(["select_one yn", "garden_visit", "Venez-vous au jardin ?", "Do you come to the garden?", ""])
    survey.append(["integer", "garden_hours", "Combien d'heures ?", "How many hours?", "${garden_visit} = 'oui'"])
    if geopoint:
        survey.append(["geopoint", "garden_place", "Où est le jardin ?", "Where is the garden?", ""])
    survey.append(["end group", "", "", "", ""])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Français (fr)", "label::English (en)"])
    choices.append(["yn", "oui", "Oui", "Yes"])
    choices.append(["yn", "non", "Non", "No"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id"])
    settings.append(["Enquête jardin", form_id])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_xlsform_file(path: Path, **options: object) -> Path:
    path.write_bytes(xlsform_bytes(**options))  # type: ignore[arg-type]
    return path
