"""A database trigger that refuses to change a published framework version, whatever path the write takes.

Only the columns that make the version what it is are guarded: a person's account being deleted may still clear
`created_by` / `published_by` (SET NULL). Deleting a whole framework (an administrator's act) stays possible.
"""

from django.db import migrations

from socle.lib.immutable import ImmutableRows

PUBLISHED_VERSIONS = ImmutableRows(
    table="frameworks_frameworkversion",
    trigger="frameworks_published_version_immutable",
    function="frameworks_refuse_published_change",
    columns=("framework_id", "number", "status", "content", "content_sha256", "base_version_id", "published_at"),
    message="a published framework version cannot be changed",
    only_when="OLD.status = 'published'",
)


def create(apps, schema_editor):
    PUBLISHED_VERSIONS.create(schema_editor)


def drop(apps, schema_editor):
    PUBLISHED_VERSIONS.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0001_frameworks_and_versions")]

    operations = [migrations.RunPython(create, drop)]
