"""The stored stems of department keywords, recomputed with the Snowball German stemmer (issue 23)."""

from django.db import migrations

from cities.directory.german_words import stems


def recompute(apps, schema_editor) -> None:
    keyword_model = apps.get_model("cities", "DepartmentKeyword")
    changed = []
    for keyword in keyword_model.objects.all().only("pk", "term", "match_stem"):
        candidates = [stem for stem in stems(keyword.term) if len(stem) >= 3]
        new = max(candidates, key=len) if candidates else ""
        if new != keyword.match_stem:
            keyword.match_stem = new
            changed.append(keyword)
    keyword_model.objects.bulk_update(changed, ["match_stem"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("cities", "0015_user_supervisor_trip_audit")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
