"""A database trigger that refuses to change a published framework version, whatever path the write takes.

Only the columns that make the version what it is are guarded: a person's account being deleted may still clear
`created_by` / `published_by` (SET NULL). Deleting a whole framework (an administrator's act) stays possible.
"""

from django.db import migrations

GUARDED = ("framework_id", "number", "status", "content", "content_sha256", "base_version_id", "published_at")
MESSAGE = "a published framework version cannot be changed"

SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in GUARDED)
PG_CHANGED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in GUARDED)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER frameworks_published_version_immutable BEFORE UPDATE ON frameworks_frameworkversion "
            f"WHEN OLD.status = 'published' AND ({SQLITE_CHANGED}) "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION frameworks_refuse_published_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; END $$"
        )
        schema_editor.execute(
            "CREATE TRIGGER frameworks_published_version_immutable BEFORE UPDATE ON frameworks_frameworkversion "
            f"FOR EACH ROW WHEN (OLD.status = 'published' AND ({PG_CHANGED})) "
            "EXECUTE FUNCTION frameworks_refuse_published_change()"
        )
    else:  # pragma: no cover - Socle supports SQLite and PostgreSQL
        raise RuntimeError(f"no immutability trigger for {vendor}")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute("DROP TRIGGER IF EXISTS frameworks_published_version_immutable" +
                          (" ON frameworks_frameworkversion" if vendor == "postgresql" else ""))
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS frameworks_refuse_published_change()")


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0001_frameworks_and_versions")]

    operations = [migrations.RunPython(create, drop)]
