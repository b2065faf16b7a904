"""What a failed loop tells the instructor, by error code, in their language.

``cine`` errors carry an English detail that never holds patient data (``str(err)``); the code
derived from the error's class picks a translated headline shown before it.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from cine.errors import CineError

HEADLINES = {
    "not_dicom": _("The file is not a DICOM image."),
    "truncated_file": _("The file is incomplete."),
    "no_pixel_data": _("The file holds no image."),
    "unsupported_transfer_syntax": _("The image is encoded in a way that is not supported."),
    "inconsistent_image": _("The file's header contradicts its image data."),
    "pixel_decode": _("An image frame could not be decoded."),
    "invalid_mask": _("The cleaning mask does not fit the image."),
    "unsupported_sop_class": _("The file is not an ultrasound image."),
    "nesting_too_deep": _("The file's header is nested too deeply to be read safely."),
    "frame_too_large": _("The image frames are too large to be processed."),
    "timeout": _("Processing took too long and was stopped."),
    "worker_lost": _(
        "Processing stopped unexpectedly several times; the file may be too large or damaged."
    ),
    "interrupted": _("Processing was interrupted and did not finish."),
    "original_missing": _("The original file is no longer available."),
    "internal": _("Processing failed because of an internal error; it has been logged."),
}
GENERIC = _("The file could not be processed.")


def error_code(exc: CineError) -> str:
    """``NotDicomError`` -> ``not_dicom``: stable codes for the API, new classes included."""
    name = re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()
    return name.removesuffix("_error") or "cine"


def error_text(code: str, detail: str) -> str:
    headline = str(HEADLINES.get(code, GENERIC))
    return f"{headline} ({detail})" if detail else headline


CLEANING_LABELS = {
    "outside_regions": _("Everything outside the ultrasound regions was blanked."),
    "not_needed": _("Not needed: the file declares no burned-in text."),
    "review_required": _("Needs review: burned-in text may remain in the image."),
    "manual_mask": _("Everything outside the rectangles drawn by an instructor was blanked."),
}
# ``cine.cleaning.CleaningReason`` codes.
CLEANING_REASONS = {
    "regions": _("The file describes where its ultrasound image lies."),
    "manual_mask": _("An instructor drew the parts of the image to keep."),
    "no_regions": _("The file does not say where its ultrasound image lies."),
    "regions_do_not_fit": _("The ultrasound regions in the file do not fit the image."),
    "regions_cover_image": _("The ultrasound regions in the file cover the whole image."),
}


def cleaning_label(decision: str) -> str:
    return str(CLEANING_LABELS.get(decision, decision))


def cleaning_reason_text(code: str) -> str:
    return str(CLEANING_REASONS.get(code, ""))


# Ultrasound region kinds and contents as ``cine.regions`` names them (PS3.3 C.8.5.5.1).
REGION_FORMATS = {
    "none": _("None"),
    "2D": _("2D image"),
    "M-mode": _("M-mode"),
    "spectral": _("Spectral Doppler"),
    "waveform": _("Waveform"),
    "graphics": _("Graphics"),
}
REGION_CONTENTS = {
    "none": _("None"),
    "tissue": _("Tissue"),
    "color_flow": _("Colour flow"),
    "pw_doppler": _("PW Doppler"),
    "cw_doppler": _("CW Doppler"),
    "doppler_mean_trace": _("Doppler mean trace"),
    "doppler_mode_trace": _("Doppler mode trace"),
    "doppler_max_trace": _("Doppler maximum trace"),
    "ecg_trace": _("ECG trace"),
    "pulse_trace": _("Pulse trace"),
    "gray_bar": _("Grey bar"),
    "color_bar": _("Colour bar"),
}


def region_rows(regions: object) -> list[dict]:
    """Regions from the metadata with their kind and content in the reader's language."""
    if not isinstance(regions, list):
        return []
    rows = []
    for region in regions:
        if not isinstance(region, dict):
            continue
        kind, content = str(region.get("spatial_format")), str(region.get("data_type"))
        rows.append(
            {
                **region,
                "kind": str(REGION_FORMATS.get(kind, kind)),
                "content": str(REGION_CONTENTS.get(content, content)),
            }
        )
    return rows
