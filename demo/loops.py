"""Synthetic CEUS cine loops for the demo cases: small DICOM files that look and behave like a
scanner's contrast-mode export, so the demo runs through the real pipeline.

Each loop is 320 x 240 grey (MONOCHROME2, JPEG Baseline, like many scanner exports) at 15 fps,
with a burned-in header band holding a made-up patient name outside the one calibrated
ultrasound region (the pipeline must blank it), a convex-probe sector inside that region, and
tissues whose echo power follows lognormal bolus curves (DOMAIN.md §2):
P(t) = P_base + sum_k P_k * g_k(t), g_k the lognormal density of component k scaled to 1 at
its peak. Grey levels are P log-compressed over a 60 dB display range,
g = 255 * 10 log10(P) / 60 (P = 1 is black), so that the platform's linearisation recovers the
curves. Bubbles are speckle: P is multiplied by exponential noise that decorrelates over a few
frames (moving bubbles).

No Django here: ``write_loop(path, scene=…, …)`` returns the geometry the demo annotates.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pydicom
from PIL import Image, ImageDraw
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import JPEGBaseline8Bit, generate_uid

ROWS, COLUMNS = 240, 320
FPS = 15.0
DYNAMIC_RANGE_DB = 60.0
CM_PER_PIXEL = 0.07  # a 14.8 cm deep abdominal view
HEADER_ROWS = 20  # the burned-in band: rows 0-19, outside the ultrasound region
REGION = (16, 22, 303, 233)  # x0, y0, x1, y1, inclusive (PS3.3 C.8.5.5.1)
APEX, NEAR, FAR, HALF_ANGLE = (160.0, 2.0), 28.0, 228.0, math.radians(38)
SPECKLE_MEMORY = 0.85  # complex speckle correlation from one frame (1/15 s) to the next
FAKE_HEADER = "WANG^XIAOMING  ID 0098765  DOB 1961-03-04"  # invented; must never survive
US_MULTIFRAME = "1.2.840.10008.5.1.4.1.1.3.1"


@dataclass(frozen=True)
class Bolus:
    """Echo power after injection: a baseline plus lognormal components
    (peak_db, arrival_s, time_to_peak_s, sigma), times in seconds after injection."""

    base_db: float
    components: tuple[tuple[float, float, float, float], ...] = ()

    def power(self, t: float) -> float:
        total = 10 ** (self.base_db / 10)
        for peak_db, arrival, ttp, sigma in self.components:
            total += 10 ** (peak_db / 10) * _lognormal(t - arrival, ttp - arrival, sigma)
        return total


def _lognormal(x: float, mode: float, sigma: float) -> float:
    """The lognormal density with its mode at ``mode``, scaled to 1 there (0 for x <= 0)."""
    if x <= 0:
        return 0.0
    mu = math.log(mode) + sigma**2
    log_ratio = -((math.log(x) - mu) ** 2) / (2 * sigma**2) + ((math.log(mode) - mu) ** 2) / (
        2 * sigma**2
    )
    return mode / x * math.exp(log_ratio)


# Tissues (tuned so that the curves teach what the cases say; see demo/cases_content.py).
LIVER = Bolus(8.0, ((36.0, 14.0, 40.0, 1.0),))
# HCC: arterial hyperenhancement (+10 dB at 20 s), iso at ~45 s, mild wash-out from ~60-70 s
# (about -1.5 dB at 75 s, -3 dB at 150 s): "late and mild", CEUS LI-RADS LR-5.
HCC = Bolus(8.0, ((41.0, 11.0, 21.0, 0.5), (35.2, 13.0, 36.0, 0.92)))
# Haemangioma: a blood pool, slightly hyperenhancing to the liver (+2.5 dB) and sustained (no
# wash-out); its peripheral nodules light up in the arterial phase like vessels. The pool fills
# in from the edge to the centre over FILL_IN_S (each pixel in FILL_RAMP_S).
POOL = Bolus(8.0, ((38.5, 13.0, 38.0, 1.1),))
NODULE = Bolus(8.0, ((41.0, 12.0, 19.0, 0.5), (38.5, 13.0, 38.0, 1.1)))
FILL_IN_S, FILL_RAMP_S = 40.0, 8.0
CORTEX = Bolus(8.0, ((39.0, 10.0, 17.0, 0.5), (35.0, 11.0, 30.0, 1.0)))
MEDULLA = Bolus(6.0, ((35.0, 16.0, 38.0, 0.9),))
SINUS = Bolus(5.0, ((18.0, 14.0, 30.0, 1.0),))
# Clear-cell RCC: hyper to the cortex at 20-25 s, wash-out from ~35 s, marked later.
RCC = Bolus(8.0, ((42.5, 10.0, 18.0, 0.45), (34.0, 11.5, 28.0, 0.8)))
CAPSULE = Bolus(8.0, ((34.0, 13.0, 38.0, 1.1),))
FAT = Bolus(5.0, ((20.0, 14.0, 35.0, 1.0),))
NECROSIS = Bolus(5.0)


@dataclass(frozen=True)
class Ellipse:
    cx: float
    cy: float
    rx: float
    ry: float


@dataclass(frozen=True)
class LoopFacts:
    """What the demo needs to annotate a loop (original pixel coordinates)."""

    rows: int
    columns: int
    fps: float
    frames: int
    cm_per_pixel: float
    lesion: Ellipse
    reference: Ellipse
    measure: tuple[float, float, float, float]  # x1, y1, x2, y2 across the lesion
    # A polygon reference ROI where an ellipse would not fit (a band of renal cortex).
    reference_outline: tuple[tuple[float, float], ...] | None = None


PixelField = Callable[[float], np.ndarray]


@dataclass
class Scene:
    """Tissue labels of the image and the echo power of each over time."""

    labels: np.ndarray  # int, 0 = outside the sector
    tissues: list[Bolus]  # index = label - 1
    texture: np.ndarray  # static multiplicative tissue texture, mean 1
    lesion: Ellipse
    reference: Ellipse
    reference_outline: tuple[tuple[float, float], ...] | None = None
    # Regions whose power varies pixel by pixel: (row slice, column slice, mask, power(t)).
    fields: list[tuple[slice, slice, np.ndarray, PixelField]] = field(default_factory=list)

    def power(self, t: float) -> np.ndarray:
        levels = np.array([0.0] + [tissue.power(t) for tissue in self.tissues], np.float32)
        power = levels[self.labels] * self.texture
        for rows, cols, mask, func in self.fields:
            box = power[rows, cols]
            box[mask] = func(t)[mask] * self.texture[rows, cols][mask]
        return power


def _grid() -> tuple[np.ndarray, np.ndarray]:
    y, x = np.mgrid[0:ROWS, 0:COLUMNS].astype(np.float32)
    return x, y


def _sector(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    dx, dy = x - APEX[0], y - APEX[1]
    radius = np.hypot(dx, dy)
    angle = np.arctan2(dx, dy)
    return (radius >= NEAR) & (radius <= FAR) & (np.abs(angle) <= HALF_ANGLE)


def _texture(rng: np.random.Generator) -> np.ndarray:
    """Smooth tissue heterogeneity (about +-1.5 dB) at 8-pixel grain."""
    coarse = rng.normal(0.0, 1.5, (ROWS // 8 + 1, COLUMNS // 8 + 1)).astype(np.float32)
    fine = np.repeat(np.repeat(coarse, 8, axis=0), 8, axis=1)[:ROWS, :COLUMNS]
    return 10 ** (fine / 10)


def _inside(x, y, e: Ellipse, scale: float = 1.0) -> np.ndarray:
    return ((x - e.cx) / (e.rx * scale)) ** 2 + ((y - e.cy) / (e.ry * scale)) ** 2 <= 1.0


def _box(e: Ellipse, scale: float = 1.0) -> tuple[slice, slice]:
    return (
        slice(int(e.cy - e.ry * scale), math.ceil(e.cy + e.ry * scale) + 1),
        slice(int(e.cx - e.rx * scale), math.ceil(e.cx + e.rx * scale) + 1),
    )


def hcc_scene(rng: np.random.Generator) -> Scene:
    """A 28 mm nodule (20 px radius at 0.07 cm/px) in segment VIII of a cirrhotic liver."""
    x, y = _grid()
    lesion = Ellipse(175.0, 120.0, 20.0, 20.0)
    labels = np.where(_sector(x, y), 1, 0)
    labels[_inside(x, y, lesion) & (labels > 0)] = 2
    reference = Ellipse(95.0, 125.0, 16.0, 16.0)
    return Scene(labels, [LIVER, HCC], _texture(rng), lesion, reference)


def haemangioma_scene(rng: np.random.Generator) -> Scene:
    """A 24 mm haemangioma: peripheral nodules light up in the arterial phase, the blood pool
    then fills in centripetally (edge at ~15 s, centre at ~75 s) and stays enhanced: the
    lesion is hyperenhancing to the liver from the portal venous phase on, with no wash-out."""
    x, y = _grid()
    lesion = Ellipse(150.0, 150.0, 17.0, 17.0)
    labels = np.where(_sector(x, y), 1, 0)
    rows, cols = _box(lesion)
    bx, by = x[rows, cols], y[rows, cols]
    radius = np.hypot(bx - lesion.cx, by - lesion.cy) / lesion.rx  # 0 centre, 1 edge
    theta = np.arctan2(by - lesion.cy, bx - lesion.cx)
    mask = radius <= 1.0
    nodules = (radius > 0.6) & (np.cos(5 * theta + 0.6) > 0.25)
    # When each pixel enhances (s after injection): nodules at once, the rest from the edge in.
    onset = np.where(nodules, 12.0, 15.0 + (1.0 - radius) * FILL_IN_S).astype(np.float32)
    base = 10 ** (POOL.base_db / 10)

    def fill(t: float) -> np.ndarray:
        ramp = np.clip((t - onset) / FILL_RAMP_S, 0.0, 1.0)
        level = np.where(nodules, NODULE.power(t), POOL.power(t))
        return base + (level - base) * ramp

    reference = Ellipse(215.0, 150.0, 15.0, 15.0)
    scene = Scene(labels, [LIVER], _texture(rng), lesion, reference)
    scene.fields.append((rows, cols, mask & (labels[rows, cols] > 0), fill))
    return scene


KIDNEY = (165.0, 140.0, 100.0, 52.0, math.radians(-18))  # centre x, y, semi-axes, tilt
CORTEX_FROM = 0.8  # normalised radius where the cortex begins (pyramids and sinus inside)


def _kidney_point(u: float, v: float) -> tuple[float, float]:
    """Image point of normalised kidney coordinates (u along the long axis, v across)."""
    cx, cy, ax, ay, tilt = KIDNEY
    return (
        round(cx + ax * u * math.cos(tilt) - ay * v * math.sin(tilt), 1),
        round(cy + ax * u * math.sin(tilt) + ay * v * math.cos(tilt), 1),
    )


def _cortex_band() -> tuple[tuple[float, float], ...]:
    """A curved band of the lower (far) cortex, clear of the tumour, for the reference ROI."""
    angles = np.radians(np.linspace(55.0, 125.0, 12))
    outer = [_kidney_point(0.96 * math.cos(a), 0.96 * math.sin(a)) for a in angles]
    inner = [_kidney_point(0.84 * math.cos(a), 0.84 * math.sin(a)) for a in angles[::-1]]
    return tuple(outer + inner)


def kidney_scene(rng: np.random.Generator) -> Scene:
    """Right kidney, long axis, with a 32 mm upper-pole clear-cell carcinoma: cortex, medullary
    pyramids, sinus, a partly necrotic tumour and its pseudocapsule."""
    x, y = _grid()
    sector = _sector(x, y)
    cx, cy, ax, ay, tilt = KIDNEY
    u = ((x - cx) * math.cos(tilt) + (y - cy) * math.sin(tilt)) / ax
    v = (-(x - cx) * math.sin(tilt) + (y - cy) * math.cos(tilt)) / ay
    r = np.sqrt(u**2 + v**2)
    angle = np.arctan2(v, u)
    labels = np.where(sector, 1, 0)  # 1: perirenal fat
    kidney = sector & (r <= 1.0)
    labels[kidney] = 2  # cortex
    pyramids = kidney & (r > 0.45) & (r < CORTEX_FROM) & (np.cos(7 * angle) > 0.1)
    labels[pyramids] = 3
    labels[kidney & (r <= 0.45)] = 4  # sinus
    lesion = Ellipse(88.0, 150.0, 23.0, 23.0)
    capsule = _inside(x, y, lesion, 1.14) & ~_inside(x, y, lesion) & sector
    labels[capsule] = 5
    tumour = _inside(x, y, lesion) & sector
    labels[tumour] = 6
    labels[_inside(x, y, Ellipse(92.0, 146.0, 8.0, 7.0)) & sector] = 7  # necrosis
    texture = _texture(rng)
    texture[tumour] *= 10 ** (rng.normal(0, 1.2, int(tumour.sum())).astype(np.float32) / 10)
    reference = Ellipse(181.0, 180.0, 8.0, 3.0)  # lower cortex, same depth as the tumour's base
    tissues = [FAT, CORTEX, MEDULLA, SINUS, CAPSULE, RCC, NECROSIS]
    return Scene(labels, tissues, texture, lesion, reference, _cortex_band())


SCENES: dict[str, Callable[[np.random.Generator], Scene]] = {
    "hcc": hcc_scene,
    "haemangioma": haemangioma_scene,
    "kidney": kidney_scene,
}


def _header_band() -> np.ndarray:
    band = Image.new("L", (COLUMNS, HEADER_ROWS), 0)
    draw = ImageDraw.Draw(band)
    draw.text((4, 4), FAKE_HEADER, fill=235)
    draw.text((262, 4), "MI 0.07", fill=200)
    return np.asarray(band)


def render_frames(
    scene: Scene, times_after_injection: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Grey frames (T x ROWS x COLUMNS uint8): speckled, log-compressed, with the header."""
    header = _header_band()
    inside = scene.labels > 0
    frames = np.empty((len(times_after_injection), ROWS, COLUMNS), np.uint8)
    scale = np.float32(255.0 * 10.0 / DYNAMIC_RANGE_DB)
    # Fully developed speckle (exponential power, 2-pixel grain) from a complex Gaussian field
    # that decorrelates over a few frames as the bubbles drift (AR(1), |r|^2 per frame for the
    # power): each frame looks as grainy as before, but ROI means no longer jump frame to frame.
    shape = (ROWS // 2, COLUMNS // 2)
    keep, renew = np.float32(SPECKLE_MEMORY), np.float32(math.sqrt(1 - SPECKLE_MEMORY**2))

    def gaussian() -> np.ndarray:
        return rng.standard_normal(shape, np.float32) + 1j * rng.standard_normal(shape, np.float32)

    field_ = gaussian()
    for i, t in enumerate(times_after_injection):
        if i:
            field_ = keep * field_ + renew * gaussian()
        noise = (field_.real**2 + field_.imag**2) / 2  # exponential, mean 1
        speckle = np.repeat(np.repeat(noise, 2, axis=0), 2, axis=1)
        power = np.maximum(scene.power(float(t)) * speckle, 1.0)
        grey = np.clip(scale * np.log10(power), 0, 255)
        frame = np.where(inside, grey, 0).astype(np.uint8)
        frame[:HEADER_ROWS] = header
        frames[i] = frame
    return frames


def _region() -> Dataset:
    item = Dataset()
    x0, y0, x1, y1 = REGION
    item.RegionLocationMinX0, item.RegionLocationMinY0 = x0, y0
    item.RegionLocationMaxX1, item.RegionLocationMaxY1 = x1, y1
    item.RegionSpatialFormat, item.RegionDataType, item.RegionFlags = 1, 1, 0
    item.PhysicalUnitsXDirection = item.PhysicalUnitsYDirection = 3  # cm
    item.PhysicalDeltaX = item.PhysicalDeltaY = CM_PER_PIXEL
    item.ReferencePixelX0, item.ReferencePixelY0 = int(APEX[0]), 0
    return item


def write_dicom(frames: np.ndarray, path: Path, *, fps: float = FPS) -> Path:
    """An Ultrasound Multi-frame file, JPEG Baseline, with invented patient details."""
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID, ds.SOPInstanceUID = US_MULTIFRAME, generate_uid()
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.Modality, ds.Manufacturer = "US", "Synthetic demo"
    ds.PatientName, ds.PatientID, ds.PatientBirthDate = "WANG^XIAOMING", "0098765", "19610304"
    ds.BurnedInAnnotation = "YES"
    ds.Rows, ds.Columns = ROWS, COLUMNS
    ds.PhotometricInterpretation, ds.SamplesPerPixel = "MONOCHROME2", 1
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.NumberOfFrames = len(frames)
    ds.FrameTime = round(1000.0 / fps, 4)
    ds.FrameIncrementPointer = 0x00181063  # FrameTime
    ds.CineRate = round(fps)
    ds.SequenceOfUltrasoundRegions = [_region()]
    encoded = []
    for frame in frames:
        buffer = io.BytesIO()
        Image.fromarray(frame).save(buffer, "JPEG", quality=85)
        encoded.append(buffer.getvalue())
    ds.PixelData = encapsulate(encoded)
    ds["PixelData"].VR = "OB"
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    pydicom.dcmwrite(path, ds, enforce_file_format=True)
    return path


def write_loop(
    path: Path,
    *,
    scene: str,
    duration_s: float,
    injection_at_s: float | None = None,
    starts_after_injection_s: float | None = None,
    fps: float = FPS,
    seed: int = 0,
) -> LoopFacts:
    """Write one demo loop; give ``injection_at_s`` (t0 on this loop) or, for a later clip,
    ``starts_after_injection_s``."""
    rng = np.random.default_rng(seed)
    built = SCENES[scene](rng)
    count = round(duration_s * fps)
    loop_times = np.arange(count, dtype=np.float64) / fps
    if injection_at_s is not None:
        after_injection = loop_times - injection_at_s
    else:
        after_injection = loop_times + (starts_after_injection_s or 0.0)
    write_dicom(render_frames(built, after_injection, rng), path, fps=fps)
    lesion = built.lesion
    return LoopFacts(
        rows=ROWS,
        columns=COLUMNS,
        fps=fps,
        frames=count,
        cm_per_pixel=CM_PER_PIXEL,
        lesion=lesion,
        reference=built.reference,
        reference_outline=built.reference_outline,
        measure=(lesion.cx - lesion.rx, lesion.cy, lesion.cx + lesion.rx, lesion.cy),
    )
