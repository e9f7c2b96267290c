"""Questionnaires as XLSForms, the spreadsheets of KoboToolbox and ODK: reading one, writing one.

No Django here. `read_xlsform` turns an XLSForm (.xlsx, .xlsm, .xls) into one Socle questionnaire and its choice
lists, as `docs/framework-format.md` describes them; `write_xlsform` writes a questionnaire as an XLSForm that
pyxform converts, and that `read_xlsform` reads back the same.

Reading. pyxform reads the file and converts it first: a file pyxform refuses raises `XLSFormError`, its message
prefixed with the file's name. The rows are then taken from pyxform's own reading (its spreadsheet backend and its
column names: aliases such as `caption`, `relevance`, `bind::relevant`, single-colon language columns), with the
spreadsheet row number of each. Nothing Socle cannot keep is dropped silently: a row that would change what is
asked or answered is listed in `unsupported` (and the caller must refuse the import); something that does not
change answers (metadata fields, appearances, pictures attached to labels, unknown columns) is said in `notes`.

- Types: `select_one L` → `single_choice`, `select_multiple L` → `multiple_choice` (choice list `L`), `integer`,
  `decimal`, `date`, `text` (`long_text` with the appearance `multiline`), `note` (pyxform's aliases too: `int`,
  `string`, `select one from L`…). `calculate` → a score (its `calculation` is the expression). `begin group` /
  `end group` → sections: questions outside any group go to a section `main` labelled with the form's title; nested
  groups are flattened into successive sections, the relevance of the enclosing groups joined with `and`.
- Refused: repeats and loops, GPS (`geopoint`, `geotrace`, `geoshape`, `start-geopoint`), media (`image`, `audio`,
  `video`, `file`, `background-audio`), `barcode`, `time`, `datetime`, `range`, `rank`, `acknowledge`, `trigger`,
  `hidden`, external data (`select_one_from_file`, `select_one_external`, `xml-external`, `csv-external`),
  `or_other`, `choice_filter`, `default`, `read_only`, a computed `calculation` on a question, `required` under a
  condition, a relevance on a `calculate`, labels and hints that insert answers (`${…}`), ODK entities, unknown
  types, and every expression Socle's parser (`expressions.parse`) cannot read (`jr:choice-name`, `position(..)`,
  `/data/…` paths, `indexed-repeat`, `concat`…), the parser's message being part of the reason.
- Kept aside as notes: the metadata types `start`, `end`, `today`, `deviceid`, `subscriberid`, `simserial`,
  `phonenumber`, `username`, `email`, `audit` (and their aliases), appearances, disabled rows, settings other than
  the title, id and default language.
- Languages. A column `label::Français (fr)` is in the language of the code in parentheses (its primary subtag:
  `pt-BR` → `pt`); `label::French`, `label::English`… are looked up in a table of common names (English, French
  and native names); another name is refused. The untranslated `label` column is in the settings' `default_language`
  or else in the `default_language` argument. The code `xx-x-easy` (`label::Facile à lire (fr-x-easy)`) is the
  easy-read variant of `xx`: it gives `easy_label`, `easy_hint` (and `easy_title`, `easy_intro`).
- French. Socle's texts need French, and no translation is ever made up. A form whose label columns have no
  French is refused once, on its header row ("the form has no French labels"), with the advice to add
  `label::Français (fr)` columns or, when there is an untranslated `label` column, to import it with the default
  language `fr` if it is French. In a form with French labels, a row whose label, hint, constraint message (or the
  form's title) has no French text is refused. An easy-read text without French is not kept (a note says so). A
  `calculate` row without a label takes its name as its French label (noted).
- Names become Socle identifiers (`^[a-z][a-z0-9_]*$`, at most 64 characters): accents dropped, lower case, every
  other character `_`, `q_` in front of a leading digit or underscore, `_2`, `_3`… against duplicates; every
  `${name}` in the expressions follows. Choice list names likewise. Choice values are kept as they are, and must
  match `^[A-Za-z0-9_.-]+$`; `dk` is reserved for "don't know", so a choice `dk` is refused.
- Texts are the cells' text as pyxform's backend reads it: trimmed, and a non-breaking space becomes a space;
  typographic apostrophes and quotes are kept. Expressions, types and names are cleaned as pyxform cleans them
  (typographic quotes straightened, runs of spaces collapsed).
- The questionnaire always has `scores` (a list, maybe empty); the choice lists are all those of the choices
  sheet, used or not; `languages` are the codes of the translatable columns, the default language first.

Writing. Sheets `survey`, `choices` and `settings` (`form_title` in the default language, `form_id` = the code,
`default_language`). One column per language (`label::Français (fr)`, `label::English (en)`…) for labels, hints
and constraint messages; with `easy_read`, one per language that has easy-read texts (`label::Facile à lire
(fr-x-easy)`). Sections are groups, scores are `calculate` rows at the end. What XLSForm has no column for goes
in columns named `socle_…`, which pyxform, KoboToolbox and ODK carry along and ignore, and which the reading
restores: `socle_type` (`scale` and `either_or`, written as `select_one`, a scale with the appearance `likert`),
`socle_dont_know` (`yes`: the question offers "don't know"; no `dk` choice is added to the lists, so the lists
stay the same and a `dk` choice stays refused), `socle_min` / `socle_max` on scores, `socle_picture` on choices,
and on the settings sheet `socle_title::…` (the title in the other languages), `socle_intro::…`,
`socle_audience`, `socle_waves`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from pyxform import aliases, constants  # type: ignore[import-untyped]
from pyxform.errors import PyXFormError  # type: ignore[import-untyped]
from pyxform.parsing.sheet_headers import process_header  # type: ignore[import-untyped]
from pyxform.question import MultipleChoiceQuestion, Option  # type: ignore[import-untyped]
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT  # type: ignore[import-untyped]
from pyxform.survey import Survey  # type: ignore[import-untyped]
from pyxform.xls2json import RE_BEGIN_CONTROL, RE_END_CONTROL, RE_OSM, RE_SELECT  # type: ignore[import-untyped]
from pyxform.xls2json_backends import get_xlsform  # type: ignore[import-untyped]
from pyxform.xls2xform import convert  # type: ignore[import-untyped]

from . import expressions

__all__ = ["UnsupportedRow", "XLSFormError", "XLSFormImport", "read_xlsform", "write_xlsform"]

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
NAME_MAX = 64
CHOICE_VALUE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
DONT_KNOW = "dk"
AUDIENCES = ("people_supported", "staff", "partners")
WAVES = ("entry", "follow_up", "exit")
EASY_SUFFIX = "-x-easy"

# fmt: off
# Language names as XLSForms write them (English, French and native names), lower case without accents.
LANGUAGE_NAMES: Mapping[str, str] = {
    "french": "fr", "francais": "fr", "english": "en", "anglais": "en", "spanish": "es", "espanol": "es",
    "espagnol": "es", "arabic": "ar", "arabe": "ar", "العربية": "ar", "portuguese": "pt", "portugues": "pt",
    "portugais": "pt", "german": "de", "deutsch": "de", "allemand": "de", "italian": "it", "italiano": "it",
    "italien": "it", "dutch": "nl", "nederlands": "nl", "neerlandais": "nl", "romanian": "ro", "romana": "ro",
    "roumain": "ro", "ukrainian": "uk", "українська": "uk", "ukrainien": "uk", "russian": "ru", "русский": "ru",
    "russe": "ru", "polish": "pl", "polski": "pl", "polonais": "pl", "turkish": "tr", "turkce": "tr", "turc": "tr",
    "chinese": "zh", "中文": "zh", "chinois": "zh", "japanese": "ja", "日本語": "ja", "japonais": "ja",
    "vietnamese": "vi", "tieng viet": "vi", "vietnamien": "vi", "persian": "fa", "farsi": "fa", "فارسی": "fa",
    "persan": "fa", "dari": "prs", "pashto": "ps", "pachto": "ps", "tigrinya": "ti", "tigrigna": "ti",
    "amharic": "am", "amharique": "am", "somali": "so", "swahili": "sw", "kiswahili": "sw", "wolof": "wo",
    "bambara": "bm", "lingala": "ln", "hindi": "hi", "bengali": "bn", "urdu": "ur", "ourdou": "ur", "tamil": "ta",
    "tamoul": "ta", "albanian": "sq", "shqip": "sq", "albanais": "sq", "serbian": "sr", "serbe": "sr",
    "croatian": "hr", "hrvatski": "hr", "croate": "hr", "bulgarian": "bg", "bulgare": "bg", "georgian": "ka",
    "georgien": "ka", "armenian": "hy", "armenien": "hy", "kurdish": "ku", "kurde": "ku", "greek": "el",
    "grec": "el", "hungarian": "hu", "magyar": "hu", "hongrois": "hu", "czech": "cs", "cestina": "cs",
    "tcheque": "cs", "macedonian": "mk", "macedonien": "mk", "malagasy": "mg", "malgache": "mg",
    "haitian creole": "ht", "creole haitien": "ht", "korean": "ko", "coreen": "ko", "tagalog": "tl",
    "nepali": "ne", "punjabi": "pa", "pendjabi": "pa", "hausa": "ha", "haoussa": "ha", "yoruba": "yo",
    "igbo": "ig", "fula": "ff", "peul": "ff", "hebrew": "he", "hebreu": "he", "mongolian": "mn", "thai": "th",
}
# The names the writer gives to language columns.
LANGUAGE_DISPLAY: Mapping[str, str] = {
    "fr": "Français", "en": "English", "es": "Español", "ar": "العربية", "pt": "Português", "de": "Deutsch",
    "it": "Italiano", "nl": "Nederlands", "ro": "Română", "uk": "Українська", "ru": "Русский", "pl": "Polski",
    "tr": "Türkçe", "zh": "中文", "fa": "فارسی", "prs": "Dari", "ps": "Pashto", "ti": "Tigrinya", "am": "Amharic",
    "so": "Soomaali", "sw": "Kiswahili", "wo": "Wolof", "bm": "Bambara", "ln": "Lingala", "sq": "Shqip",
    "sr": "Srpski", "ka": "Georgian", "hy": "Armenian", "ku": "Kurdî", "bg": "Български",
}
# Survey columns the reading uses or refuses; other columns with values are noted as not kept.
_USED_COLUMNS: frozenset[Tokens] = frozenset({
    ("type",), ("name",), ("label",), ("hint",), ("bind", "relevant"), ("bind", "required"), ("bind", "constraint"),
    ("bind", "jr:constraintMsg"), ("bind", "calculate"), ("control", "appearance"), ("choice_filter",),
    ("default",), ("trigger",), ("bind", "readonly"), ("control", "jr:count"), ("disabled",), ("parameters",),
    ("socle_type",), ("socle_dont_know",), ("socle_min",), ("socle_max",),
})
_SETTINGS_USED = frozenset({
    "title", "id_string", "default_language", "socle_title", "socle_intro", "socle_audience", "socle_waves",
    "clean_text_values",
})
# The keys of the texts in a questionnaire or a choice list.
TEXT_KEYS = frozenset({
    "label", "easy_label", "hint", "easy_hint", "title", "easy_title", "intro", "easy_intro", "constraint_message",
})
# fmt: on
EASY_DISPLAY: Mapping[str, str] = {"fr": "Facile à lire", "en": "Easy read"}

_CODE_IN_PARENTHESES = re.compile(r"\(([^()]*)\)\s*$")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
_REFERENCE = re.compile(r"\$\{\s*([^{}\s]+)\s*\}")
# pyxform's cleaning of cell values: typographic quotes straightened, runs of spaces collapsed (clean_text_values).
_STRAIGHT_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_SPACES = re.compile(" +")

Tokens = tuple[str, ...]
Text = dict[str, str]

# Socle's question type for each XLSForm type that maps one to one (pyxform's aliases included).
SIMPLE_TYPES: Mapping[str, str] = {
    **dict.fromkeys(("text", "string", "q string", "add text prompt"), "text"),
    **dict.fromkeys(("integer", "int", "q int", "add integer prompt"), "integer"),
    **dict.fromkeys(("decimal", "q decimal", "add decimal prompt"), "decimal"),
    **dict.fromkeys(("date", "q date", "add date prompt"), "date"),
    **dict.fromkeys(("note", "q note", "add note prompt"), "note"),
}
CALCULATE_TYPES = frozenset({"calculate", "q calculate", "add calculate prompt"})
_GPS = "GPS capture is not supported"
_MEDIA = "photos, recordings, videos and files are not supported"
TYPE_REASONS: Mapping[str, str] = {
    "start-geopoint": _GPS,
    "background-geopoint": _GPS,
    "barcode": "barcode scanning is not supported",
    "time": "time answers are not supported (dates are)",
    "range": "range sliders are not supported: use an integer question with a constraint",
    "hidden": "hidden fields are not supported",
    "xml-external": "external data files are not supported",
    "csv-external": "external data files are not supported",
    "acknowledge": "acknowledge questions are not supported",
    "trigger": "acknowledge questions are not supported",
    "osm": "OpenStreetMap questions are not supported",
}
BIND_TYPE_REASONS: Mapping[str, str] = {
    "geopoint": _GPS,
    "geotrace": _GPS,
    "geoshape": _GPS,
    "binary": _MEDIA,
    "barcode": "barcode scanning is not supported",
    "time": "time answers are not supported (dates are)",
    "dateTime": "date-and-time answers are not supported (dates are)",
    "odk:rank": "ranking questions are not supported",
}
_TRANSLATED_COLUMNS = frozenset({("label",), ("hint",), ("bind", "jr:constraintMsg")})


class XLSFormError(ValueError):
    """The file is not an XLSForm that pyxform reads and converts; the message names the file and the fault."""


@dataclass(frozen=True)
class UnsupportedRow:
    """A row Socle cannot keep: `row` is the spreadsheet's row number (1 is the header row)."""

    sheet: str
    row: int
    name: str
    type: str
    reason: str

    def __str__(self) -> str:
        return f"{_where(self.sheet, self.row, self.name, self.type)}: {self.reason}"


def _where(sheet: str, row: int, name: str, kind: str) -> str:
    """`survey row 12 (geopoint 'location')`, `settings row 2`."""
    what = " ".join(part for part in (kind, f"'{name}'" if name else "") if part)
    return f"{sheet} row {row}{f' ({what})' if what else ''}"


@dataclass
class XLSFormImport:
    """What an XLSForm gives: one questionnaire, its choice lists, and what could not be kept."""

    questionnaire: dict[str, object]
    choice_lists: list[dict[str, object]]
    languages: list[str]
    unsupported: list[UnsupportedRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unsupported

    def summary(self) -> str:
        """A few lines for a person: title, languages, counts, then the notes and the rows refused."""
        q: Mapping[str, Any] = self.questionnaire
        title: Mapping[str, str] = q.get("title") or {}
        sections: list[Mapping[str, Any]] = q.get("sections") or []
        questions = [question for section in sections for question in section["questions"]]
        by_type = Counter(str(question["type"]) for question in questions)
        types = ", ".join(f"{count} {kind}" for kind, count in sorted(by_type.items()))
        lines = [
            f"{title.get('fr') or next(iter(title.values()), '')} ({q.get('code')})",
            f"Languages: {', '.join(self.languages) or 'none'}",
            f"{_count(len(sections), 'section')}, {_count(len(questions), 'question')}"
            + (f" ({types})" if types else "")
            + f", {_count(len(self.choice_lists), 'choice list')}, {_count(len(q.get('scores') or []), 'score')}",
        ]
        if self.notes:
            lines.append("Not kept (answers are not affected):")
            lines.extend(f"  {note}" for note in self.notes)
        if self.unsupported:
            lines.append(f"Refused: {_count(len(self.unsupported), 'row')} Socle cannot keep:")
            lines.extend(f"  {row}" for row in self.unsupported)
        return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


# --- Names and languages --------------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def slugify(text: str) -> str:
    """A Socle identifier made from an XLSForm name: `Q-1.a` → `q_1_a`, `1st` → `q_1st`, `Âge` → `age`."""
    slug = re.sub(r"[^a-z0-9]+", "_", _ascii(text).lower())
    if not slug or not slug[0].isalpha():
        slug = f"q_{slug}" if slug else "q"
    return slug[:NAME_MAX]


def unique_name(base: str, taken: set[str]) -> str:
    """`base`, or `base_2`, `base_3`… whichever is free, within 64 characters; the result is added to `taken`."""
    name, number = base, 1
    while name in taken:
        number += 1
        suffix = f"_{number}"
        name = base[: NAME_MAX - len(suffix)] + suffix
    taken.add(name)
    return name


def language_code(name: str) -> tuple[str, bool] | None:
    """The code and easy-read flag of an XLSForm language name, or None when it is not recognised.

    `Français (fr)` → `('fr', False)`, `English` → `('en', False)`, `Facile à lire (fr-x-easy)` → `('fr', True)`.
    """
    found = _CODE_IN_PARENTHESES.search(name)
    if found:
        code = found.group(1).strip().lower()
        easy = code.endswith(EASY_SUFFIX)
        primary = (code.removesuffix(EASY_SUFFIX) if easy else code).split("-")[0]
        return (primary, easy) if _LANGUAGE_CODE.fullmatch(primary) else None
    plain = " ".join(_ascii(name).lower().split()) or name.strip().lower()
    if plain in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[plain], False
    if name.strip().lower() in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[name.strip().lower()], False
    if plain in LANGUAGE_DISPLAY or plain in LANGUAGE_NAMES.values():
        return plain, False
    return None


def _yes(value: str) -> bool | None:
    """True or False for XLSForm's yes/no words (`yes`, `TRUE`, `true()`…), None for anything else."""
    answer = aliases.yes_no.get(value.strip())
    return answer if isinstance(answer, bool) else None


# --- pyxform's reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """One spreadsheet row: its number, and its cells keyed by pyxform's column tokens (`('label', 'English')`)."""

    sheet: str
    number: int
    cells: Mapping[Tokens, str]

    def value(self, *key: str) -> str:
        return self.cells.get(key, "")

    def texts(self, *prefix: str) -> dict[str | None, str]:
        """The cells of a translatable column, keyed by language name (None for the untranslated column)."""
        size = len(prefix)
        return {
            (tokens[size] if len(tokens) > size else None): value
            for tokens, value in self.cells.items()
            if tokens[:size] == prefix and len(tokens) <= size + 1
        }


@dataclass(frozen=True)
class _Sheet:
    name: str
    headers: Mapping[Tokens, str]  # pyxform's tokens → the header as written
    rows: tuple[_Row, ...]


def _read_sheet(name: str, data: Any, header: Any, header_aliases: Any, header_columns: set[str]) -> _Sheet:
    """A sheet of pyxform's backend, its headers tokenised by pyxform (`process_header`), rows numbered."""
    data = list(data or [])
    written = list(header[0]) if header else list(dict.fromkeys(key for row in data for key in row))
    double_colon = any("::" in str(column) for column in written)
    tokens: dict[str, Tokens] = {}
    for column in written:
        tokens[str(column)] = tuple(process_header(str(column), double_colon, header_aliases, header_columns)[1])
    rows = tuple(
        _Row(name, number, {tokens.get(str(key), (str(key),)): str(value) for key, value in row.items() if value})
        for number, row in enumerate(data, start=2)
    )
    return _Sheet(name, {tokens[column]: column for column in tokens}, rows)


def _convert_with_pyxform(path: Path) -> None:
    """Let pyxform read and convert the file; any fault becomes an XLSFormError naming the file."""
    try:
        convert(xlsform=str(path), warnings=[])
    except PyXFormError as error:
        raise XLSFormError(f"{path.name}: {error}") from error
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:  # pyxform's own slips
        raise XLSFormError(f"{path.name}: pyxform could not convert it ({type(error).__name__}: {error})") from error


def _read_workbook(path: Path) -> tuple[_Sheet, _Sheet, _Sheet, _Sheet]:
    try:
        book = get_xlsform(xlsform=str(path))
    except PyXFormError as error:
        raise XLSFormError(f"{path.name}: {error}") from error
    option_columns = set(Option.get_slot_names())
    return (
        _read_sheet(
            "survey",
            book.survey,
            book.survey_header,
            aliases.survey_header,
            set(MultipleChoiceQuestion.get_slot_names()),
        ),
        _read_sheet("choices", book.choices, book.choices_header, aliases.list_header, option_columns),
        _read_sheet(
            "settings", book.settings, book.settings_header, aliases.settings_header, set(Survey.get_slot_names())
        ),
        _read_sheet("entities", book.entities, book.entities_header, {}, set()),
    )


# --- Reading: what each survey row is -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """What a survey row is: `skip`, `begin` (detail: group, repeat, loop), `end`, `metadata`, `question` (with
    its Socle type, and for a select its list in `detail`), `score`, or `unsupported` (detail: the reason)."""

    kind: str
    socle_type: str = ""
    detail: str = ""


def _is_metadata(xform_type: str) -> bool:
    spec = QUESTION_TYPE_DICT.get(xform_type)
    return xform_type == "audit" or (spec is not None and "jr:preload" in spec.get("bind", {}))


def _type_reason(xform_type: str) -> str:
    if xform_type in TYPE_REASONS:
        return TYPE_REASONS[xform_type]
    spec = QUESTION_TYPE_DICT.get(xform_type)
    if spec is None:
        return f"the question type '{xform_type}' is not known"
    bind_type = str(spec.get("bind", {}).get("type", ""))
    if bind_type in BIND_TYPE_REASONS:
        return BIND_TYPE_REASONS[bind_type]
    if spec.get("control", {}).get("tag") == "trigger":
        return TYPE_REASONS["acknowledge"]
    if "constraint" in spec.get("bind", {}):
        return f"the shortcut type '{xform_type}' adds a rule of its own: use integer or text with a constraint"
    return f"the question type '{xform_type}' is not supported"


def _select_kind(found: re.Match[str]) -> _Kind:
    command, list_name = found.group("select_command"), found.group("list_name")
    xform_type = aliases.select[command]
    if found.group("specify_other"):
        return _Kind("unsupported", detail="'or other' adds a free-text answer to the choices, which Socle does not do")
    if command in aliases.select_from_file or Path(list_name).suffix in constants.EXTERNAL_INSTANCE_EXTENSIONS:
        return _Kind("unsupported", detail="choices read from a file are not supported")
    if xform_type == constants.SELECT_ONE_EXTERNAL:
        return _Kind("unsupported", detail="external choices (select_one_external) are not supported")
    if xform_type == constants.RANK:
        return _Kind("unsupported", detail="ranking questions are not supported")
    if list_name.startswith("${"):
        return _Kind("unsupported", detail="choices taken from earlier answers are not supported")
    socle_type = "single_choice" if xform_type == constants.SELECT_ONE else "multiple_choice"
    return _Kind("question", socle_type, list_name)


def _classify(xform_type: str) -> _Kind:
    """What a survey row of this (cleaned) type is, with pyxform's aliases and patterns."""
    xform_type = aliases._type_alias_map.get(xform_type, xform_type)
    if not xform_type or xform_type in aliases.settings_header:
        return _Kind("skip")
    if RE_END_CONTROL.search(xform_type):
        return _Kind("end")
    begin = RE_BEGIN_CONTROL.search(xform_type)
    if begin:
        return _Kind("begin", detail=str(aliases.control[begin.group("type")]))
    select = RE_SELECT.search(xform_type)
    if select:
        return _select_kind(select)
    if RE_OSM.search(xform_type):
        return _Kind("unsupported", detail=TYPE_REASONS["osm"])
    if xform_type in SIMPLE_TYPES:
        return _Kind("question", SIMPLE_TYPES[xform_type])
    if xform_type in CALCULATE_TYPES:
        return _Kind("score")
    if _is_metadata(xform_type):
        return _Kind("metadata")
    return _Kind("unsupported", detail=_type_reason(xform_type))


@dataclass
class _Group:
    """An open group: the section its next question goes to is made on demand, so empty groups leave none."""

    code: str
    label: Text
    easy_label: Text | None
    relevance: str | None
    questions: list[dict[str, object]] | None = None


# --- Reading ---------------------------------------------------------------------------------------------------


def _describe(row: _Row) -> tuple[str, str]:
    """The name and type shown for a row: a question's name and type, a choice's value and list, else nothing."""
    if row.sheet == "survey":
        return row.value("name"), row.value("type")
    if row.sheet == "choices":
        return row.value("name"), row.value(constants.LIST_NAME_S)
    return "", ""


class _Reader:
    """One reading of one file: the sheets, the problems and notes found, the names given."""

    def __init__(self, path: Path, default_language: str, code: str | None) -> None:
        self.path = path
        self.code = code
        self.survey, self.choices, self.settings, self.entities = _read_workbook(path)
        self.setting_row = self.settings.rows[0] if self.settings.rows else _Row("settings", 2, {})
        self.clean = _yes(self.setting_row.value("clean_text_values")) is not False
        self.unsupported: list[UnsupportedRow] = []
        self.notes: list[str] = []
        self.default = self._default_language(default_language)
        self.language_of: dict[str | None, tuple[str, bool]] = {}
        self.languages: list[str] = []
        self.has_french = False
        self.renames: dict[str, str] = {}
        self.names: dict[int, str] = {}
        self.metadata: set[str] = set()
        self.notes_named: set[str] = set()
        self.list_names: dict[str, str] = {}

    # Problems and notes

    def refuse(self, row: _Row, reason: str, *, name: str | None = None) -> None:
        """List the row as one Socle cannot keep; `name` overrides the row's own (for settings)."""
        own_name, kind = _describe(row)
        self.unsupported.append(UnsupportedRow(row.sheet, row.number, own_name if name is None else name, kind, reason))

    def note(self, row: _Row, text: str) -> None:
        own_name, kind = _describe(row)
        self.notes.append(f"{_where(row.sheet, row.number, own_name, kind)}: {text}")

    def clean_value(self, row: _Row, *key: str) -> str:
        """A non-text cell as pyxform cleans it (typographic quotes straightened, spaces collapsed)."""
        value = row.value(*key).translate(_STRAIGHT_QUOTES)
        return (_SPACES.sub(" ", value) if self.clean else value).strip()

    # Languages

    def _default_language(self, fallback: str) -> str:
        written = self.setting_row.value("default_language")
        if not written:
            return fallback
        found = language_code(written)
        if found is None or found[1]:
            self.refuse(
                self.setting_row,
                f"the default language '{written}' is not recognised: write it like 'Français (fr)'",
                name="default_language",
            )
            return fallback
        return found[0]

    def resolve_languages(self) -> None:
        """Give each language name of a translatable column its code; refuse unknown or doubled languages."""
        fields = (
            (self.survey, _TRANSLATED_COLUMNS),
            (self.choices, frozenset({("label",)})),
            (self.settings, frozenset({("title",), ("socle_title",), ("socle_intro",)})),
        )
        found: list[tuple[str, bool]] = []
        labels: list[tuple[str, bool]] = []
        for sheet, prefixes in fields:
            for prefix in sorted(prefixes):
                # The untranslated form_title says nothing of the form's languages: it is in the default one.
                counts = sheet is not self.settings or prefix != ("title",)
                languages = self._resolve_columns(sheet, prefix, counts=counts)
                found.extend(languages)
                labels.extend(languages if sheet is not self.settings and prefix == ("label",) else [])
        self.has_french = ("fr", False) in labels
        self.languages = sorted(dict.fromkeys(code for code, _easy in found), key=lambda code: code != self.default)
        if not self.has_french:
            self._refuse_without_french()

    def _refuse_without_french(self) -> None:
        advice = "add label::Français (fr) columns"
        if ("label",) in self.survey.headers:
            advice += ", or, if the untranslated label column is in French, import it with the default language fr"
        reason = f"the form has no French labels (its languages: {', '.join(self.languages) or 'none'}), and Socle "
        self.unsupported.append(UnsupportedRow("survey", 1, "label", "column", reason + f"needs French: {advice}"))

    def _resolve_columns(self, sheet: _Sheet, prefix: Tokens, *, counts: bool) -> list[tuple[str, bool]]:
        """The languages of the columns of one field; `counts`: whether the untranslated column counts as one."""
        found: list[tuple[str, bool]] = []
        seen: dict[tuple[str, bool], str] = {}
        size = len(prefix)
        for tokens, header in sheet.headers.items():
            if tokens[:size] != prefix or len(tokens) > size + 1:
                continue
            key = tokens[size] if len(tokens) > size else None
            language = (self.default, False) if key is None else language_code(key)
            if language is None:
                reason = f"the language '{key}' is not recognised: add its code in parentheses, like '{key} (xx)'"
                self.unsupported.append(UnsupportedRow(sheet.name, 1, header, "column", reason))
                continue
            if key is not None and language in seen:
                reason = f"the columns '{seen[language]}' and '{header}' are in the same language"
                self.unsupported.append(UnsupportedRow(sheet.name, 1, header, "column", reason))
            if key is not None:
                seen[language] = header
            self.language_of[key] = language
            if key is not None or counts:
                found.append(language)
        return found

    def texts(self, row: _Row, raw: Mapping[str | None, str], what: str) -> tuple[Text | None, Text | None]:
        """A text and its easy-read variant from the cells of a translatable column, French required."""
        plain: Text = {}
        easy: Text = {}
        for key in sorted(raw, key=lambda k: k is not None):  # a language's own column wins over the untranslated
            if key in self.language_of:
                code, is_easy = self.language_of[key]
                (easy if is_easy else plain)[code] = raw[key]
        if any("${" in value for value in (*plain.values(), *easy.values())):
            self.refuse(row, f"its {what} inserts answers (${{…}}), which Socle does not do")
        if plain and "fr" not in plain and self.has_french:
            self.refuse(row, f"its {what} has no French text (it has {', '.join(plain)})")
        if easy and "fr" not in easy:
            self.note(row, f"its easy-read {what} has no French text and is not kept")
            easy = {}
        return self._ordered(plain) or None, self._ordered(easy) or None

    def _ordered(self, text: Text) -> Text:
        order = {code: index for index, code in enumerate(["fr", *self.languages])}
        return dict(sorted(text.items(), key=lambda item: order.get(item[0], len(order))))

    # Names

    def allocate_names(self) -> None:
        """Socle names for every question and score row, before any expression is read (they may look ahead)."""
        taken: set[str] = set()
        for row in self.survey.rows:
            kind = self.kind(row)
            original = self.clean_value(row, "name")
            if kind.kind == "metadata":
                self.metadata.add(original)
            if kind.kind not in ("question", "score", "unsupported"):
                continue
            new = unique_name(slugify(original or f"note_{row.number}"), taken)
            self.names[row.number] = new
            if original:
                self.renames.setdefault(original, new)
            if kind.socle_type == "note":
                self.notes_named.add(original)

    def kind(self, row: _Row) -> _Kind:
        if not row.cells or _yes(row.value("disabled")):
            return _Kind("skip")
        return _classify(self.clean_value(row, "type"))

    # Expressions

    def expression(self, row: _Row, text: str, what: str, *, allow_current: bool = False) -> str | None:
        """The expression with Socle names, or None (and the row refused) when Socle cannot read it."""
        if not text:
            return None
        for name in dict.fromkeys(_REFERENCE.findall(text)):
            problem = self._reference_problem(name)
            if problem:
                self.refuse(row, f"its {what} refers to ${{{name}}}, {problem}")
        renamed = _REFERENCE.sub(lambda found: "${" + self.renames.get(found.group(1), found.group(1)) + "}", text)
        try:
            parsed = expressions.parse(renamed)
        except expressions.ExpressionError as error:
            self.refuse(row, f"its {what} '{text}' cannot be read by Socle: {error}")
            return None
        if expressions.uses_current(parsed) and not allow_current:
            self.refuse(row, f"its {what} '{text}' uses '.', which Socle allows only in a constraint")
        return renamed

    def _reference_problem(self, name: str) -> str:
        if name in self.metadata:
            return "a metadata field Socle does not keep"
        if name in self.notes_named:
            return "a note, which takes no answer"
        if name not in self.renames:
            return "which is not a question or a score"
        return ""

    # Settings

    def title(self) -> tuple[Text, Text | None]:
        raw = {**self.setting_row.texts("title"), **self.setting_row.texts("socle_title")}
        title, easy = self.texts(self.setting_row, raw, "title")
        return title or {"fr": self.path.stem}, easy

    def questionnaire_code(self) -> str:
        if self.code is not None:
            return self.code
        return slugify(self.setting_row.value("id_string") or self.path.stem)

    def audience_and_waves(self) -> tuple[str, list[str]]:
        row = self.setting_row
        audience = row.value("socle_audience").strip() or "people_supported"
        if audience not in AUDIENCES:
            self.refuse(row, f"the audience '{audience}' is not one of {', '.join(AUDIENCES)}", name="socle_audience")
        written = row.value("socle_waves").strip()
        waves = re.split(r"[\s,]+", written) if written else ["entry"]
        for wave in waves:
            if wave not in WAVES:
                self.refuse(row, f"the wave '{wave}' is not one of {', '.join(WAVES)}", name="socle_waves")
        return audience, waves

    def note_settings(self) -> None:
        ignored = sorted(
            header
            for tokens, header in self.settings.headers.items()
            if tokens in self.setting_row.cells and tokens[0] not in _SETTINGS_USED
        )
        if ignored:
            self.notes.append(f"settings not kept: {', '.join(ignored)}")

    # Choice lists

    def choice_lists(self) -> list[dict[str, object]]:
        lists: dict[str, dict[str, Any]] = {}
        taken: set[str] = set()
        for row in self.choices.rows:
            original = self.clean_value(row, constants.LIST_NAME_S)
            if not original:
                continue
            if original not in lists:
                self.list_names[original] = unique_name(slugify(original), taken)
                lists[original] = {"name": self.list_names[original], "choices": []}
            choice = self.choice(row, original, lists[original]["choices"])
            if choice:
                lists[original]["choices"].append(choice)
        self._note_columns(
            self.choices, frozenset({(constants.LIST_NAME_S,), ("name",), ("label",), ("socle_picture",)})
        )
        return list(lists.values())

    def choice(self, row: _Row, list_name: str, previous: list[dict[str, object]]) -> dict[str, object] | None:
        value = self.clean_value(row, "name")
        problems = []
        if value == DONT_KNOW:
            problems.append(
                "the value 'dk' is reserved in Socle for \"don't know / prefer not to say\": rename "
                "this choice, and offer don't know on the question instead (column socle_dont_know)"
            )
        elif not CHOICE_VALUE.fullmatch(value):
            problems.append(f"the value '{value}' is not a Socle choice value (letters, digits, _ . -; at most 64)")
        elif any(choice["value"] == value for choice in previous):
            problems.append(f"the value '{value}' is already in the list '{list_name}'")
        for problem in problems:
            self.refuse(row, problem)
        label, easy = self.texts(row, row.texts("label"), "label")
        if not label:
            pictured = any(tokens[0] == "media" for tokens in row.cells)
            reason = "the choice has a picture but no label" if pictured else "the choice has no label"
            self.refuse(row, reason)
        picture = row.value("socle_picture")
        if picture and not NAME_PATTERN.fullmatch(picture):
            self.refuse(row, f"the picture '{picture}' is not a pictogram name")
        if problems or not label:
            return None
        return _without_empty({"value": value, "label": label, "easy_label": easy, "picture": picture})

    def _note_columns(self, sheet: _Sheet, used: frozenset[Tokens]) -> None:
        """One note for each column of the sheet that has values and that the reading does not use."""
        for tokens, header in sheet.headers.items():
            if tokens in used or tokens[:-1] in _TRANSLATED_COLUMNS:
                continue
            if not any(tokens in row.cells for row in sheet.rows):
                continue
            if tokens[0] == "media":
                self.notes.append(f"{sheet.name} column '{header}': pictures, sounds and videos are not kept")
            else:
                self.notes.append(f"{sheet.name} column '{header}' is not kept")

    # The survey

    def walk(self, title: Text) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        """Sections and scores, from the survey rows in order."""
        sections: list[dict[str, object]] = []
        scores: list[dict[str, object]] = []
        stack = [_Group("main", title, None, None)]
        section_codes: set[str] = set()
        for row in self.survey.rows:
            kind = self.kind(row)
            if kind.kind == "skip":
                if row.cells and _yes(row.value("disabled")):
                    self.note(row, "disabled, so left out (as pyxform does)")
            elif kind.kind == "begin":
                self.begin(row, kind, stack, title)
            elif kind.kind == "end":
                if len(stack) > 1:
                    stack.pop()
            elif kind.kind == "metadata":
                self.note(row, "a metadata field, not kept")
            elif kind.kind == "unsupported":
                self.refuse(row, kind.detail)
            elif kind.kind == "score":
                scores.append(self.score(row))
            else:
                question = self.question(row, kind)
                self.place(question, stack[-1], sections, section_codes)
        self._note_columns(self.survey, _USED_COLUMNS)
        return sections, scores

    def begin(self, row: _Row, kind: _Kind, stack: list[_Group], title: Text) -> None:
        if kind.detail != "group":
            self.refuse(row, "repeated groups are not supported: Socle asks each question once")
        label, easy = self.texts(row, row.texts("label"), "label")
        if not label:
            self.note(row, "the group has no label: its section takes the form's title")
        if row.texts("hint"):
            self.note(row, "the group's hint is not kept")
        relevance = self.expression(row, self.clean_value(row, "bind", "relevant"), "relevance")
        self._note_appearance(row, set())
        parent = stack[-1]
        parent.questions = None
        combined = [text for text in (parent.relevance, relevance) if text]
        joined = " and ".join(f"({text})" for text in combined) if len(combined) > 1 else next(iter(combined), None)
        code = slugify(self.clean_value(row, "name") or f"group_{row.number}")
        stack.append(_Group(code, label or title, easy, joined))

    def place(
        self, question: dict[str, object], group: _Group, sections: list[dict[str, object]], codes: set[str]
    ) -> None:
        if group.questions is None:
            group.questions = []
            section = {
                "code": unique_name(group.code, codes),
                "label": group.label,
                "easy_label": group.easy_label,
                "relevance": group.relevance,
            }
            sections.append({**_without_empty(section), "questions": group.questions})
        group.questions.append(question)

    def question(self, row: _Row, kind: _Kind) -> dict[str, object]:
        socle_type = self._socle_type(row, kind)
        label, easy_label = self.texts(row, row.texts("label"), "label")
        if not label:
            self.refuse(row, "the question has no label")
        hint, easy_hint = self.texts(row, row.texts("hint"), "hint")
        self._refuse_columns(row, calculate=False)
        question: dict[str, object | None] = {
            "name": self.names[row.number],
            "type": socle_type,
            "label": label,
            "easy_label": easy_label,
            "hint": hint,
            "easy_hint": easy_hint,
            "choices": self.list_names.get(kind.detail) if kind.detail else None,
            "dont_know": _yes(row.value("socle_dont_know")) or None,
            "required": self._required(row),
            "relevance": self.expression(row, self.clean_value(row, "bind", "relevant"), "relevance"),
        }
        constraint = self.expression(row, self.clean_value(row, "bind", "constraint"), "constraint", allow_current=True)
        message, easy_message = self.texts(row, row.texts("bind", "jr:constraintMsg"), "constraint message")
        if easy_message:
            self.note(row, "its easy-read constraint message is not kept")
        question.update(constraint=constraint, constraint_message=message)
        if socle_type == "note":
            self._answerless(row, question)
        elif question["constraint_message"] and not constraint:
            self.note(row, "a constraint message without a constraint, not kept")
            question["constraint_message"] = None
        return _without_empty(question)

    def _socle_type(self, row: _Row, kind: _Kind) -> str:
        """The Socle type: the XLSForm type's, `long_text` for a multiline text, or the `socle_type` column's."""
        socle_type = kind.socle_type
        words = set(self.clean_value(row, "control", "appearance").split())
        used: set[str] = set()
        if socle_type == "text" and "multiline" in words:
            socle_type, used = "long_text", {"multiline"}
        written = self.clean_value(row, "socle_type")
        if written and written != socle_type:
            fits = {"single_choice": {"scale", "either_or"}, "text": {"long_text"}}.get(kind.socle_type, set())
            if written in fits:
                socle_type = written
                used = {"likert"} if written == "scale" else used
            else:
                self.refuse(row, f"the socle_type '{written}' does not fit the XLSForm type")
        self._note_appearance(row, used)
        return socle_type

    def _note_appearance(self, row: _Row, used: set[str]) -> None:
        rest = [word for word in self.clean_value(row, "control", "appearance").split() if word not in used]
        if rest:
            self.note(row, f"the appearance '{' '.join(rest)}' is not kept")

    def _required(self, row: _Row) -> bool | None:
        written = self.clean_value(row, "bind", "required")
        if not written:
            return None
        answer = _yes(written)
        if answer is None:
            self.refuse(row, f"required only under a condition ('{written}') is not supported")
        return answer or None

    def _answerless(self, row: _Row, question: dict[str, object | None]) -> None:
        for key in ("required", "dont_know", "constraint", "constraint_message"):
            if question.get(key):
                self.note(row, f"a note takes no answer: its {key.replace('_', ' ')} is not kept")
                question[key] = None

    def _refuse_columns(self, row: _Row, *, calculate: bool) -> None:
        """Refuse the columns that change how a question is answered and that Socle does not have."""
        checks = (
            (("choice_filter",), "cascading selects (choice_filter) are not supported"),
            (("default",), "default answers are not supported"),
            (("trigger",), "answers recomputed by a trigger are not supported"),
            (("control", "jr:count"), "repeat counts are not supported"),
        )
        for key, reason in checks:
            if row.value(*key):
                self.refuse(row, reason)
        if _yes(row.value("bind", "readonly")):
            self.refuse(row, "read-only questions are not supported")
        if not calculate and row.value("bind", "calculate"):
            self.refuse(row, "a calculation on a question (a computed answer) is not supported")
        if self.clean_value(row, "parameters"):
            self.note(row, f"the parameters '{self.clean_value(row, 'parameters')}' are not kept")

    def score(self, row: _Row) -> dict[str, object]:
        name = self.names[row.number]
        label, easy = self.texts(row, row.texts("label"), "label")
        if not label:
            self.note(row, "the calculation has no label: its name is its label")
        if easy or row.texts("hint"):
            self.note(row, "the easy-read label and the hint of a calculation are not kept")
        if row.value("bind", "relevant"):
            self.refuse(row, "a calculation made only under a condition (relevant) is not supported")
        self._refuse_columns(row, calculate=True)
        score: dict[str, object | None] = {
            "name": name,
            "label": label or {"fr": name},
            "expression": self.expression(row, self.clean_value(row, "bind", "calculate"), "calculation"),
            "min": self._number(row, "socle_min"),
            "max": self._number(row, "socle_max"),
        }
        return _without_empty(score)

    def _number(self, row: _Row, column: str) -> int | float | None:
        written = row.value(column).strip()
        if not written:
            return None
        try:
            number = float(written)
        except ValueError:
            self.refuse(row, f"the {column} '{written}' is not a number")
            return None
        return int(number) if number.is_integer() and "." not in written else number

    def refuse_entities(self) -> None:
        for row in self.entities.rows:
            if row.cells:
                name = row.value("dataset") or row.value("list_name")
                self.refuse(row, "ODK entities (data shared between forms) are not supported", name=name)

    # Everything

    def read(self) -> XLSFormImport:
        self.resolve_languages()
        self.allocate_names()
        choice_lists = self.choice_lists()
        title, easy_title = self.title()
        intro, easy_intro = self.texts(self.setting_row, self.setting_row.texts("socle_intro"), "introduction")
        audience, waves = self.audience_and_waves()
        sections, scores = self.walk(title)
        self.refuse_entities()
        self.note_settings()
        if not sections and not self.unsupported:
            self.unsupported.append(UnsupportedRow("survey", 1, "", "", "the form has no question Socle can keep"))
        questionnaire = _without_empty(
            {
                "code": self.questionnaire_code(),
                "audience": audience,
                "waves": waves,
                "title": title,
                "easy_title": easy_title,
                "intro": intro,
                "easy_intro": easy_intro,
                "sections": sections,
            }
        )
        questionnaire["sections"] = sections
        questionnaire["scores"] = scores
        order = {"survey": 0, "choices": 1, "settings": 2, "entities": 3}
        self.unsupported.sort(key=lambda row: (order.get(row.sheet, 4), row.row))
        return XLSFormImport(questionnaire, choice_lists, self.languages, self.unsupported, self.notes)


def _without_empty(mapping: Mapping[str, object | None]) -> dict[str, object]:
    return {key: value for key, value in mapping.items() if value is not None and value != "" and value != {}}


def read_xlsform(path: Path, *, default_language: str = "fr", code: str | None = None) -> XLSFormImport:
    """Read an XLSForm into one Socle questionnaire (see the module's docstring for the mapping).

    `default_language` is the language of untranslated columns when the settings name none; `code` is the
    questionnaire's code (else the settings' `form_id`, else the file's name). Raises `XLSFormError` for a file
    that is not a readable XLSForm; a form Socle cannot keep whole comes back with `ok` false.
    """
    path = Path(path)
    if not _LANGUAGE_CODE.fullmatch(default_language):
        raise ValueError(f"the default language '{default_language}' is not a language code like 'fr'")
    if code is not None and (not NAME_PATTERN.fullmatch(code) or len(code) > NAME_MAX):
        raise ValueError(f"the code '{code}' is not a Socle code (^[a-z][a-z0-9_]*$, at most 64 characters)")
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        raise XLSFormError(f"{path.name}: not an XLSForm spreadsheet ({', '.join(SPREADSHEET_SUFFIXES)})")
    if not path.is_file():
        raise XLSFormError(f"{path.name}: no such file")
    _convert_with_pyxform(path)
    return _Reader(path, default_language, code).read()


# --- Writing ---------------------------------------------------------------------------------------------------

# Socle type → (XLSForm type, appearance, socle_type column)
EXPORT_TYPES: Mapping[str, tuple[str, str, str]] = {
    "single_choice": ("select_one", "", ""),
    "multiple_choice": ("select_multiple", "", ""),
    "scale": ("select_one", "likert", "scale"),
    "either_or": ("select_one", "", "either_or"),
    "integer": ("integer", "", ""),
    "decimal": ("decimal", "", ""),
    "date": ("date", "", ""),
    "text": ("text", "", ""),
    "long_text": ("text", "multiline", ""),
    "note": ("note", "", ""),
}


def _language_column(column: str, code: str, *, easy: bool = False) -> str:
    if easy:
        name = EASY_DISPLAY.get(code, f"{LANGUAGE_DISPLAY.get(code, code)}, facile à lire")
        return f"{column}::{name} ({code}{EASY_SUFFIX})"
    return f"{column}::{LANGUAGE_DISPLAY.get(code, code)} ({code})"


def _texts_of(value: object) -> Iterator[tuple[str, Mapping[str, str]]]:
    """Every (key, text) pair in a questionnaire or list of choice lists, walking dicts and lists."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in TEXT_KEYS and isinstance(item, Mapping):
                yield str(key), item
            else:
                yield from _texts_of(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts_of(item)


@dataclass(frozen=True)
class _Columns:
    languages: tuple[str, ...]
    easy: tuple[str, ...]

    def text(
        self, column: str, text: Mapping[str, str] | None, easy: Mapping[str, str] | None = None, *, skip: str = ""
    ) -> dict[str, object]:
        cells: dict[str, object] = {}
        for code in self.languages:
            if code != skip and text and code in text:
                cells[_language_column(column, code)] = text[code]
        for code in self.easy:
            if easy and code in easy:
                cells[_language_column(column, code, easy=True)] = easy[code]
        return cells

    def headers(self, column: str, *, skip: str = "") -> list[list[str]]:
        plain = [_language_column(column, code) for code in self.languages if code != skip]
        return [plain, [_language_column(column, code, easy=True) for code in self.easy]]


def _survey_rows(questionnaire: Mapping[str, Any], columns: _Columns) -> Iterator[dict[str, object]]:
    for section in questionnaire["sections"]:
        yield {
            "type": "begin group",
            "name": section["code"],
            **columns.text("label", section.get("label"), section.get("easy_label")),
            "relevant": section.get("relevance"),
        }
        for question in section["questions"]:
            yield _question_row(question, columns)
        yield {"type": "end group", "name": section["code"]}
    for score in questionnaire.get("scores") or []:
        yield {
            "type": "calculate",
            "name": score["name"],
            **columns.text("label", score.get("label")),
            "calculation": score["expression"],
            "socle_min": score.get("min"),
            "socle_max": score.get("max"),
        }


def _question_row(question: Mapping[str, Any], columns: _Columns) -> dict[str, object]:
    if question["type"] not in EXPORT_TYPES:
        raise ValueError(f"unknown question type '{question['type']}' (question '{question.get('name')}')")
    xform_type, appearance, socle_type = EXPORT_TYPES[question["type"]]
    if "choices" in question:
        xform_type = f"{xform_type} {question['choices']}"
    return {
        "type": xform_type,
        "name": question["name"],
        **columns.text("label", question.get("label"), question.get("easy_label")),
        **columns.text("hint", question.get("hint"), question.get("easy_hint")),
        "required": "yes" if question.get("required") else None,
        "relevant": question.get("relevance"),
        "constraint": question.get("constraint"),
        **columns.text("constraint_message", question.get("constraint_message")),
        "appearance": appearance,
        "socle_type": socle_type,
        "socle_dont_know": "yes" if question.get("dont_know") else None,
    }


def _choice_rows(choice_lists: Sequence[Mapping[str, Any]], columns: _Columns) -> Iterator[dict[str, object]]:
    for choice_list in choice_lists:
        for choice in choice_list["choices"]:
            yield {
                "list_name": choice_list["name"],
                "name": choice["value"],
                **columns.text("label", choice.get("label"), choice.get("easy_label")),
                "socle_picture": choice.get("picture"),
            }


def _settings_row(questionnaire: Mapping[str, Any], columns: _Columns) -> dict[str, object]:
    default = columns.languages[0]
    title: Mapping[str, str] = questionnaire.get("title") or {}
    waves = questionnaire.get("waves")
    return {
        "form_title": title.get(default),
        "form_id": questionnaire["code"],
        "default_language": f"{LANGUAGE_DISPLAY.get(default, default)} ({default})",
        **columns.text("socle_title", title, questionnaire.get("easy_title"), skip=default),
        **columns.text("socle_intro", questionnaire.get("intro"), questionnaire.get("easy_intro")),
        "socle_audience": questionnaire.get("audience"),
        "socle_waves": " ".join(waves) if waves else None,
    }


def _write_sheet(
    book: Any, title: str, groups: Sequence[Sequence[str]], always: set[str], rows: Sequence[Mapping[str, object]]
) -> None:
    """A sheet whose columns are the groups with a value somewhere (or listed in `always`), in order."""
    used = {key for row in rows for key, value in row.items() if value not in (None, "")}
    headers = [h for group in groups if any(h in used or h in always for h in group) for h in group]
    sheet = book.create_sheet(title)
    for column, header in enumerate(headers, start=1):
        sheet.cell(row=1, column=column, value=header)
    for number, row in enumerate(rows, start=2):
        for column, header in enumerate(headers, start=1):
            value = row.get(header)
            if value in (None, ""):
                continue
            cell = sheet.cell(row=number, column=column, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a text, not a formula


def _single(*headers: str) -> list[list[str]]:
    return [[header] for header in headers]


def write_xlsform(
    questionnaire: Mapping[str, Any],
    choice_lists: Sequence[Mapping[str, Any]],
    languages: Sequence[str],
    *,
    easy_read: bool = True,
) -> bytes:
    """The questionnaire as an .xlsx XLSForm (see the module's docstring); `languages[0]` is its default language.

    Languages found in the texts but not listed get columns too, after the listed ones, so that nothing is lost.
    """
    everything = [questionnaire, list(choice_lists)]
    found = [code for _key, text in _texts_of(everything) for code in text]
    codes = tuple(dict.fromkeys([*languages, *found])) or ("fr",)
    easy_codes = {code for key, text in _texts_of(everything) if key.startswith("easy_") for code in text}
    columns = _Columns(codes, tuple(code for code in codes if code in easy_codes) if easy_read else ())
    book = Workbook()
    book.remove(book.active)
    label, hint, message = columns.headers("label"), columns.headers("hint"), columns.headers("constraint_message")
    survey_groups = [
        *_single("type", "name"), *label, *hint, *_single("required", "relevant", "constraint"), *message,
        *_single("calculation", "appearance", "socle_type", "socle_dont_know", "socle_min", "socle_max"),
    ]  # fmt: skip
    _write_sheet(book, "survey", survey_groups, {"type", "name", *label[0]}, list(_survey_rows(questionnaire, columns)))
    choice_groups = [*_single("list_name", "name"), *label, *_single("socle_picture")]
    _write_sheet(
        book, "choices", choice_groups, {"list_name", "name", *label[0]}, list(_choice_rows(choice_lists, columns))
    )
    default = codes[0]
    settings_groups = [
        *_single("form_title", "form_id", "default_language"), *columns.headers("socle_title", skip=default),
        *columns.headers("socle_intro"), *_single("socle_audience", "socle_waves"),
    ]  # fmt: skip
    _write_sheet(
        book, "settings", settings_groups, {"form_id", "default_language"}, [_settings_row(questionnaire, columns)]
    )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
