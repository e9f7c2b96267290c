"""A database trigger that refuses to change a published learning path version, whatever path the write takes."""

from django.db import migrations

from socle.learning.models import IMMUTABLE_PATH_VERSIONS


def create(apps, schema_editor):
    IMMUTABLE_PATH_VERSIONS.create(schema_editor)


def drop(apps, schema_editor):
    IMMUTABLE_PATH_VERSIONS.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
