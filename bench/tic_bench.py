"""Time ROI curve extraction and TIC analysis on a 4500 x 120 x 160 intensity stack.

Run from the repository root: ``.venv/bin/python -m bench.tic_bench``. Prints figures and
asserts nothing. The stack is written to a temporary ``intensity.npy`` (as the pipeline does)
and memory-mapped back.
"""

import tempfile
import time
from pathlib import Path

import numpy as np

from cine.tic import Ellipse, Polygon, roi_curve, roi_mask
from cine.tic_fit import analyse_curve, lognormal

FRAMES, HEIGHT, WIDTH = 4500, 120, 160
SCALE = (5.0, 5.0)  # an 800 x 600 original downsampled to 160 x 120
FPS = 15.0


def make_stack(path: Path) -> None:
    """A speckled background with a bolus (grey levels follow a lognormal) in one region."""
    rng = np.random.default_rng(0)
    t = np.arange(FRAMES) / FPS
    bolus = lognormal(t, 40.0, 60.0 * 40.0, np.log(20.0) + 0.3, 0.55, 10.0)
    stack = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.uint8, shape=(FRAMES, HEIGHT, WIDTH)
    )
    for start in range(0, FRAMES, 500):
        block = rng.normal(0, 12, (min(500, FRAMES - start), HEIGHT, WIDTH))
        block += bolus[start : start + 500, None, None]
        stack[start : start + 500] = np.clip(block, 0, 255).astype(np.uint8)
    stack.flush()
    del stack


def timed(label: str, func, repeat: int = 3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<48} {best * 1000:8.1f} ms")
    return result


def main() -> None:
    rois = {
        "small ellipse (r 40 px)": Ellipse(cx=400, cy=300, rx=40, ry=40),
        "lesion ellipse (100 x 70 px)": Ellipse(cx=300, cy=250, rx=100, ry=70),
        "polygon (6 vertices)": Polygon(
            ((100, 100), (420, 80), (600, 200), (560, 450), (260, 520), (90, 330))
        ),
        "whole frame ellipse": Ellipse(cx=400, cy=300, rx=400, ry=300),
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "intensity.npy"
        start = time.perf_counter()
        make_stack(path)
        size_mb = path.stat().st_size / 2**20
        print(
            f"stack {FRAMES}x{HEIGHT}x{WIDTH} uint8 ({size_mb:.0f} MiB) written in "
            f"{time.perf_counter() - start:.1f} s"
        )
        times = np.arange(FRAMES) / FPS
        for name, roi in rois.items():
            pixels = roi_mask(roi, (HEIGHT, WIDTH), SCALE).pixel_count
            curve = timed(
                f"curve: {name}, {pixels} px", lambda r=roi: roi_curve(path, r, scale=SCALE)
            )
        result = timed(
            "analyse_curve (parameters + lognormal fit)", lambda: analyse_curve(times, curve)
        )
        print(f"fit r2 {result.fit.r2:.3f}, TTP {result.ttp:.2f} s, MTT {result.mtt:.2f} s")


if __name__ == "__main__":
    main()
