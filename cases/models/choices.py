"""Controlled vocabularies of a CEUS teaching case (DOMAIN.md §1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    # "published" is the value core.scoping's rules treat as visible to learners.
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")


class Organ(models.TextChoices):
    LIVER = "liver", _("Liver")
    BREAST = "breast", _("Breast")
    THYROID = "thyroid", _("Thyroid")
    KIDNEY = "kidney", _("Kidney")
    LYMPH_NODE = "lymph_node", _("Lymph node")
    PAEDIATRIC_CARDIAC = "paediatric_cardiac", _("Paediatric / cardiac")
    VASCULAR = "vascular", _("Vascular")
    OTHER = "other", _("Other")


class Modality(models.TextChoices):
    CEUS = "ceus", _("CEUS")
    B_MODE = "b_mode", _("B-mode")
    DOPPLER = "doppler", _("Colour / power Doppler")


class Enhancement(models.TextChoices):
    HYPO = "hypo", _("Hypoenhancement")
    ISO = "iso", _("Isoenhancement")
    HYPER = "hyper", _("Hyperenhancement")


class ArterialPattern(models.TextChoices):
    NONE = "none", _("No arterial enhancement")
    RIM = "rim", _("Rim")
    NON_RIM = "non_rim", _("Non-rim")


class WashoutDegree(models.TextChoices):
    NONE = "none", _("No wash-out")
    MILD = "mild", _("Mild")
    MARKED = "marked", _("Marked")


class LiRads(models.TextChoices):
    """CEUS LI-RADS v2017 categories: the only categories a liver case may carry."""

    NC = "LR-NC", _("LR-NC (not categorisable)")
    LR1 = "LR-1", _("LR-1 (definitely benign)")
    LR2 = "LR-2", _("LR-2 (probably benign)")
    LR3 = "LR-3", _("LR-3 (intermediate probability of malignancy)")
    LR4 = "LR-4", _("LR-4 (probably HCC)")
    LR5 = "LR-5", _("LR-5 (definitely HCC)")
    LRM = "LR-M", _("LR-M (probably or definitely malignant, not HCC-specific)")
    TIV = "LR-TIV", _("LR-TIV (tumour in vein)")


class Proof(models.TextChoices):
    HISTOLOGY = "histology", _("Histology")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CONSENSUS = "consensus", _("Expert consensus")


class Certainty(models.TextChoices):
    POSSIBLE = "possible", _("Possible")
    PROBABLE = "probable", _("Probable")
    ALMOST_CERTAIN = "almost_certain", _("Almost certain")
    CERTAIN = "certain", _("Certain")


class Difficulty(models.IntegerChoices):
    BEGINNER = 1, _("Beginner")
    INTERMEDIATE = 2, _("Intermediate")
    ADVANCED = 3, _("Advanced")


class AnnotationKind(models.TextChoices):
    POINT = "point", _("Point")
    ARROW = "arrow", _("Arrow")
    ELLIPSE = "ellipse", _("Ellipse")
    POLYGON = "polygon", _("Polygon")
    TEXT = "text", _("Text")
    MEASURE = "measure", _("Measurement")


class RoiRole(models.TextChoices):
    NONE = "", _("No curve")
    LESION = "lesion", _("Lesion")
    REFERENCE = "reference", _("Reference parenchyma")


class PhaseKind(models.TextChoices):
    ARRIVAL = "arrival", _("Contrast arrival")
    ARTERIAL_ONSET = "arterial_onset", _("Arterial phase onset")
    PEAK = "peak", _("Peak enhancement")
    PORTAL_VENOUS = "portal_venous", _("Portal venous phase onset")
    LATE = "late", _("Late phase onset")
    WASHOUT_ONSET = "washout_onset", _("Wash-out onset")


class TicStatus(models.TextChoices):
    PENDING = "pending", _("Being computed")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
