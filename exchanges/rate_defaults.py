"""The default rate sets of SPEC §6 (as in force 2025/26). Used by migration 0004 and after every migrate."""

from datetime import date
from decimal import Decimal as D

VALID_FROM = date(2025, 1, 1)
COMMON = {
    "full_day": D("28.00"),
    "partial_day": D("14.00"),
    "min_hours_one_day": 8,
    "breakfast_share": D("0.20"),
    "lunch_share": D("0.40"),
    "dinner_share": D("0.40"),
    "filing_deadline_months": 6,
}
RATE_SETS = [
    {
        "code": "BRKG",
        "legal_basis": "Bundesreisekostengesetz (BRKG)",
        "km_rate": D("0.20"),
        "km_rate_higher": D("0.30"),
        "km_cap": D("130.00"),
        "overnight_flat": D("20.00"),
        "hotel_limit": D("70.00"),
        "higher_class_min_hours": D("2.0"),
    },
    {
        "code": "SN",
        "legal_basis": "Sächsisches Reisekostengesetz (SächsRKG)",
        "km_rate": D("0.20"),
        "km_rate_higher": D("0.35"),
        "km_cap": None,
        "overnight_flat": D("20.00"),
        "hotel_limit": D("90.00"),
        "higher_class_min_hours": None,
    },
    {
        "code": "BY",
        "legal_basis": "Bayerisches Reisekostengesetz (BayRKG)",
        "km_rate": D("0.25"),
        "km_rate_higher": D("0.40"),
        "km_cap": None,
        "overnight_flat": D("18.50"),
        "hotel_limit": None,
        "higher_class_min_hours": None,
        "to_be_confirmed": True,
    },
    {
        "code": "HB",
        "legal_basis": "Bremisches Reisekostengesetz (BremRKG) – Werte wie BRKG",
        "km_rate": D("0.20"),
        "km_rate_higher": D("0.30"),
        "km_cap": D("130.00"),
        "overnight_flat": D("20.00"),
        "hotel_limit": D("70.00"),
        "higher_class_min_hours": D("2.0"),
        "to_be_confirmed": True,
    },
]


def ensure_default_rate_sets(rate_set_model) -> None:  # type: ignore[no-untyped-def]
    """Create any missing default rate set; existing rows (perhaps edited by finance) are left alone."""
    for values in RATE_SETS:
        rate_set_model.objects.get_or_create(
            code=values["code"], valid_from=VALID_FROM, defaults={**COMMON, **values}
        )
