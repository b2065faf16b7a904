"""Vocabularies of certification (DOMAIN.md §6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequirementKind(models.TextChoices):
    COURSES = "courses", _("Complete courses")
    QUIZ = "quiz", _("Pass a quiz or exam")
    CASES = "cases", _("Review published cases")
    SCANS = "scans", _("Log supervised scans")
    CME = "cme", _("Earn CME hours")
    PREREQUISITE = "prerequisite", _("Hold another certificate")
    CONSULTS = "consults", _("Consultations answered by an expert")
    LIVE_HOURS = "live_hours", _("Live teaching hours")


class RequirementStage(models.TextChoices):
    """Whether a requirement applies to the first certificate, to recertification, or both."""

    BOTH = "both", _("Initial certification and recertification")
    INITIAL = "initial", _("Initial certification only")
    RECERTIFICATION = "recertification", _("Recertification only")


class ExamType(models.TextChoices):
    CEUS_LIVER = "ceus_liver", _("CEUS liver")
    CEUS_KIDNEY = "ceus_kidney", _("CEUS kidney")
    CEUS_BREAST = "ceus_breast", _("CEUS breast")
    CEUS_THYROID = "ceus_thyroid", _("CEUS thyroid")
    CEUS_OTHER = "ceus_other", _("CEUS, other organ")
    B_MODE = "b_mode", _("B-mode ultrasound")
    DOPPLER = "doppler", _("Colour / power Doppler")


class EntryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for sign-off")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Adequacy(models.TextChoices):
    """The supervisor's quality grade; an inadequate scan never counts."""

    GOOD = "good", _("Good")
    ADEQUATE = "adequate", _("Adequate")
    INADEQUATE = "inadequate", _("Inadequate")


class CertificateStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class AuditAction(models.TextChoices):
    ISSUED = "issued", _("Issued automatically")
    ISSUED_MANUALLY = "issued_manually", _("Issued manually by a director")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    REQUIREMENTS_CHANGED = "requirements_changed", _("Requirements changed")
