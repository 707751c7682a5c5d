"""Amounts as people read them, in the active language (the pages' ``eur`` filter, PDFs and messages)."""

from decimal import Decimal

from django.utils.formats import number_format


def eur(value: Decimal | str | None) -> str:
    """Two decimals with grouping and the euro sign: 5.000,00 € in German; "–" for no amount."""
    if value is None or value == "":
        return "–"
    return f"{number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)} €"
