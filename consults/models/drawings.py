"""What an expert draws on a consultation's loops: the case library's own shapes
(``cases.AnnotationShape``, ``cases.PhaseMark``: same fields, same geometry, same validation),
owned by the consultation. They become the teaching case's annotations as they are."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import AnnotationShape, PhaseMark
from consults.models.consultation import Consultation


class ConsultAnnotation(AnnotationShape):
    consult = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="annotations",
    )

    class Meta:
        ordering = ["consult_id", "order", "pk"]
        verbose_name = _("consultation annotation")
        verbose_name_plural = _("consultation annotations")


class ConsultPhaseMarker(PhaseMark):
    consult = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="phase_markers",
    )

    class Meta:
        ordering = ["consult_id", "loop_id", "time_s", "pk"]
        verbose_name = _("consultation phase marker")
        verbose_name_plural = _("consultation phase markers")
        constraints = [
            models.UniqueConstraint(
                fields=["consult", "loop", "kind"], name="consults_phasemarker_unique_kind"
            ),
        ]
