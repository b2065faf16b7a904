"""The requester's reading beside the expert's answer, field by field (the comparison page,
the agreement figures, the teaching point of a first reader). Pure functions over loaded
rows."""

from __future__ import annotations

from dataclasses import dataclass

from cases.models import CeusFindings
from consults import conf


def normalise_category(category: str) -> str:
    """Categories compare without case or spacing ("lr-4" is "LR-4")."""
    return " ".join((category or "").split()).upper()


def display_value(record: CeusFindings, name: str) -> str:
    """A finding as a reader sees it, in the active language ("" when not given)."""
    value = getattr(record, name)
    if value in ("", None):
        return ""
    if name == "washout_onset_s":
        return f"{value:g}"
    display = getattr(record, f"get_{name}_display", None)
    return str(display()) if display is not None else str(value)


def label(name: str) -> str:
    """The finding's name, in the active language."""
    field = CeusFindings._meta.get_field(name)
    return str(getattr(field, "verbose_name", name)).capitalize()


def same(name: str, first: object, second: object) -> bool | None:
    """Whether two values of the finding ``name`` agree; None when either is missing."""
    if first in ("", None) or second in ("", None):
        return None
    if name == "washout_onset_s":
        return abs(float(first) - float(second)) <= conf.washout_onset_tolerance_s()  # type: ignore[arg-type]
    if name == "category":
        return normalise_category(str(first)) == normalise_category(str(second))
    return first == second


@dataclass(frozen=True)
class FieldComparison:
    field: str
    label: str
    requester: str  # displayed values, "" when not given
    expert: str
    agrees: bool | None  # None: one side gave nothing to compare


def compare(reading: CeusFindings, answer: CeusFindings) -> list[FieldComparison]:
    """Every finding, in report order, with whether the two readers agree."""
    return [
        FieldComparison(
            field=name,
            label=label(name),
            requester=display_value(reading, name),
            expert=display_value(answer, name),
            agrees=same(name, getattr(reading, name), getattr(answer, name)),
        )
        for name in CeusFindings.FINDING_FIELDS
    ]


def finding_lines(record: CeusFindings) -> list[tuple[str, str]]:
    """(label, value) of each finding given, in report order."""
    return [
        (label(name), display_value(record, name))
        for name in CeusFindings.FINDING_FIELDS
        if display_value(record, name)
    ]
