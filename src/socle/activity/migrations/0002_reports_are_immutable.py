"""A database trigger that refuses to change a stored activity report, whatever path the write takes.

A correction is a new row that supersedes the current one. Only `entered_by` may change (SET NULL when the
account of the person who entered it is deleted). Deleting stays possible (flushing a demo database).
"""

from django.db import migrations

GUARDED = (
    "public_id", "organisation_id", "establishment_id", "framework_id", "framework_version_id", "period",
    "period_kind", "period_start", "period_end", "values", "revision", "supersedes_id", "source", "comment",
    "entered_at",
)
MESSAGE = "a stored activity report cannot be changed"

SQLITE_CHANGED = " OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in GUARDED)
PG_CHANGED = " OR ".join(f'NEW."{c}" IS DISTINCT FROM OLD."{c}"' for c in GUARDED)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER activity_report_immutable BEFORE UPDATE ON activity_activityreport "
            f"WHEN {SQLITE_CHANGED} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION activity_refuse_report_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; END $$"
        )
        schema_editor.execute(
            "CREATE TRIGGER activity_report_immutable BEFORE UPDATE ON activity_activityreport "
            f"FOR EACH ROW WHEN ({PG_CHANGED}) EXECUTE FUNCTION activity_refuse_report_change()"
        )
    else:  # pragma: no cover - Socle supports SQLite and PostgreSQL
        raise RuntimeError(f"no immutability trigger for {vendor}")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    on_table = " ON activity_activityreport" if vendor == "postgresql" else ""
    schema_editor.execute(f"DROP TRIGGER IF EXISTS activity_report_immutable{on_table}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS activity_refuse_report_change()")


class Migration(migrations.Migration):
    dependencies = [("activity", "0001_reports")]

    operations = [migrations.RunPython(create, drop)]
