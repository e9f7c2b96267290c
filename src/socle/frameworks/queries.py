"""Reads for the framework pages that need the database: the consultation's tally and comment threads.

A few aggregate queries per page, never one per row. Member organisations only ever get their own comments
(`threads(..., organisation=...)`, on the tenant key).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from socle.frameworks.models import Consultation, ConsultationComment, IndicatorView, TargetKind, text_in
from socle.network.models import Organisation


@dataclass(frozen=True)
class Element:
    """One element of the draft a comment can target; `key` is the form value (`indicator:i01_rights`)."""

    kind: str
    code: str
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.code}"

    @property
    def kind_label(self) -> str:
        return str(TargetKind(self.kind).label)

    @property
    def anchor(self) -> str:
        return f"el-{self.kind}-{self.code.replace('/', '-')}" if self.code else f"el-{self.kind}"


def elements_of(doc: dict[str, Any]) -> list[Element]:
    """General, then the nodes, the indicators and the questions of each questionnaire, in the document's order."""
    out = [Element(TargetKind.GENERAL, "", _("The framework as a whole"))]
    out += [Element(TargetKind.NODE, n["code"], text_in(n["label"])) for n in doc.get("nodes", [])]
    out += [Element(TargetKind.INDICATOR, i["code"], text_in(i["label"])) for i in doc.get("indicators", [])]
    for questionnaire in doc.get("questionnaires", []):
        title = text_in(questionnaire["title"])
        for section in questionnaire["sections"]:
            for question in section["questions"]:
                out.append(
                    Element(
                        TargetKind.QUESTION,
                        f"{questionnaire['code']}/{question['name']}",
                        f"{title} — {text_in(question['label'])}",
                    )
                )
    return out


@dataclass
class TallyRow:
    code: str
    label: str
    keep: int = 0
    change: int = 0
    drop: int = 0
    in_draft: bool = True

    @property
    def answered(self) -> int:
        return self.keep + self.change + self.drop


def tally(consultation: Consultation, doc: dict[str, Any]) -> list[TallyRow]:
    """Keep / change / drop counts per indicator of the draft, in one aggregate query; indicators that left the
    draft after members gave views on them come last."""
    rows = {i["code"]: TallyRow(i["code"], text_in(i["label"])) for i in doc.get("indicators", [])}
    counts = (
        IndicatorView.objects.filter(consultation=consultation)
        .values("indicator_code", "view")
        .annotate(n=Count("id"))
        .order_by("indicator_code", "view")
    )
    for count in counts:
        code = count["indicator_code"]
        row = rows.setdefault(code, TallyRow(code, code, in_draft=False))
        setattr(row, count["view"], count["n"])
    return list(rows.values())


@dataclass
class Thread:
    comment: ConsultationComment
    answers: list[ConsultationComment] = field(default_factory=list)


@dataclass
class ElementThreads:
    element: Element
    in_draft: bool
    threads: list[Thread] = field(default_factory=list)


def threads(
    consultation: Consultation, doc: dict[str, Any], *, organisation: Organisation | None = None
) -> list[ElementThreads]:
    """Comments with their answers, grouped by element in the document's order, in one query.

    With `organisation`, only that organisation's comments and the network's answers to them (tenant key).
    """
    comments = consultation.comments.select_related("organisation")
    if organisation is not None:
        comments = comments.filter(
            Q(organisation_id=organisation.pk, reply_to__isnull=True)
            | Q(organisation__isnull=True, reply_to__organisation_id=organisation.pk)
        )
    top: list[Thread] = []
    by_id: dict[int, Thread] = {}
    answers: list[ConsultationComment] = []
    for comment in comments.order_by("created_at", "id"):
        if comment.reply_to_id is None:
            by_id[comment.pk] = thread = Thread(comment)
            top.append(thread)
        else:
            answers.append(comment)
    for answer in answers:
        if answer.reply_to_id in by_id:
            by_id[answer.reply_to_id].answers.append(answer)
    grouped: dict[tuple[str, str], list[Thread]] = defaultdict(list)
    for thread in top:
        grouped[(thread.comment.target_kind, thread.comment.target_code)].append(thread)
    out = []
    for element in elements_of(doc):
        found = grouped.pop((element.kind, element.code), None)
        if found:
            out.append(ElementThreads(element, True, found))
    for (kind, code), found in grouped.items():  # elements removed from the draft since they were commented on
        out.append(ElementThreads(Element(kind, code, code), False, found))
    return out


def taking_part(consultation: Consultation) -> int:
    """How many member organisations gave a view or a comment (two small aggregate queries)."""
    with_views = set(consultation.views.order_by().values_list("organisation_id", flat=True).distinct())
    with_comments = set(
        consultation.comments.filter(organisation__isnull=False)
        .order_by()
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    return len(with_views | with_comments)
