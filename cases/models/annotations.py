"""What an author draws on a case's loops: annotations, phase markers, and the time-intensity
curve computed for each region of interest that has a role."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from cases.models.choices import AnnotationKind, PhaseKind, RoiRole, TicStatus


class AnnotationShape(models.Model):
    """A shape on one loop, in ORIGINAL image pixel coordinates (see ``cases.geometry``): what
    an author draws on a case's loops (``Annotation``) and an expert on a consultation's
    (``consults``), one definition so that a consult's drawings become a case's as they are."""

    Kind = AnnotationKind

    loop = models.ForeignKey(
        "cineloops.CineLoop",
        verbose_name=_("cine loop"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AnnotationKind.choices)
    geometry = models.JSONField(_("geometry"))
    label = models.CharField(_("label"), max_length=200, blank=True)
    t_start = models.FloatField(_("shown from (s)"), null=True, blank=True)
    t_end = models.FloatField(_("shown until (s)"), null=True, blank=True)
    roi_role = models.CharField(
        _("curve role"), max_length=10, choices=RoiRole.choices, blank=True, default=""
    )
    length_mm = models.FloatField(_("length (mm)"), null=True, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.kind} {self.label}".strip()

    @property
    def is_roi(self) -> bool:
        """An ellipse or polygon with a role: it gets a time-intensity curve."""
        return bool(self.roi_role) and self.kind in (AnnotationKind.ELLIPSE, AnnotationKind.POLYGON)


class Annotation(AnnotationShape):
    """A shape on one of a case's loops."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="annotations"
    )

    class Meta:
        ordering = ["case_id", "order", "pk"]
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")


class PhaseMark(models.Model):
    """A phase marker's loop, kind and time: a case's (``PhaseMarker``) or a consult's."""

    loop = models.ForeignKey(
        "cineloops.CineLoop",
        verbose_name=_("cine loop"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PhaseKind.choices)
    time_s = models.FloatField(_("time (s)"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.kind} @ {self.time_s:.2f} s"


class PhaseMarker(PhaseMark):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="phase_markers"
    )

    class Meta:
        ordering = ["case_id", "loop_id", "time_s", "pk"]
        verbose_name = _("phase marker")
        verbose_name_plural = _("phase markers")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "loop", "kind"], name="cases_phasemarker_unique_kind"
            ),
        ]


class RoiCurve(models.Model):
    """The time-intensity curve of one ROI annotation, computed by ``cases.tic_compute``.

    ``signature`` names what was computed (loop, geometry, t0, dynamic range): a task finding
    the same signature already ready has nothing to do, and a changed ROI starts over.
    """

    annotation = models.OneToOneField(
        Annotation, verbose_name=_("annotation"), on_delete=models.CASCADE, related_name="curve"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TicStatus.choices, default=TicStatus.PENDING
    )
    signature = models.CharField(_("signature"), max_length=64)
    dynamic_range_db = models.FloatField(_("dynamic range (dB)"))
    injection_time_s = models.FloatField(_("injection time (s)"), null=True, blank=True)
    times_s = models.JSONField(_("times (s)"), default=list, blank=True)
    values = models.JSONField(_("values"), default=list, blank=True)
    parameters = models.JSONField(_("parameters"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("time-intensity curve")
        verbose_name_plural = _("time-intensity curves")

    def __str__(self) -> str:
        return f"TIC {self.annotation_id} ({self.status})"
