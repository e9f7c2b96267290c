"""The offline layer of the respondent form: the questionnaire for the browser, the JSON way in, the service worker.

The form at `/r/<code>/` works without JavaScript (`views_respondent.py`). When scripts run,
`static/collection/respondent.js` runs the same questionnaire in the browser, keeps finished forms in an outbox
(IndexedDB) and sends them here. Three routes serve it:

- `GET /r/<code>/questionnaire.json?lang=fr&easy=0` (`collection:respond_questionnaire`): the questionnaire as the
  browser needs it, made from the same presentation data as the server's pages (texts in the chosen language and
  easy-read, choices, required and "don't know" flags, Socle's own strings already translated), with relevance,
  constraints and scores as **parsed trees**: the browser only walks them (`socle.lib.frameworks.expressions`
  stays the one parser; the browser never parses an expression, let alone `eval`s one).
- `POST /r/<code>/submissions` (`collection:respond_submit`): one finished form, as JSON, through
  `socle.collection.actions.submit` — the one way answers enter Socle. 201 stored, 200 a resend of the same
  answers, 409 the same id with other answers, 422 one error per question (in the person's language), 404 an
  unknown or closed link, 400 a body that is not what is described here, 413 too large, 415 not JSON, 403 a staff
  mode without a staff session or a session without its CSRF token.
- `GET /r/sw.js` (`collection:respond_sw`): the service worker, whose scope is `/r/`; its text names the static
  files by their (hashed) URLs and carries a version made from their content, so a deploy replaces it.

CSRF: a submission without a signed-in session carries no authority — the link is public and anybody holding it
may send the same request from anywhere — so it needs no token (a forged cross-site post could do nothing the
forger cannot do directly). A request whose session is signed in could record answers as entered by that staff
member, so it must carry the CSRF token (`X-CSRFToken` header), checked by Django's own middleware code. The body
must be `application/json`, which a cross-site HTML form cannot send without a CORS preflight.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from socle.collection import actions
from socle.collection.access import get_link_for_respondent
from socle.collection.models import Mode, Wave
from socle.collection.views_respondent import (
    RIGHT_TO_LEFT,
    STAFF_MODES,
    _code_problem,
    _default_language,
    _dont_know_label,
    _Form,
    _form,
    _message,
    _required_message,
    _section_views,
    _ui_language,
)
from socle.frameworks import presentation
from socle.frameworks.models import text_in
from socle.frameworks.templatetags.frameworks_tags import pictogram
from socle.lib.collection import followup
from socle.lib.collection.answers import MAX_TEXT_LENGTH
from socle.lib.frameworks import expressions
from socle.lib.frameworks.expressions import (
    Arithmetic,
    Call,
    Comparison,
    Current,
    Logical,
    Negate,
    Node,
    Number,
    Reference,
    String,
)

MAX_BODY_BYTES = 1_000_000  # a questionnaire with many long texts stays far below
MAX_ANSWERS = 1_000
MAX_FOLLOWUP_LENGTH = 64
STATIC_FILES = ("collection/respondent.js", "collection/respondent.css")
SW_TEMPLATE = "collection/respondent/sw.js"


# --- Expressions as trees for the browser -------------------------------------------------------------------------


def tree(node: Node) -> list[Any]:
    """A parsed expression as nested JSON arrays, the first item naming the node (see respondent.js `evaluate`)."""
    match node:
        case Number(value):
            return ["num", str(value) if isinstance(value, Decimal) else value]
        case String(value):
            return ["str", value]
        case Reference(name):
            return ["ref", name]
        case Current():
            return ["cur"]
        case Negate(operand):
            return ["neg", tree(operand)]
        case Arithmetic(first, rest):
            return ["ari", tree(first), [[op, tree(operand)] for op, operand in rest]]
        case Comparison(op, left, right):
            return ["cmp", op, tree(left), tree(right)]
        case Logical(op, operands):
            return [op, [tree(operand) for operand in operands]]
        case Call(function, args):
            return ["call", function, [tree(arg) for arg in args]]
    raise TypeError(f"unknown node {node!r}")  # pragma: no cover - the parser makes no other node


def rule(text: object) -> dict[str, Any] | None:
    """A relevance or constraint for the browser: its tree and the names it reads."""
    if text is None or text == "":
        return None
    parsed = expressions.parse(str(text))
    return {"t": tree(parsed.tree), "refs": sorted(expressions.references(parsed))}


# --- The questionnaire for the browser ----------------------------------------------------------------------------


def _strings(form: _Form) -> dict[str, str]:
    """Socle's own strings of the form, in the active language (the interface language of the person)."""
    organisation = form.link.organisation.name
    return {
        "language": _("Language"),
        "easy": _("Easy-to-read text"),
        "show": _("Show in this language"),
        "before": _("Before you start"),
        "fact_name": _("We do not ask your name."),
        "fact_who": _("Your answers are seen only by %(organisation)s.") % {"organisation": organisation},
        "fact_network": _("The network sees only totals of many people, never your own answers."),
        "fact_send": _("Nothing is sent until you press “Send my answers” at the end."),
        "staff": _("Staff: how is this questionnaire filled in?"),
        "mode_assisted": _("With the person: I help them answer"),
        "mode_paper": _("A paper form: I type in its answers"),
        "start": _("Start"),
        "continue": _("Continue"),
        "step": _("Step %(current)s of %(total)s"),
        "required": _("required"),
        "several": _("Several answers possible."),
        "error": _("Error:"),
        "dont_know": _dont_know_label(),
        "problems_one": ngettext("There is %(counter)s problem to fix", "There are %(counter)s problems to fix", 1),
        "problems_other": ngettext("There is %(counter)s problem to fix", "There are %(counter)s problems to fix", 2),
        "question_error": _("Question %(number)s: %(message)s"),
        "opened": _("Your answer opened another question on this page. Answer it, then press “Next”."),
        "next": _("Next"),
        "previous": _("Previous"),
        "send_title": _("Send your answers"),
        "consent": _("Do you agree that your written answers may be quoted, without your name?"),
        "consent_hint": _("For example in a report of the organisation. You do not have to answer this question."),
        "consent_yes": _("Yes, I agree"),
        "consent_no": _("No, I do not agree"),
        "send_note": _(
            "When you press “Send my answers”, they are saved and cannot be changed any more. To check or change "
            "an answer, press “Previous”."
        ),
        "send": _("Send my answers"),
        "code_title": _("Your follow-up code"),
        "code_problem": _("There is a problem with the code"),
        "code_label": _("Type the code written on your card"),
        "code_hint": _(
            "You received it at your first questionnaire. It looks like 7K3-QM9-XWC. It links your answers of "
            "today to your first answers, without your name."
        ),
        "code_none": _("I don't have my code"),
        "code_empty": _code_problem(""),
        "code_character": _code_problem("#"),
        "code_length": _(
            "A follow-up code has %(expected)s characters; you typed %(count)s. Check it against your card."
        ),
        "code_mistake": _("This code has a typing mistake. Check each character against your card."),
        "thanks": _("Thank you!"),
        "saved": _("Your answers have been saved."),
        "conflict": _("Answers had already been sent from this screen; these were not saved a second time."),
        "code_keep": _("Keep this code for next time: write it down, take a photo of it or print this page."),
        "code_next": _("Next time, you will type this code. It links your answers together without your name."),
        "finish_hint": _("On a shared phone or tablet, press “Finish” so that the next person does not see this page."),
        "finish": _("Finish"),
        # Offline and the outbox
        "kept": _(
            "Your answers are kept on this phone or tablet. They will be sent when the network is back, while a "
            "page of this form is open."
        ),
        "code_later": _(
            "The follow-up code will appear under “Sent” once the answers are received. Staff: give it to the person."
        ),
        "no_storage": _(
            "Your answers could not be kept on this device. Connect to the network, then press “Send my answers” again."
        ),
        "waiting_one": ngettext(
            "%(count)s questionnaire waiting to be sent", "%(count)s questionnaires waiting to be sent", 1
        ),
        "waiting_other": ngettext(
            "%(count)s questionnaire waiting to be sent", "%(count)s questionnaires waiting to be sent", 2
        ),
        "problem_one": ngettext(
            "%(count)s questionnaire could not be sent", "%(count)s questionnaires could not be sent", 1
        ),
        "problem_other": ngettext(
            "%(count)s questionnaire could not be sent", "%(count)s questionnaires could not be sent", 2
        ),
        "all_sent": _("Every questionnaire finished on this device has been sent."),
        "outbox": _("Questionnaires on this device"),
        "sent_list": _("Sent"),
        "sent_at": _("Received at %(time)s"),
        "followup": _("Follow-up code: %(code)s"),
        "give_code": _("Give this code to the person: it links their next answers to these, without their name."),
        "next_try": _("Next try at %(time)s."),
        "retry": _("Try again"),
        "remove": _("Remove"),
        "remove_confirm": _("Remove these answers from this device? They have not been received and will be lost."),
        "clear": _("Clear this list"),
        "unfit": _("These answers do not fit the questionnaire:"),
        "signin": _("Sign in again as staff of the organisation, then press “Try again”."),
        "closed": _("This questionnaire's link is unknown or its campaign is closed."),
        "refused": _("The server refused these answers."),
        "listen": _("Listen"),
        "listen_question": _("Listen to question %(number)s"),
        "stop": _("Stop reading"),
    }


def client_questionnaire(request: HttpRequest, form: _Form, lang: str, easy: bool) -> dict[str, Any]:
    """What the browser needs to run the questionnaire of `form` in `lang` (and easy-read), offline too."""
    ui_lang = _ui_language(lang)
    with translation.override(ui_lang):
        views = _section_views(form, {"lang": lang, "easy": easy})
        pictures: set[str] = set()
        sections = []
        for spec, view in zip(form.spec["sections"], views, strict=True):
            questions = []
            for raw, question in zip(spec["questions"], view.questions, strict=True):
                item: dict[str, Any] = {"name": question.name, "type": question.type, "label": question.label}
                if question.hint:
                    item["hint"] = question.hint
                if question.required:
                    item["req"] = True
                if question.dont_know:
                    item["dk"] = True
                if question.choices:
                    item["choices"] = [[c.value, c.label, c.picture] for c in question.choices]
                    pictures.update(c.picture for c in question.choices if c.picture)
                    if question.dont_know and question.type == "scale":
                        pictures.add("dont_know")
                for key in ("relevance", "constraint"):
                    parsed = rule(raw.get(key))
                    if parsed:
                        item[key[:3]] = parsed
                if question.type != "note":
                    item["m_req"] = _required_message(question)
                if raw.get("constraint"):
                    written = text_in(raw.get("constraint_message"), lang) if raw.get("constraint_message") else ""
                    item["m_con"] = written or _("This answer is not accepted: check it and correct it.")
                if question.type in MAX_TEXT_LENGTH:
                    item["max"] = MAX_TEXT_LENGTH[question.type]
                    item["m_long"] = _("This answer is too long: shorten it to %(count)s characters or fewer.") % {
                        "count": MAX_TEXT_LENGTH[question.type]
                    }
                questions.append(item)
            section: dict[str, Any] = {"label": view.label, "questions": questions}
            if spec.get("relevance"):
                section["rel"] = rule(spec["relevance"])
            sections.append(section)
        scores = [
            {"name": str(s["name"]), "t": tree(expressions.parse(str(s["expression"])).tree)}
            for s in form.spec.get("scores", [])
        ]
        errors = {
            "not_a_choice": _("Choose one of the answers offered."),
            "not_an_integer": _("Write a whole number with digits only, for example 3."),
            "not_a_number": _("Write a number with digits, for example 12 or 12,5."),
            "not_a_date": _("Write the date as day/month/year, for example 31/03/2024."),
            "dk_alone": _("Tick “I don't know / I prefer not to say” on its own, or only answers from the list."),
            "other": _("Check this answer and correct it."),
        }
        strings = _strings(form)
    code = form.link.code
    return {
        "v": 1,
        "code": code,
        "lang": lang,
        "ui": ui_lang,
        "rtl": lang in RIGHT_TO_LEFT,
        "easy": easy,
        "has_easy": form.has_easy,
        "languages": [[c, presentation.LANGUAGE_NAMES.get(c, c)] for c in form.languages],
        "title": form.title(lang, easy),
        "intro": presentation.pick(form.spec, "intro", lang, easy),
        "staff": form.staff,
        "asks_code": form.asks_code,
        "issues_code": form.audience == "people_supported" and form.link.campaign.wave == Wave.ENTRY,
        "urls": {
            "form": reverse("collection:respond", args=[code]),
            "submit": reverse("collection:respond_submit", args=[code]),
            "questionnaire": reverse("collection:respond_questionnaire", args=[code]),
        },
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "sections": sections,
        "scores": scores,
        "pictures": {name: str(pictogram(name, 40)) for name in sorted(pictures)},
        "errors": errors,
        "t": strings,
    }


@never_cache
@require_GET
def questionnaire_json(request: HttpRequest, code: str) -> HttpResponse:
    """The questionnaire behind a link, for the browser (public, like the form; 404 for an unknown or closed link)."""
    link = get_link_for_respondent(code)
    form = _form(request, link)
    lang = request.GET.get("lang", "")
    if lang not in form.languages:
        lang = _default_language(request, form)
    easy = form.has_easy and request.GET.get("easy") == "1"
    get_token(request)  # the CSRF cookie, for a staff member's sends
    response = JsonResponse(client_questionnaire(request, form, lang, easy), json_dumps_params={"ensure_ascii": False})
    response["Content-Language"] = lang
    return response


# --- Receiving a finished form -----------------------------------------------------------------------------------


def _problem(status: int, detail: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status=status, json_dumps_params={"ensure_ascii": False})


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Django's own CSRF check, for a request whose session is signed in; None when it passes."""
    checker = CsrfViewMiddleware(lambda _request: HttpResponse())
    checker.process_request(request)
    return checker.process_view(request, _checked_view, (), {})


def _checked_view(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called, only inspected
    return HttpResponse()


def _read_body(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    """The JSON body as a mapping, or the response that says what is wrong with it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    too_large = _("The answers are too large to be received (%(limit)s bytes at most).") % {"limit": MAX_BODY_BYTES}
    if length > MAX_BODY_BYTES:
        return _problem(413, too_large)
    content_type = request.content_type or ""
    if content_type != "application/json":
        return _problem(415, _("Send the answers as JSON, with the header Content-Type: application/json."))
    try:
        raw = request.body
    except RequestDataTooBig:
        return _problem(413, too_large)
    if len(raw) > MAX_BODY_BYTES:
        return _problem(413, too_large)
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _problem(400, _("The body is not valid JSON."))
    if not isinstance(body, dict):
        return _problem(400, _("The body must be a JSON object with “uuid” and “answers”."))
    return body


def _body_problem(body: Mapping[str, Any]) -> str:
    """What is wrong with the fields of a body ("" when they are usable)."""
    try:
        uuid.UUID(str(body.get("uuid", "")))
    except ValueError:
        return _("“uuid” must be the submission's UUID, made by the sender, for example %(example)s.") % {
            "example": "0b8f2f9e-6a8e-4b8e-9d8e-2d4b1f0c9a11"
        }
    answers = body.get("answers")
    if not isinstance(answers, dict):
        return _("“answers” must be a JSON object: question name → answer.")
    if len(answers) > MAX_ANSWERS:
        return _("Too many answers: %(count)s, at most %(limit)s.") % {"count": len(answers), "limit": MAX_ANSWERS}
    code = body.get("followup_code")
    if code is not None and (not isinstance(code, str) or len(code) > MAX_FOLLOWUP_LENGTH):
        return _("“followup_code” must be text of at most %(limit)s characters.") % {"limit": MAX_FOLLOWUP_LENGTH}
    if body.get("quote_consent") not in (None, True, False):
        return _("“quote_consent” must be true, false or null.")
    if body.get("mode", Mode.SELF) not in (Mode.SELF, *STAFF_MODES):
        return _("“mode” must be “self”, “assisted” or “paper”.")
    if body.get("lang") is not None and not isinstance(body.get("lang"), str):
        return _("“lang” must be a language code of the questionnaire.")
    return ""


def _errors_out(form: _Form, errors: list[Any], lang: str, easy: bool, typed_code: str) -> list[dict[str, str]]:
    """One error per question, with the question's label and a message that says what to do."""
    views = {q.name: q for s in _section_views(form, {"lang": lang, "easy": easy}) for q in s.questions}
    out = []
    for error in errors:
        question = views.get(error.question)
        if error.question == "followup_code":
            label, message = _("Your follow-up code"), _code_problem(typed_code)
        elif question is None:
            label, message = error.question, _("This answer is not a question of this questionnaire.")
        elif error.code == "not_asked":
            label, message = question.label, _("This question was not asked, given the earlier answers.")
        else:
            label, message = question.label, _message(error, question, lang)
        out.append({"question": error.question, "code": error.code, "label": label, "message": message})
    return out


@csrf_exempt  # checked below for signed-in sessions: see the module docstring
@never_cache
@require_POST
def submit(request: HttpRequest, code: str) -> HttpResponse:
    """One finished form from the browser's outbox; see the module docstring for the answers."""
    try:
        link = get_link_for_respondent(code)
    except Http404:
        return _problem(404, _("This questionnaire's link is unknown or its campaign is closed."))
    if request.user.is_authenticated and _csrf_refusal(request) is not None:
        return _problem(403, _("Your session is signed in: send the CSRF token in the X-CSRFToken header."))
    body = _read_body(request)
    if isinstance(body, JsonResponse):
        return body
    form = _form(request, link)
    problem = _body_problem(body)
    if problem:
        return _problem(400, problem)
    lang = body.get("lang") if body.get("lang") in form.languages else form.languages[0]
    easy = bool(body.get("easy")) and form.has_easy
    mode = body.get("mode") or Mode.SELF
    with translation.override(_ui_language(lang)):
        if mode != Mode.SELF and not form.staff:
            return _problem(
                403, _("Answers typed by staff are sent by a signed-in member of the organisation's staff.")
            )
        typed = body.get("followup_code") or ""
        try:
            received = actions.submit(
                campaign=link.campaign,
                establishment=link.establishment,
                questionnaire_code=link.questionnaire_code,
                submission_uuid=uuid.UUID(str(body["uuid"])),
                answers=body["answers"],
                mode=mode,
                link=link,
                followup_code=typed or None,
                quote_consent=body.get("quote_consent"),
                acting_user=request.user if mode != Mode.SELF else None,
            )
        except actions.InvalidSubmission as invalid:
            errors = _errors_out(form, invalid.errors, lang, easy, typed)
            detail = ngettext(
                "%(count)s answer does not fit the questionnaire; nothing was stored.",
                "%(count)s answers do not fit the questionnaire; nothing was stored.",
                len(errors),
            ) % {"count": len(errors)}
            return _problem(422, detail, errors=errors)
        except actions.SubmissionConflict as conflict:
            return _problem(409, str(conflict))
        except actions.ActionError as error:
            return _problem(422, str(error), errors=[])
    submission = received.submission
    return JsonResponse(
        {
            "uuid": str(submission.uuid),
            "created": received.created,
            "received_at": submission.received_at.isoformat(),
            "followup_code": followup.printable(received.followup_code) if received.followup_code else "",
        },
        status=201 if received.created else 200,
    )


# --- The service worker --------------------------------------------------------------------------------------------


def _static_version() -> str:
    """A version made from the content of the offline files, so that a deploy that changes one replaces the worker
    (and its caches) in every browser."""
    digest = hashlib.sha256()
    for name in STATIC_FILES:
        found = finders.find(name)
        path = found[0] if isinstance(found, list) else found
        if path:
            with open(path, "rb") as handle:
                digest.update(handle.read())
    template = get_template(SW_TEMPLATE)
    digest.update(template.template.source.encode())  # type: ignore[attr-defined]
    return digest.hexdigest()[:16]


def _offline_page() -> str:
    """The page the worker shows for a link never opened on this device while online, in French and English."""
    parts = []
    for lang in ("fr", "en"):
        with translation.override(lang):
            parts.append(
                f'<section lang="{lang}"><h1>{_("You are offline")}</h1><p>'
                + _(
                    "This questionnaire was not opened on this device while it was connected, so it cannot be "
                    "shown offline. Connect to the network and open the link again."
                )
                + "</p></section>"
            )
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Socle</title></head>'
        '<body><main style="font:1.125rem/1.5 system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:1rem">'
        + "".join(parts)
        + "</main></body></html>"
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    config = {
        "version": _static_version(),
        "static": [static(name) for name in STATIC_FILES],
        "offline": _offline_page(),
    }
    text = render_to_string(SW_TEMPLATE, {"config": json.dumps(config, ensure_ascii=False).replace("</", "<\\/")})
    response = HttpResponse(text, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # the browser checks it on every visit; the version says what changed
    response["Service-Worker-Allowed"] = "/r/"
    return response
