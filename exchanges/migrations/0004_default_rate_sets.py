"""The rate sets of SPEC §6 as in force 2025/26. Finance adds new periods in the portal."""

from datetime import date
from decimal import Decimal as D

from django.db import migrations

COMMON = {"full_day": D("28.00"), "partial_day": D("14.00"), "min_hours_one_day": 8, "breakfast_share": D("0.20"),
          "lunch_share": D("0.40"), "dinner_share": D("0.40"), "filing_deadline_months": 6, "valid_from": date(2025, 1, 1)}
RATE_SETS = [
    {"code": "BRKG", "legal_basis": "Bundesreisekostengesetz (BRKG)", "km_rate": D("0.20"), "km_rate_higher": D("0.30"),
     "km_cap": D("130.00"), "overnight_flat": D("20.00"), "hotel_limit": D("70.00"), "higher_class_min_hours": D("2.0")},
    {"code": "SN", "legal_basis": "Sächsisches Reisekostengesetz (SächsRKG)", "km_rate": D("0.20"), "km_rate_higher": D("0.35"),
     "km_cap": None, "overnight_flat": D("20.00"), "hotel_limit": D("90.00"), "higher_class_min_hours": None},
    {"code": "BY", "legal_basis": "Bayerisches Reisekostengesetz (BayRKG)", "km_rate": D("0.25"), "km_rate_higher": D("0.40"),
     "km_cap": None, "overnight_flat": D("18.50"), "hotel_limit": None, "higher_class_min_hours": None,
     "to_be_confirmed": True},
    {"code": "HB", "legal_basis": "Bremisches Reisekostengesetz (BremRKG) – Werte wie BRKG", "km_rate": D("0.20"),
     "km_rate_higher": D("0.30"), "km_cap": D("130.00"), "overnight_flat": D("20.00"), "hotel_limit": D("70.00"),
     "higher_class_min_hours": D("2.0"), "to_be_confirmed": True},
]


def create(apps, schema_editor):
    RateSet = apps.get_model("exchanges", "RateSet")
    for values in RATE_SETS:
        RateSet.objects.get_or_create(code=values["code"], valid_from=COMMON["valid_from"], defaults={**COMMON, **values})


def remove(apps, schema_editor):
    apps.get_model("exchanges", "RateSet").objects.filter(valid_from=COMMON["valid_from"]).delete()


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0003_rateset")]
    operations = [migrations.RunPython(create, remove)]
