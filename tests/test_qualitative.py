"""Open answers: the listing (latest versions, one's own organisation, search without case or accents), themes and
coding, counts per theme over time, quotes only with the respondent's consent, forged identifiers, the demo."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from socle.audit.models import AuditEvent
from socle.collection import actions as collection_actions
from socle.collection.models import Campaign, Submission
from socle.lib.qualitative import fold, is_small, matches, words_of
from socle.network.models import Organisation
from socle.qualitative import actions, queries
from socle.qualitative.models import Coding, QuoteProposal, QuoteStatus, Theme
from tests.conftest import login_as
from tests.factories import World
from tests.framework_docs import load, organisation_document, sector_document

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def _sector_with_open_questions(world: World) -> None:
    document = sector_document()
    for questionnaire in document["questionnaires"]:
        questionnaire["sections"][0]["questions"] += [
            {"name": "remarques", "type": "long_text", "label": {"fr": "Vos remarques", "en": "Your remarks"}},
            {"name": "ville", "type": "text", "label": {"fr": "Votre ville", "en": "Your town"}},
        ]
    load(document, network=world.network)


def _campaign(organisation: Organisation, name: str = "Entrées", days_ago: int = 0) -> Campaign:
    framework_slug = f"{organisation.slug}-mini"
    from socle.frameworks.models import FrameworkVersion

    version = FrameworkVersion.objects.filter(framework__slug=framework_slug, number=1).first()
    if version is None:
        version = load(organisation_document(organisation), publish=True)
    return collection_actions.open_campaign(
        organisation,
        version,
        name=name,
        wave="entry",
        starts_on=TODAY - datetime.timedelta(days=days_ago),
        ends_on=TODAY + datetime.timedelta(days=30),
        establishments=list(organisation.establishments.filter(participates=True)),
        acting_user=None,
    )


def _answer(campaign: Campaign, text: str | None, *, consent: bool | None = True, **more: Any) -> Submission:
    answers: dict[str, Any] = {"droits": "oui", **more}
    if text is not None:
        answers["remarques"] = text
    return collection_actions.submit(
        campaign=campaign,
        establishment=campaign.links.first().establishment,  # type: ignore[union-attr]
        questionnaire_code="entry",
        submission_uuid=uuid.uuid4(),
        answers=answers,
        mode="self",
        quote_consent=consent,
    ).submission


@pytest.fixture
def open_world(world: World) -> World:
    _sector_with_open_questions(world)
    world.campaign = _campaign(world.org)  # type: ignore[attr-defined]
    world.other_campaign = _campaign(world.other_org)  # type: ignore[attr-defined]
    return world


def _admin(world: World, client: Client) -> Client:
    return login_as(client, world.users["org_admin"])


def _list(client: Client, world: World, **params: str) -> str:
    response = client.get(reverse("qualitative:answers", args=[world.org.slug]), params)
    assert response.status_code == 200
    return response.content.decode()


def _theme(world: World, name: str, organisation: Organisation | None = None) -> Theme:
    return actions.create_theme(organisation or world.org, name=name, acting_user=world.users["org_admin"])


# The pure part


def test_fold_ignores_case_accents_and_ligatures() -> None:
    assert fold("Été, ÉCOLE  et Cœur") == "ete, ecole et coeur"
    assert words_of("ÉCOLE école") == ["ecole"]
    assert matches("Je voudrais retourner à l'École", words_of("ecole RETOURNER"))
    assert not matches("Je voudrais retourner à l'École", words_of("ecole travail"))
    assert is_small(4) and not is_small(5) and not is_small(0)


# The listing


def test_listing_shows_the_latest_version_of_each_answer_and_only_ones_own_organisation(
    open_world: World, client: Client
) -> None:
    first = _answer(open_world.campaign, "Une premiere version avec une fote")  # type: ignore[attr-defined]
    collection_actions.correct_submission(
        first,
        {"droits": "oui", "remarques": "La version corrigée, sans faute"},
        reason="faute de frappe",
        acting_user=open_world.users["org_admin"],
    )
    _answer(open_world.campaign, "Une autre réponse", ville="Lille")  # type: ignore[attr-defined]
    _answer(open_world.campaign, None)  # type: ignore[attr-defined]  # no open answer: not listed
    _answer(open_world.campaign, "__dont_know__" if False else "   ")  # type: ignore[attr-defined]
    _answer(open_world.other_campaign, "Réponse secrète de l'autre association")  # type: ignore[attr-defined]
    page = _list(_admin(open_world, client), open_world)
    assert "La version corrigée, sans faute" in page
    assert "fote" not in page
    assert "Une autre réponse" in page and "Lille" in page and "Votre ville" in page
    assert "secrète" not in page
    assert "3 réponses ouvertes" in page
    assert "followup" not in page.lower()


def test_listing_is_newest_first_and_paginated(open_world: World, client: Client) -> None:
    for n in range(queries_page_size() + 2):
        _answer(open_world.campaign, f"Réponse numéro {n:02d}")  # type: ignore[attr-defined]
    page = _list(_admin(open_world, client), open_world)
    last = f"Réponse numéro {queries_page_size() + 1:02d}"
    assert page.index(last) < page.index(f"Réponse numéro {queries_page_size():02d}")
    assert "Réponse numéro 00" not in page
    assert "Page 1 sur 2" in page or "Page 1 of 2" in page
    second = _list(client, open_world, page="2")
    assert "Réponse numéro 00" in second


def queries_page_size() -> int:
    from socle.qualitative.views import PAGE_SIZE

    return PAGE_SIZE


def test_search_ignores_case_and_accents_on_this_database(open_world: World, client: Client) -> None:
    _answer(open_world.campaign, "Je voudrais retourner à l'École du soir")  # type: ignore[attr-defined]
    _answer(open_world.campaign, "Trouver un ÉTÉ au foyer")  # type: ignore[attr-defined]
    _answer(open_world.campaign, "Rien à voir")  # type: ignore[attr-defined]
    _admin(open_world, client)
    for query in ("ecole", "ÉCOLE", "école du SOIR", "Ecole"):
        page = _list(client, open_world, q=query)
        assert "retourner à l&#x27;École" in page, query
        assert "foyer" not in page and "Rien à voir" not in page
    assert "foyer" in _list(client, open_world, q="ete FOYER")
    assert "1 réponse ouverte" in _list(client, open_world, q="été")


def test_filters_by_campaign_and_question(open_world: World, client: Client) -> None:
    later = _campaign(open_world.org, name="Suivi printemps")
    _answer(open_world.campaign, "Dans la première campagne", ville="Arras")  # type: ignore[attr-defined]
    _answer(later, "Dans la seconde campagne")
    _admin(open_world, client)
    page = _list(client, open_world, campaign=str(later.public_id))
    assert "seconde" in page and "première" not in page
    page = _list(client, open_world, question="ville")
    assert "Arras" in page and "seconde" not in page and "Dans la première" not in page


# Themes and coding


def test_coding_and_uncoding_an_answer_write_one_audit_row_each(open_world: World, client: Client) -> None:
    submission = _answer(open_world.campaign, "Un logement et un travail")  # type: ignore[attr-defined]
    housing, work = _theme(open_world, "Logement"), _theme(open_world, "Travail")
    _admin(open_world, client)
    url = reverse("qualitative:code", args=[open_world.org.slug])
    data = {"submission": submission.uuid, "question": "remarques", "themes": [housing.public_id, work.public_id]}
    response = client.post(url, {**data, "back": "q=logement&evil=1"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("qualitative:answers", args=[open_world.org.slug]) + "?q=")
    assert "evil" not in response.headers["Location"]
    assert set(Coding.objects.values_list("theme__name", flat=True)) == {"Logement", "Travail"}
    assert Coding.objects.get(theme=housing).organisation_id == open_world.org.pk
    event = AuditEvent.objects.get(action="answer.coded")
    assert event.data == {"added": ["Logement", "Travail"], "removed": []}
    client.post(url, {**data, "themes": [work.public_id]})
    assert list(Coding.objects.values_list("theme__name", flat=True)) == ["Travail"]
    assert AuditEvent.objects.filter(action="answer.coded").count() == 2
    assert AuditEvent.objects.filter(action="answer.coded").first().data["removed"] == ["Logement"]  # type: ignore[union-attr]
    client.post(url, {**data, "themes": [work.public_id]})  # nothing changes: no row
    assert AuditEvent.objects.filter(action="answer.coded").count() == 2
    page = _list(client, open_world, theme=str(work.public_id))
    assert "Un logement et un travail" in page
    assert "Un logement et un travail" not in _list(client, open_world, theme=str(housing.public_id))
    assert "Un logement et un travail" not in _list(client, open_world, theme=queries.NOT_CODED)


def test_codings_follow_a_corrected_answer(open_world: World) -> None:
    first = _answer(open_world.campaign, "Un logment")  # type: ignore[attr-defined]
    housing = _theme(open_world, "Logement")
    actions.code_answer(
        open_world.org,
        submission_uuid=first.uuid,
        question_code="remarques",
        theme_ids=[housing.public_id],
        acting_user=None,
    )
    corrected = collection_actions.correct_submission(
        first, {"droits": "oui", "remarques": "Un logement"}, reason="faute", acting_user=None
    )
    [answer] = queries.open_answers(open_world.org.pk, campaigns=[open_world.campaign]).answers  # type: ignore[attr-defined]
    assert answer.submission_uuid == corrected.uuid and answer.text == "Un logement"
    assert [t.name for t in answer.themes] == ["Logement"]
    # coding the latest version changes the same coding, kept on the first version
    actions.code_answer(
        open_world.org, submission_uuid=corrected.uuid, question_code="remarques", theme_ids=[], acting_user=None
    )
    assert not Coding.objects.exists()


def test_theme_names_are_unique_per_organisation_whatever_the_case(open_world: World, client: Client) -> None:
    _theme(open_world, "Logement")
    _theme(open_world, "Logement", organisation=open_world.other_org)  # another organisation may have it
    with pytest.raises(actions.ActionError, match="a déjà un thème"):
        _theme(open_world, "  LOGEMENT ")
    _admin(open_world, client)
    response = client.post(reverse("qualitative:themes", args=[open_world.org.slug]), {"name": "logement"})
    assert response.status_code == 422
    assert Theme.objects.filter(organisation=open_world.org).count() == 1
    response = client.post(
        reverse("qualitative:themes", args=[open_world.org.slug]), {"name": "Santé", "description": "Soins"}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="theme.created", organisation=open_world.org).count() == 2


def test_an_archived_theme_keeps_its_codings_but_is_no_longer_offered(open_world: World, client: Client) -> None:
    submission = _answer(open_world.campaign, "Une réponse")  # type: ignore[attr-defined]
    old, new = _theme(open_world, "Ancien thème"), _theme(open_world, "Nouveau thème")
    actions.code_answer(
        open_world.org,
        submission_uuid=submission.uuid,
        question_code="remarques",
        theme_ids=[old.public_id],
        acting_user=None,
    )
    _admin(open_world, client)
    response = client.post(
        reverse("qualitative:theme_archive", args=[open_world.org.slug]), {"theme": old.public_id, "archived": "on"}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="theme.archived").count() == 1
    page = _list(client, open_world)
    assert f'name="themes" value="{new.public_id}"' in page and f'name="themes" value="{old.public_id}"' not in page
    assert "Ancien thème (archivé)" in page
    actions.code_answer(
        open_world.org,
        submission_uuid=submission.uuid,
        question_code="remarques",
        theme_ids=[new.public_id],
        acting_user=None,
    )
    assert set(Coding.objects.values_list("theme__name", flat=True)) == {"Ancien thème", "Nouveau thème"}
    with pytest.raises(actions.ActionError, match="archivé"):
        actions.code_answer(
            open_world.org,
            submission_uuid=submission.uuid,
            question_code="remarques",
            theme_ids=[old.public_id],
            acting_user=None,
        )


# Forged identifiers


def test_forged_or_another_organisations_identifiers_get_404_and_write_nothing(
    open_world: World, client: Client
) -> None:
    mine = _answer(open_world.campaign, "Ma réponse")  # type: ignore[attr-defined]
    theirs = _answer(open_world.other_campaign, "Leur réponse")  # type: ignore[attr-defined]
    my_theme, their_theme = _theme(open_world, "À moi"), _theme(open_world, "À eux", open_world.other_org)
    _admin(open_world, client)
    code = reverse("qualitative:code", args=[open_world.org.slug])
    tries = [
        {"submission": theirs.uuid, "question": "remarques", "themes": [my_theme.public_id]},
        {"submission": mine.uuid, "question": "remarques", "themes": [their_theme.public_id]},
        {"submission": uuid.uuid4(), "question": "remarques", "themes": [my_theme.public_id]},
        {"submission": mine.uuid, "question": "droits", "themes": [my_theme.public_id]},  # not an open question
        {"submission": mine.uuid, "question": "remarques", "themes": ["not-a-uuid"]},
    ]
    for data in tries:
        assert client.post(code, data).status_code == 404, data
    propose = reverse("qualitative:propose", args=[open_world.org.slug])
    assert client.post(propose, {"submission": theirs.uuid, "question": "remarques"}).status_code == 404
    archive = reverse("qualitative:theme_archive", args=[open_world.org.slug])
    assert client.post(archive, {"theme": their_theme.public_id, "archived": "on"}).status_code == 404
    their_quote = actions.propose_quote(
        open_world.other_org, submission_uuid=theirs.uuid, question_code="remarques", acting_user=None
    )
    decide = reverse("qualitative:decide", args=[open_world.org.slug])
    assert client.post(decide, {"proposal": their_quote.public_id, "decision": "approve"}).status_code == 404
    assert not Coding.objects.exists()
    assert QuoteProposal.objects.filter(organisation=open_world.org).count() == 0
    assert QuoteProposal.objects.get().status == QuoteStatus.PROPOSED
    assert not Theme.objects.filter(archived=True).exists()
    assert not AuditEvent.objects.filter(action__in=["answer.coded", "theme.archived", "quote.approved"]).exists()


# Quotes


def test_an_answer_without_consent_cannot_be_proposed_as_a_quote(open_world: World, client: Client) -> None:
    refused = _answer(open_world.campaign, "Je ne veux pas être cité", consent=False)  # type: ignore[attr-defined]
    not_asked = _answer(open_world.campaign, "On ne me l'a pas demandé", consent=None)  # type: ignore[attr-defined]
    _admin(open_world, client)
    page = _list(client, open_world)
    assert page.count(reverse("qualitative:propose", args=[open_world.org.slug])) == 0
    assert page.count("la personne n’a pas donné son accord") == 2 or page.count("Not to be quoted") == 2
    for submission in (refused, not_asked):
        response = client.post(
            reverse("qualitative:propose", args=[open_world.org.slug]),
            {"submission": submission.uuid, "question": "remarques"},
        )
        assert response.status_code == 422
        assert "n’a pas accepté d’être citée" in response.content.decode()
    assert not QuoteProposal.objects.exists()
    assert not AuditEvent.objects.filter(action="quote.proposed").exists()


def test_a_quote_is_proposed_by_staff_approved_by_an_admin_and_given_to_the_impact_page(
    open_world: World, client: Client
) -> None:
    submission = _answer(open_world.campaign, "Ici on m'écoute, ça change tout.", consent=True)  # type: ignore[attr-defined]
    login_as(client, open_world.users["org_staff"])
    page = _list(client, open_world)
    assert reverse("qualitative:propose", args=[open_world.org.slug]) in page
    response = client.post(
        reverse("qualitative:propose", args=[open_world.org.slug]),
        {"submission": submission.uuid, "question": "remarques"},
    )
    assert response.status_code == 302
    proposal = QuoteProposal.objects.get()
    assert proposal.text == "Ici on m'écoute, ça change tout." and proposal.status == QuoteStatus.PROPOSED
    assert proposal.proposed_by == open_world.users["org_staff"]
    with pytest.raises(actions.ActionError, match="déjà proposée"):
        actions.propose_quote(
            open_world.org, submission_uuid=submission.uuid, question_code="remarques", acting_user=None
        )
    decide = reverse("qualitative:decide", args=[open_world.org.slug])
    assert client.post(decide, {"proposal": proposal.public_id, "decision": "approve"}).status_code == 403
    assert queries.approved_quotes(open_world.org.pk) == []
    login_as(client, open_world.users["org_admin"])
    assert client.post(decide, {"proposal": proposal.public_id, "decision": "approve"}).status_code == 302
    [quote] = queries.approved_quotes(open_world.org.pk)
    assert quote.text == "Ici on m'écoute, ça change tout." and quote.campaign == "Entrées"
    assert queries.approved_quotes(open_world.other_org.pk) == []
    assert "Ici on m" in client.get(reverse("qualitative:quotes", args=[open_world.org.slug])).content.decode()
    assert client.post(decide, {"proposal": proposal.public_id, "decision": "withdraw"}).status_code == 302
    assert queries.approved_quotes(open_world.org.pk) == []
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="quote.").order_by("id")] == [
        "quote.proposed",
        "quote.approved",
        "quote.withdrawn",
    ]
    # a withdrawn quote may be proposed again
    actions.propose_quote(open_world.org, submission_uuid=submission.uuid, question_code="remarques", acting_user=None)
    # nobody proposed it: the page still shows it
    assert client.get(reverse("qualitative:quotes", args=[open_world.org.slug])).status_code == 200


# Counts per theme


def test_counts_per_theme_per_campaign_and_month_flag_small_counts(open_world: World, client: Client) -> None:
    spring = _campaign(open_world.org, name="Printemps")
    housing, health = _theme(open_world, "Logement"), _theme(open_world, "Santé")
    for n in range(6):
        s = _answer(open_world.campaign, f"Logement {n}")  # type: ignore[attr-defined]
        themes = [housing.public_id] + ([health.public_id] if n < 2 else [])
        actions.code_answer(
            open_world.org, submission_uuid=s.uuid, question_code="remarques", theme_ids=themes, acting_user=None
        )
    s = _answer(spring, "Santé au printemps")
    actions.code_answer(
        open_world.org,
        submission_uuid=s.uuid,
        question_code="remarques",
        theme_ids=[health.public_id],
        acting_user=None,
    )
    other = _answer(open_world.other_campaign, "Ailleurs")  # type: ignore[attr-defined]
    their_theme = _theme(open_world, "Logement", open_world.other_org)
    actions.code_answer(
        open_world.other_org,
        submission_uuid=other.uuid,
        question_code="remarques",
        theme_ids=[their_theme.public_id],
        acting_user=None,
    )
    counts = queries.theme_counts(open_world.org.pk)
    assert [c.name for c in counts.campaigns] == ["Entrées", "Printemps"]
    table = {t.name: [c.n for c in cells] for t, cells, _total in counts.rows("campaign")}
    assert table == {"Logement": [6, 0], "Santé": [2, 1]}
    assert {t.name: total.n for t, _cells, total in counts.rows("campaign")} == {"Logement": 6, "Santé": 3}
    month = TODAY.replace(day=1)
    assert counts.months == [month]
    assert {t.name: [c.n for c in cells] for t, cells, _ in counts.rows("month")} == {"Logement": [6], "Santé": [3]}
    assert [c.small for c in counts.by_campaign[health.pk]] == [True, True]
    assert not counts.totals[housing.pk].small
    login_as(client, open_world.users["facilitator"])  # a consenting facilitator reads the counts
    page = client.get(reverse("qualitative:themes", args=[open_world.org.slug])).content.decode()
    assert '<img src="data:image/svg+xml;base64,' in page and "alt=" in page
    assert "2*" in page and "petit effectif" in page
    assert "Ailleurs" not in page
    assert reverse("qualitative:theme_archive", args=[open_world.org.slug]) not in page  # no buttons to manage


def test_facilitators_read_counts_but_never_open_answers(open_world: World, client: Client) -> None:
    login_as(client, open_world.users["facilitator"])
    assert client.get(reverse("qualitative:answers", args=[open_world.org.slug])).status_code == 404
    assert client.get(reverse("qualitative:themes", args=[open_world.org.slug])).status_code == 200
    assert client.post(reverse("qualitative:themes", args=[open_world.org.slug]), {"name": "X"}).status_code == 403
    assert not Theme.objects.exists()
    # the organisation's navigation leads them to the counts, never to the answers
    home = client.get(reverse("network:organisation_home", args=[open_world.org.slug])).content.decode()
    assert reverse("qualitative:themes", args=[open_world.org.slug]) in home
    assert 'href="' + reverse("qualitative:answers", args=[open_world.org.slug]) + '"' not in home


def test_posts_without_a_csrf_token_are_refused(open_world: World) -> None:
    submission = _answer(open_world.campaign, "Une réponse")  # type: ignore[attr-defined]
    theme = _theme(open_world, "Logement")
    client = login_as(Client(enforce_csrf_checks=True), open_world.users["org_admin"])
    response = client.post(
        reverse("qualitative:code", args=[open_world.org.slug]),
        {"submission": submission.uuid, "question": "remarques", "themes": [theme.public_id]},
    )
    assert response.status_code == 403
    response = client.post(reverse("qualitative:themes", args=[open_world.org.slug]), {"name": "Santé"})
    assert response.status_code == 403
    assert not Coding.objects.exists() and Theme.objects.count() == 1


def test_the_list_page_reads_a_fixed_number_of_queries(
    open_world: World, client: Client, django_assert_max_num_queries: Any
) -> None:
    themes = [_theme(open_world, name).public_id for name in ("Logement", "Santé", "Travail")]
    for n in range(30):
        s = _answer(open_world.campaign, f"Réponse {n}", consent=n % 2 == 0, ville="Lyon")  # type: ignore[attr-defined]
        if n % 3 == 0:
            s = collection_actions.correct_submission(
                s,
                {"droits": "non", "remarques": f"Réponse corrigée {n}", "ville": "Lyon"},
                reason="r",
                acting_user=None,
            )
        actions.code_answer(
            open_world.org,
            submission_uuid=s.uuid,
            question_code="remarques",
            theme_ids=themes[: n % 4],
            acting_user=None,
        )
        if n % 4 == 0:
            actions.propose_quote(open_world.org, submission_uuid=s.uuid, question_code="remarques", acting_user=None)
    _admin(open_world, client)
    _list(client, open_world)  # warm the cache of questionnaires
    with django_assert_max_num_queries(12):
        page = _list(client, open_world, q="corrigee")
    assert "Réponse corrigée 0" in page
    with django_assert_max_num_queries(12):
        _list(client, open_world, theme=queries.NOT_CODED)


def test_the_demo_has_themes_coded_answers_and_an_approved_quote_and_loads_again(db: None) -> None:
    from socle.collection.demo import load_demo_answers, load_demo_campaign
    from socle.frameworks.demo import load_demo_frameworks
    from socle.network.demo import load_demo
    from socle.qualitative.demo import load_demo_qualitative

    result = load_demo("demo-password-123")
    load_demo_frameworks(result.network)
    load_demo_answers(load_demo_campaign(result.network))
    assert load_demo_qualitative(result.network) > 0
    horizon = Organisation.objects.get(slug="horizon-solidaire")
    assert Theme.objects.filter(organisation=horizon).count() == 5
    codings = Coding.objects.count()
    assert len(queries.approved_quotes(horizon.pk)) == 1
    assert load_demo_qualitative(result.network) == 0
    assert Coding.objects.count() == codings and QuoteProposal.objects.count() == 1


def test_the_listing_reads_a_bounded_number_of_questionnaires_and_says_so(
    open_world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "SCAN_LIMIT", 3)
    for n in range(5):
        _answer(open_world.campaign, f"Réponse {n}")  # type: ignore[attr-defined]
    listing = queries.open_answers(open_world.org.pk, campaigns=[open_world.campaign])  # type: ignore[attr-defined]
    assert listing.truncated and [a.text for a in listing.answers] == ["Réponse 4", "Réponse 3", "Réponse 2"]
    page = _list(_admin(open_world, client), open_world)
    assert "Seuls les 3 derniers questionnaires avec une réponse ouverte sont lus" in page


def test_a_filter_that_is_no_longer_valid_is_left_out_and_the_others_kept(open_world: World, client: Client) -> None:
    _answer(open_world.campaign, "Un jardin partagé")  # type: ignore[attr-defined]
    _answer(open_world.campaign, "Un logement")  # type: ignore[attr-defined]
    page = _list(_admin(open_world, client), open_world, campaign=str(uuid.uuid4()), q="jardin")
    assert "Un jardin partagé" in page and "Un logement" not in page
