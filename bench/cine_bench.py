"""Benchmark ``python -m cine process`` on long synthetic CEUS loops against a plain baseline.

    .venv/bin/python bench/cine_bench.py            # both loops (generated once, cached)
    .venv/bin/python bench/cine_bench.py --loops 60  # only the 60 s loop

Loops: 800x600 JPEG Baseline YBR_FULL_422 (Pillow, 4:2:2), 60 s at 20 fps and 180 s at 25 fps:
dark speckle inside an ultrasound region, a lesion that brightens and washes out (gamma
variate), a burned-in header band with text. The DICOM files are written frame by frame
(pydicom ``itemize_frame``; the Basic Offset Table is filled in at the end), so generating
them never holds the loop in memory. They are cached in bench/out/.

Each run is a separate child process; wall time and that child's own peak RSS come from
``os.wait4``. The baseline decodes each fragment with Pillow and encodes with PyAV libx264
(veryfast, crf 23, frame threads: the pipeline's own encoder settings, so the ratio shows the
pipeline's overhead: cleaning, intensity stack, poster, thumbnails, de-identified DICOM, the
lower renditions). Targets (2 cores): time <= 1.3 x baseline; peak RSS <= 300 MiB; RSS of both
loops within 25 %.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import shutil
import struct
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from pydicom import dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import itemize_frame
from pydicom.uid import JPEGBaseline8Bit, generate_uid

OUT = Path(__file__).resolve().parent / "out"
ROWS, COLUMNS = 600, 800
REGION = (40, 70, 759, 569)  # x0, y0, x1, y1 inclusive: the 2D view below the text band
LOOPS = {60: 20, 180: 25}  # seconds: frames per second
SECRET = "benchmark-secret-0123456789"


def _header(frames: int, fps: int) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.3.1"
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.Modality = "US"
    ds.PatientName, ds.PatientID = "BENCH^SYNTHETIC", "BENCH-0001"
    ds.BurnedInAnnotation = "YES"
    ds.Rows, ds.Columns, ds.SamplesPerPixel = ROWS, COLUMNS, 3
    ds.PhotometricInterpretation = "YBR_FULL_422"
    ds.PlanarConfiguration = 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.NumberOfFrames = frames
    ds.FrameTime = 1000 / fps
    ds.FrameIncrementPointer = 0x00181063
    region = Dataset()
    region.RegionSpatialFormat, region.RegionDataType, region.RegionFlags = 1, 1, 0
    (
        region.RegionLocationMinX0,
        region.RegionLocationMinY0,
        region.RegionLocationMaxX1,
        region.RegionLocationMaxY1,
    ) = REGION
    region.PhysicalUnitsXDirection = region.PhysicalUnitsYDirection = 3
    region.PhysicalDeltaX = region.PhysicalDeltaY = 0.02
    ds.SequenceOfUltrasoundRegions = [region]
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    return ds


def _textures(n: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Speckle: Rayleigh noise, slightly blurred, log-compressed-looking dark grey."""
    out = []
    for _ in range(n):
        speckle = rng.rayleigh(18, (ROWS, COLUMNS)).clip(0, 90).astype(np.uint8)
        image = Image.fromarray(speckle).resize((COLUMNS // 2, ROWS // 2)).resize((COLUMNS, ROWS))
        out.append(np.asarray(image, dtype=np.float32))
    return out


def _enhancement(t: float) -> float:
    """Gamma-variate bolus: arrival 10 s, peak ~25 s, slow wash-out (0..1)."""
    if t <= 10:
        return 0.0
    x = (t - 10) / 5
    return float((x**3) * math.exp(-x) / (27 * math.exp(-3)))


def _band() -> np.ndarray:
    band = Image.new("L", (COLUMNS, 60), 0)
    draw = ImageDraw.Draw(band)
    draw.text((10, 8), "BENCH^SYNTHETIC  ID BENCH-0001  DOB 01/01/1970", fill=230)
    draw.text((10, 30), "CEUS LIVER  MI 0.08  CONTRAST", fill=200)
    return np.asarray(band, dtype=np.float32)


def generate(path: Path, seconds: int, fps: int) -> None:
    frames = seconds * fps
    rng = np.random.default_rng(seconds)
    textures = _textures(12, rng)
    band = _band()
    yy, xx = np.mgrid[0:ROWS, 0:COLUMNS]
    lesion = np.exp(-(((xx - 420) / 70) ** 2 + ((yy - 330) / 55) ** 2) * 2).astype(np.float32)
    tissue = np.zeros((ROWS, COLUMNS), np.float32)
    x0, y0, x1, y1 = REGION
    tissue[y0 : y1 + 1, x0 : x1 + 1] = 1
    partial = path.with_suffix(".part")
    with partial.open("wb") as fp:
        dcmwrite(fp, _header(frames, fps), enforce_file_format=True)
        fp.write(struct.pack("<HH", 0x7FE0, 0x0010) + b"OB\0\0" + struct.pack("<L", 0xFFFFFFFF))
        fp.write(struct.pack("<HHL", 0xFFFE, 0xE000, 4 * frames))
        bot_at = fp.tell()
        fp.write(b"\0" * 4 * frames)
        first_item, offsets = fp.tell(), []
        for i in range(frames):
            t = i / fps
            grey = textures[i % len(textures)] * (0.6 + 0.8 * _enhancement(t) * 0.3)
            grey = grey * tissue + lesion * (220 * _enhancement(t)) * tissue
            grey[:60] = band
            rgb = np.repeat(np.clip(grey, 0, 255).astype(np.uint8)[..., None], 3, axis=2)
            buffer = io.BytesIO()
            Image.fromarray(rgb).save(buffer, "JPEG", quality=85, subsampling=1)  # 4:2:2
            offsets.append(fp.tell() - first_item)
            for item in itemize_frame(buffer.getvalue(), 1):
                fp.write(item)
        fp.write(struct.pack("<HHL", 0xFFFE, 0xE0DD, 0))
        fp.seek(bot_at)
        fp.write(struct.pack(f"<{frames}L", *offsets))
    partial.replace(path)


def baseline(src: str, dst: str) -> None:
    """Plain streaming transcode: Pillow decode of each fragment, PyAV libx264 encode."""
    import av
    from pydicom import dcmread
    from pydicom.encaps import generate_frames

    with open(src, "rb") as fp:
        ds = dcmread(fp, stop_before_pixels=True)
        fp.read(12)  # Pixel Data element header (explicit VR, undefined length)
        frames, fps = int(ds.NumberOfFrames), Fraction(1000 / float(ds.FrameTime))
        container = av.open(dst, "w", options={"movflags": "+faststart"})
        stream = container.add_stream(
            "libx264", rate=fps.limit_denominator(1001), options={"preset": "veryfast", "crf": "23"}
        )
        stream.width, stream.height, stream.pix_fmt = ds.Columns, ds.Rows, "yuv420p"
        stream.thread_type = "FRAME"
        for data in generate_frames(fp, number_of_frames=frames):
            rgb = np.asarray(Image.open(io.BytesIO(data)))
            container.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        container.mux(stream.encode(None))
        container.close()


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MiB) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(command)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux: KiB


def _best(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Fastest run (others' jobs on a shared machine only ever add time), worst RSS."""
    wall, cpu, _ = min(runs)
    return wall, cpu, max(r[2] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loops", type=int, nargs="*", default=sorted(LOOPS))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, best is kept")
    parser.add_argument("--baseline", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:
        baseline(*args.baseline)
        return
    OUT.mkdir(exist_ok=True)
    env = {**os.environ, "CINE_DEID_SECRET": SECRET}
    python, repo = sys.executable, Path(__file__).resolve().parents[1]
    env["PYTHONPATH"] = str(repo) + os.pathsep + env.get("PYTHONPATH", "")
    results = {}
    for seconds in args.loops:
        fps = LOOPS[seconds]
        src = OUT / f"ceus_{seconds}s_{fps}fps.dcm"
        if not src.exists():
            started = time.perf_counter()
            generate(src, seconds, fps)
            print(f"generated {src.name} in {time.perf_counter() - started:.1f} s", flush=True)
        out_dir = OUT / f"processed_{seconds}s"
        base_runs, runs = [], []
        for _ in range(args.repeat):  # interleaved, so background load hits both alike
            base_runs.append(
                measure([python, __file__, "--baseline", str(src), str(OUT / "baseline.mp4")], env)
            )
            runs.append(measure([python, "-m", "cine", "process", str(src), str(out_dir)], env))
        shutil.rmtree(out_dir, ignore_errors=True)
        (base_wall, base_cpu, base_rss), (wall, cpu, rss) = _best(base_runs), _best(runs)
        frames = seconds * fps
        results[seconds] = (wall, rss)
        size = src.stat().st_size / 2**20
        print(
            f"{seconds:>4} s loop, {frames} frames @ {fps} fps, {size:.0f} MiB "
            f"(best of {args.repeat}; walls: baseline "
            f"{', '.join(f'{r[0]:.1f}' for r in base_runs)} / process "
            f"{', '.join(f'{r[0]:.1f}' for r in runs)})\n"
            f"      baseline: {base_wall:6.2f} s wall {base_cpu:6.1f} s CPU "
            f"({frames / base_wall:4.0f} fps, {seconds / base_wall:4.1f}x realtime)  "
            f"peak RSS {base_rss:4.0f} MiB\n"
            f"      process:  {wall:6.2f} s wall {cpu:6.1f} s CPU "
            f"({frames / wall:4.0f} fps, {seconds / wall:4.1f}x realtime)  "
            f"peak RSS {rss:4.0f} MiB\n"
            f"      time ratio process/baseline = {wall / base_wall:.2f}  (target <= 1.3)",
            flush=True,
        )
    if len(results) == 2:
        (_, short), (_, long) = sorted(results.items())
        print(f"peak RSS long/short loop = {long[1] / short[1]:.2f}  (target within 25 %: <= 1.25)")


if __name__ == "__main__":
    main()
