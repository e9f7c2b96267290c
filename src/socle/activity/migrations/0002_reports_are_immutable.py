"""A database trigger that refuses to change a stored activity report, whatever path the write takes.

A correction is a new row that supersedes the current one. Only `entered_by` may change (SET NULL when the
account of the person who entered it is deleted). Deleting stays possible (flushing a demo database).
"""

from django.db import migrations

from socle.lib.immutable import ImmutableRows

REPORTS = ImmutableRows(
    table="activity_activityreport",
    trigger="activity_report_immutable",
    function="activity_refuse_report_change",
    columns=(
        "public_id", "organisation_id", "establishment_id", "framework_id", "framework_version_id", "period",
        "period_kind", "period_start", "period_end", "values", "revision", "supersedes_id", "source", "comment",
        "entered_at",
    ),
    message="a stored activity report cannot be changed",
)


def create(apps, schema_editor):
    REPORTS.create(schema_editor)


def drop(apps, schema_editor):
    REPORTS.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("activity", "0001_reports")]

    operations = [migrations.RunPython(create, drop)]
