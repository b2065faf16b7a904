"""Size and quality of the teaching video and its lower renditions on the 60 s 800x600 loop.

    .venv/bin/python bench/rendition_bench.py          # the pipeline's video and renditions
    .venv/bin/python bench/rendition_bench.py --grid   # also other rung settings, for choosing

The loop is ``bench/cine_bench.py``'s (made in bench/out/ if missing). ``cine.pipeline.process``
makes the outputs; each video is then decoded and compared, every 5th frame, with the cleaned
frames the pipeline encoded: PSNR of the luma against those frames shrunk to the video's size
(area averaging: what the encoder lost) and of the video enlarged back to 800x600 (bicubic:
what a viewer sees when the rendition fills the full video's box). Also printed: size, mean
bitrate, the longest run of frames between keyframes, the encoder's CPU seconds (``--grid``
only: each setting encoded alone) and whether frame count and timestamps equal the full
video's. ``--grid`` encodes the same frames with other sizes, CRFs, presets and caps.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # this checkout's cine, whatever is installed

from cine_bench import LOOPS, OUT, SECRET, generate  # noqa: E402  (bench/ is on sys.path)

from cine.cleaning import FULL_IMAGE_FRACTION, plan_cleaning  # noqa: E402
from cine.display import display_frames  # noqa: E402
from cine.encoder_choice import join_params, keyframe_params  # noqa: E402
from cine.pipeline import deidentified_dicom_writer, process  # noqa: E402
from cine.reader import read_header  # noqa: E402
from cine.regions import parse_regions  # noqa: E402
from cine.renditions import BUFFER_SECONDS, rendition_size, video_timing  # noqa: E402
from cine.video import Mp4Writer, VideoSettings  # noqa: E402

SECONDS = 60
STEP = 5  # every 5th frame is compared
# (name, long side, CRF, preset, extra x264 options, cap kbit/s)
GRID = (
    ("640 crf23 veryfast", 640, 23, "veryfast", "", 500),
    ("640 crf23 superfast+mbtree", 640, 23, "superfast", "mbtree=1:rc-lookahead=10", 500),
    ("640 crf23 ultrafast", 640, 23, "ultrafast", "", 500),
    ("640 crf26 ultrafast+cabac+deblock", 640, 26, "ultrafast", "cabac=1:deblock=0,0", 500),
    ("480 crf23 ultrafast+cabac+deblock", 480, 23, "ultrafast", "cabac=1:deblock=0,0", 500),
    ("400 crf23 veryfast", 400, 23, "veryfast", "", 200),
    ("400 crf20 veryfast", 400, 20, "veryfast", "", 200),
    ("320 crf23 ultrafast+cabac+deblock", 320, 23, "ultrafast", "cabac=1:deblock=0,0", 200),
)


def cleaned_frames(src: Path) -> Iterator[np.ndarray]:
    """The frames as the pipeline encodes them (decoded, cleaned with its plan)."""
    header = read_header(src)
    layout = header.layout
    plan = plan_cleaning(
        parse_regions(header.dataset),
        layout.rows,
        layout.columns,
        header.dataset.get("BurnedInAnnotation"),
        None,
        FULL_IMAGE_FRACTION,
    )
    return display_frames(src, header, plan)


def _luma(image: av.VideoFrame, width: int, height: int, interpolation: str) -> np.ndarray:
    out = image.reformat(width=width, height=height, format="gray", interpolation=interpolation)
    return out.to_ndarray().astype(np.float64)


def _psnr(errors: list[float]) -> float:
    return float(10 * np.log10(255.0**2 / np.mean(errors)))


def compare(src: Path, video: Path) -> tuple[float, float, int]:
    """(PSNR-Y at the video's size, PSNR-Y enlarged to the source's, longest keyframe gap)."""
    own, full, keys, count = [], [], [], 0
    with av.open(str(video)) as container:
        decoded = container.decode(container.streams.video[0])
        for i, (frame, source) in enumerate(zip(decoded, cleaned_frames(src), strict=True)):
            count += 1
            if frame.key_frame:
                keys.append(i)
            if i % STEP:
                continue
            fmt = "gray" if source.ndim == 2 else "rgb24"
            reference = av.VideoFrame.from_ndarray(source, format=fmt)
            rows, columns = source.shape[:2]
            shown = frame.to_ndarray(format="gray").astype(np.float64)
            own.append(
                float(np.mean((shown - _luma(reference, frame.width, frame.height, "AREA")) ** 2))
            )
            back = _luma(frame, columns, rows, "BICUBIC")
            full.append(float(np.mean((back - _luma(reference, columns, rows, "AREA")) ** 2)))
    gaps = np.diff([*keys, count])
    return _psnr(own), _psnr(full), int(gaps.max())


def report(name: str, src: Path, video: Path, cpu: float | None = None) -> None:
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
    size = video.stat().st_size
    own, full, gap = compare(src, video)
    spent = f"  {cpu:5.1f} s CPU with decoding" if cpu is not None else ""
    print(
        f"{name:44s} {width:4d}x{height:<4d} {size / 1e6:6.2f} MB {size * 8 / SECONDS / 1000:5.0f}"
        f" kbit/s  PSNR-Y {own:5.2f} dB, at 800x600 {full:5.2f} dB  keyframe gap {gap}{spent}",
        flush=True,
    )


def encode(src: Path, path: Path, long_side: int, crf: int, preset: str, extra: str, cap: int):
    header = read_header(src)
    rows, columns, fps = header.layout.rows, header.layout.columns, LOOPS[SECONDS]
    params = f"vbv-maxrate={cap}:vbv-bufsize={cap * BUFFER_SECONDS}"
    settings = VideoSettings(
        preset=preset, crf=crf, x264_params=join_params(keyframe_params(fps), extra, params)
    )
    started = time.process_time()
    size = rendition_size(rows, columns, long_side)
    with Mp4Writer(path, rows, columns, fps, settings, size=size) as video:
        for i, frame in enumerate(cleaned_frames(src)):
            video.write(frame, i / fps, 1 / fps)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--grid", action="store_true", help="also other settings for the rungs")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    src = OUT / f"ceus_{SECONDS}s_{LOOPS[SECONDS]}fps.dcm"
    if not src.exists():
        generate(src, SECONDS, LOOPS[SECONDS])
    out = OUT / "renditions"
    shutil.rmtree(out, ignore_errors=True)
    facts = process(src, out, dicom_writer=deidentified_dicom_writer(SECRET.encode())).facts
    video = facts.video
    if video is None:
        raise SystemExit("no video")
    report(f"full ({video.preset}, crf {video.crf})", src, out / video.file)
    timing = video_timing(out / video.file)
    for rendition in video.renditions:
        same = video_timing(out / rendition.file) == timing
        report(f"{rendition.name} (cap {rendition.target_kbps})", src, out / rendition.file)
        print(f"{'':44s} frames {rendition.frames}, timestamps as the full video's: {same}")
    if args.grid:
        for name, long_side, crf, preset, extra, cap in GRID:
            path = out / "grid.mp4"
            cpu = encode(src, path, long_side, crf, preset, extra, cap)
            report(f"{name} (cap {cap})", src, path, cpu)
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
