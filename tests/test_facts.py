"""Facts (issue 5): kept up to date by every write of raw data, in the same transaction, and equal to a rebuild
from the raw data; concurrent writers on PostgreSQL never lose an update; 10,000 submissions through the real
paths (submit, imports, corrections, follow-ups, activity) give the facts a rebuild gives."""

from __future__ import annotations

import datetime
import io
import random
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from socle.activity import actions as activity_actions
from socle.collection import actions as collection_actions
from socle.collection.models import Campaign, Submission
from socle.frameworks.models import FrameworkVersion
from socle.imports import actions as import_actions
from socle.lib.activity.periods import parse_period
from socle.measurement import actions, queries
from socle.measurement.access import facts_of
from socle.measurement.models import Fact
from tests.factories import World, make_establishment
from tests.framework_docs import load, organisation_document, sector_document

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
POSTGRES = connection.vendor == "postgresql"


# --- helpers ----------------------------------------------------------------------------------------------------


def snapshot(organisation_id: int | None = None) -> dict[tuple[Any, ...], dict[str, Any]]:
    rows = Fact.objects.all() if organisation_id is None else facts_of(organisation_id)
    found = {fact.key(): fact.stats for fact in rows}
    assert len(found) == rows.count()
    return found


def assert_rebuild_equals_incremental(
    organisation_ids: list[int] | None = None,
) -> tuple[dict[tuple[Any, ...], Any], actions.RebuildOutcome]:
    incremental = snapshot()
    outcome = actions.rebuild(organisation_ids)
    rebuilt = snapshot()
    assert set(rebuilt) == set(incremental), (sorted(set(rebuilt) ^ set(incremental), key=str)[:5],)
    differing = [key for key in rebuilt if rebuilt[key] != incremental[key]]
    assert not differing, [(key, incremental[key], rebuilt[key]) for key in differing[:3]]
    actions.rebuild(organisation_ids)
    assert snapshot() == rebuilt  # idempotent
    assert outcome.facts == len(rebuilt) or organisation_ids is not None
    return rebuilt, outcome


def stats(organisation_id: int, indicator: str, *, breakdown: str = "", value: str = "", **where: Any) -> Any:
    fact = facts_of(organisation_id).filter(indicator=indicator, breakdown=breakdown, value=value, **where).first()
    return None if fact is None else fact.stats


@pytest.fixture
def version(world: World) -> FrameworkVersion:
    load(sector_document(), network=world.network)
    return load(organisation_document(world.org), publish=True)


def open_campaign(world: World, version: FrameworkVersion, wave: str = "entry", establishments: Any = None) -> Campaign:
    return collection_actions.open_campaign(
        world.org,
        version,
        name=f"Campagne {wave} {Campaign.objects.count()}",
        wave=wave,
        starts_on=TODAY - datetime.timedelta(days=3),
        ends_on=TODAY + datetime.timedelta(days=10),
        establishments=establishments or [world.establishment],
        acting_user=None,
    )


def answer(campaign: Campaign, answers: dict[str, object], **extra: Any) -> collection_actions.Received:
    code = "entry" if campaign.wave == "entry" else "follow_up"
    return collection_actions.submit(
        campaign=campaign,
        establishment=extra.pop("establishment", None) or campaign.links.first().establishment,
        questionnaire_code=code,
        submission_uuid=extra.pop("submission_uuid", None) or uuid.uuid4(),
        answers=answers,
        mode=extra.pop("mode", "self"),
        **extra,
    )


# --- One submission ---------------------------------------------------------------------------------------------


def test_a_submission_adds_its_records_to_its_cell_and_to_each_breakdown_kept(world: World, version) -> None:
    campaign = open_campaign(world, version)
    answer(campaign, {"sexe": "f", "droits": "oui", "estime": "2", "own_garden": "oui"})
    answer(campaign, {"sexe": "h", "droits": "dk", "estime": "4"})
    org = world.org.pk
    where = {"campaign": campaign, "wave": "entry", "establishment": world.establishment}
    assert stats(org, "i_rights", **where) == {"kind": "proportion", "n": 1, "numerator": 1, "dont_know": 1}
    assert stats(org, "i_rights", breakdown="sex", value="f", **where)["n"] == 1
    assert stats(org, "i_rights", breakdown="sex", value="h", **where)["dont_know"] == 1
    # region is the establishment's, mode is not among i_rights' breakdowns: no rows of their own
    assert not facts_of(org).filter(indicator="i_rights", breakdown__in=["region", "mode"]).exists()
    assert stats(org, "own_count", **where) == {"kind": "count", "total": 2, "n": 2, "dont_know": 0, "missing": 0}
    assert stats(org, "own_rights_full", **where)["numerator"] == 1
    # the evolution waits for the follow-up: one from_only per entry, at the entry's cell
    assert stats(org, "i_esteem", **where)["from_only"] == 2
    assert Fact.objects.get(indicator="i_esteem", breakdown="").framework_version_id == version.pk
    assert_rebuild_equals_incremental()


def test_a_resend_does_not_count_twice(world: World, version) -> None:
    campaign = open_campaign(world, version)
    sent = uuid.uuid4()
    first = answer(campaign, {"sexe": "f", "droits": "oui"}, submission_uuid=sent)
    again = answer(campaign, {"sexe": "f", "droits": "oui"}, submission_uuid=sent)
    assert first.created and not again.created
    assert stats(world.org.pk, "i_rights")["n"] == 1
    assert_rebuild_equals_incremental()


def test_nothing_is_kept_when_the_submission_is_refused(world: World, version) -> None:
    campaign = open_campaign(world, version)
    with pytest.raises(collection_actions.InvalidSubmission):
        answer(campaign, {"sexe": "x", "droits": "oui"})
    assert not Fact.objects.exists()


def test_a_correction_takes_the_old_answers_out_and_puts_the_new_ones_in(world: World, version) -> None:
    campaign = open_campaign(world, version)
    first = answer(campaign, {"sexe": "f", "droits": "non", "estime": "2"}).submission
    answer(campaign, {"sexe": "h", "droits": "oui"})
    corrected = collection_actions.correct_submission(
        first, {"sexe": "h", "droits": "oui", "estime": "3"}, reason="typo", acting_user=None
    )
    org = world.org.pk
    assert stats(org, "i_rights") == {"kind": "proportion", "n": 2, "numerator": 2, "dont_know": 0}
    assert stats(org, "i_rights", breakdown="sex", value="f") is None  # back to zero: the fact is gone
    assert stats(org, "i_rights", breakdown="sex", value="h")["n"] == 2
    collection_actions.correct_submission(corrected, {"sexe": "h", "droits": "dk"}, reason="again", acting_user=None)
    assert stats(org, "i_rights") == {"kind": "proportion", "n": 1, "numerator": 1, "dont_know": 1}
    assert stats(org, "own_count")["n"] == 2  # one person, one count, whatever the corrections
    assert_rebuild_equals_incremental()


# --- Evolutions: follow-up pairing --------------------------------------------------------------------------------


def test_a_follow_up_turns_its_entrys_from_only_into_a_pair_at_the_entry_cell(world: World, version) -> None:
    entry = open_campaign(world, version)
    received = answer(entry, {"sexe": "f", "droits": "oui", "estime": "2"})
    answer(entry, {"sexe": "h", "droits": "oui", "estime": "5"})
    follow = open_campaign(world, version, "follow_up")
    org = world.org.pk
    at_entry = {"campaign": entry, "wave": "entry"}
    assert stats(org, "i_esteem", **at_entry)["from_only"] == 2
    follow_up = answer(follow, {"sexe": "f", "droits": "oui", "estime": "4"}, followup_code=received.followup_code)
    esteem = stats(org, "i_esteem", **at_entry)
    assert (esteem["pairs"], esteem["from_only"], esteem["improved"]) == (1, 1, 1)
    assert (esteem["sum_from"], esteem["sum_to"], esteem["sum_squares_change"]) == (2, 4, 4)
    assert not facts_of(org).filter(indicator="i_esteem", campaign=follow).exists()
    # the follow-up's own proportions live in the follow-up campaign's cell
    assert stats(org, "i_rights", campaign=follow, wave="follow_up")["n"] == 1
    # correcting the follow-up, then the entry, recomputes the pair
    corrected = collection_actions.correct_submission(
        follow_up.submission, {"sexe": "f", "droits": "oui", "estime": "1"}, reason="x", acting_user=None
    )
    esteem = stats(org, "i_esteem", **at_entry)
    assert (esteem["pairs"], esteem["improved"], esteem["sum_to"]) == (1, 0, 1)
    collection_actions.correct_submission(
        received.submission, {"sexe": "f", "droits": "oui"}, reason="estime unknown", acting_user=None
    )
    esteem = stats(org, "i_esteem", **at_entry)
    # the entry is still the person's first wave, without a value now: a to_only, still at the entry's cell
    assert (esteem["pairs"], esteem["from_only"], esteem["to_only"]) == (0, 1, 1)
    assert not facts_of(org).filter(indicator="i_esteem", campaign=follow).exists()
    assert corrected.pk
    assert_rebuild_equals_incremental()


def test_a_follow_up_without_a_known_entry_is_a_to_only_at_its_own_cell(world: World, version) -> None:
    follow = open_campaign(world, version, "follow_up")
    answer(follow, {"sexe": "f", "droits": "oui", "estime": "4"})
    answer(
        follow,
        {"sexe": "h", "droits": "oui", "estime": "4"},
        followup_code=collection_actions.issued_code(b"k" * 32, uuid.uuid4()),
    )  # no such entry
    assert stats(world.org.pk, "i_esteem", campaign=follow)["to_only"] == 2
    assert_rebuild_equals_incremental()


def test_two_follow_ups_of_one_person_pair_the_last_one(world: World, version) -> None:
    entry = open_campaign(world, version)
    code = answer(entry, {"sexe": "f", "droits": "oui", "estime": "3"}).followup_code
    first_follow, second_follow = open_campaign(world, version, "follow_up"), open_campaign(world, version, "follow_up")
    answer(first_follow, {"droits": "oui", "estime": "1"}, followup_code=code)
    answer(second_follow, {"droits": "oui", "estime": "5"}, followup_code=code)
    esteem = stats(world.org.pk, "i_esteem", campaign=entry)
    assert (esteem["pairs"], esteem["sum_to"], esteem["improved"], esteem["from_only"]) == (1, 5, 1, 0)
    assert_rebuild_equals_incremental()


# --- Imports and activity -----------------------------------------------------------------------------------------


def test_imports_add_each_batch_and_pair_follow_ups_with_their_entries(world: World, version) -> None:
    entry = open_campaign(world, version)
    target = import_actions.target_of(entry, "entry", world.establishment)
    text = "id_ligne;sexe;droits;estime;own_garden\n" + "".join(
        f"{n};{'f' if n % 2 else 'h'};{'oui' if n % 3 else 'non'};{n % 5 + 1};{'oui' if n % 4 else ''}\n"
        for n in range(1, 41)
    )
    outcome = import_actions.import_file(target=target, file_name="entry.csv", content=text.encode(), acting_user=None)
    assert outcome.ok and outcome.imported == 40
    assert stats(world.org.pk, "own_count")["n"] == 40
    codes = [code for _row, _id, code in outcome.codes]
    follow = open_campaign(world, version, "follow_up")
    lines = "".join(f"{n};{codes[n]};oui;{(n * 7) % 5 + 1}\n" for n in range(0, 30))
    outcome = import_actions.import_file(
        target=import_actions.target_of(follow, "follow_up", world.establishment),
        file_name="follow.csv",
        content=("id_ligne;code_suivi;droits;estime\n" + lines).encode(),
        acting_user=None,
    )
    assert outcome.ok and outcome.imported == 30
    esteem = stats(world.org.pk, "i_esteem", campaign=entry)
    assert (esteem["pairs"], esteem["from_only"]) == (30, 10)
    again = import_actions.import_file(  # the same file again: nothing new, nothing counted twice
        target=import_actions.target_of(follow, "follow_up", world.establishment),
        file_name="follow.csv",
        content=("id_ligne;code_suivi;droits;estime\n" + lines).encode(),
        acting_user=None,
    )
    assert again.skipped == 30 and stats(world.org.pk, "i_esteem", campaign=entry)["pairs"] == 30
    assert_rebuild_equals_incremental()


def test_an_activity_revision_replaces_the_previous_ones_records(world: World, version) -> None:
    period = parse_period(f"{TODAY.year - 1}-Q2")
    saved = activity_actions.save_report(
        organisation=world.org,
        establishment=world.establishment,
        version=version,
        period=period,
        raw={"exits": "10", "exits_housing": "4"},
        acting_user=None,
    )
    where = {"campaign__isnull": True, "period": period.code, "period_kind": "quarter"}
    assert stats(world.org.pk, "i_housing", **where) == {
        "kind": "ratio",
        "numerator": 4,
        "denominator": 10,
        "reports": 1,
        "missing": 0,
    }
    activity_actions.save_report(
        organisation=world.org,
        establishment=world.establishment,
        version=version,
        period=period,
        raw={"exits": "12", "exits_housing": "6"},
        acting_user=None,
        comment="recount",
    )
    assert stats(world.org.pk, "i_housing", **where)["denominator"] == 12
    assert stats(world.org.pk, "i_housing", **where)["reports"] == 1
    content = f"finess;periode;exits;exits_housing\n{world.establishment.finess};{period.code};12;7\n".encode()
    outcome = activity_actions.import_reports(
        organisation=world.org, version=version, filename="a.csv", content=content, acting_user=None, comment="fix"
    )
    assert outcome.ok and outcome.corrected == 1, outcome
    assert stats(world.org.pk, "i_housing", **where)["numerator"] == 7
    records = queries.activity_records(world.org.pk, version, "i_housing", period_kind="quarter")
    assert records[world.establishment.pk][period.code].numerator == 7
    assert saved.created
    assert_rebuild_equals_incremental()


# --- Reads ----------------------------------------------------------------------------------------------------------


def test_facts_of_an_organisation_never_reach_another_ones(world: World, version) -> None:
    campaign = open_campaign(world, version)
    answer(campaign, {"sexe": "f", "droits": "oui"})
    load(organisation_document(world.other_org), publish=True)
    other_version = FrameworkVersion.objects.get(framework__slug=f"{world.other_org.slug}-mini")
    other = collection_actions.open_campaign(
        world.other_org,
        other_version,
        name="Autre",
        wave="entry",
        starts_on=TODAY,
        ends_on=TODAY,
        establishments=[world.other_establishment],
        acting_user=None,
    )
    answer(other, {"sexe": "h", "droits": "non"})
    mine, theirs = facts_of(world.org.pk), facts_of(world.other_org.pk)
    assert mine.exists() and theirs.exists()
    assert set(mine.values_list("establishment_id", flat=True)) == {world.establishment.pk}
    assert set(theirs.values_list("establishment_id", flat=True)) == {world.other_establishment.pk}
    assert queries.campaign_records(world.org.pk, other, "i_rights") == {}
    # rebuilding one organisation leaves the other's facts alone
    before = snapshot(world.other_org.pk)
    actions.rebuild([world.org.pk])
    assert snapshot(world.other_org.pk) == before
    assert_rebuild_equals_incremental()


def test_estimates_sum_establishments_records_and_breakdowns_add_up_to_the_total(world: World, version) -> None:
    second = make_establishment(world.network, world.org)
    campaign = open_campaign(world, version, establishments=[world.establishment, second])
    for n in range(12):
        answer(campaign, {"sexe": "fh"[n % 2], "droits": "oui" if n % 3 else "non"}, establishment=world.establishment)
    for n in range(8):
        answer(campaign, {"sexe": "f", "droits": "oui" if n % 4 == 0 else "non"}, establishment=second)
    by_establishment = queries.establishment_estimates(world.org.pk, campaign, "i_rights")
    assert by_establishment[world.establishment.pk][""].n == 12 and by_establishment[second.pk][""].n == 8
    total = queries.organisation_estimates(world.org.pk, campaign, "i_rights")[""]
    assert total.n == 20 and total.clusters == 2
    assert total.value == pytest.approx(100 * (8 + 2) / 20)  # a ratio of sums, not a mean of percentages
    by_sex = queries.campaign_records(world.org.pk, campaign, "i_rights", breakdown="sex")
    totals = queries.campaign_records(world.org.pk, campaign, "i_rights")
    for establishment_id, values in by_sex.items():
        assert sum(values.values()) == totals[establishment_id][""]
    assert queries.organisation_estimates(world.org.pk, campaign, "own_count")[""].value == 20


def test_the_command_rebuilds_one_organisation_or_all(world: World, version) -> None:
    campaign = open_campaign(world, version)
    answer(campaign, {"sexe": "f", "droits": "oui"})
    expected = snapshot()
    Fact.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_facts", "--organisation", world.org.slug, stdout=out)
    assert snapshot() == expected and "organisation(s)" in out.getvalue()
    call_command("rebuild_facts", stdout=io.StringIO())
    assert snapshot() == expected


# --- Cost ---------------------------------------------------------------------------------------------------------


def test_the_update_of_one_submission_takes_a_fixed_number_of_queries(
    world: World, version, django_assert_max_num_queries
) -> None:
    entry = open_campaign(world, version)
    follow = open_campaign(world, version, "follow_up")
    code = answer(entry, {"sexe": "f", "droits": "oui", "estime": "2"}).followup_code
    answer(follow, {"sexe": "f", "droits": "oui", "estime": "2"})
    answer(entry, {"sexe": "f", "droits": "oui", "estime": "3", "own_garden": "oui"})  # facts of each key exist
    entry = Campaign.objects.select_related("organisation", "framework_version").get(pk=entry.pk)
    submission = answer(entry, {"sexe": "f", "droits": "oui", "estime": "2"}).submission
    # the facts' part: respondent rows (1), advisory lock (PostgreSQL), facts locked (1), updated (1)
    with django_assert_max_num_queries(4 if POSTGRES else 3):
        actions.submission_received(submission)
    with django_assert_max_num_queries(4 if POSTGRES else 3):
        actions.submissions_inserted([submission])
    follow = Campaign.objects.select_related("organisation", "framework_version").get(pk=follow.pk)
    link = follow.links.get()
    # a whole submit, follow-up with its code: the submit's own queries and the facts'
    establishment = world.establishment
    # submit's own 7 (follow-up key, lookup, savepoints, insert) and the facts' 3 (4 on PostgreSQL)
    with django_assert_max_num_queries(11 if POSTGRES else 10):
        answer(
            follow,
            {"sexe": "f", "droits": "oui", "estime": "4"},
            followup_code=code,
            link=link,
            establishment=establishment,
        )
    # a whole submit of an entry: its follow-up hash is new, so neither the respondent's rows nor their lock
    # are needed: submit's own 7 and the facts' 2 (facts locked, updated)
    with django_assert_max_num_queries(9):
        answer(entry, {"sexe": "f", "droits": "non", "estime": "3"}, establishment=establishment)


# The cost of the update per submission is measured by `socle bench` (socle/benchmarks/facts.py), never by a
# timed test: these machines are shared and noisy.


# --- Concurrency (PostgreSQL) -------------------------------------------------------------------------------------


def _in_threads(count: int, work: Any) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(number: int) -> None:
        try:
            barrier.wait()
            work(number)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.skipif(not POSTGRES, reason="concurrent writers are a PostgreSQL matter: SQLite serialises writes")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_submissions_and_follow_ups_never_lose_an_update(world: World, version) -> None:
    entry = open_campaign(world, version)
    codes = [answer(entry, {"sexe": "f", "droits": "oui", "estime": "2"}).followup_code for _ in range(4)]
    follow = open_campaign(world, version, "follow_up")

    def work(number: int) -> None:
        for round_number in range(5):
            if number < 8:  # new entries, all in the same cell (same facts rows)
                answer(entry, {"sexe": "fh"[round_number % 2], "droits": "oui", "estime": str(1 + number % 5)})
            else:  # follow-ups of the same four people, at once
                answer(follow, {"droits": "non", "estime": "5"}, followup_code=codes[(number + round_number) % 4])

    errors = _in_threads(12, work)
    assert not errors, errors
    assert stats(world.org.pk, "i_rights", campaign=entry)["n"] == 4 + 8 * 5
    assert stats(world.org.pk, "i_rights", campaign=follow)["n"] == 4 * 5
    esteem = stats(world.org.pk, "i_esteem", campaign=entry)
    assert (esteem["pairs"], esteem["from_only"]) == (4, 8 * 5)
    assert_rebuild_equals_incremental()


# --- Acceptance: 10,000 submissions through the real paths --------------------------------------------------------


def _cells(value: object) -> str:
    if isinstance(value, list):
        return "|".join(str(item) for item in value)
    return "" if value is None else str(value)


def _csv(names: list[str], rows: list[dict[str, object]], extra: list[tuple[str, list[str]]]) -> bytes:
    header = [title for title, _values in extra] + names
    lines = [";".join(header)]
    for index, row in enumerate(rows):
        lines.append(";".join([values[index] for _title, values in extra] + [_cells(row.get(n)) for n in names]))
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def lcep_world(world: World) -> Iterator[tuple[World, FrameworkVersion, list[Any]]]:
    from socle.frameworks.actions import adopt_framework, load_framework_text, publish_version
    from socle.frameworks.demo import lcep_text

    sector = load_framework_text(lcep_text(), filename="lcep.yaml", network=world.network, publish=True).version
    framework = adopt_framework(world.org, sector, acting_user=None)
    draft = FrameworkVersion.objects.get(framework=framework, status="draft")
    version = FrameworkVersion.objects.select_related("framework", "base_version").get(
        pk=publish_version(draft, acting_user=None).pk
    )
    establishments = [world.establishment] + [make_establishment(world.network, world.org) for _ in range(7)]
    yield world, version, establishments


def test_rebuild_equals_incremental_on_10000_submissions(lcep_world, capsys) -> None:  # type: ignore[no-untyped-def]
    from socle.lib.collection import synthetic as people

    world, version, establishments = lcep_world
    document = version.effective_content()
    forms = {code: people.form_of(document, code) for code in ("entry", "follow_up")}
    names = {code: [q.name for q in form.questions if q.type != "note"] for code, form in forms.items()}
    rng = random.Random(2026)
    entry = open_campaign(world, version, "entry", establishments)
    follow = open_campaign(world, version, "follow_up", establishments)
    exit_campaign = open_campaign(world, version, "exit", establishments)
    day = timezone.localdate()
    started = time.perf_counter()
    submitted = 0
    persons: list[tuple[Any, Any, str, Any]] = []  # (setting, person, follow-up code, establishment)
    for establishment in establishments:
        setting = people.draw_setting(rng, "chrs")
        crowd = [people.new_person(rng, setting) for _ in range(700)]
        answers = [people.answers(forms["entry"], p, rng, wave="entry", on=day) for p in crowd]
        # 60 through submit (modes and links as the form sends them), the rest in files of 320 rows
        direct = []
        for person, given in zip(crowd[:60], answers[:60], strict=True):
            received = collection_actions.submit(
                campaign=entry,
                establishment=establishment,
                questionnaire_code="entry",
                submission_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                answers=given,
                mode=rng.choice(["self", "assisted", "paper"]),
            )
            direct.append(received.submission)
            persons.append((setting, person, received.followup_code, establishment))
        submitted += 60
        for start in range(60, 700, 320):
            chunk = answers[start : start + 320]
            content = _csv(
                names["entry"], chunk, [("id_ligne", [f"{establishment.pk}-{start + i}" for i in range(len(chunk))])]
            )
            outcome = import_actions.import_file(
                target=import_actions.target_of(entry, "entry", establishment),
                file_name="entry.csv",
                content=content,
                acting_user=None,
            )
            assert outcome.ok and outcome.imported == len(chunk), outcome.errors[:3]
            for (_row, _id, code), person in zip(outcome.codes, crowd[start : start + 320], strict=True):
                persons.append((setting, person, code, establishment))
            submitted += len(chunk)
        # corrections of direct entries: a few answers changed
        for submission in direct[:15]:
            given = people.answers(forms["entry"], people.new_person(rng, setting), rng, wave="entry", on=day)
            if collection_actions.answers_digest(given) != submission.answers_sha256:
                collection_actions.correct_submission(submission, given, reason="re-typed", acting_user=None)
                submitted += 1
    # follow-ups (70 %) and exits (15 %): files with follow-up codes per establishment, some through submit
    for wave, campaign, share in (("follow_up", follow, 0.7), ("exit", exit_campaign, 0.15)):
        for establishment in establishments:
            mine = [p for p in persons if p[3] is establishment and rng.random() < share]
            rows = []
            codes = []
            for setting, person, code, _e in mine:
                later = people.followed(person, rng, setting)
                rows.append(people.answers(forms["follow_up"], later, rng, wave=wave, on=day))
                codes.append(code)
            for given, code in zip(rows[:20], codes[:20], strict=True):
                collection_actions.submit(
                    campaign=campaign,
                    establishment=establishment,
                    questionnaire_code="follow_up",
                    submission_uuid=uuid.uuid4(),
                    answers=given,
                    mode="assisted",
                    followup_code=code,
                )
            content = _csv(
                names["follow_up"],
                rows[20:],
                [
                    ("id_ligne", [f"{wave}-{establishment.pk}-{i}" for i in range(len(rows) - 20)]),
                    ("code_suivi", codes[20:]),
                ],
            )
            outcome = import_actions.import_file(
                target=import_actions.target_of(campaign, "follow_up", establishment),
                file_name=f"{wave}.csv",
                content=content,
                acting_user=None,
            )
            assert outcome.ok, outcome.errors[:3]
            submitted += len(rows)
    # activity: four quarters per establishment, then a corrected quarter
    for establishment in establishments:
        for quarter in range(1, 5):
            exits = rng.randrange(5, 40)
            activity_actions.save_report(
                organisation=world.org,
                establishment=establishment,
                version=version,
                period=parse_period(f"{day.year - 1}-Q{quarter}"),
                raw={"people_supported": str(exits * 3), "exits_total": str(exits), "exits_stable_housing": "2"},
                acting_user=None,
            )
        activity_actions.save_report(
            organisation=world.org,
            establishment=establishment,
            version=version,
            period=parse_period(f"{day.year - 1}-Q1"),
            raw={"people_supported": "90", "exits_total": "30", "exits_stable_housing": "5"},
            acting_user=None,
            comment="recount",
        )
    incremental_seconds = time.perf_counter() - started
    stored = Submission.objects.filter(organisation=world.org).count()
    assert stored == submitted and stored >= 10_000
    pairs = stats(world.org.pk, "i09_self_esteem", campaign=entry, establishment=establishments[0])
    assert pairs is None or pairs["kind"] == "evolution"
    assert facts_of(world.org.pk).filter(indicator__startswith="i", stats__kind="evolution").exists()
    rebuilt, outcome = assert_rebuild_equals_incremental()
    assert outcome.submissions == stored - Submission.objects.filter(corrections__isnull=False).count()
    with capsys.disabled():
        print(
            f"\n[{connection.vendor}] {stored} submissions through the real paths in {incremental_seconds:.1f} s; "
            f"{len(rebuilt)} facts; rebuild of {outcome.submissions} latest versions in {outcome.seconds:.2f} s"
        )
