"""Placeholder: the respondent form is being written (see tests/test_respondent_form.py)."""

from django.http import Http404, HttpRequest, HttpResponse

from socle.collection.access import get_link_for_respondent


def respond(request: HttpRequest, code: str) -> HttpResponse:
    get_link_for_respondent(code)
    raise Http404
