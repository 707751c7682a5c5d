from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from exchanges.travel.models import RateSet
from exchanges.travel.services.rates import rate_set_for, rate_set_new_period
from exchanges.travel.services.travel_calculator import Night, Trip, calculate
from koopstadt.errors import DomainError
from tests.cities.factories import CityFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def test_the_shipped_rate_sets_of_spec_section_6():
    rows = {rs.code: rs for rs in RateSet.objects.all()}
    assert set(rows) == {"BRKG", "SN", "BY", "HB"}
    assert rows["BRKG"].km_cap == D("130.00") and rows["BRKG"].hotel_limit == D("70.00")
    assert rows["SN"].km_rate_higher == D("0.35") and rows["SN"].hotel_limit == D("90.00")
    assert rows["BY"].km_rate == D("0.25") and rows["BY"].overnight_flat == D("18.50")
    assert rows["HB"].to_be_confirmed and rows["HB"].km_rate == rows["BRKG"].km_rate


@pytest.mark.parametrize(("code", "expected"), [("BRKG", D("20.00")), ("BY", D("18.50")), ("XX", D("20.00"))])
def test_the_city_points_to_its_rate_set_and_brkg_is_the_default(code, expected):
    city = CityFactory(rate_code=code)
    rate_set = rate_set_for(city=city, day=date(2026, 5, 4))
    assert rate_set.code == (code if code != "XX" else "BRKG")
    trip = Trip(
        datetime(2026, 5, 4, 8, tzinfo=BERLIN), datetime(2026, 5, 5, 18, tzinfo=BERLIN), nights=(Night(),)
    )
    assert calculate(trip, rate_set.to_rates()).subtotal("overnight") == expected


def test_a_new_period_keeps_the_old_figures_for_old_trips():
    brkg = RateSet.objects.get(code="BRKG")
    rate_set_new_period(current=brkg, valid_from=date(2027, 1, 1), changes={"km_rate": D("0.25")})

    assert rate_set_for(city=None, day=date(2026, 12, 31)).km_rate == D("0.20")
    assert rate_set_for(city=None, day=date(2027, 1, 1)).km_rate == D("0.25")
    with pytest.raises(DomainError):
        rate_set_new_period(
            current=RateSet.objects.get(code="BRKG", valid_from=date(2025, 1, 1)),
            valid_from=date(2026, 6, 1),
            changes={},
        )


def test_no_rate_set_before_the_first_period():
    with pytest.raises(DomainError):
        rate_set_for(city=None, day=date(2020, 1, 1))


def test_every_rate_set_cites_its_own_law_per_line():
    rows = {rs.code: rs for rs in RateSet.objects.all()}
    assert {code: rs.to_rates().label for code, rs in rows.items()} == {
        "BRKG": "BRKG",
        "SN": "SächsRKG",
        "BY": "BayRKG",
        "HB": "BremRKG",
    }
    assert rows["BY"].to_rates().basis("overnight_flat") == "Art. 9 Abs. 2 BayRKG"
    assert rows["SN"].to_rates().basis("other") == "§ 9 Abs. 1 SächsRKG"
    # SächsRKG § 7 Abs. 1 Satz 3 and BayRKG Art. 9 Abs. 3 Satz 2 take breakfast off the hotel price
    assert {code for code, rs in rows.items() if rs.to_rates().breakfast_from_hotel} == {"SN", "BY"}


def test_rate_sets_without_citations_get_those_of_their_law_and_new_periods_keep_them():
    from exchanges.travel.rate_defaults import LEGAL_BASES, fill_legal_bases

    RateSet.objects.filter(code="BY").update(legal_bases={})
    fill_legal_bases(RateSet)
    bavaria = RateSet.objects.get(code="BY")
    assert bavaria.legal_bases == LEGAL_BASES["BY"]
    new = rate_set_new_period(current=bavaria, valid_from=date(2027, 1, 1), changes={"km_rate": D("0.30")})
    assert new.legal_bases == LEGAL_BASES["BY"]
