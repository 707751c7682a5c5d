from django.db import migrations, models

# The English names of the demo vocabulary's topics (koopstadt/development/demo_data.py), for portals that
# started with it; a portal's own topics get theirs in the administration.
DEMO_TOPIC_NAMES_EN = {
    "wohnen": "Housing",
    "mobilitaet": "Mobility",
    "bildung": "Education",
    "energie-klima": "Energy & Climate",
    "stadtplanung": "Urban Planning & Neighbourhood Development",
    "beteiligung": "Participation",
    "wirtschaft": "Economy",
    "kultur": "Culture",
    "soziales": "Social Affairs",
    "digitalisierung": "Digitalisation",
}


def fill_demo_names(apps, schema_editor):
    Topic = apps.get_model("cities", "Topic")
    for slug, name_en in DEMO_TOPIC_NAMES_EN.items():
        Topic.objects.filter(slug=slug, name_en="").update(name_en=name_en)


class Migration(migrations.Migration):
    dependencies = [
        ("cities", "0013_versions_and_edit_records"),
    ]

    operations = [
        migrations.AddField(
            model_name="topic",
            name="name_en",
            field=models.CharField(
                blank=True,
                help_text="Shown in the English interface; empty: the German name is shown there too.",
                max_length=100,
                verbose_name="English name",
            ),
        ),
        migrations.RunPython(fill_demo_names, migrations.RunPython.noop),
    ]
