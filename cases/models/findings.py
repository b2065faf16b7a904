"""The structured CEUS findings (DOMAIN.md §1), defined once: a teaching case records them, and
so do a consultation's requester reading and expert answer (``consults``), so that the three
compare field by field and an answer becomes a case's findings as it is. Likewise the contrast
given, which a case and a consultation both record."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.choices import ArterialPattern, Enhancement, LiRads, Organ, WashoutDegree


class CeusFindings(models.Model):
    """Enhancement per phase, arterial pattern, wash-out onset and degree, category."""

    # In the order a report reads them (and a comparison lists them).
    FINDING_FIELDS = (
        "arterial_enhancement",
        "arterial_pattern",
        "portal_venous_enhancement",
        "late_enhancement",
        "washout_onset_s",
        "washout_degree",
        "category",
    )

    arterial_enhancement = models.CharField(
        _("arterial phase enhancement"), max_length=10, choices=Enhancement.choices, blank=True
    )
    arterial_pattern = models.CharField(
        _("arterial phase pattern"), max_length=10, choices=ArterialPattern.choices, blank=True
    )
    portal_venous_enhancement = models.CharField(
        _("portal venous phase enhancement"), max_length=10, choices=Enhancement.choices, blank=True
    )
    late_enhancement = models.CharField(
        _("late phase enhancement"), max_length=10, choices=Enhancement.choices, blank=True
    )
    washout_onset_s = models.FloatField(
        _("wash-out onset (s)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3600)],
        help_text=_("Seconds after injection."),
    )
    washout_degree = models.CharField(
        _("wash-out degree"), max_length=10, choices=WashoutDegree.choices, blank=True
    )
    category = models.CharField(
        _("category"),
        max_length=50,
        blank=True,
        help_text=_("CEUS LI-RADS for the liver (LR-NC … LR-TIV); free text for other organs."),
    )

    class Meta:
        abstract = True


class CeusContrast(models.Model):
    """The contrast given: agent, dose, and when it was injected (t0, the time origin of the
    timeline) — what a case records and a consultation sends (DOMAIN.md §8)."""

    contrast_agent = models.CharField(_("contrast agent"), max_length=100, blank=True)
    contrast_dose = models.CharField(
        _("contrast dose"), max_length=100, blank=True, help_text=_("For example “2.4 mL bolus”.")
    )
    injection_time_s = models.FloatField(
        _("injection time (s)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-3600), MaxValueValidator(3600)],
        help_text=_("Seconds into the first loop at which contrast was injected (t0)."),
    )

    class Meta:
        abstract = True


def category_error(organ: str, category: str) -> str | None:
    """Why ``category`` does not fit ``organ`` (a liver takes a CEUS LI-RADS category), or
    None."""
    from django.utils.translation import gettext

    if organ == Organ.LIVER and category and category not in LiRads.values:
        return gettext("A liver case takes a CEUS LI-RADS category (LR-NC … LR-TIV).")
    return None
