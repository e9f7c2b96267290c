"""A database trigger that refuses to change a published impact page, whatever path the write takes: publishing
again makes a new version. ``published_by`` may still change (SET NULL when the account is deleted)."""

from django.db import migrations

from socle.impact.models import IMMUTABLE_IMPACT_PUBLICATIONS


def create(apps, schema_editor):
    IMMUTABLE_IMPACT_PUBLICATIONS.create(schema_editor)


def drop(apps, schema_editor):
    IMMUTABLE_IMPACT_PUBLICATIONS.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("impact", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
