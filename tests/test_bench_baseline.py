"""The DuckDB baseline of the benchmark (issue 5) computes the same aggregates as the facts, to the last digit: so
that "rebuild ≤ 10 times DuckDB" compares equal work."""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import pytest

from socle.benchmarks import baseline
from socle.collection import actions as collection_actions
from socle.collection import synthetic
from socle.collection.demo import invented_answers
from socle.collection.models import Campaign, Submission
from socle.lib.measurement.stats import stats_from_dict
from socle.measurement import actions as facts
from socle.measurement.models import Fact
from socle.network.models import Organisation

pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")
pytestmark = pytest.mark.django_db


def test_duckdb_over_the_parquet_export_gives_the_records_of_the_facts(tmp_path: Path) -> None:
    result = synthetic.build(
        "synth-baseline", establishments=14, people=700, follow_up_share=0.7, exit_share=0.3, seed=3,
        waves=("entry", "follow_up", "exit"), update_facts=False,
    )  # fmt: skip
    organisations = list(
        Organisation.objects.filter(network=result.network).order_by("pk").values_list("pk", flat=True)
    )
    # A few submissions through submit too: one corrected (only its latest version counts), a follow-up without
    # entry, two follow-ups of one person (the last one pairs), answers with "don't know" and blanks.
    campaign = Campaign.objects.filter(organisation_id=organisations[0], wave="follow_up").select_related(
        "organisation", "framework_version"
    )[0]
    entry = Campaign.objects.filter(organisation_id=organisations[0], wave="entry").select_related(
        "organisation", "framework_version"
    )[0]
    establishment = campaign.links.filter(questionnaire_code="follow_up")[0].establishment
    rng = random.Random(4)
    received = collection_actions.submit(
        campaign=entry, establishment=establishment, questionnaire_code="entry", submission_uuid=uuid.uuid4(),
        answers=invented_answers(entry.framework_version, "entry", rng), mode="paper",
    )  # fmt: skip
    for _ in range(2):
        collection_actions.submit(
            campaign=campaign, establishment=establishment, questionnaire_code="follow_up",
            submission_uuid=uuid.uuid4(), answers=invented_answers(campaign.framework_version, "follow_up", rng),
            mode="assisted", followup_code=received.followup_code,
        )  # fmt: skip
    collection_actions.submit(
        campaign=campaign, establishment=establishment, questionnaire_code="follow_up", submission_uuid=uuid.uuid4(),
        answers=invented_answers(campaign.framework_version, "follow_up", rng), mode="self",
    )  # fmt: skip
    original = Submission.objects.filter(organisation_id=organisations[0], wave="entry").order_by("pk")[3]
    answers = {**original.answers, "droits_ouverts": "dk", "who5_1": "dk", "es_valeur": "dk"}
    answers["tranche_age"] = "dk"
    collection_actions.correct_submission(original, answers, reason="test", acting_user=None)
    facts.rebuild(organisations)

    document = campaign.framework_version.effective_content()
    questions = baseline.question_names(document)
    path = tmp_path / "submissions.parquet"
    rows = baseline.export_parquet(path, organisations, questions)
    assert rows == Submission.objects.filter(organisation_id__in=organisations, corrections__isnull=True).count()
    indicators = baseline.lcep_indicators(document)
    assert set(indicators) >= {"i01_access_rights", "i09_self_esteem_progress", "i10_wellbeing_who5",
                               "i14_support_quality", "i13_participation", "i02_access_care"}  # fmt: skip
    computed = baseline.duckdb_aggregates(path, indicators, questions)

    stored = {
        fact.key(): stats_from_dict(fact.stats)
        for fact in Fact.objects.filter(organisation_id__in=organisations, indicator__in=list(indicators))
    }
    assert len(stored) > 1000
    assert set(computed) == set(stored), sorted(set(computed) ^ set(stored), key=str)[:5]
    differing = [key for key in stored if computed[key] != stored[key]]
    assert not differing, [(key, stored[key], computed[key]) for key in differing[:3]]
    # every kind of record, with its Decimal sums, was compared
    kinds = {type(record).__name__ for record in stored.values()}
    assert kinds == {"ProportionStats", "MeanStats", "EvolutionStats"}
    assert any(key[2] == "i14_support_quality" and record.total % 1 for key, record in stored.items())
