"""A database trigger that refuses to change a received submission, whatever path the write takes.

Raw answers are immutable; a correction is a new row. Only `entered_by` may change (SET NULL when the account of
the person who entered it is deleted).
"""

from django.db import migrations

GUARDED = (
    "uuid", "organisation_id", "campaign_id", "link_id", "establishment_id", "framework_version_id",
    "questionnaire_code", "wave", "mode", "answers", "answers_sha256", "followup_hash", "quote_consent", "received_at", "corrects_id",
)
MESSAGE = "a received submission cannot be changed"

SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in GUARDED)
PG_CHANGED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in GUARDED)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER collection_submission_immutable BEFORE UPDATE ON collection_submission "
            f"WHEN {SQLITE_CHANGED} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION collection_refuse_submission_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; END $$"
        )
        schema_editor.execute(
            "CREATE TRIGGER collection_submission_immutable BEFORE UPDATE ON collection_submission "
            f"FOR EACH ROW WHEN ({PG_CHANGED}) EXECUTE FUNCTION collection_refuse_submission_change()"
        )
    else:  # pragma: no cover - Socle supports SQLite and PostgreSQL
        raise RuntimeError(f"no immutability trigger for {vendor}")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    on_table = " ON collection_submission" if vendor == "postgresql" else ""
    schema_editor.execute(f"DROP TRIGGER IF EXISTS collection_submission_immutable{on_table}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS collection_refuse_submission_change()")


class Migration(migrations.Migration):
    dependencies = [("collection", "0001_campaigns_links_submissions")]

    operations = [migrations.RunPython(create, drop)]
