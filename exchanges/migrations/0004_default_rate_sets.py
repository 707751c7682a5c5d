"""The rate sets of SPEC §6 as in force 2025/26. Finance adds new periods in the portal."""

from django.db import migrations

from exchanges.travel.rate_defaults import VALID_FROM, ensure_default_rate_sets


def create(apps, schema_editor):
    ensure_default_rate_sets(apps.get_model("exchanges", "RateSet"))


def remove(apps, schema_editor):
    apps.get_model("exchanges", "RateSet").objects.filter(valid_from=VALID_FROM).delete()


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0003_rateset")]
    operations = [migrations.RunPython(create, remove)]
