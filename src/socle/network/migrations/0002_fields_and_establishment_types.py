"""Initial data: the five fields and their establishment types (see socle/network/initial_data.py)."""

from django.db import migrations

from socle.network.initial_data import load_fields


def load(apps, schema_editor):
    load_fields(apps.get_model("network", "Field"), apps.get_model("network", "EstablishmentType"))


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
