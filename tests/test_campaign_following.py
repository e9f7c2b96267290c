"""Following a campaign (answers by establishment and day, completion, pairing), its paper form, and sector
campaigns that member campaigns join."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from socle.audit.models import AuditEvent
from socle.collection import actions, paper, queries
from socle.collection.models import Campaign, SectorCampaign, Submission
from socle.collection.paper import sections_for_paper
from socle.frameworks import presentation
from socle.frameworks.models import FrameworkVersion
from socle.lib.collection.paper import condition_of
from socle.network.actions import ActionError
from tests.factories import World
from tests.framework_docs import load, organisation_document, sector_document

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def sector(world: World) -> FrameworkVersion:
    return load(sector_document(), network=world.network)


@pytest.fixture
def version(world: World, sector: FrameworkVersion) -> FrameworkVersion:
    return load(organisation_document(world.org), publish=True)


def _campaign(world: World, version: FrameworkVersion, wave: str = "entry", **extra: object) -> Campaign:
    return actions.open_campaign(
        world.org,
        version,
        name=f"Campagne {wave}",
        wave=wave,
        starts_on=extra.pop("starts_on", TODAY - datetime.timedelta(days=3)),  # type: ignore[arg-type]
        ends_on=extra.pop("ends_on", TODAY + datetime.timedelta(days=10)),  # type: ignore[arg-type]
        establishments=[world.establishment],
        acting_user=None,
        **extra,  # type: ignore[arg-type]
    )


def _answer(campaign: Campaign, code: str, answers: dict[str, object], **extra: object) -> actions.Received:
    return actions.submit(
        campaign=campaign,
        establishment=campaign.links.first().establishment,  # type: ignore[union-attr]
        questionnaire_code=code,
        submission_uuid=uuid.uuid4(),
        answers=answers,
        mode="self",
        **extra,  # type: ignore[arg-type]
    )


# --- Following a campaign -----------------------------------------------------------------------------------------


def test_the_campaign_page_shows_answers_by_establishment_and_day_with_a_chart_and_completion(
    as_role, world: World, version
) -> None:  # type: ignore[no-untyped-def]
    world.establishment.people_supported = 40
    world.establishment.save()
    campaign = _campaign(world, version)
    _answer(campaign, "entry", {"sexe": "f", "droits": "oui", "estime": "4", "urgences": "1"})
    _answer(campaign, "entry", {"droits": "dk"})
    state = queries.campaign_progress(campaign)
    assert state.received == 2
    assert [(row.received, row.expected, str(row.rate)) for row in state.links] == [(2, 40, "5.0")]
    assert state.days[-1] == (TODAY, 2) and sum(n for _, n in state.days) == 2 and len(state.days) == 4
    completion = {c.name: c for _label, c in state.questionnaires[0].questions}
    assert completion["droits"].dont_know == 1 and completion["sexe"].unanswered == 1
    assert state.paired is None  # entry wave: nothing to pair
    client = as_role("org_staff")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("collection:campaign", args=[world.org.slug, campaign.public_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<img src="data:image/svg+xml;base64,' in html and "Bar chart of the number of people" in html
    assert "2 people answered." in html
    assert "Answers per 100 people supported" in html and ">5.0<" in html


def test_a_correction_counts_the_person_once_and_its_answers_replace_the_first_ones(world: World, version) -> None:
    campaign = _campaign(world, version)
    first = _answer(campaign, "entry", {"sexe": "f", "droits": "non"}).submission
    Submission.objects.create(
        uuid=uuid.uuid4(),
        organisation=world.org,
        campaign=campaign,
        establishment=first.establishment,
        framework_version=first.framework_version,
        questionnaire_code="entry",
        wave="entry",
        mode="self",
        answers={"sexe": "f", "droits": "oui"},
        answers_sha256="x",
        corrects=first,
    )
    state = queries.campaign_progress(campaign)
    assert state.received == 1
    completion = {c.name: c for _label, c in state.questionnaires[0].questions}
    assert completion["droits"].asked == 1 and completion["droits"].answered == 1


def test_a_follow_up_campaign_says_how_many_codes_match_an_entry(world: World, version) -> None:
    entry = _campaign(world, version)
    code = _answer(entry, "entry", {"droits": "oui"}).followup_code
    follow = _campaign(world, version, "follow_up")
    _answer(follow, "follow_up", {"droits": "oui"}, followup_code=code)
    _answer(follow, "follow_up", {"droits": "non"})
    _answer(follow, "follow_up", {"droits": "non"}, followup_code=actions.issued_code(b"k" * 32, uuid.uuid4()))
    state = queries.campaign_progress(follow)
    assert (state.paired, state.codes_given) == (1, 2)


# --- Paper ----------------------------------------------------------------------------------------------------------


def test_the_paper_form_is_a_pdf_for_the_organisations_people_only(as_role, world: World, version) -> None:  # type: ignore[no-untyped-def]
    campaign = _campaign(world, version)
    link = campaign.links.get()
    url = reverse("collection:paper", args=[world.org.slug, campaign.public_id, link.code])
    response = as_role("org_staff").get(url + "?lang=en&easy=1")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert as_role("other_org_admin").get(url).status_code == 404
    assert as_role("org_staff").get(url.replace(link.code, "zzzzzzzzzz")).status_code == 404


def test_the_paper_form_says_in_words_when_to_skip_a_question(world: World, version) -> None:
    document = version.effective_content()
    spec = presentation.find(document["questionnaires"], "code", "entry")
    with translation.override("en"):
        sections = sections_for_paper(presentation.questionnaire_sections(document, spec, lang="en", easy=False))
        questions = {q.view.name: q for s in sections for q in s.questions}
        labels = {"estime": {"5": "Very happy", "4": "Happy"}}
        assert [q.number for q in questions.values() if q.view.type != "note"][:4] == [1, 2, 3, 4]
        assert questions["urgences"].instruction == "Answer only if you answered question 2."  # ${droits} != ''
        assert (
            paper._instruction(condition_of("${estime} = '5' or ${estime} = '4'"), {"estime": 3}, labels)
            == "Answer only if you answered “Very happy” / “Happy” to question 3."
        )
        # a condition that is not a simple pattern gets a general instruction, never a false one
        assert paper._instruction(condition_of("${urgences} > 3"), {"urgences": 4}, labels) == (
            "Answer only if this applies to you."
        )
        assert questions["sexe"].instruction == ""


# --- Sector campaigns -------------------------------------------------------------------------------------------


def _sector_campaign(world: World, sector: FrameworkVersion) -> SectorCampaign:
    return actions.open_sector_campaign(
        world.network,
        sector,
        name="Mini 2026",
        starts_on=TODAY - datetime.timedelta(days=30),
        ends_on=TODAY + datetime.timedelta(days=300),
        acting_user=None,
    )


def test_a_network_admin_opens_a_sector_campaign_and_analysts_only_read(as_role, world: World, sector) -> None:  # type: ignore[no-untyped-def]
    url = reverse("collection:sector_campaigns", args=[world.network.slug])
    data = {
        "name": "Mini 2026",
        "version": sector.pk,
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + datetime.timedelta(days=200)).isoformat(),
    }
    assert as_role("network_analyst").post(url, data).status_code == 403
    assert as_role("org_admin").get(url).status_code == 404
    response = as_role("network_admin").post(url, data)
    assert response.status_code == 302
    created = SectorCampaign.objects.get()
    assert created.framework_version == sector
    assert AuditEvent.objects.filter(action="sector_campaign.opened", target=str(created.public_id)).exists()
    assert as_role("network_analyst").get(url).status_code == 200
    bad = as_role("network_admin").post(url, {**data, "ends_on": (TODAY - datetime.timedelta(days=1)).isoformat()})
    assert bad.status_code == 422 and SectorCampaign.objects.count() == 1


def test_a_member_campaign_joins_a_sector_campaign_and_the_network_sees_counts_only(
    as_role, world: World, sector, version
) -> None:  # type: ignore[no-untyped-def]
    sector_campaign = _sector_campaign(world, sector)
    form_url = reverse("collection:campaigns", args=[world.org.slug])
    client = as_role("org_admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    form = client.get(form_url).content.decode()
    assert "Join a sector campaign of your network" in form and "Mini 2026" in form
    response = as_role("org_admin").post(
        form_url,
        {
            "name": "Entrées",
            "version": version.pk,
            "wave": "entry",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
            "establishments": [world.establishment.pk],
            "sector_campaign": sector_campaign.pk,
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(sector_campaign=sector_campaign)
    _answer(campaign, "entry", {"droits": "oui", "sexe": "f"})
    members, others = queries.sector_participation(sector_campaign)
    assert [(m.organisation, m.establishments, m.answers["entry"]) for m in members] == [(world.org, 1, 1)]
    assert world.org not in others
    page = as_role("network_analyst").get(
        reverse("collection:sector_campaign", args=[world.network.slug, sector_campaign.public_id])
    )
    html = page.content.decode()
    assert page.status_code == 200 and world.org.name in html
    assert "oui" not in html  # no answer ever reaches the network's page
    assert as_role("org_admin").get(page.request["PATH_INFO"]).status_code == 404


@translation.override("en")
def test_joining_needs_a_version_based_on_the_sector_campaigns_and_dates_within_it(
    world: World, sector, version
) -> None:
    sector_campaign = _sector_campaign(world, sector)
    with pytest.raises(ActionError, match="within its dates"):
        _campaign(world, version, sector_campaign=sector_campaign, ends_on=TODAY + datetime.timedelta(days=400))
    v2 = load(sector_document(version=2), network=world.network)
    other = actions.open_sector_campaign(
        world.network, v2, name="Mini v2", starts_on=TODAY, ends_on=TODAY, acting_user=None
    )
    with pytest.raises(ActionError, match="must be based on it"):
        _campaign(world, version, sector_campaign=other, starts_on=TODAY, ends_on=TODAY)
    with pytest.raises(ActionError, match="sector frameworks"):
        actions.open_sector_campaign(world.network, version, name="x", starts_on=TODAY, ends_on=TODAY, acting_user=None)
    assert not Campaign.objects.exists()


# --- Corrections ------------------------------------------------------------------------------------------------


def test_staff_correct_an_answer_as_a_new_version_and_the_history_shows_both(as_role, world: World, version) -> None:  # type: ignore[no-untyped-def]
    campaign = _campaign(world, version)
    first = _answer(campaign, "entry", {"sexe": "f", "droits": "non", "estime": "2"}).submission
    args = [world.org.slug, campaign.public_id, first.uuid]
    client = as_role("org_staff")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    form = client.get(reverse("collection:correct", args=args))
    assert form.status_code == 200 and re.search(r"value=\"non\"[^>]*checked", form.content.decode())
    missing_reason = client.post(reverse("collection:correct", args=args), {"q_sexe": "f", "q_droits": "oui"})
    assert missing_reason.status_code == 422
    bad = client.post(
        reverse("collection:correct", args=args), {"q_sexe": "f", "q_droits": "oui", "q_urgences": "900", "reason": "x"}
    )
    assert bad.status_code == 422 and "Between 0 and 100" in bad.content.decode()
    assert Submission.objects.count() == 1
    done = client.post(
        reverse("collection:correct", args=args),
        {"q_sexe": "f", "q_droits": "oui", "q_estime": "2", "reason": "Faute de frappe à la saisie"},
    )
    assert done.status_code == 302
    correction = Submission.objects.get(corrects=first)
    assert correction.answers == {"sexe": "f", "droits": "oui", "estime": "2"}
    assert correction.entered_by == world.users["org_staff"] and correction.mode == first.mode
    first.refresh_from_db()
    assert first.answers == {"sexe": "f", "droits": "non", "estime": "2"}  # what was received stays
    event = AuditEvent.objects.get(action="submission.corrected")
    assert event.target == str(correction.uuid) and event.data["questions"] == ["droits"]
    history = client.get(done["Location"]).content.decode()
    assert "Correction 1" in history and "<strong>Yes</strong>" in history
    # the old version cannot be corrected again: the form sends to the latest
    again = client.get(reverse("collection:correct", args=args))
    assert again.status_code == 302 and str(correction.uuid) in again["Location"]
    with pytest.raises(actions.SubmissionConflict):
        actions.correct_submission(first, {"droits": "non"}, reason="again", acting_user=None)
    assert Submission.objects.count() == 2


def test_raw_answers_one_by_one_are_for_the_organisations_own_people(as_role, world: World, version) -> None:  # type: ignore[no-untyped-def]
    campaign = _campaign(world, version)
    first = _answer(campaign, "entry", {"droits": "non"}).submission
    list_url = reverse("collection:submissions", args=[world.org.slug, campaign.public_id])
    detail_url = reverse("collection:submission", args=[world.org.slug, campaign.public_id, first.uuid])
    assert as_role("org_staff").get(list_url).status_code == 200
    for role in ("facilitator", "other_org_admin", "network_admin"):
        assert as_role(role).get(list_url).status_code == 404
        assert as_role(role).get(detail_url).status_code == 404
    assert as_role("org_admin").get(detail_url.replace(str(first.uuid), str(uuid.uuid4()))).status_code == 404


def test_exports_give_the_latest_version_of_each_answer_and_name_what_it_corrects(world: World, version) -> None:
    from socle.collection import exports

    campaign = _campaign(world, version)
    first = _answer(campaign, "entry", {"sexe": "f", "droits": "non"}).submission
    _answer(campaign, "entry", {"sexe": "h", "droits": "oui"})
    correction = actions.correct_submission(first, {"sexe": "f", "droits": "oui"}, reason="typo", acting_user=None)
    table = list(exports.rows(campaign.submissions.all()))
    header, body = table[0], table[1:]
    assert len(body) == 2
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert str(first.uuid) not in by_id
    assert by_id[str(correction.uuid)]["corrects"] == str(first.uuid)
    assert by_id[str(correction.uuid)]["droits"] == "oui"


def test_exports_never_let_a_spreadsheet_read_an_answer_as_a_formula() -> None:
    import io

    from openpyxl import load_workbook

    from socle.collection import exports

    table = [["a", "b", "c", "d", "e"], ['=HYPERLINK("http://x","y")', "-3", "-1,5", "@SUM(A1)", "Bonjour"]]
    import csv

    read = list(csv.reader(io.StringIO(exports.to_csv(table).decode("utf-8-sig")), delimiter=";"))
    assert read[1] == ['\'=HYPERLINK("http://x","y")', "-3", "-1,5", "'@SUM(A1)", "Bonjour"]
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(table))).active
    cells = [cell for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert cells[0].data_type == "s" and cells[0].value == '=HYPERLINK("http://x","y")'
    assert cells[3].data_type == "s" and cells[1].value == "-3"


def test_completion_is_read_over_the_latest_answers_only(world: World, version, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(queries, "COMPLETION_SAMPLE", 2)
    campaign = _campaign(world, version)
    for answer in ({"droits": "non"}, {"droits": "oui", "sexe": "f"}, {"droits": "dk", "sexe": "h"}):
        _answer(campaign, "entry", answer)
    (questionnaire,) = queries.campaign_progress(campaign).questionnaires
    assert (questionnaire.received, questionnaire.read) == (3, 2)
    completion = {c.name: c for _label, c in questionnaire.questions}
    assert completion["sexe"].answered == 2 and completion["droits"].dont_know == 1
