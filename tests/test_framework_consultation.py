"""The consultation of member organisations on a draft sector framework, through the real HTTP views."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from socle.frameworks import actions
from socle.frameworks.models import Consultation, ConsultationComment, FrameworkVersion, IndicatorView
from socle.network.models import Organisation, Role
from tests.conftest import login_as
from tests.factories import World, give_role, make_user
from tests.framework_docs import load, organisation_document, sector_document

INDICATORS = ("i_rights", "i_esteem", "i_housing")


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    """Pages in English, so that assertions read the source strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def draft(world: World) -> FrameworkVersion:
    return load(sector_document(), network=world.network, publish=False)


@pytest.fixture
def opened(world: World, draft: FrameworkVersion) -> Consultation:
    return actions.open_consultation(draft, message="Dites-nous tout.", acting_user=world.users["network_admin"])


def url(name: str, version: FrameworkVersion) -> str:
    return reverse(f"frameworks:{name}", args=[version.framework.slug, version.number])


def page(client: Client, version: FrameworkVersion) -> str:
    response = client.get(url("consultation", version))
    assert response.status_code == 200
    return response.content.decode()


def flashed(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def tally_of(html: str) -> dict[str, dict[str, str]]:
    """The tally table as {indicator: {keep, change, drop, answered}}."""
    rows = {}
    for code, row in re.findall(r'<tr id="tally-(\w+)">(.*?)</tr>', html, flags=re.DOTALL):
        rows[code] = dict(re.findall(r'data-view="(\w+)">([^<]*)<', row))
    return rows


def comment_count() -> int:
    return ConsultationComment.objects.count()


def written() -> tuple[int, int, int]:
    """What a POST can change: open consultations, comments, views."""
    return Consultation.objects.filter(closed_at__isnull=True).count(), comment_count(), IndicatorView.objects.count()


def comment_as_member(client: Client, version: FrameworkVersion, element: str, text: str) -> Any:
    return client.post(url("consultation_comment", version), {"element": element, "text": text})


# --- opening -------------------------------------------------------------------------------------------------


def test_a_network_admin_opens_the_draft_to_members_with_a_message(
    as_role: Any, world: World, draft: FrameworkVersion
) -> None:
    client = as_role("network_admin")
    assert 'name="message"' in page(client, draft)
    response = client.post(url("consultation_open", draft), {"message": "Merci de relire avant le 30 juin."})
    assert response.status_code == 302
    assert response["Location"] == url("consultation", draft)
    consultation = Consultation.objects.get(version=draft)
    assert consultation.is_open
    assert consultation.message == "Merci de relire avant le 30 juin."
    assert consultation.opened_by == world.users["network_admin"]
    html = page(client, draft)
    assert "Merci de relire avant le 30 juin." in html
    assert "Close the consultation" in html

    member = page(as_role("org_admin"), draft)
    assert "Merci de relire avant le 30 juin." in member


def test_members_cannot_see_a_draft_before_it_is_opened_to_them(as_role: Any, draft: FrameworkVersion) -> None:
    assert as_role("org_admin").get(url("consultation", draft)).status_code == 404


def test_opening_twice_is_refused_with_a_message(as_role: Any, opened: Consultation, draft: FrameworkVersion) -> None:
    response = as_role("network_admin").post(url("consultation_open", draft), {"message": "Encore"})
    assert "This draft has already been opened to consultation." in flashed(response)
    assert Consultation.objects.count() == 1


# --- views, comments and the tally ---------------------------------------------------------------------------


def test_members_give_views_and_comment_and_the_analyst_sees_the_tally(
    as_role: Any, world: World, opened: Consultation, draft: FrameworkVersion
) -> None:
    client = as_role("org_admin")
    html = page(client, draft)
    assert "<legend>Access to rights</legend>" in html  # one fieldset per indicator
    response = client.post(
        url("consultation_views", draft),
        {"view-i_rights": "keep", "view-i_esteem": "change", "view-i_housing": "drop"},
    )
    assert response.status_code == 302
    assert "Your organisation's views are saved." in flashed(response)
    for element, text in [
        ("node:out_rights", "Le résultat est trop large."),
        ("indicator:i_esteem", "L'échelle est difficile pour nos publics."),
        ("question:entry/droits", "Préciser de quels droits on parle."),
    ]:
        assert comment_as_member(client, draft, element, text).status_code == 302
    html = page(client, draft)
    assert re.search(r'value="change"[^>]*checked', html)  # pre-filled with the organisation's view
    assert "Préciser de quels droits on parle." in html

    other = as_role("other_org_admin")
    response = other.post(url("consultation_views", draft), {"view-i_rights": "keep", "view-i_housing": "drop"})
    assert response.status_code == 302

    html = page(as_role("network_analyst"), draft)
    assert tally_of(html) == {
        "i_rights": {"keep": "2", "change": "0", "drop": "0", "answered": "2 of 2"},
        "i_esteem": {"keep": "0", "change": "1", "drop": "0", "answered": "1 of 2"},
        "i_housing": {"keep": "0", "change": "0", "drop": "2", "answered": "2 of 2"},
    }
    for text in (
        "Le résultat est trop large.",
        "L&#x27;échelle est difficile pour nos publics.",
        "Préciser de quels droits on parle.",
    ):
        assert text in html
    assert html.count("<strong>Association A</strong>") == 3
    assert 'id="el-question-entry-droits"' in html
    assert "Close the consultation" not in html  # the analyst reads only
    assert 'name="reply_to"' not in html


def test_giving_views_again_replaces_them(as_role: Any, opened: Consultation, draft: FrameworkVersion) -> None:
    client = as_role("org_admin")
    client.post(url("consultation_views", draft), {"view-i_rights": "keep"})
    client.post(url("consultation_views", draft), {"view-i_rights": "drop"})
    assert list(IndicatorView.objects.values_list("indicator_code", "view")) == [("i_rights", "drop")]


def test_the_admin_answers_a_comment_and_the_member_sees_the_answer(
    as_role: Any, world: World, opened: Consultation, draft: FrameworkVersion
) -> None:
    comment_as_member(as_role("org_admin"), draft, "indicator:i_rights", "Et les droits partiels ?")
    question = ConsultationComment.objects.get()
    admin = as_role("network_admin")
    assert f'value="{question.public_id}"' in page(admin, draft)
    response = admin.post(
        url("consultation_comment", draft), {"reply_to": str(question.public_id), "text": "Bonne idée, ajouté."}
    )
    assert response.status_code == 302
    answer = ConsultationComment.objects.get(reply_to=question)
    assert answer.organisation is None
    assert (answer.target_kind, answer.target_code) == ("indicator", "i_rights")

    html = page(as_role("org_admin"), draft)
    assert "Bonne idée, ajouté." in html
    assert "Answer from Réseau de test" in html


def test_a_member_of_another_organisation_sees_nothing_of_asso_a(
    as_role: Any, world: World, opened: Consultation, draft: FrameworkVersion
) -> None:
    client = as_role("org_admin")
    client.post(url("consultation_views", draft), {"view-i_rights": "drop"})
    comment_as_member(client, draft, "general:", "Secret de l'association A")
    admin = as_role("network_admin")
    question = ConsultationComment.objects.get()
    admin.post(
        url("consultation_comment", draft), {"reply_to": str(question.public_id), "text": "Réponse pour A"}, follow=True
    )  # the flashed "Your answer is sent to Association A." is read here

    html = page(as_role("other_org_admin"), draft)
    assert "Secret de l" not in html
    assert "Réponse pour A" not in html
    assert "Association A" not in html
    assert 'id="tally-' not in html  # no tally for members
    assert not re.search(r'value="drop"[^>]*checked', html)  # asso-b's own form starts empty
    assert "never by other member organisations" in html


def test_a_member_cannot_slip_a_reply_into_another_organisations_thread(
    as_role: Any, opened: Consultation, draft: FrameworkVersion
) -> None:
    comment_as_member(as_role("other_org_admin"), draft, "general:", "Commentaire de B")
    theirs = ConsultationComment.objects.get()
    client = as_role("org_admin")
    client.post(
        url("consultation_comment", draft),
        {"element": "general:", "text": "Je lis B", "reply_to": str(theirs.public_id)},
    )
    mine = ConsultationComment.objects.exclude(pk=theirs.pk).get()
    assert mine.reply_to is None
    assert "Je lis B" not in page(as_role("other_org_admin"), draft)


def test_org_staff_comment_and_read_their_organisations_views_without_giving_them(
    as_role: Any, world: World, opened: Consultation, draft: FrameworkVersion
) -> None:
    as_role("org_admin").post(url("consultation_views", draft), {"view-i_esteem": "change"})
    staff = as_role("org_staff")
    html = page(staff, draft)
    assert 'type="radio"' not in html
    assert re.search(r"Self-esteem</th><td>Change</td>", html)
    assert staff.post(url("consultation_views", draft), {"view-i_esteem": "drop"}).status_code == 403
    assert IndicatorView.objects.get().view == "change"
    assert comment_as_member(staff, draft, "node:act_support", "Vu du terrain").status_code == 302
    assert ConsultationComment.objects.get().organisation == world.org


def test_an_admin_of_a_non_member_organisation_does_not_see_the_consultation(
    client: Client, world: World, opened: Consultation, draft: FrameworkVersion
) -> None:
    user = make_user("admin@asso-c.test")
    give_role(user, world.network, Role.ORG_ADMIN, world.non_member)  # accepting makes it a member…
    Organisation.objects.filter(pk=world.non_member.pk).update(is_member=False)  # …and then it left
    login_as(client, user)
    assert client.get(url("consultation", draft)).status_code == 404
    assert comment_as_member(client, draft, "general:", "Bonjour").status_code == 404


def test_organisation_frameworks_have_no_consultation(as_role: Any, world: World) -> None:
    load(sector_document(), network=world.network)
    own = load(organisation_document(world.org), publish=False)
    client = as_role("org_admin")
    assert client.get(url("consultation", own)).status_code == 404
    assert client.post(url("consultation_open", own), {"message": "x"}).status_code == 404
    assert not Consultation.objects.exists()


# --- who may post --------------------------------------------------------------------------------------------

LOGIN = "login"
# url name -> POST data, expected status per role ("ok" = a redirect back to the page after success)
POSTS: dict[str, tuple[dict[str, str], dict[str, Any]]] = {
    "consultation_open": (
        {"message": "Bonjour"},
        {
            "anonymous": LOGIN,
            "network_admin": "ok",
            "network_analyst": 403,
            "facilitator": 403,
            "facilitator_without_consent": 403,
            "org_admin": 403,
            "org_staff": 403,
            "other_org_admin": 403,
            "other_network_admin": 404,
        },
    ),
    "consultation_close": (
        {},
        {
            "anonymous": LOGIN,
            "network_admin": "ok",
            "network_analyst": 403,
            "facilitator": 403,
            "facilitator_without_consent": 403,
            "org_admin": 403,
            "org_staff": 403,
            "other_org_admin": 403,
            "other_network_admin": 404,
        },
    ),
    "consultation_comment": (
        {"element": "general:", "text": "Un avis"},
        {
            "anonymous": LOGIN,
            "network_admin": "ok",
            "network_analyst": 403,
            "facilitator": 404,
            "facilitator_without_consent": 404,
            "org_admin": "ok",
            "org_staff": "ok",
            "other_org_admin": "ok",
            "other_network_admin": 404,
        },
    ),
    "consultation_views": (
        {"view-i_rights": "keep"},
        {
            "anonymous": LOGIN,
            "network_admin": 403,
            "network_analyst": 403,
            "facilitator": 404,
            "facilitator_without_consent": 404,
            "org_admin": "ok",
            "org_staff": 403,
            "other_org_admin": "ok",
            "other_network_admin": 404,
        },
    ),
}
GET_EXPECTED = {
    "anonymous": LOGIN,
    "network_admin": 200,
    "network_analyst": 200,
    "facilitator": 404,
    "facilitator_without_consent": 404,
    "org_admin": 200,
    "org_staff": 200,
    "other_org_admin": 200,
    "other_network_admin": 404,
}
ROLES = tuple(GET_EXPECTED)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_the_consultation_page(
    as_role: Any, role: str, opened: Consultation, draft: FrameworkVersion
) -> None:
    response = as_role(role).get(url("consultation", draft))
    if GET_EXPECTED[role] == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == GET_EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(POSTS))
def test_who_may_post_to_the_consultation(
    as_role: Any, world: World, draft: FrameworkVersion, role: str, name: str
) -> None:
    comment = None
    if name != "consultation_open":
        consultation = actions.open_consultation(draft, message="", acting_user=world.users["network_admin"])
        comment = actions.add_comment(
            consultation,
            organisation=world.org,
            target_kind="general",
            target_code="",
            text="Première remarque",
            acting_user=world.users["org_admin"],
        )
    data, expected = POSTS[name]
    if name == "consultation_comment" and role == "network_admin" and comment is not None:
        data = {"reply_to": str(comment.public_id), "text": "Une réponse"}
    before = written()
    response = as_role(role).post(url(name, draft), data)
    after = written()
    if expected[role] == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif expected[role] == "ok":
        assert response.status_code == 302
        assert response["Location"].startswith(url("consultation", draft))
        assert not [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
        assert after != before
    else:
        assert response.status_code == expected[role]
    if expected[role] != "ok":
        assert after == before  # nothing written


# --- forged input --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"view-i_forged": "keep"}, "This indicator is not in the draft: i_forged."),
        ({"view-i_rights": "keep", "view-i_forged": "drop"}, "This indicator is not in the draft: i_forged."),
        ({"view-i_rights": "maybe"}, "Choose keep, change or drop."),
        ({"view-i_rights": "keep", "view-i_esteem": "maybe"}, "Choose keep, change or drop."),
    ],
)
def test_forged_views_are_refused_and_nothing_is_written(
    as_role: Any, opened: Consultation, draft: FrameworkVersion, data: dict[str, str], error: str
) -> None:
    response = as_role("org_admin").post(url("consultation_views", draft), data)
    assert response.status_code == 422
    assert error in response.content.decode()
    assert IndicatorView.objects.count() == 0


@pytest.mark.parametrize(
    "element",
    [
        "indicator:i_forged",
        "node:nowhere",
        "question:entry/nope",
        "question:nope/droits",
        "general:x",
        "secret:",
        "indicator",
    ],
)
def test_a_comment_on_a_forged_element_is_refused_and_nothing_is_written(
    as_role: Any, opened: Consultation, draft: FrameworkVersion, element: str
) -> None:
    response = comment_as_member(as_role("org_admin"), draft, element, "Un commentaire")
    assert response.status_code == 422
    html = response.content.decode()
    assert "The element you comment on is not in this draft." in html
    assert "Un commentaire" in html  # the text is kept in the form
    assert comment_count() == 0


def test_an_empty_comment_is_refused(as_role: Any, opened: Consultation, draft: FrameworkVersion) -> None:
    response = comment_as_member(as_role("org_admin"), draft, "general:", "   ")
    assert response.status_code == 422
    assert comment_count() == 0


def test_the_admin_cannot_answer_a_comment_of_another_consultation(
    as_role: Any, world: World, opened: Consultation, draft: FrameworkVersion
) -> None:
    other = load(sector_document("autre"), network=world.network, publish=False)
    elsewhere = actions.open_consultation(other, message="", acting_user=world.users["network_admin"])
    theirs = actions.add_comment(
        elsewhere,
        organisation=world.org,
        target_kind="general",
        target_code="",
        text="Ailleurs",
        acting_user=world.users["org_admin"],
    )
    admin = as_role("network_admin")
    response = admin.post(url("consultation_comment", draft), {"reply_to": str(theirs.public_id), "text": "Réponse"})
    assert response.status_code == 302
    assert "This comment is not part of this consultation." in flashed(response)
    assert comment_count() == 1


@pytest.mark.parametrize(
    "data", [{"text": "Sans cible"}, {"reply_to": "not-a-uuid", "text": "x"}, {"element": "general:", "text": "x"}]
)
def test_the_network_only_answers_members_comments(
    as_role: Any, opened: Consultation, draft: FrameworkVersion, data: dict[str, str]
) -> None:
    response = as_role("network_admin").post(url("consultation_comment", draft), data)
    assert response.status_code == 302
    assert any("choose the comment you answer" in m for m in flashed(response))
    assert comment_count() == 0


def test_the_admin_cannot_answer_an_answer(
    as_role: Any, world: World, opened: Consultation, draft: FrameworkVersion
) -> None:
    question = actions.add_comment(
        opened,
        organisation=world.org,
        target_kind="general",
        target_code="",
        text="Question",
        acting_user=world.users["org_admin"],
    )
    answer = actions.add_comment(
        opened,
        organisation=None,
        target_kind="general",
        target_code="",
        text="Réponse",
        acting_user=world.users["network_admin"],
        reply_to=question,
    )
    response = as_role("network_admin").post(
        url("consultation_comment", draft), {"reply_to": str(answer.public_id), "text": "Encore"}
    )
    assert "This comment is not part of this consultation." in flashed(response)
    assert comment_count() == 2


# --- closing and publishing ----------------------------------------------------------------------------------


def test_once_closed_comments_views_and_answers_are_refused(
    as_role: Any, world: World, opened: Consultation, draft: FrameworkVersion
) -> None:
    question = actions.add_comment(
        opened,
        organisation=world.org,
        target_kind="general",
        target_code="",
        text="Question",
        acting_user=world.users["org_admin"],
    )
    admin = as_role("network_admin")
    response = admin.post(url("consultation_close", draft))
    assert response.status_code == 302
    opened.refresh_from_db()
    assert not opened.is_open
    assert opened.closed_by == world.users["network_admin"]
    html = page(admin, draft)
    assert "the version can now be published" in html
    assert 'name="reply_to"' not in html
    assert "Close the consultation" not in html

    response = admin.post(url("consultation_comment", draft), {"reply_to": str(question.public_id), "text": "Tard"})
    assert "This consultation is closed." in flashed(response)
    response = admin.post(url("consultation_close", draft))
    assert "This consultation is already closed." in flashed(response)

    member = as_role("org_admin")
    html = page(member, draft)
    assert 'type="radio"' not in html
    assert 'name="text"' not in html
    response = comment_as_member(member, draft, "general:", "Trop tard")
    assert "This consultation is closed." in response.content.decode()
    response = member.post(url("consultation_views", draft), {"view-i_rights": "keep"})
    assert "This consultation is closed." in flashed(response)
    assert comment_count() == 1
    assert IndicatorView.objects.count() == 0


def test_publishing_waits_for_the_consultation_to_close_and_keeps_its_record(
    as_role: Any, world: World, opened: Consultation, draft: FrameworkVersion
) -> None:
    member = as_role("org_admin")
    member.post(url("consultation_views", draft), {"view-i_rights": "keep", "view-i_housing": "drop"})
    comment_as_member(member, draft, "indicator:i_housing", "Donnée difficile à obtenir")
    question = ConsultationComment.objects.get()
    admin = as_role("network_admin")
    admin.post(url("consultation_comment", draft), {"reply_to": str(question.public_id), "text": "On la garde."})

    response = admin.post(url("publish", draft), follow=True)
    assert "Close the consultation before publishing." in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_published

    admin.post(url("consultation_close", draft), follow=True)
    response = admin.post(url("publish", draft), follow=True)
    assert "Version 1 is published." in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_published

    html = page(as_role("network_analyst"), draft)
    assert "Donnée difficile à obtenir" in html
    assert "On la garde." in html
    assert tally_of(html)["i_housing"] == {"keep": "0", "change": "0", "drop": "1", "answered": "1 of 2"}
    assert "was published on" in html

    html = page(as_role("org_staff"), draft)
    assert "Donnée difficile à obtenir" in html
    assert "On la garde." in html
    assert re.search(r"Exits to housing</th><td>Drop</td>", html)

    html = page(as_role("facilitator"), draft)  # published: the facilitator reads the version, not the members'
    assert "Dites-nous tout." in html
    assert "Donnée difficile à obtenir" not in html
    assert 'id="tally-' not in html

    response = as_role("network_admin").post(url("consultation_open", draft), {"message": "Encore"})
    assert "Only a draft sector version can be opened to consultation." in flashed(response)


def test_a_published_version_without_consultation_says_so(as_role: Any, world: World) -> None:
    version = load(sector_document(), network=world.network)
    html = page(as_role("network_admin"), version)
    assert "No consultation of member organisations was held on this version." in html
    assert 'name="message"' not in html


# --- queries -------------------------------------------------------------------------------------------------


def _comments(world: World, consultation: Consultation, n: int) -> None:
    elements = [
        ("general", ""),
        ("node", "out_rights"),
        ("indicator", "i_rights"),
        ("question", "entry/droits"),
        ("question", "follow_up/estime"),
    ]
    for i in range(n):
        organisation, author = (world.org, "org_admin") if i % 2 else (world.other_org, "other_org_admin")
        kind, code = elements[i % len(elements)]
        comment = actions.add_comment(
            consultation,
            organisation=organisation,
            target_kind=kind,
            target_code=code,
            text=f"Commentaire {i}",
            acting_user=world.users[author],
        )
        if i % 3 == 0:
            actions.add_comment(
                consultation,
                organisation=None,
                target_kind=kind,
                target_code=code,
                text=f"Réponse {i}",
                acting_user=world.users["network_admin"],
                reply_to=comment,
            )
    for organisation in (world.org, world.other_org):
        for code in INDICATORS:
            actions.give_view(
                consultation, organisation=organisation, indicator_code=code, view="keep", acting_user=None
            )


def test_the_staff_page_does_not_query_per_comment(
    as_role: Any, world: World, opened: Consultation, draft: FrameworkVersion, django_assert_max_num_queries: Any
) -> None:
    _comments(world, opened, 2)
    client = as_role("network_admin")
    with CaptureQueriesContext(connection) as few:
        page(client, draft)
    _comments(world, opened, 10)
    with django_assert_max_num_queries(20), CaptureQueriesContext(connection) as many:
        html = page(client, draft)
    assert html.count('class="comment"') == 12
    assert len(many) == len(few)
