"""How finance cites each law per kind of calculation line, kept with the rate set (issue 18, point 5)."""

from django.db import migrations, models

from exchanges.travel.rate_defaults import fill_legal_bases


def fill(apps, schema_editor):
    fill_legal_bases(apps.get_model("exchanges", "RateSet"))


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0014_facts_versions_answers")]

    operations = [
        migrations.AddField(
            model_name="rateset",
            name="legal_bases",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="How finance cites the law per kind of line, e.g. {'allowance': '§ 6 Abs. 1 BRKG'}.",
                verbose_name="legal basis of each line",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
