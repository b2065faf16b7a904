"""Small formatting filters of the consultation pages."""

from __future__ import annotations

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def hours(value: timedelta | float | None) -> str:
    """A waiting time or a turnaround in hours: "5", "0.5", "37" ("—" when unknown)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, timedelta):
        value = value.total_seconds() / 3600
    value = max(0.0, float(value))
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}".removesuffix(".0")


@register.filter
def percent(value: float | None) -> str:
    """A percentage without decimals ("—" when there is nothing to compute it from)."""
    return "—" if value is None else f"{value:.0f} %"
