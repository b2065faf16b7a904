"""Reference table of the test files and what the cine library must make of them.

``REAL`` lists every file of ../shared/dicom-samples (see its CATALOGUE.md), ``BUNDLED`` the
pydicom test files that cover paths the real files do not (MONOCHROME 16-bit, big endian,
planar RGB, palette, JPEG that stores RGB, broken files). One row drives every parametrised
test: header facts, decoding path, timing, cleaning decision, or the error expected instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from cine.errors import (
    CineError,
    InconsistentImageError,
    NoPixelDataError,
    NotDicomError,
    PixelDecodeError,
    TruncatedFileError,
)

IMPLICIT = "1.2.840.10008.1.2"
EXPLICIT = "1.2.840.10008.1.2.1"
DEFLATED = "1.2.840.10008.1.2.1.99"
BIG = "1.2.840.10008.1.2.2"
JPEG_BASELINE = "1.2.840.10008.1.2.4.50"
JPEG_EXTENDED = "1.2.840.10008.1.2.4.51"
JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70"
JPEG_LS = "1.2.840.10008.1.2.4.80"
J2K_LOSSLESS = "1.2.840.10008.1.2.4.90"
J2K = "1.2.840.10008.1.2.4.91"
RLE = "1.2.840.10008.1.2.5"


@dataclass(frozen=True)
class Sample:
    name: str
    frames: int
    rows: int
    columns: int
    photometric: str
    transfer_syntax: str
    decoder: str  # "pillow-jpeg" (fragments straight to Pillow) or "pydicom"
    regions: int
    fps: float | None  # None: single frame
    cleaning: str  # decision of cine.cleaning.plan_cleaning without a manual mask

    @property
    def colour(self) -> bool:
        return self.photometric not in ("MONOCHROME1", "MONOCHROME2")


@dataclass(frozen=True)
class Broken:
    name: str
    error: type[CineError]


# fmt: off
REAL = (
    Sample("2023-04-21-RLEPlanarConfigurationYBR_FULL.dcm", 1, 910, 1260, "YBR_FULL", RLE, "pydicom", 1, None, "outside_regions"),  # noqa: E501
    Sample("3EAF5680_8b_YBR_jpeg.dcm", 1, 480, 640, "YBR_FULL_422", JPEG_BASELINE, "pillow-jpeg", 0, None, "review_required"),  # noqa: E501
    Sample("Implicit-vr-us-palette.dcm", 1, 600, 800, "PALETTE COLOR", IMPLICIT, "pydicom", 1, None, "outside_regions"),  # noqa: E501
    Sample("JPEGLosslessP14SV1_3s_2f_u_08_08.dcm", 2, 768, 1024, "RGB", JPEG_LOSSLESS_SV1, "pydicom", 2, 31.284, "outside_regions"),  # noqa: E501
    Sample("JPGLosslessP14SV1_1s_1f_8b.dcm", 1, 768, 1024, "MONOCHROME2", JPEG_LOSSLESS_SV1, "pydicom", 1, None, "outside_regions"),  # noqa: E501
    Sample("OBXXXX1A.dcm", 1, 600, 800, "PALETTE COLOR", EXPLICIT, "pydicom", 2, None, "outside_regions"),  # noqa: E501
    Sample("US-MONO2-8-8x-execho.dcm", 8, 120, 128, "MONOCHROME2", EXPLICIT, "pydicom", 0, 10.0, "review_required"),  # noqa: E501
    Sample("US-RGB-8-epicard.dcm", 1, 480, 640, "RGB", BIG, "pydicom", 0, None, "review_required"),
    Sample("US-RGB-8-esopecho.dcm", 1, 120, 256, "RGB", EXPLICIT, "pydicom", 0, None, "review_required"),  # noqa: E501
    Sample("US1_J2KR.dcm", 1, 480, 640, "YBR_RCT", J2K_LOSSLESS, "pydicom", 0, None, "review_required"),  # noqa: E501
    Sample("US1_RLE.dcm", 1, 480, 640, "RGB", RLE, "pydicom", 0, None, "review_required"),
    Sample("US1_UNCR.dcm", 1, 480, 640, "RGB", EXPLICIT, "pydicom", 0, None, "review_required"),
    Sample("cs3d-no-pixel-spacing.dcm", 1, 600, 800, "PALETTE COLOR", RLE, "pydicom", 3, None, "outside_regions"),  # noqa: E501
    Sample("dicom_viewer_0020.dcm", 11, 430, 600, "PALETTE COLOR", RLE, "pydicom", 0, 15.942, "review_required"),  # noqa: E501
    # Regions describe the 640x480 original of this rescaled copy: not trusted.
    Sample("examples_ybr_color.dcm", 30, 240, 320, "YBR_FULL_422", JPEG_BASELINE, "pillow-jpeg", 1, 30.0, "review_required"),  # noqa: E501
    # Malformed (stray top-level Item tag); BurnedInAnnotation YES.
    Sample("fodicom-GH364.dcm", 1, 768, 1024, "MONOCHROME2", JPEG_LS, "pydicom", 0, None, "review_required"),  # noqa: E501
    Sample("orthanc-Issue16.dcm", 34, 430, 480, "YBR_FULL_422", JPEG_BASELINE, "pillow-jpeg", 2, 33.333, "outside_regions"),  # noqa: E501
    Sample("orthanc-Issue19.dcm", 1, 480, 640, "YBR_FULL", EXPLICIT, "pydicom", 0, None, "review_required"),  # noqa: E501
)

BUNDLED = (
    Sample("MR_small.dcm", 1, 64, 64, "MONOCHROME2", EXPLICIT, "pydicom", 0, None, "review_required"),  # noqa: E501
    Sample("MR_small_bigendian.dcm", 1, 64, 64, "MONOCHROME2", BIG, "pydicom", 0, None, "review_required"),  # noqa: E501
    Sample("MR_small_implicit.dcm", 1, 64, 64, "MONOCHROME2", IMPLICIT, "pydicom", 0, None, "review_required"),  # noqa: E501
    Sample("MR_small_RLE.dcm", 1, 64, 64, "MONOCHROME2", RLE, "pydicom", 0, None, "review_required"),  # noqa: E501
    Sample("CT_small.dcm", 1, 128, 128, "MONOCHROME2", EXPLICIT, "pydicom", 0, None, "review_required"),  # noqa: E501
    Sample("ExplVR_BigEnd.dcm", 1, 60, 80, "RGB", BIG, "pydicom", 0, None, "review_required"),  # planar 1  # noqa: E501
    Sample("examples_rgb_color.dcm", 1, 240, 320, "RGB", EXPLICIT, "pydicom", 0, None, "review_required"),  # noqa: E501
    # A rescaled copy of OBXXXX1A: its two regions reach past the 350 rows.
    Sample("examples_palette.dcm", 1, 350, 800, "PALETTE COLOR", EXPLICIT, "pydicom", 2, None, "review_required"),  # noqa: E501
    Sample("examples_jpeg2k.dcm", 1, 480, 640, "YBR_RCT", J2K_LOSSLESS, "pydicom", 0, None, "review_required"),  # noqa: E501
    Sample("SC_ybr_full_422_uncompressed.dcm", 1, 100, 100, "YBR_FULL_422", EXPLICIT, "pydicom", 0, None, "review_required"),  # noqa: E501
    Sample("SC_rgb_dcmtk_+eb+cy+n1.dcm", 1, 100, 100, "YBR_FULL", JPEG_BASELINE, "pillow-jpeg", 0, None, "review_required"),  # noqa: E501
    Sample("SC_rgb_dcmtk_+eb+cy+s2.dcm", 1, 100, 100, "YBR_FULL_422", JPEG_BASELINE, "pillow-jpeg", 0, None, "review_required"),  # noqa: E501
    Sample("SC_rgb_jpeg_app14_dcmd.dcm", 1, 256, 256, "RGB", JPEG_BASELINE, "pillow-jpeg", 0, None, "review_required"),  # Adobe: RGB  # noqa: E501
    # JPEG that stores RGB without saying so: libjpeg would convert it as YCbCr -> pydicom.
    Sample("SC_jpeg_no_color_transform.dcm", 1, 256, 256, "RGB", JPEG_BASELINE, "pydicom", 0, None, "review_required"),  # noqa: E501
    Sample("SC_rgb_rle_2frame.dcm", 2, 100, 100, "RGB", RLE, "pydicom", 0, 25.0, "review_required"),
    Sample("SC_rgb_rle_16bit.dcm", 1, 100, 100, "RGB", RLE, "pydicom", 0, None, "review_required"),
    Sample("JPEGLSNearLossless_16.dcm", 1, 50, 10, "MONOCHROME2", "1.2.840.10008.1.2.4.81", "pydicom", 0, None, "review_required"),  # noqa: E501
    Sample("liver_1frame.dcm", 1, 512, 512, "MONOCHROME2", EXPLICIT, "pydicom", 0, None, "review_required"),  # 1-bit  # noqa: E501
    Sample("image_dfl.dcm", 1, 512, 512, "MONOCHROME2", DEFLATED, "pydicom", 0, None, "review_required"),  # noqa: E501
    Sample("rtdose.dcm", 15, 10, 10, "MONOCHROME2", IMPLICIT, "pydicom", 0, 25.0, "review_required"),  # 32-bit  # noqa: E501
)

BROKEN = (
    Broken("MR_truncated.dcm", TruncatedFileError),
    Broken("JPEG-lossy.dcm", PixelDecodeError),  # pydicom cannot decode it either
    Broken("JPEG2000-embedded-sequence-delimiter.dcm", InconsistentImageError),
    Broken("rtplan.dcm", NoPixelDataError),
    Broken("no_meta.dcm", NotDicomError),
    Broken("badVR.dcm", InconsistentImageError),  # NumberOfFrames '1A'
)
# fmt: on
