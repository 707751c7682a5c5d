"""The default rate sets of SPEC §6 (as in force 2025/26). Used by migration 0004 and after every migrate."""

from datetime import date
from decimal import Decimal as D

VALID_FROM = date(2025, 1, 1)

# How finance cites each law, per kind of calculation line (RateSet.legal_bases). Keys: "law" (the short
# name), "rail", "local", "car", "car_higher", "allowance", "allowance_midnight" (a trip across midnight
# without a night), "meals" (meals provided), "overnight_flat", "overnight_receipt", "hotel_breakfast"
# (breakfast taken off a hotel price where the law says so), "other". Section numbers were checked
# against the laws' texts; where only the section (not its paragraph) could be checked, only the section
# is cited. docs/travel-costs.md lists the sources and what is unconfirmed.
LEGAL_BASES = {
    "BRKG": {
        "law": "BRKG",
        "rail": "§ 4 Abs. 1 BRKG",
        "local": "§ 4 Abs. 1 BRKG",
        "car": "§ 5 Abs. 1 BRKG",
        "car_higher": "§ 5 Abs. 2 BRKG",
        "allowance": "§ 6 Abs. 1 BRKG i. V. m. § 9 Abs. 4a Satz 3 EStG",
        "allowance_midnight": "§ 6 Abs. 1 BRKG i. V. m. § 9 Abs. 4a Satz 3 Nr. 3 EStG",
        "meals": "§ 6 Abs. 2 BRKG",
        "overnight_flat": "§ 7 Abs. 1 Satz 1 BRKG",
        "overnight_receipt": "§ 7 Abs. 1 Satz 2 BRKG",
        "other": "§ 10 Abs. 1 BRKG",
    },
    "SN": {
        "law": "SächsRKG",
        "rail": "§ 4 SächsRKG",
        "local": "§ 4 SächsRKG",
        "car": "§ 5 Abs. 1 SächsRKG",
        "car_higher": "§ 5 Abs. 2 SächsRKG",
        "allowance": "§ 6 Abs. 1 SächsRKG i. V. m. § 9 Abs. 4a Satz 3 EStG",
        "allowance_midnight": "§ 6 Abs. 1 SächsRKG i. V. m. § 9 Abs. 4a Satz 3 Nr. 3 EStG",
        "meals": "§ 6 Abs. 2 SächsRKG",
        "overnight_flat": "§ 7 Abs. 2 SächsRKG",
        "overnight_receipt": "§ 7 Abs. 1 SächsRKG",
        "hotel_breakfast": "§ 7 Abs. 1 Satz 3 SächsRKG",
        "other": "§ 9 Abs. 1 SächsRKG",
    },
    "BY": {  # Bavaria numbers in articles
        "law": "BayRKG",
        "rail": "Art. 5 BayRKG",
        "local": "Art. 5 BayRKG",
        "car": "Art. 6 BayRKG",
        "car_higher": "Art. 6 BayRKG",
        "allowance": "Art. 8 BayRKG",
        "allowance_midnight": "Art. 8 BayRKG",
        "meals": "Art. 11 Abs. 1 BayRKG",
        "overnight_flat": "Art. 9 Abs. 2 BayRKG",
        "overnight_receipt": "Art. 9 Abs. 3 BayRKG",
        "hotel_breakfast": "Art. 9 Abs. 3 Satz 2 BayRKG",
        "other": "Art. 12 BayRKG",
    },
    "HB": {  # the law's own sections; its figures copy the BRKG's until finance confirms them
        "law": "BremRKG",
        "rail": "§ 4 BremRKG",
        "local": "§ 4 BremRKG",
        "car": "§ 5 Abs. 1 BremRKG",
        "car_higher": "§ 5 BremRKG",
        "allowance": "§ 6 BremRKG",
        "allowance_midnight": "§ 6 BremRKG",
        "meals": "§ 6 BremRKG",
        "overnight_flat": "§ 7 Abs. 1 Satz 1 BremRKG",
        "overnight_receipt": "§ 7 BremRKG",
        "other": "§ 10 BremRKG",
    },
}
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
        "legal_bases": LEGAL_BASES["BRKG"],
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
        "legal_bases": LEGAL_BASES["SN"],
        "breakfast_from_hotel": True,  # § 7 Abs. 1 Satz 3 SächsRKG
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
        "legal_bases": LEGAL_BASES["BY"],
        "breakfast_from_hotel": True,  # Art. 9 Abs. 3 Satz 2 BayRKG
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
        "legal_bases": LEGAL_BASES["HB"],
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


def ensure_default_rate_sets(rate_set_model) -> None:
    """Create any missing default rate set; existing rows (perhaps edited by finance) are left alone.

    ``rate_set_model`` may be a migration's historical model: fields it does not have yet are left out.
    """
    names = {field.name for field in rate_set_model._meta.get_fields()}
    for values in RATE_SETS:
        defaults = {name: value for name, value in {**COMMON, **values}.items() if name in names}
        rate_set_model.objects.get_or_create(code=values["code"], valid_from=VALID_FROM, defaults=defaults)


def fill_legal_bases(rate_set_model) -> None:
    """Give every rate set without citations those of its law (all periods: new ones copy the old)."""
    for code, bases in LEGAL_BASES.items():
        rate_set_model.objects.filter(code=code, legal_bases={}).update(legal_bases=bases)
