"""A database trigger that refuses to change a received submission, whatever path the write takes.

Raw answers are immutable; a correction is a new row. Only `entered_by` may change (SET NULL when the account of
the person who entered it is deleted).
"""

from django.db import migrations

from socle.lib.immutable import ImmutableRows

SUBMISSIONS = ImmutableRows(
    table="collection_submission",
    trigger="collection_submission_immutable",
    function="collection_refuse_submission_change",
    columns=(
        "uuid", "organisation_id", "campaign_id", "link_id", "establishment_id", "framework_version_id",
        "questionnaire_code", "wave", "mode", "answers", "answers_sha256", "followup_hash", "quote_consent",
        "received_at", "corrects_id",
    ),
    message="a received submission cannot be changed",
)


def create(apps, schema_editor):
    SUBMISSIONS.create(schema_editor)


def drop(apps, schema_editor):
    SUBMISSIONS.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("collection", "0001_campaigns_links_submissions")]

    operations = [migrations.RunPython(create, drop)]
