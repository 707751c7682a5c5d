from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def eur(value: Decimal | None) -> str:
    """An amount as the active language writes it, with two decimals and grouping: 5.000,00 €."""
    if value is None or value == "":
        return "–"
    return f"{number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)} €"
