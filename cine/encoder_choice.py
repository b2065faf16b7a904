"""Which x264 CRF a loop gets, from its size, length and whether it carries colour.

Colour flow and small frames are what a teacher zooms into, so they get a lower CRF (more
bits); long loops keep a floor so their bitrate stays sane. The video stays yuv420p: H.264
High 4:4:4 does not play in browsers. 4:2:0 shares one chroma sample per 2 x 2 pixels, which
no CRF can undo for scattered flow pixels (see ``tests/cine/test_colour_fidelity.py``).
"""

from __future__ import annotations

BASE_CRF = 23  # x264's default: what every grey loop got before, and still gets
COLOUR_STEP = 3  # palette / RGB content or a colour-flow region
SMALL_STEP = 2  # frames up to VGA are usually shown enlarged
SMALL_FRAME_PIXELS = 640 * 480
# Beyond ~60 s of VGA at 30 fps, lowering CRF costs more in file size than teaching gains.
LONG_LOOP_PIXEL_FRAMES = 640 * 480 * 1800
LONG_LOOP_MIN_CRF = BASE_CRF - 2
MIN_CRF = 16  # below this x264 output grows fast with no visible gain
COLOUR_FLOW_DATA_TYPE = 2  # RegionDataType 2 = colour flow (PS3.3 C.8.5.5.1.2)


def choose_crf(
    rows: int, columns: int, frames: int, *, colour: bool, colour_flow: bool = False
) -> int:
    """CRF for a ``frames``-frame ``rows`` x ``columns`` loop (lower = better quality)."""
    crf = BASE_CRF
    if colour or colour_flow:
        crf -= COLOUR_STEP
    if rows * columns <= SMALL_FRAME_PIXELS:
        crf -= SMALL_STEP
    if rows * columns * frames > LONG_LOOP_PIXEL_FRAMES:
        crf = max(crf, LONG_LOOP_MIN_CRF)
    return max(crf, MIN_CRF)
