"""The reasons of import errors and the notes on a file, in the interface's language.

``socle.lib.imports`` gives each error a ``code``, an English ``reason`` and the ``params`` a translation
needs; pages and downloaded reports show the sentence below for the code, and the English reason for a code
this module does not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from socle.frameworks.models import text_in
from socle.lib.imports.files import ImportFileError, Note
from socle.lib.imports.mapping import MappingError
from socle.lib.imports.rows import RowError


def _formatted(template: str, params: Mapping[str, Any]) -> str:
    try:
        return template % dict(params)
    except (KeyError, TypeError, ValueError):
        return template


def reason(error: RowError) -> str:
    """Why the row was refused, in the active language."""
    code, params = error.code, error.params
    if code == "constraint":
        own = text_in(dict(error.text)) if error.text else ""
        if own:
            return _("This answer is not accepted by the questionnaire's rule: %(rule)s") % {"rule": own}
        return _("This answer is not accepted by the questionnaire's rule.")
    if code == "required":
        if params.get("dont_know"):
            return _("Required: write an answer, or dk for “don't know”.")
        return _("Required: write an answer.")
    if code == "wrong_shape" and params.get("multiple"):
        return _("Write dk on its own, or only answers from the list.")
    templates = {
        "unknown_choice": _("Not one of the answers offered: write a code (%(accepted)s) or a label of the list."),
        "unknown_choices": _(
            "Not among the answers offered: %(items)s. Write codes (%(accepted)s) or labels, separated by ; or |."
        ),
        "not_a_choice": _("Not one of the answers offered (%(accepted)s)."),
        "not_an_integer": _("Not a whole number: write digits only, for example 3."),
        "not_a_number": _("Not a number: write for example 12 or 12,5."),
        "not_a_date": _("Not a date: write it as DD/MM/YYYY or YYYY-MM-DD, for example 31/03/2024."),
        "no_such_day": _("There is no such day: write a real date."),
        "too_long": _("Too long: at most %(max)s characters."),
        "not_asked": _("This question is not asked given the row's other answers: leave the cell empty."),
        "dont_know_not_offered": _("“Don't know” is not offered for this question: write an answer."),
        "wrong_shape": _("This answer cannot be read: check it."),
        "row_id_missing": _("Required: every row needs its row id."),
        "row_id_too_long": _("Too long for a row id: at most %(max)s characters."),
        "row_id_duplicate": _("This row id is already used on row %(first)s: each row needs its own."),
        "establishment_missing": _("Required: the establishment's FINESS number or name."),
        "establishment_unknown": _("No establishment of this campaign has this FINESS number or name."),
        "establishment_ambiguous": _("Several establishments of the campaign have this name: write the FINESS number."),
        "followup_code_character": _(
            "This code has a character that follow-up codes do not use: check it against the card."
        ),
        "followup_code_length": _("A follow-up code has %(expected)s characters, this one has %(count)s."),
        "followup_code_check": _("This code has a typing mistake: check each character against the card."),
        "quote_consent": _("Write oui or non, or leave the cell empty."),
        "target_twice": _("The columns “%(first)s” and this one both give %(target)s: keep one."),
        "no_question": _(
            "No column gives the answer to a question of the questionnaire: map the columns to questions."
        ),
        "establishment_column": _(
            "The file must say each row's establishment: add a column finess (or etablissement), or choose the "
            "establishment."
        ),
        "required_question_missing": _(
            "The question %(question)s is required and no column gives it: add the column or map one to it."
        ),
        "no_rows": _("The file has a header row but no rows of answers."),
        "conflict": _(
            "This row id was already imported with other %(what)s: nothing was changed. A stored answer is never "
            "changed by an import."
        ),
        "mapping": _("The column mapping cannot be applied: %(detail)s."),
    }
    template = templates.get(code)
    if template is None:
        return error.reason
    if code == "conflict":
        parts = {
            "answers": _("answers"),
            "establishment": _("establishment"),
            "followup_code": _("follow-up code"),
            "quote_consent": _("quote consent"),
        }
        what = ", ".join(parts.get(part, part) for part in str(params.get("what", "answers")).split(","))
        return _formatted(template, {"what": what})
    return _formatted(template, params)


def note(item: Note | Mapping[str, str]) -> str:
    code = item.code if isinstance(item, Note) else item.get("code", "")
    message = item.message if isinstance(item, Note) else item.get("message", "")
    if code == "encoding_latin1":
        return _(
            "The file is not in UTF-8: it was read as Windows-1252 (Latin-1). Check the accented letters in the "
            "preview, or save the file again as “CSV UTF-8”."
        )
    return message


def file_problem(error: ImportFileError) -> str:
    """Why a file cannot be read at all."""
    templates = {
        "empty": _("The file is empty: choose the file that holds the answers."),
        "workbook_as_csv": _("This file is an Excel workbook with a .csv name: rename it to .xlsx."),
        "old_format": _("%(extension)s files are not read: save the sheet as an Excel workbook (.xlsx) or as CSV."),
        "extension": _("This type of file is not read: choose a .csv or .xlsx file."),
        "too_many_columns": _("Row %(row)s has more than %(limit)s columns: remove the columns that hold no answers."),
        "too_many_rows": _("The file has more than %(limit)s rows: split it into several files."),
        "encoding": _("The characters of this file cannot be read: save it again as “CSV UTF-8”."),
        "binary": _("This file is not a CSV text file: save the sheet as “CSV UTF-8” or as .xlsx."),
        "csv": _("This CSV file cannot be read (%(detail)s): save it again as “CSV UTF-8”."),
        "workbook": _("This Excel workbook cannot be read: open it and save it again as .xlsx."),
    }
    template = templates.get(error.code)
    return _formatted(template, error.params) if template else str(error)


def mapping_problem(error: MappingError) -> str:
    templates = {
        "column_unknown": _("The file has no column “%(column)s”."),
        "column_ambiguous": _("Several columns are titled “%(column)s”: give the columns different titles."),
        "column_twice": _("The column “%(column)s” is mapped twice: keep one."),
        "target_twice": _("The columns “%(first)s” and “%(column)s” both give %(target)s: keep one."),
        "role_not_here": _("%(role)s cannot be read from the file for this import."),
        "question_unknown": _("The questionnaire has no question “%(question)s”."),
    }
    template = templates.get(error.code)
    return _formatted(template, error.params) if template else str(error)
