"""How a loop's video is encoded, from its size, length and whether it carries colour.

Colour flow and small frames are what a teacher zooms into, so they get a lower CRF (more
bits); long loops keep a floor so their bitrate stays sane. The video stays yuv420p: H.264
High 4:4:4 does not play in browsers. 4:2:0 keeps one chroma sample per 2 x 2 video pixels,
which no CRF can undo for scattered flow pixels and thin coloured traces: at source size the
colour pixels of the real samples stayed at 13-22 dB PSNR even at CRF 18.

So colour loops are enlarged 2x by pixel replication (``choose_scale``): every source pixel
becomes one 2 x 2 block, whose chroma sample is that pixel's own colour. With CRF 20 and
x264's finest chroma quantiser, the colour pixels of the real samples, compared with pydicom's
decode after averaging each block back to one pixel, reach 32-41 dB (dicom_viewer_0020: 20.8
-> 39.4 dB, orthanc-Issue16: 21.6 -> 32.2, the 768 x 1024 Medistim loop's traces: 13.0 ->
37.6), for 2.1-2.6 times the bytes of the old 1x video. The player scales the video to its box
and its overlay works in source pixels, so nothing else changes. The enlargement is capped:
a frame of at most ``MAX_ENLARGED_PIXELS``, and no loop encodes more pixels than a long VGA
loop does (``LONG_LOOP_PIXEL_FRAMES``); past that the colour keeps 4:2:0's limit. Grey loops are
never enlarged and keep their CRF.

Keyframes come every ``KEYFRAME_SECONDS`` at fixed frame counts (no scene-cut keyframes), in
the full video and in every lower rendition (``cine.renditions``) alike: a seek decodes at most
that much video from the keyframe before it, and the renditions' keyframes fall on the same
frames. On the 60 s 800 x 600 bench loop (``bench/cine_bench.py``) a 2 s interval made the
full video 1.3 % larger than x264's default of 250 frames (12.5 s there), a 1 s one 2.5 %.
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
ENLARGE = 2  # video pixels per source pixel, each way, for small colour loops
# The largest enlarged frame: 2048 x 1536 is H.264 level 5.0, which desktop browsers and
# phones of the last decade decode; 768 x 1024 sources (coloured traces) still fit.
MAX_ENLARGED_PIXELS = 2048 * 1536
# Chroma is a small share of the bits: x264's finest chroma quantiser keeps the flow colours.
ENLARGED_X264_PARAMS = "chroma-qp-offset=-12"


KEYFRAME_SECONDS = 2.0


def keyframe_interval(fps: float) -> int:
    """Frames from one keyframe to the next (at least 1)."""
    return max(1, round(fps * KEYFRAME_SECONDS)) if fps > 0 else 1


def keyframe_params(fps: float) -> str:
    """libx264 options for keyframes every ``KEYFRAME_SECONDS``, on fixed frames."""
    return f"keyint={keyframe_interval(fps)}:scenecut=0"


def join_params(*params: str) -> str:
    """libx264 option strings ("key=value:key=value") as one."""
    return ":".join(p for p in params if p)


def choose_scale(rows: int, columns: int, frames: int, *, colour: bool) -> int:
    """1, or ``ENLARGE`` for a small colour loop whose enlarged pixels stay within the cap
    (grey frames, even with a colour-flow region, have no chroma to keep)."""
    enlarged = ENLARGE**2 * rows * columns
    if not colour or enlarged > MAX_ENLARGED_PIXELS:
        return 1
    if enlarged * frames > LONG_LOOP_PIXEL_FRAMES:
        return 1  # long loops: the bitrate and encoding time would grow fourfold
    return ENLARGE


def choose_crf(
    rows: int,
    columns: int,
    frames: int,
    *,
    colour: bool,
    colour_flow: bool = False,
    scale: int = 1,
) -> int:
    """CRF for a ``frames``-frame ``rows`` x ``columns`` loop (lower = better quality)."""
    crf = BASE_CRF
    if colour or colour_flow:
        crf -= COLOUR_STEP
    if rows * columns <= SMALL_FRAME_PIXELS and scale == 1:
        crf -= SMALL_STEP  # an enlarged video is already shown without upscaling blur
    if rows * columns * frames > LONG_LOOP_PIXEL_FRAMES:
        crf = max(crf, LONG_LOOP_MIN_CRF)
    return max(crf, MIN_CRF)


def x264_params(scale: int) -> str:
    return ENLARGED_X264_PARAMS if scale > 1 else ""
