from django.db import migrations, models
from django.utils.text import slugify


def fill_codes(apps, schema_editor):
    """Existing sector campaigns get their name's slug, numbered when a network already uses it."""
    SectorCampaign = apps.get_model("collection", "SectorCampaign")
    taken: dict[int, set[str]] = {}
    for campaign in SectorCampaign.objects.order_by("pk"):
        used = taken.setdefault(campaign.network_id, set())
        base = slugify(campaign.name)[:56].strip("-") or "campaign"
        code, number = base, 1
        while code in used:
            number += 1
            code = f"{base}-{number}"
        used.add(code)
        campaign.code = code
        campaign.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0003_sector_campaigns_and_corrections"),
        ("network", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="sectorcampaign",
            name="code",
            field=models.SlugField(default="", max_length=64, verbose_name="code"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="sectorcampaign",
            constraint=models.UniqueConstraint(
                fields=("network", "code"), name="sector_campaign_code_unique_in_network"
            ),
        ),
    ]
