"""The respondent form at `/r/<code>/`: one public page, server-rendered, usable without JavaScript on a cheap phone.

The collection link's code is the only key. The flow, kept in the session under `respond:<code>`:

1. **start**: the questionnaire's title, what is collected and who sees it, the choice of language and of
   easy-read, and — for a signed-in member of the organisation's staff — the mode (assisted or paper);
2. **code** (follow-up and exit waves of questionnaires for people supported): the follow-up code, optional;
3. **section**: one section per screen, only the questions asked given the answers so far (the skip logic runs
   here, on the server); each "Next" checks this section's answers and keeps them in the session;
4. **closing**: the optional question on quoting open answers, and the button that sends everything through
   `socle.collection.actions.submit` — the one way answers enter Socle;
5. **thanks**: after a redirect (post/redirect/get), with the follow-up code at entry.

The submission's UUID is made at the start and kept until the thanks screen, so a repeated final POST is a resend
that stores one row. Nothing is stored before the final send; pages are never cached (a shared device must not
show the previous person's answers on "back").
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from socle.collection import actions
from socle.collection.access import get_link_for_respondent
from socle.collection.models import CollectionLink, Mode, Wave
from socle.frameworks import presentation
from socle.frameworks.models import text_in
from socle.lib.collection import followup
from socle.lib.collection.answers import DONT_KNOW, MAX_TEXT_LENGTH, AnswerError, Questionnaire
from socle.network.access import get_organisation_for_user

UI_LANGUAGES = ("fr", "en")  # languages of Socle's own strings; other languages get French ones
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})
CHOICE_TYPES = frozenset({"single_choice", "scale", "either_or"})
OPEN_TYPES = frozenset({"text", "long_text"})
STAFF_MODES = (Mode.ASSISTED, Mode.PAPER)
THANKS_SECONDS = 30 * 60  # how long the thanks screen (with the follow-up code) stays on a reload
MAX_CHOICE_LENGTH = 200
DATE_DMY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")


# --- The questionnaire behind a link ----------------------------------------------------------------------------


@dataclass
class _Form:
    link: CollectionLink
    document: Mapping[str, Any]
    spec: Mapping[str, Any]  # the questionnaire, as written in the effective document
    questionnaire: Questionnaire
    audience: str
    languages: list[str]
    has_easy: bool
    staff: bool  # the signed-in person is an admin or staff member of the link's organisation
    key: str  # the session key of this link's state

    @property
    def asks_code(self) -> bool:
        return self.audience == "people_supported" and self.link.campaign.wave in (Wave.FOLLOW_UP, Wave.EXIT)

    @property
    def names(self) -> list[list[str]]:
        """The names of each section's questions, notes included."""
        return [[q["name"] for q in s["questions"]] for s in self.spec["sections"]]

    def title(self, lang: str, easy: bool) -> str:
        return presentation.pick(self.spec, "title", lang, easy)


def _is_staff(request: HttpRequest, link: CollectionLink) -> bool:
    if not request.user.is_authenticated:
        return False
    try:
        access = get_organisation_for_user(request, link.organisation.slug)
    except Http404:
        return False
    return access.is_member_staff


def _form(request: HttpRequest, link: CollectionLink) -> _Form:
    version = link.campaign.framework_version
    try:
        questionnaire, audience = actions.questionnaire_of(version, link.questionnaire_code)
    except KeyError:
        raise Http404 from None
    document = version.effective_content()
    spec = presentation.find(document.get("questionnaires", []), "code", link.questionnaire_code)
    if spec is None:  # pragma: no cover - questionnaire_of found it
        raise Http404
    languages = [str(code) for code in document.get("languages") or ["fr"]]
    return _Form(
        link=link,
        document=document,
        spec=spec,
        questionnaire=questionnaire,
        audience=audience,
        languages=languages,
        has_easy=presentation.has_easy_read(spec),
        staff=_is_staff(request, link),
        key=f"respond:{link.code}",
    )


# --- Session state ------------------------------------------------------------------------------------------------


def _state(request: HttpRequest, form: _Form) -> dict[str, Any] | None:
    state = request.session.get(form.key)
    return state if isinstance(state, dict) else None


def _save(request: HttpRequest, form: _Form, state: dict[str, Any] | None) -> None:
    if state is None:
        request.session.pop(form.key, None)
    else:
        request.session[form.key] = state
    request.session.modified = True


def _relevant_sections(form: _Form, answers: Mapping[str, object]) -> list[int]:
    """The sections with at least one question asked (a note counts), given the answers so far."""
    relevant = form.questionnaire.relevant(answers)
    return [index for index, names in enumerate(form.names) if any(relevant.get(name) for name in names)]


def _next_section(form: _Form, answers: Mapping[str, object], after: int) -> int | None:
    return next((index for index in _relevant_sections(form, answers) if index > after), None)


def _go_forward(form: _Form, state: dict[str, Any], after: int) -> None:
    """To the first section asked after `after` (-1: the first one), or to the closing screen."""
    following = _next_section(form, state["answers"], after)
    if following is None:
        state["step"] = "closing"
    else:
        state["step"], state["section"] = "section", following


def _go_back(form: _Form, state: dict[str, Any], before: int) -> None:
    """To the last section asked before `before`, else to the follow-up code or the start screen."""
    earlier = [index for index in _relevant_sections(form, state["answers"]) if index < before]
    if earlier:
        state["step"], state["section"] = "section", earlier[-1]
    else:
        state["step"] = "code" if form.asks_code else "start"


def _prune(form: _Form, answers: dict[str, object]) -> dict[str, bool]:
    """Removes the answers of questions no longer asked; returns what is asked."""
    relevant = form.questionnaire.relevant(answers)
    for name in [name for name in answers if not relevant.get(name)]:
        del answers[name]
    return relevant


# --- Reading a posted section -------------------------------------------------------------------------------------


def _posted(post: QueryDict, question: presentation.QuestionView) -> object:
    """The raw answer posted for one question, capped in size (the answers module then checks it)."""
    field = f"a-{question.name}"
    if question.type == "multiple_choice":
        return [value[:MAX_CHOICE_LENGTH] for value in post.getlist(field)[: len(question.choices) + 1]]
    if question.dont_know and question.type not in CHOICE_TYPES and post.get(f"dk-{question.name}"):
        return DONT_KNOW
    value = post.get(field, "")
    limit = MAX_TEXT_LENGTH.get(question.type, MAX_CHOICE_LENGTH)
    value = value[: limit + 1]  # one more than allowed, so that "too long" is still reported
    if question.type == "date":
        match = DATE_DMY.fullmatch(value.strip())
        if match:  # a browser without a date picker: 31/03/2024
            day, month, year = match.groups()
            value = f"{year}-{int(month):02d}-{int(day):02d}"
    return value


def _merge(form: _Form, state: dict[str, Any], index: int, post: QueryDict) -> set[str]:
    """Keeps the answers of the questions shown on section `index`; returns the names shown."""
    section = form.spec["sections"][index]
    known = {q["name"] for q in section["questions"]}
    shown = {name for name in post.get("shown", "").split(",") if name in known}
    views = _section_views(form, state)[index]
    answers: dict[str, object] = state["answers"]
    for question in views.questions:
        if question.name not in shown or question.type == "note":
            continue
        value = _posted(post, question)
        if value in ("", [], None) or (isinstance(value, str) and not value.strip()):
            answers.pop(question.name, None)
        else:
            answers[question.name] = value
    return shown


def _section_views(form: _Form, state: Mapping[str, Any]) -> list[presentation.SectionView]:
    return presentation.questionnaire_sections(
        form.document, form.spec, lang=state.get("lang", "fr"), easy=bool(state.get("easy"))
    )


# --- Messages -----------------------------------------------------------------------------------------------------


def _dont_know_label() -> str:
    return _("I don't know / I prefer not to say")


def _required_message(question: presentation.QuestionView) -> str:
    kind, dont_know = question.type, question.dont_know
    if kind in CHOICE_TYPES:
        return _("Choose an answer, or “I don't know / I prefer not to say”.") if dont_know else _("Choose an answer.")
    if kind == "multiple_choice":
        return (
            _("Tick one or more answers, or “I don't know / I prefer not to say”.")
            if dont_know
            else _("Tick one or more answers.")
        )
    if kind in ("integer", "decimal"):
        return _("Write a number, or tick “I don't know / I prefer not to say”.") if dont_know else _("Write a number.")
    if kind == "date":
        return _("Give a date, or tick “I don't know / I prefer not to say”.") if dont_know else _("Give a date.")
    return _("Write an answer, or tick “I don't know / I prefer not to say”.") if dont_know else _("Write an answer.")


def _message(error: AnswerError, question: presentation.QuestionView, lang: str) -> str:
    """What the person should do, in the interface's language, for an error of the answers module."""
    code = error.code
    if code == "required":
        return _required_message(question)
    if code == "constraint":
        written = text_in(dict(error.text), lang) if error.text else ""
        return written or _("This answer is not accepted: check it and correct it.")
    if code == "too_long":
        return _("This answer is too long: shorten it to %(count)s characters or fewer.") % {
            "count": MAX_TEXT_LENGTH.get(question.type, 0)
        }
    if code == "wrong_shape" and question.type == "multiple_choice":
        return _("Tick “I don't know / I prefer not to say” on its own, or only answers from the list.")
    messages = {
        "not_a_choice": _("Choose one of the answers offered."),
        "not_an_integer": _("Write a whole number with digits only, for example 3."),
        "not_a_number": _("Write a number with digits, for example 12 or 12,5."),
        "not_a_date": _("Write the date as day/month/year, for example 31/03/2024."),
        "dont_know_not_offered": _("Choose one of the answers offered."),
    }
    return messages.get(code, _("Check this answer and correct it."))


def _code_problem(text: str) -> str:
    """Why a typed follow-up code cannot be right, in words that say what to check."""
    if not text.strip():
        return _("Type your follow-up code, or choose “I don't have my code”.")
    try:
        code = followup.normalise(text)
    except followup.FollowUpCodeError:
        return _("This code has a character that follow-up codes do not use. Check each character against your card.")
    expected = followup.BODY_LENGTH + 1
    if len(code) != expected:
        return _("A follow-up code has %(expected)s characters; you typed %(count)s. Check it against your card.") % {
            "expected": expected,
            "count": len(code),
        }
    return _("This code has a typing mistake. Check each character against your card.")


# --- Rendering ----------------------------------------------------------------------------------------------------


def _url(form: _Form) -> str:
    return reverse("collection:respond", args=[form.link.code])


def _redirect(form: _Form, **query: str) -> HttpResponseRedirect:
    url = _url(form)
    return HttpResponseRedirect(f"{url}?{urlencode(query)}" if query else url)


def _render(
    request: HttpRequest,
    form: _Form,
    template: str,
    context: Mapping[str, Any],
    *,
    lang: str,
    easy: bool,
    status: int = 200,
) -> HttpResponse:
    """A respondent page: the questionnaire's texts in `lang`, Socle's own strings in `lang` when Socle has it
    (French otherwise, marked as such for screen readers)."""
    ui_lang = _ui_language(lang)
    ui_attr: SafeString | str = mark_safe(f' lang="{ui_lang}"') if ui_lang != lang else ""  # noqa: S308 - a code
    with translation.override(ui_lang):
        html = render_to_string(
            f"collection/respondent/{template}",
            {
                "csrf_token": get_token(request),
                "action_url": _url(form),
                "lang": lang,
                "ui_lang": ui_lang,
                "uil": ui_attr,
                "rtl": lang in RIGHT_TO_LEFT,
                "q_title": form.title(lang, easy),
                "dont_know_label": _dont_know_label(),
                "screen": template.removesuffix(".html"),  # for respondent.js (views_offline.py)
                "link_code": form.link.code,
                "easy_read": easy,
                **context,
            },
        )
    response = HttpResponse(html, status=status)
    response["Content-Language"] = lang
    return response


def _progress(form: _Form, state: Mapping[str, Any], current: object) -> dict[str, int]:
    steps: list[object] = ["code"] if form.asks_code else []
    steps += _relevant_sections(form, state["answers"])
    steps.append("closing")
    position = steps.index(current) + 1 if current in steps else 1
    return {"current": position, "total": len(steps)}


def _ui_language(lang: str) -> str:
    return lang if lang in UI_LANGUAGES else "fr"


def _default_language(request: HttpRequest, form: _Form) -> str:
    site = getattr(request, "LANGUAGE_CODE", "") or ""
    return site if site in form.languages else form.languages[0]


def _start_screen(request: HttpRequest, form: _Form, state: Mapping[str, Any] | None) -> HttpResponse:
    lang = request.GET.get("lang", "")
    if lang in form.languages:
        easy = form.has_easy and request.GET.get("easy") == "1"
    elif state is not None and "lang" in state:
        lang, easy = state["lang"], bool(state.get("easy"))
    else:
        lang, easy = _default_language(request, form), False
    with translation.override(_ui_language(lang)):
        modes = [
            (Mode.ASSISTED.value, _("With the person: I help them answer")),
            (Mode.PAPER.value, _("A paper form: I type in its answers")),
        ]
    context = {
        "form": form,
        "intro": presentation.pick(form.spec, "intro", lang, easy),
        "organisation": form.link.organisation.name,
        "languages": [(code, presentation.LANGUAGE_NAMES.get(code, code)) for code in form.languages],
        "easy": easy,
        "mode": (state or {}).get("mode", Mode.ASSISTED),
        "resuming": bool(state and state.get("answers")),
        "modes": modes,
    }
    return _render(request, form, "start.html", context, lang=lang, easy=easy)


def _code_screen(
    request: HttpRequest, form: _Form, state: Mapping[str, Any], *, typed: str = "", error: str = ""
) -> HttpResponse:
    context = {"progress": _progress(form, state, "code"), "typed": typed, "error": error}
    status = 422 if error else 200
    return _render(request, form, "followup.html", context, lang=state["lang"], easy=state["easy"], status=status)


def _field(question: presentation.QuestionView, number: int, value: object, error: str, notice: bool) -> dict[str, Any]:
    """What the template needs to show one question with its answer so far and its error."""
    ident = f"q-{question.name}"
    options = []
    if question.type in CHOICE_TYPES or question.type == "multiple_choice":
        chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)} if value is not None else set()
        for position, choice in enumerate(question.choices):
            options.append(
                {
                    "id": f"{ident}-{position}",
                    "value": str(choice.value),
                    "label": choice.label,
                    "picture": choice.picture,
                    "checked": str(choice.value) in chosen,
                }
            )
        if question.dont_know:
            options.append(
                {
                    "id": f"{ident}-dk",
                    "value": DONT_KNOW,
                    "label": _dont_know_label(),
                    "picture": "dont_know" if question.type == "scale" else "",
                    "checked": DONT_KNOW in chosen,
                    "dk": True,
                }
            )
    described = [f"{ident}-hint"] if question.hint else []
    if question.type == "multiple_choice":
        described.append(f"{ident}-several")
    if error:
        described.append(f"{ident}-error")
    is_dk = value == DONT_KNOW
    return {
        "q": question,
        "id": ident,
        "number": number,
        "name": f"a-{question.name}",
        "options": options,
        "value": "" if is_dk or value is None or isinstance(value, list) else str(value),
        "dk": is_dk,
        "error": error,
        "describedby": " ".join(described),
        "target": options[0]["id"] if options else ident,
        "new": notice,
        "inputmode": {"integer": "numeric", "decimal": "decimal"}.get(question.type, ""),
        "maxlength": MAX_TEXT_LENGTH.get(question.type, 0),
    }


def _section_screen(
    request: HttpRequest,
    form: _Form,
    state: Mapping[str, Any],
    index: int,
    *,
    errors: Mapping[str, AnswerError] | None = None,
    new: Sequence[str] = (),
    status: int = 200,
) -> HttpResponse:
    lang, easy = state["lang"], bool(state["easy"])
    answers = state["answers"]
    section = _section_views(form, state)[index]
    relevant = form.questionnaire.relevant(answers)
    fields = []
    number = 0
    for question in section.questions:
        if not relevant.get(question.name):
            continue
        if question.type != "note":
            number += 1
        error = errors.get(question.name) if errors else None
        message = _message(error, question, lang) if error else ""
        fields.append(_field(question, number, answers.get(question.name), message, question.name in new))
    summary = [
        {
            "target": f["target"],
            "text": _("Question %(number)s: %(message)s") % {"number": f["number"], "message": f["error"]},
        }
        for f in fields
        if f["error"]
    ]
    context = {
        "progress": _progress(form, state, index),
        "section": section,
        "index": index,
        "fields": fields,
        "shown": ",".join(f["q"].name for f in fields),
        "summary": summary,
        "new": bool(new),
    }
    return _render(request, form, "section.html", context, lang=lang, easy=easy, status=status)


def _asks_consent(form: _Form, answers: Mapping[str, object]) -> bool:
    """Whether the closing question on quotes applies: an open (text) question was answered."""
    kinds = {q["name"]: q["type"] for s in form.spec["sections"] for q in s["questions"]}
    return any(kinds.get(name) in OPEN_TYPES and value not in ("", DONT_KNOW) for name, value in answers.items())


def _closing_screen(request: HttpRequest, form: _Form, state: Mapping[str, Any]) -> HttpResponse:
    context = {"progress": _progress(form, state, "closing"), "asks_consent": _asks_consent(form, state["answers"])}
    return _render(request, form, "closing.html", context, lang=state["lang"], easy=state["easy"])


def _thanks_screen(request: HttpRequest, form: _Form, done: Mapping[str, Any]) -> HttpResponse:
    context = {"code": done.get("code", ""), "conflict": done.get("conflict", False)}
    return _render(request, form, "thanks.html", context, lang=done["lang"], easy=done["easy"])


# --- The view -------------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, code: str) -> HttpResponse:
    link = get_link_for_respondent(code)
    form = _form(request, link)
    state = _state(request, form)
    chosen = (state or {}).get("lang") or ((state or {}).get("done") or {}).get("lang")
    # Messages made before rendering (errors, labels) are in the person's language too.
    with translation.override(_ui_language(chosen or _default_language(request, form))):
        return _dispatch(request, form, state)


def _dispatch(request: HttpRequest, form: _Form, state: dict[str, Any] | None) -> HttpResponse:
    if request.method == "POST":
        return _post(request, form, state)
    if state is None:
        return _start_screen(request, form, None)
    if "done" in state:
        if time.time() - state["done"].get("at", 0) < THANKS_SECONDS:
            return _thanks_screen(request, form, state["done"])
        _save(request, form, None)
        return _start_screen(request, form, None)
    step = state.get("step")
    if step == "code":
        return _code_screen(request, form, state)
    if step == "section":
        index = int(state.get("section", 0))
        if index not in _relevant_sections(form, state["answers"]):
            _go_forward(form, state, index - 1)
            _save(request, form, state)
            return _redirect(form)
        notice = state.pop("new", [])
        if notice:
            _save(request, form, state)
        return _section_screen(request, form, state, index, new=notice)
    if step == "closing":
        return _closing_screen(request, form, state)
    return _start_screen(request, form, state)


def _post(request: HttpRequest, form: _Form, state: dict[str, Any] | None) -> HttpResponse:
    action = request.POST.get("action", "")
    if action in ("show", "start"):
        return _post_start(request, form, state, action)
    if action == "new":
        _save(request, form, None)
        return _redirect(form)
    if state is None or "done" in state or "uuid" not in state:
        return _redirect(form)  # a page left open too long, or the final step posted twice: show where we are
    step = request.POST.get("step", "")
    if step == "code":
        return _post_code(request, form, state, action)
    if step == "section":
        return _post_section(request, form, state, action)
    if step == "closing":
        return _post_closing(request, form, state, action)
    return _redirect(form)


def _post_start(request: HttpRequest, form: _Form, state: dict[str, Any] | None, action: str) -> HttpResponse:
    lang = request.POST.get("lang", "")
    if lang not in form.languages:
        lang = _default_language(request, form)
    easy = form.has_easy and request.POST.get("easy") == "1"
    if action == "show":
        return _redirect(form, lang=lang, **({"easy": "1"} if easy else {}))
    if form.staff:
        mode = request.POST.get("mode", Mode.ASSISTED)
        mode = mode if mode in STAFF_MODES else Mode.ASSISTED
    else:
        mode = Mode.SELF
    if state is None or "uuid" not in state or "done" in state:
        state = {"uuid": str(uuid.uuid4()), "answers": {}, "followup": ""}
    state.update({"lang": lang, "easy": easy, "mode": str(mode)})
    if form.asks_code:
        state["step"] = "code"
    else:
        _go_forward(form, state, -1)
    _save(request, form, state)
    return _redirect(form)


def _post_code(request: HttpRequest, form: _Form, state: dict[str, Any], action: str) -> HttpResponse:
    if action == "back":
        state["step"] = "start"
    elif action == "nocode":
        state["followup"] = ""
        _go_forward(form, state, -1)
    else:
        typed = request.POST.get("followup_code", "")[:64]
        try:
            state["followup"] = followup.read(typed).code
        except followup.FollowUpCodeError:
            return _code_screen(request, form, state, typed=typed, error=_code_problem(typed))
        _go_forward(form, state, -1)
    _save(request, form, state)
    return _redirect(form)


def _post_section(request: HttpRequest, form: _Form, state: dict[str, Any], action: str) -> HttpResponse:
    try:
        index = int(request.POST.get("section", ""))
    except ValueError:
        return _redirect(form)
    if not 0 <= index < len(form.names):
        return _redirect(form)
    shown = _merge(form, state, index, request.POST)
    relevant = _prune(form, state["answers"])
    state["section"] = index
    if action == "back":
        _go_back(form, state, index)
        _save(request, form, state)
        return _redirect(form)
    new = [name for name in form.names[index] if relevant.get(name) and name not in shown]
    if new and index in _relevant_sections(form, state["answers"]):
        # An answer on this screen opened other questions of the same section: show them before going on.
        state["step"], state["new"] = "section", new
        _save(request, form, state)
        return _redirect(form)
    checked = form.questionnaire.check(state["answers"])
    errors = {e.question: e for e in checked.errors if e.question in form.names[index] and relevant.get(e.question)}
    if errors:
        state["step"] = "section"
        _save(request, form, state)
        return _section_screen(request, form, state, index, errors=errors, status=422)
    _go_forward(form, state, index)
    _save(request, form, state)
    return _redirect(form)


def _post_closing(request: HttpRequest, form: _Form, state: dict[str, Any], action: str) -> HttpResponse:
    if action == "back":
        _go_back(form, state, len(form.names))
        _save(request, form, state)
        return _redirect(form)
    answers = state["answers"]
    consent: bool | None = None
    if _asks_consent(form, answers):
        consent = {"yes": True, "no": False}.get(request.POST.get("quote_consent", ""))
    mode = state.get("mode", Mode.SELF)
    if mode != Mode.SELF and not form.staff:
        mode = Mode.SELF  # signed out since the start: the person goes on alone
    link = form.link
    try:
        received = actions.submit(
            campaign=link.campaign,
            establishment=link.establishment,
            questionnaire_code=link.questionnaire_code,
            submission_uuid=uuid.UUID(state["uuid"]),
            answers=answers,
            mode=mode,
            link=link,
            followup_code=state.get("followup") or None,
            quote_consent=consent,
            acting_user=request.user if mode != Mode.SELF else None,
        )
    except actions.InvalidSubmission as invalid:
        return _back_to_first_error(request, form, state, invalid.errors)
    except actions.SubmissionConflict:
        done: dict[str, Any] = {"conflict": True}
    else:
        done = {"code": followup.printable(received.followup_code) if received.followup_code else ""}
    done.update({"at": time.time(), "lang": state["lang"], "easy": state["easy"], "uuid": state["uuid"]})
    _save(request, form, {"done": done})
    return _redirect(form)


def _back_to_first_error(
    request: HttpRequest, form: _Form, state: dict[str, Any], errors: Sequence[AnswerError]
) -> HttpResponse:
    """The final check found what the screens did not (a constraint over a later answer, a stale page): show the
    first section with an error, with its errors."""
    if any(e.question == "followup_code" for e in errors):
        state["step"] = "code"
        _save(request, form, state)
        typed = state.get("followup", "")
        return _code_screen(request, form, state, typed=typed, error=_code_problem(typed))
    by_name = {e.question: e for e in errors}
    for index, names in enumerate(form.names):
        found = {name: by_name[name] for name in names if name in by_name}
        if found:
            state["step"], state["section"] = "section", index
            _save(request, form, state)
            return _section_screen(request, form, state, index, errors=found, status=422)
    # Answers to questions that are no longer in the questionnaire: drop them and try again.
    for error in errors:
        state["answers"].pop(error.question, None)
    state["step"] = "closing"
    _save(request, form, state)
    return _redirect(form)
