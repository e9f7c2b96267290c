"""The synthetic network builder (socle.collection.synthetic.build) and the command `socle synth`: what it writes,
that entry and follow-up pair, that it is idempotent and reproducible, and what reset may delete."""

from __future__ import annotations

import datetime
import io
import uuid
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from socle.audit.models import AuditEvent
from socle.collection import actions as collection_actions
from socle.collection import synthetic
from socle.collection.models import Campaign, CollectionLink, SectorCampaign, Submission
from socle.frameworks.actions import load_framework_text
from socle.frameworks.demo import lcep_text
from socle.frameworks.models import Framework, FrameworkVersion
from socle.lib.collection import followup
from socle.lib.collection import synthetic as people
from socle.measurement import actions as facts
from socle.measurement.models import Fact
from socle.network.actions import ActionError
from socle.network.models import Establishment, Network, Organisation
from tests.factories import World, make_establishment

pytestmark = pytest.mark.django_db

SMALL = {"establishments": 12, "people": 300, "seed": 5}


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


@pytest.fixture
def small() -> synthetic.SynthResult:
    return synthetic.build("synth-test", **SMALL)


def rows(network: Network) -> dict[uuid.UUID, tuple[Any, ...]]:
    return {
        s.uuid: (s.establishment.finess, s.wave, s.questionnaire_code, s.mode, s.answers_sha256, s.received_at,
                 s.followup_hash, s.quote_consent)
        for s in Submission.objects.filter(organisation__network=network).select_related("establishment")
    }  # fmt: skip


def test_a_small_build_writes_the_frame_frameworks_campaigns_and_both_waves(small: synthetic.SynthResult) -> None:
    network = small.network
    assert (network.slug, small.network_created) == ("synth-test", True)
    assert Establishment.objects.filter(network=network).count() == small.frame == 12
    participating = Establishment.objects.filter(network=network, participates=True)
    assert participating.count() == small.participating > 0
    assert all(e.organisation is not None and e.organisation.is_member for e in participating)
    # the LCEP sector framework, published, and each member's framework adopted on it and published
    sector = FrameworkVersion.objects.get(framework__network=network, framework__kind="sector", status="published")
    assert sector.framework.slug == "lcep"
    members = Organisation.objects.filter(establishments__in=participating).distinct()
    assert members.count() == small.organisations
    for organisation in members:
        version = FrameworkVersion.objects.get(framework__organisation=organisation, status="published")
        assert version.base_version == sector
        campaigns = Campaign.objects.filter(organisation=organisation).order_by("wave")
        assert [c.wave for c in campaigns] == ["entry", "follow_up"]
        assert all(c.framework_version == version and c.sector_campaign is not None for c in campaigns)
        mine = set(participating.filter(organisation=organisation).values_list("pk", flat=True))
        assert set(CollectionLink.objects.filter(campaign=campaigns[0], questionnaire_code="entry")
                   .values_list("establishment_id", flat=True)) == mine  # fmt: skip
    assert SectorCampaign.objects.get(network=network).name == "LCEP 2025 (synthétique)"
    # 300 people at entry, about 70 % of them at follow-up
    counts = Counter(Submission.objects.filter(organisation__network=network).values_list("wave", flat=True))
    assert counts["entry"] == small.people == small.new["entry"] == 300
    assert counts["follow_up"] == small.new["follow_up"] and 0.6 < counts["follow_up"] / 300 < 0.8
    assert small.submissions == sum(counts.values()) and small.kept == {"entry": 0, "follow_up": 0, "exit": 0}
    assert AuditEvent.objects.filter(network=network, action="synthetic.built").count() == 1


def test_entry_and_follow_up_pair_by_the_follow_up_code_hashed_as_submit_does(small: synthetic.SynthResult) -> None:
    submissions = Submission.objects.filter(organisation__network=small.network)
    keys = {o.pk: collection_actions.followup_key(o) for o in Organisation.objects.filter(network=small.network)}
    entries = {}
    for entry in submissions.filter(wave="entry"):
        key = keys[entry.organisation_id]
        assert entry.followup_hash == followup.keyed_hash(key, collection_actions.issued_code(key, entry.uuid))
        entries[entry.followup_hash] = entry
    assert len(entries) == 300  # one code per person
    follow_ups = list(submissions.filter(wave="follow_up"))
    for follow_up in follow_ups:
        entry = entries[follow_up.followup_hash]
        assert entry.organisation_id == follow_up.organisation_id
        assert entry.establishment_id == follow_up.establishment_id
        assert entry.received_at < follow_up.received_at
        sexes = {entry.answers.get("sexe"), follow_up.answers.get("sexe")} - {"dk", None}
        assert len(sexes) <= 1  # the same person
    assert len({f.followup_hash for f in follow_ups}) == len(follow_ups)


def test_stored_answers_are_what_submit_would_store(small: synthetic.SynthResult) -> None:
    periods = people.default_periods(2025)
    modes = Counter()
    for submission in Submission.objects.filter(organisation__network=small.network).select_related("link", "campaign"):
        questionnaire, _audience = collection_actions.questionnaire_of(
            submission.campaign.framework_version, submission.questionnaire_code
        )
        day = timezone.localtime(submission.received_at).date()
        checked = questionnaire.check(submission.answers, today=day)
        assert checked.ok, checked.errors
        assert collection_actions.stored_answers(checked.answers) == submission.answers
        assert collection_actions.answers_digest(submission.answers) == submission.answers_sha256
        low, high = periods[submission.wave]
        assert low <= day <= high and submission.campaign.starts_on <= day <= submission.campaign.ends_on
        assert submission.link.establishment_id == submission.establishment_id
        assert submission.link.questionnaire_code == submission.questionnaire_code
        assert submission.entered_by is None and submission.corrects is None
        modes[submission.mode] += 1
    assert set(modes) == {"self", "assisted", "paper"} and modes["self"] > modes["paper"]


def test_running_it_again_adds_nothing(small: synthetic.SynthResult) -> None:
    before = rows(small.network)
    models = (Organisation, Establishment, Framework, FrameworkVersion, Campaign, CollectionLink)
    counts = [model.objects.count() for model in models]
    again = synthetic.build("synth-test", **SMALL)
    assert not again.network_created
    assert again.new == {"entry": 0, "follow_up": 0, "exit": 0}
    assert again.kept == {wave: small.new[wave] for wave in again.kept}
    assert rows(small.network) == before
    assert counts == [model.objects.count() for model in models]


def test_more_people_adds_the_missing_ones_only(small: synthetic.SynthResult) -> None:
    before = rows(small.network)
    more = synthetic.build("synth-test", **{**SMALL, "people": 360})
    after = rows(small.network)
    assert more.new["entry"] == 60 and more.kept["entry"] == 300
    assert {k: v for k, v in after.items() if k in before} == before


def test_the_stored_answers_are_the_pure_simulation_of_the_same_seed(small: synthetic.SynthResult) -> None:
    network = small.network
    stored = {s.uuid: s for s in Submission.objects.filter(organisation__network=network)}
    entries = Counter(
        Submission.objects.filter(organisation__network=network, wave="entry").values_list(
            "establishment_id", flat=True
        )
    )
    places = [
        people.Place(e.finess, e.type.code, entries[e.pk])
        for e in Establishment.objects.filter(pk__in=list(entries)).select_related("type").order_by("finess")
    ]
    document = FrameworkVersion.objects.get(framework__network=network, framework__kind="sector").content
    forms = {"entry": [people.form_of(document, "entry")], "follow_up": [people.form_of(document, "follow_up")]}
    simulated = people.simulate(forms, places, seed=5, shares={"follow_up": 0.7, "exit": 0.3})
    assert len(simulated) == len(stored)
    zone = timezone.get_default_timezone()
    for one in simulated:
        name = f"{network.slug}/5/{one.place}/{one.number}/{one.answered.wave}/{one.answered.code}"
        submission = stored[uuid.uuid5(synthetic.NAMESPACE, name)]
        assert submission.answers == one.answered.answers
        assert submission.mode == one.answered.mode and submission.quote_consent == one.answered.quote_consent
        assert submission.received_at == datetime.datetime.combine(one.answered.day, one.answered.time, tzinfo=zone)


def test_reset_then_the_same_seed_gives_the_same_rows(small: synthetic.SynthResult) -> None:
    before = rows(small.network)
    # a chain of two corrections made by someone meanwhile goes too
    first = Submission.objects.filter(organisation__network=small.network, wave="entry").first()
    sex = next(value for value in ("femme", "homme") if value != first.answers.get("sexe"))
    corrected = collection_actions.correct_submission(
        first, {**first.answers, "sexe": sex}, reason="r", acting_user=None
    )
    collection_actions.correct_submission(corrected, {**first.answers, "sexe": "dk"}, reason="r", acting_user=None)
    again = synthetic.build("synth-test", **SMALL, reset=True)
    assert again.reset == len(before) + 2 and again.new["entry"] == 300
    assert rows(small.network) == before  # same uuids, answers, dates, modes and follow-up hashes
    assert AuditEvent.objects.filter(network=small.network, action="synthetic.reset").exists()


def _facts(network: Network) -> dict[tuple[Any, ...], Any]:
    return {fact.key(): fact.stats for fact in Fact.objects.filter(organisation__network=network)}


def test_the_facts_follow_the_build_and_the_reset(small: synthetic.SynthResult) -> None:
    built = _facts(small.network)
    assert built and {key[4] for key in built} <= set(Campaign.objects.values_list("pk", flat=True))
    facts.rebuild()
    assert _facts(small.network) == built  # the incremental facts are the rebuilt ones
    synthetic.build("synth-test", **SMALL, reset=True)
    after = _facts(small.network)
    facts.rebuild()
    assert _facts(small.network) == after  # nothing left of the deleted answers
    assert sorted(map(str, after.values())) == sorted(map(str, built.values()))  # the same answers, new campaigns
    without = synthetic.build("synth-nofacts", establishments=6, people=30, seed=1, update_facts=False)
    assert not without.facts_updated and not _facts(without.network)


def test_another_network_with_the_same_seed_gets_the_same_answers(small: synthetic.SynthResult) -> None:
    load_framework_text(lcep_text(), filename="lcep.yaml", network=small.network, publish=True)  # already there
    other = synthetic.build("synth-other", **SMALL)
    # "lcep" belongs to the first network: the second one's sector framework gets its own code
    assert Framework.objects.get(network=other.network, kind="sector").slug == "lcep-synth-other"
    digests = [
        Counter(Submission.objects.filter(organisation__network=n).values_list("answers_sha256", flat=True))
        for n in (small.network, other.network)
    ]
    assert digests[0] == digests[1]
    assert not set(rows(small.network)) & set(rows(other.network))  # their own uuids


def test_reset_never_deletes_answers_of_a_network_synth_did_not_build(world: World) -> None:
    synthetic.build(world.network, establishments=6, people=20, seed=1)  # adding synthetic data is allowed
    AuditEvent.objects.filter(network=world.network, action__startswith="synthetic.").delete()
    with pytest.raises(ActionError, match="not built by socle synth"):
        synthetic.build(world.network, establishments=6, people=20, seed=1, reset=True)
    assert Submission.objects.filter(organisation__network=world.network).exists()


def test_people_per_establishment_and_exit(world: World) -> None:
    result = synthetic.build(
        "synth-exit", establishments=8, people_per_establishment=20, waves=("entry", "follow_up", "exit"), seed=2
    )
    per_establishment = Counter(
        Submission.objects.filter(organisation__network=result.network, wave="entry").values_list(
            "establishment_id", flat=True
        )
    )
    assert set(per_establishment.values()) == {20} and len(per_establishment) == result.participating
    exits = Submission.objects.filter(organisation__network=result.network, wave="exit")
    assert exits.count() == result.new["exit"] > 0
    assert set(exits.values_list("questionnaire_code", flat=True)) == {"follow_up"}
    entries = Submission.objects.filter(organisation__network=result.network, wave="entry")
    entry_hashes = set(entries.values_list("followup_hash", flat=True))
    assert set(exits.values_list("followup_hash", flat=True)) <= entry_hashes


def test_the_spread_gives_larger_services_more_people_and_counts_exactly(world: World) -> None:
    small_one = make_establishment(world.network, world.org, people=10)
    large_one = make_establishment(world.network, world.org, people=2000)
    counts = synthetic._spread([small_one, large_one], 103, None)
    assert sum(counts.values()) == 103 and counts[large_one.pk] > 10 * counts[small_one.pk]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"people": 10, "people_per_establishment": 3}, "not both"),
        ({"follow_up_share": 1.5}, "between 0 and 1"),
        ({"waves": ("follow_up",)}, "The waves are entry"),
        ({"establishments": 0}, "at least one"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_written(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ActionError, match=message):
        synthetic.build("synth-bad", **{"establishments": 4, **arguments})
    assert not Network.objects.filter(slug="synth-bad").exists()


ARGUMENTS = ("--establishments", "8", "--people", "40", "--network", "synth-cmd", "--seed", "3")


def test_the_command_prints_what_it_built_and_is_idempotent() -> None:
    out = io.StringIO()
    call_command("synth", *ARGUMENTS, stdout=out)
    text = out.getvalue()
    assert "Synthetic network synth-cmd (Réseau synthétique (synth-cmd)) made, seed 3." in text
    assert "Frame: 8 establishments" in text and "People: 40." in text
    assert "entry             40 new,         0 already there" in text
    assert "Took " in text
    out = io.StringIO()
    call_command("synth", *ARGUMENTS, "--no-facts", stdout=out)
    assert "entry              0 new,        40 already there" in out.getvalue()
    assert "The facts were not updated: run socle rebuild_facts." in out.getvalue()
    with pytest.raises(CommandError, match="not both"):
        call_command("synth", "--people", "4", "--people-per-establishment", "2", stdout=io.StringIO())
