from django import template

from koopstadt.money import eur as eur_text

register = template.Library()


@register.filter
def eur(value) -> str:
    """An amount as the active language writes it, with two decimals and grouping: 5.000,00 €."""
    return eur_text(value)
