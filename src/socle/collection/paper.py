"""The printable paper version of a collection link's questionnaire (PDF, WeasyPrint).

Every question is printed, numbered as on screen; a question that the answers before it may skip carries an
instruction in words (`socle.lib.collection.paper`). The page shows the link and its QR code, so that staff can
type a paper form in later through the link (mode "paper"), and, at follow-up and exit, boxes for the follow-up
code. Nothing about the person is printed: the form is blank.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import segno
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from socle.collection.models import CollectionLink, Wave
from socle.frameworks import presentation
from socle.lib.collection.followup import BODY_LENGTH, GROUP
from socle.lib.collection.paper import Condition, condition_of

UI_LANGUAGES = ("fr", "en")


@dataclass
class PaperQuestion:
    number: int
    view: presentation.QuestionView
    instruction: str
    lines: int  # writing lines for an open answer


@dataclass
class PaperSection:
    label: str
    instruction: str
    questions: list[PaperQuestion]


def _instruction(condition: Condition | None, numbers: Mapping[str, int], labels: Mapping[str, dict[str, str]]) -> str:
    if condition is None or condition.question not in numbers:
        return _("Answer only if this applies to you.")
    number = numbers[condition.question]
    if not condition.values:
        if condition.answered:
            return _("Answer only if you answered question %(number)s.") % {"number": number}
        return _("Answer only if you did not answer question %(number)s.") % {"number": number}
    words = " / ".join(f"“{labels.get(condition.question, {}).get(v, v)}”" for v in condition.values)
    if condition.answered:
        return _("Answer only if you answered %(answers)s to question %(number)s.") % {
            "answers": words,
            "number": number,
        }
    return _("Skip this question if you answered %(answers)s to question %(number)s.") % {
        "answers": words,
        "number": numbers[condition.question],
    }


def sections_for_paper(sections: Sequence[presentation.SectionView]) -> list[PaperSection]:
    numbers: dict[str, int] = {}
    labels: dict[str, dict[str, str]] = {}
    number = 0
    for section in sections:
        for question in section.questions:
            if question.type != "note":
                number += 1
                numbers[question.name] = number
                labels[question.name] = {c.value: c.label for c in question.choices}
    out = []
    for section in sections:
        questions = []
        for question in section.questions:
            instruction = _instruction(condition_of(question.relevance), numbers, labels) if question.relevance else ""
            lines = 6 if question.type == "long_text" else 2 if question.type == "text" else 0
            questions.append(PaperQuestion(numbers.get(question.name, 0), question, instruction, lines))
        instruction = _instruction(condition_of(section.relevance), numbers, labels) if section.relevance else ""
        out.append(PaperSection(section.label, instruction, questions))
    return out


def render_pdf(link: CollectionLink, *, url: str, lang: str, easy: bool) -> bytes:
    """The PDF of `link`'s questionnaire in `lang` (easy-read when asked and available)."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment, and only this page needs it

    version = link.campaign.framework_version
    document = version.effective_content()
    spec = presentation.find(document.get("questionnaires", []), "code", link.questionnaire_code)
    if spec is None:
        raise KeyError(link.questionnaire_code)
    languages = [str(code) for code in document.get("languages") or ["fr"]]
    lang = lang if lang in languages else languages[0]
    easy = easy and presentation.has_easy_read(spec)
    sections = presentation.questionnaire_sections(document, spec, lang=lang, easy=easy)
    qr = segno.make(url, error="m").svg_inline(scale=3, dark="#000", light="#fff")
    asks_code = spec.get("audience") == "people_supported" and link.campaign.wave in (Wave.FOLLOW_UP, Wave.EXIT)
    with translation.override(lang if lang in UI_LANGUAGES else "fr"):
        html = render_to_string(
            "collection/paper.html",
            {
                "lang": lang,
                "easy": easy,
                "title": presentation.pick(spec, "title", lang, easy),
                "intro": presentation.pick(spec, "intro", lang, easy),
                "organisation": link.organisation.name,
                "establishment": link.establishment.name,
                "campaign": link.campaign,
                "url": url,
                "qr": mark_safe(qr),  # noqa: S308 - segno's own SVG of our own URL
                "sections": sections_for_paper(sections),
                "asks_code": asks_code,
                "code_groups": [range(GROUP)] * ((BODY_LENGTH + 1) // GROUP),
                "wave": Wave(link.campaign.wave).label,
            },
        )
    return bytes(HTML(string=html).write_pdf())
