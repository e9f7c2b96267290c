"""The forms of the organisation framework builder, the adoption, the upgrade and the XLSForm upload.

Each builder form turns its cleaned data into the new organisation document (`document()`), with the pure edits
of `socle.lib.frameworks.edit`; the view then saves it through `actions.save_draft`, which checks it whole.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.frameworks import presentation
from socle.frameworks.models import FrameworkVersion
from socle.lib.frameworks import edit

MAX_XLSFORM_BYTES = 5 * 1024 * 1024
XLSFORM_SUFFIXES = (".xlsx", ".xlsm", ".xls")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NEW_YES_NO = "__new_yes_no__"
CHOICE_TYPES = ("single_choice", "multiple_choice", "scale", "either_or")

CODE_HELP = gettext_lazy(
    "A code: a lowercase letter, then lowercase letters, digits or underscores (at most 64 characters). "
    "It must not be used by the sector framework or elsewhere in yours; starting it with own_ is a good habit."
)
code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]*\Z",
    gettext_lazy("Use a lowercase letter, then lowercase letters, digits or underscores."),
)


def code_field(label: str | Any, **kwargs: Any) -> forms.CharField:
    kwargs.setdefault("help_text", CODE_HELP)
    return forms.CharField(label=label, max_length=64, validators=[code_validator], **kwargs)


def _text(fr: str, en: str = "") -> dict[str, str]:
    text = {"fr": fr.strip()}
    if en.strip():
        text["en"] = en.strip()
    return text


class AdoptForm(forms.Form):
    framework = forms.SlugField()
    version = forms.IntegerField(min_value=1)


def _nodes(doc: Mapping[str, Any], kinds: Sequence[str]) -> list[tuple[str, str]]:
    return [
        (n["code"], f"{presentation.text_in(n['label'])} ({n['code']})")
        for n in doc.get("nodes", [])
        if n["kind"] in kinds
    ]


class BuilderForm(forms.Form):
    """A form of the builder page; `document` makes the new organisation document from the cleaned data."""

    def __init__(self, version: FrameworkVersion, effective: Mapping[str, Any], *args: Any, **kwargs: Any) -> None:
        self.version = version
        self.effective = effective
        self.base: Mapping[str, Any] = version.base_version.content if version.base_version else {}
        super().__init__(*args, **kwargs)

    def document(self) -> dict[str, Any]:
        raise NotImplementedError


class OutcomeForm(BuilderForm):
    code = code_field(gettext_lazy("Code"))
    label_fr = forms.CharField(label=gettext_lazy("Label in French"), max_length=300)
    label_en = forms.CharField(label=gettext_lazy("Label in English"), max_length=300, required=False)
    term = forms.ChoiceField(
        label=gettext_lazy("Term"),
        choices=[("short", gettext_lazy("Short term")), ("medium", gettext_lazy("Medium term"))],
    )
    follows = forms.ChoiceField(
        label=gettext_lazy("Follows from (optional)"),
        required=False,
        help_text=gettext_lazy("The activity, output or outcome that leads to this outcome: a link is added."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["follows"].choices = [("", _("(none)")), *_nodes(self.effective, ("activity", "output", "outcome"))]

    def document(self) -> dict[str, Any]:
        data = self.cleaned_data
        node = {
            "code": data["code"],
            "kind": "outcome",
            "term": data["term"],
            "label": _text(data["label_fr"], data["label_en"]),
        }
        doc = edit.add_node(self.version.content, node)
        if data["follows"]:
            doc = edit.add_link(doc, {"from": data["follows"], "to": data["code"]})
        return doc


class QuestionForm(BuilderForm):
    questionnaire = forms.ChoiceField(label=gettext_lazy("Sector questionnaire"))
    name = code_field(gettext_lazy("Question name"))
    type = forms.ChoiceField(
        label=gettext_lazy("Type of answer"),
        choices=[(k, v) for k, v in presentation.QUESTION_TYPE_LABELS.items()],
    )
    label_fr = forms.CharField(label=gettext_lazy("Question in French"), max_length=500)
    label_en = forms.CharField(label=gettext_lazy("Question in English"), max_length=500, required=False)
    easy_label_fr = forms.CharField(
        label=gettext_lazy("Easy-read question in French (optional)"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("Short words and short sentences (FALC)."),
    )
    choices = forms.ChoiceField(
        label=gettext_lazy("Choice list"),
        required=False,
        help_text=gettext_lazy(
            "For single choice, multiple choice, either-or and pictorial scale questions only. "
            "An either-or question needs 2 choices, a pictorial scale 3 or 5."
        ),
    )
    required = forms.BooleanField(label=gettext_lazy("An answer is required"), required=False)
    # METHODS.md §7: always offer it; ticked to start with, so leaving it out is a choice
    dont_know = forms.BooleanField(
        label=gettext_lazy("Offer “I don't know / I prefer not to answer”"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Keep it: without it, people answer at random or give up."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].choices = [
            (q["code"], f"{presentation.text_in(q['title'])} ({q['code']})")
            for q in self.base.get("questionnaires", [])
        ]
        lists = [
            (cl["name"], f"{cl['name']}: {', '.join(presentation.text_in(c['label']) for c in cl['choices'])}")
            for cl in self.effective.get("choice_lists", [])
        ]
        self.fields["choices"].choices = [("", _("(none)")), (NEW_YES_NO, _("A new yes / no list")), *lists]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, choices = data.get("type"), data.get("choices")
        if kind in CHOICE_TYPES and not choices:
            self.add_error("choices", _("Choose the list of possible answers."))
        if kind and kind not in CHOICE_TYPES and choices:
            self.add_error("choices", _("Only a choice question has a choice list: choose “(none)”."))
        return data

    def _section(self, questionnaire: str) -> tuple[str, dict[str, str]]:
        """The organisation's last own section in this questionnaire, or a new one named after the organisation."""
        for extension in self.version.content.get("questionnaire_extensions", []):
            if extension["questionnaire"] == questionnaire and extension["sections"]:
                section = extension["sections"][-1]
                return section["code"], section["label"]
        merged = presentation.find(self.effective.get("questionnaires", []), "code", questionnaire) or {}
        taken = {s["code"] for s in merged.get("sections", [])}
        code, n = "own_questions", 2
        while code in taken:
            code, n = f"own_questions_{n}", n + 1
        name = self.version.framework.organisation.name if self.version.framework.organisation else ""
        label = {"fr": f"Questions de {name}".strip()}
        if "en" in self.effective.get("languages", []):
            label["en"] = f"Questions from {name}".strip()
        return code, label

    def document(self) -> dict[str, Any]:
        data = self.cleaned_data
        doc: dict[str, Any] = copy.deepcopy(self.version.content)
        question: dict[str, Any] = {
            "name": data["name"],
            "type": data["type"],
            "label": _text(data["label_fr"], data["label_en"]),
        }
        if data["easy_label_fr"].strip():
            question["easy_label"] = {"fr": data["easy_label_fr"].strip()}
        if data["choices"] == NEW_YES_NO:
            yes_no = {
                "name": "own_yes_no",
                "choices": [
                    {"value": "oui", "label": {"fr": "Oui", "en": "Yes"}},
                    {"value": "non", "label": {"fr": "Non", "en": "No"}},
                ],
            }
            if "en" not in self.effective.get("languages", []):
                for choice in yes_no["choices"]:
                    choice["label"].pop("en")
            doc, question["choices"] = edit.ensure_choice_list(doc, yes_no, base=self.base)
        elif data["choices"]:
            question["choices"] = data["choices"]
        if data["required"]:
            question["required"] = True
        if data["dont_know"]:
            question["dont_know"] = True
        section_code, section_label = self._section(data["questionnaire"])
        return edit.add_extension_question(doc, data["questionnaire"], section_code, section_label, question)


EXPRESSION_HELP = gettext_lazy(
    "Over the answers to the questionnaires chosen above, with question names: ${question} = 'oui' counts the "
    "people who answered oui; combine with and, or, not(…), compare numbers with < <= > >=. For a proportion: who "
    "counts; for a mean: the number to average (${question}); for a count: which answers count (optional)."
)


class IndicatorForm(BuilderForm):
    code = code_field(gettext_lazy("Code"))
    label_fr = forms.CharField(label=gettext_lazy("Label in French"), max_length=300)
    label_en = forms.CharField(label=gettext_lazy("Label in English"), max_length=300, required=False)
    definition_fr = forms.CharField(
        label=gettext_lazy("Definition in French"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome or impact it measures"))
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[(k, presentation.KIND_LABELS[k]) for k in ("proportion", "mean", "count")],
        help_text=gettext_lazy("Computed over the answers to questionnaires."),
    )
    questionnaires = forms.MultipleChoiceField(
        label=gettext_lazy("Questionnaires that feed it"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Every question the expression uses must be in each of them."),
    )
    expression = forms.CharField(
        label=gettext_lazy("Expression"),
        max_length=2000,
        required=False,
        help_text=EXPRESSION_HELP,
        widget=forms.TextInput(attrs={"spellcheck": "false", "placeholder": "${question} = 'oui'"}),
    )
    unit = forms.CharField(
        label=gettext_lazy("Unit (optional)"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Write “%” for a proportion shown as a percentage."),
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("Which way is better"), choices=list(presentation.DIRECTION_LABELS.items())
    )
    maps_to = forms.ChoiceField(
        label=gettext_lazy("Maps to the sector indicator"),
        required=False,
        help_text=gettext_lazy("The sector indicator this one feeds, where one applies."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = _nodes(self.effective, ("outcome", "impact"))
        self.fields["questionnaires"].choices = [
            (q["code"], f"{presentation.text_in(q['title'])} ({q['code']})")
            for q in self.effective.get("questionnaires", [])
        ]
        self.fields["maps_to"].choices = [("", _("(none)"))] + [
            (i["code"], f"{presentation.text_in(i['label'])} ({i['code']})") for i in self.base.get("indicators", [])
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") in ("proportion", "mean") and not (data.get("expression") or "").strip():
            self.add_error("expression", _("A proportion or a mean needs an expression."))
        return data

    def document(self) -> dict[str, Any]:
        data = self.cleaned_data
        indicator: dict[str, Any] = {
            "code": data["code"],
            "label": _text(data["label_fr"], data["label_en"]),
            "definition": _text(data["definition_fr"]),
            "outcomes": [data["outcome"]],
            "kind": data["kind"],
            "source": "answers",
            "questionnaires": list(data["questionnaires"]),
        }
        expression = data["expression"].strip()
        if data["kind"] == "proportion":
            indicator["numerator"] = expression
        elif data["kind"] == "mean":
            indicator["value"] = expression
        elif expression:
            indicator["condition"] = expression
        unit = data["unit"].strip()
        if unit:
            indicator["unit"] = unit
            if data["kind"] == "proportion" and unit == "%":
                indicator["factor"] = 100
        indicator["direction"] = data["direction"]
        if data["maps_to"]:
            indicator["maps_to"] = data["maps_to"]
        return edit.add_indicator(self.version.content, indicator)


BUILDER_FORMS: dict[str, type[BuilderForm]] = {
    "outcome": OutcomeForm,
    "question": QuestionForm,
    "indicator": IndicatorForm,
}


class RemoveForm(forms.Form):
    collection = forms.ChoiceField(choices=[(c, c) for c in edit.REMOVABLE])
    code = forms.CharField(max_length=200)
    confirm = forms.BooleanField(required=False)


class UpgradeForm(forms.Form):
    to = forms.IntegerField(min_value=1)


class XLSFormUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("XLSForm file (.xlsx or .xls)"),
        help_text=gettext_lazy(
            "A form made for KoboToolbox or ODK, 5 MB at most. Nothing is written if a row "
            "cannot be kept: the rows are listed."
        ),
    )
    code = forms.CharField(
        label=gettext_lazy("Questionnaire code (optional)"),
        max_length=64,
        required=False,
        validators=[code_validator],
        help_text=gettext_lazy(
            "A lowercase letter, then lowercase letters, digits or underscores. Without it, the "
            "form's id is used. It must not be the code of a questionnaire already there."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(XLSFORM_SUFFIXES):
            raise forms.ValidationError(_("Choose an .xlsx or .xls file."))
        if upload.size > MAX_XLSFORM_BYTES:
            raise forms.ValidationError(_("This file is larger than 5 MB."))
        return upload
