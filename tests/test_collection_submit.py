"""Receiving submissions: every answer checked first, each submission stored exactly once, never changed."""

from __future__ import annotations

import datetime
import threading
import uuid

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from socle.collection import actions
from socle.collection.models import Campaign, CollectionLink, ImmutableSubmissionError, Submission
from socle.lib.collection import followup
from tests.factories import World, make_establishment
from tests.framework_docs import load, organisation_document, sector_document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    """The messages checked here are the English ones (French is the default)."""
    with translation.override("en"):
        yield


ANSWERS = {"sexe": "f", "droits": "oui", "estime": "4", "urgences": "2", "own_garden": "oui"}


def _campaign(world: World, wave: str = "entry") -> Campaign:
    if not Campaign.objects.exists():
        load(sector_document(), network=world.network)
        load(organisation_document(world.org))
    from socle.frameworks.models import FrameworkVersion

    version = FrameworkVersion.objects.get(framework__slug=f"{world.org.slug}-mini", number=1)
    return actions.open_campaign(
        world.org,
        version,
        name=f"Campagne {wave}",
        wave=wave,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        establishments=[world.establishment],
        acting_user=None,
    )


def _submit(
    campaign: Campaign,
    answers: dict[str, object],
    submission_uuid: uuid.UUID | None = None,
    code: str = "entry",
    **extra: object,
) -> actions.Received:
    return actions.submit(
        campaign=campaign,
        establishment=campaign.links.first().establishment,
        questionnaire_code=code,
        submission_uuid=submission_uuid or uuid.uuid4(),
        answers=answers,
        mode="self",
        **extra,
    )


def test_opening_a_campaign_makes_one_link_per_establishment_and_questionnaire(world: World) -> None:
    campaign = _campaign(world, "follow_up")
    assert sorted(campaign.links.values_list("questionnaire_code", flat=True)) == ["follow_up"]
    link = campaign.links.get()
    assert len(link.code) == 10 and link.organisation == world.org


def test_a_campaign_needs_a_published_version_of_the_organisations_own_framework(world: World) -> None:
    sector = load(sector_document(), network=world.network)
    with pytest.raises(actions.ActionError, match="published version of your organisation's framework"):
        actions.open_campaign(
            world.org,
            sector,
            name="x",
            wave="entry",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 2, 1),
            establishments=[world.establishment],
            acting_user=None,
        )
    own = load(organisation_document(world.org))
    with pytest.raises(actions.ActionError, match="your organisation's establishments"):
        actions.open_campaign(
            world.org,
            own,
            name="x",
            wave="entry",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 2, 1),
            establishments=[world.other_establishment],
            acting_user=None,
        )
    assert not Campaign.objects.exists() and not CollectionLink.objects.exists()


def test_a_valid_submission_is_stored_with_its_checked_answers_and_an_entry_code(world: World) -> None:
    received = _submit(_campaign(world), ANSWERS)
    assert received.created
    stored = received.submission
    assert stored.answers == {"sexe": "f", "droits": "oui", "estime": "4", "urgences": 2, "own_garden": "oui"}
    assert stored.wave == "entry" and stored.mode == "self" and stored.organisation == world.org
    assert followup.is_valid(received.followup_code)
    assert received.followup_code not in stored.followup_hash and len(stored.followup_hash) == 64


def test_a_resend_of_the_same_answers_stores_nothing_more_and_gives_the_same_code(world: World) -> None:
    campaign = _campaign(world)
    submission_uuid = uuid.uuid4()
    first = _submit(campaign, ANSWERS, submission_uuid)
    again = _submit(campaign, dict(ANSWERS), submission_uuid)
    assert not again.created and again.submission.pk == first.submission.pk
    assert again.followup_code == first.followup_code
    assert Submission.objects.count() == 1


def test_the_same_id_with_other_answers_is_a_conflict_and_changes_nothing(world: World) -> None:
    campaign = _campaign(world)
    submission_uuid = uuid.uuid4()
    _submit(campaign, ANSWERS, submission_uuid)
    with pytest.raises(actions.SubmissionConflict):
        _submit(campaign, {**ANSWERS, "droits": "non"}, submission_uuid)
    assert Submission.objects.get().answers["droits"] == "oui"


def test_answers_that_do_not_fit_are_refused_one_error_per_question_and_nothing_is_stored(world: World) -> None:
    campaign = _campaign(world)
    with pytest.raises(actions.InvalidSubmission) as caught:
        _submit(campaign, {"sexe": "x", "droits": "oui", "estime": "9", "urgences": "200", "colour": "red"})
    codes = {(e.question, e.code) for e in caught.value.errors}
    assert codes == {
        ("sexe", "not_a_choice"),
        ("estime", "not_a_choice"),
        ("urgences", "constraint"),
        ("colour", "unknown_question"),
    }
    assert not Submission.objects.exists()


def test_a_follow_up_pairs_with_the_entry_through_the_code_only(world: World) -> None:
    entry = _submit(_campaign(world), ANSWERS)
    later = _campaign(world, "follow_up")
    answers = {k: v for k, v in ANSWERS.items() if k != "own_garden"}
    received = _submit(later, answers, code="follow_up", followup_code=followup.printable(entry.followup_code))
    assert received.submission.followup_hash == entry.submission.followup_hash
    code = entry.followup_code
    mistaken = code[:3] + ("A" if code[3] != "A" else "B") + code[4:]
    with pytest.raises(actions.InvalidSubmission, match="typing mistake"):
        _submit(later, answers, code="follow_up", followup_code=mistaken)


def test_a_received_submission_cannot_be_changed_through_the_model_or_the_database(world: World) -> None:
    stored = _submit(_campaign(world), ANSWERS).submission
    stored.answers = {"droits": "non"}
    with pytest.raises(ImmutableSubmissionError):
        stored.save()
    with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic():
        Submission.objects.filter(pk=stored.pk).update(answers={"droits": "non"})
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE collection_submission SET mode = 'paper' WHERE id = %s", [stored.pk])
    assert Submission.objects.get().answers["droits"] == "oui"


def test_an_establishment_of_another_organisation_cannot_receive_answers(world: World) -> None:
    campaign = _campaign(world)
    with pytest.raises(actions.ActionError, match="does not take part"):
        actions.submit(
            campaign=campaign,
            establishment=make_establishment(world.network, world.other_org),
            questionnaire_code="entry",
            submission_uuid=uuid.uuid4(),
            answers=ANSWERS,
            mode="self",
        )
    assert not Submission.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_sends_of_one_submission_store_one_row(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter: SQLite serialises every write transaction")
    campaign = _campaign(world)
    submission_uuid = uuid.uuid4()
    barrier = threading.Barrier(50)
    outcomes: list[str] = []

    def send() -> None:
        try:
            barrier.wait()
            received = _submit(campaign, dict(ANSWERS), submission_uuid)
            outcomes.append("created" if received.created else "again")
        except Exception as error:  # recorded and asserted below
            outcomes.append(repr(error))
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=send) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(outcomes)) == ["again", "created"], outcomes
    assert outcomes.count("created") == 1
    assert Submission.objects.filter(uuid=submission_uuid).count() == 1
