"""Filters of the certification dashboards."""

from django import template

from certification.selectors import amount as _amount

register = template.Library()


@register.filter
def amount(value) -> str:
    """A count or a number of hours without a pointless ".0" (12/25, 2.5/10)."""
    if value is None or value == "":
        return ""
    return _amount(float(value))
