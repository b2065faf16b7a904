"""Encapsulated pixel data, walked without reading it: the item headers give each fragment's
offset and length (``scan_items``), the offset tables or the JPEG end markers group fragments
into frames (``group_frames``), and a frame's bytes are read only when it is decoded
(``read_frame``)."""

from __future__ import annotations

import itertools
import os
import struct
from typing import BinaryIO

from pydicom.dataset import Dataset

from cine.errors import InconsistentImageError, TruncatedFileError

# The item and sequence delimitation tags that frame encapsulated fragments (PS3.5 A.4).
ITEM, SEQUENCE_END = (0xFFFE, 0xE000), (0xFFFE, 0xE0DD)


def scan_items(fp: BinaryIO, size: int) -> tuple[bytes, list[tuple[int, int]]]:
    """Basic offset table and (offset, length) of each fragment; never reads fragment data."""
    items: list[tuple[int, int]] = []
    bot = b""
    while True:
        header = fp.read(8)
        if len(header) < 8:
            raise TruncatedFileError("the file ends inside the encapsulated pixel data")
        group, elem, length = struct.unpack("<HHL", header)
        if (group, elem) == SEQUENCE_END:
            break
        if (group, elem) != ITEM or length == 0xFFFFFFFF:
            raise InconsistentImageError("the encapsulated pixel data is malformed")
        start = fp.tell()
        if start + length > size:
            raise TruncatedFileError("the file ends inside the encapsulated pixel data")
        items.append((start, length))
        fp.seek(length, os.SEEK_CUR)
    if not items:
        raise InconsistentImageError("the encapsulated pixel data has no basic offset table")
    bot_offset, bot_length = items.pop(0)
    if bot_length:
        fp.seek(bot_offset)
        bot = fp.read(bot_length)
    return bot, items


def group_frames(
    fp: BinaryIO, ds: Dataset, bot: bytes, frags: list[tuple[int, int]], frames: int
) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Split fragments into frames using the offset tables, else 1:1, else JPEG EOI markers."""
    if not frags:
        raise InconsistentImageError("the pixel data holds no frames")
    base = frags[0][0] - 8  # offsets are measured from the first fragment's item tag
    starts = {off - 8 - base: i for i, (off, _) in enumerate(frags)}
    eot = ds.get("ExtendedOffsetTable")
    offsets: list[int] = []
    if eot:
        offsets = list(struct.unpack(f"<{len(eot) // 8}Q", eot))
    elif len(bot) >= 4:
        offsets = list(struct.unpack(f"<{len(bot) // 4}L", bot[: len(bot) // 4 * 4]))
    if offsets and all(o in starts for o in offsets) and offsets == sorted(offsets):
        if len(offsets) < frames:
            raise InconsistentImageError("NumberOfFrames is larger than the frames present")
        bounds = [starts[o] for o in offsets[:frames]] + [len(frags)]
        return tuple(tuple(frags[a:b]) for a, b in itertools.pairwise(bounds))
    if len(frags) < frames:
        raise InconsistentImageError("NumberOfFrames is larger than the frames present")
    if len(frags) == frames:
        return tuple((f,) for f in frags)
    if frames == 1:
        return (tuple(frags),)
    grouped: list[tuple[tuple[int, int], ...]] = []
    current: list[tuple[int, int]] = []
    for off, length in frags:  # a frame ends with a fragment ending in EOI/EOC (FFD9)
        current.append((off, length))
        fp.seek(off + max(length - 10, 0))
        if b"\xff\xd9" in fp.read(min(length, 10)):
            grouped.append(tuple(current))
            current = []
    if len(grouped) < frames:
        raise InconsistentImageError("NumberOfFrames is larger than the frames present")
    return tuple(grouped[:frames])


def read_frame(fp: BinaryIO, fragments: tuple[tuple[int, int], ...]) -> bytes:
    """The bytes of one frame: its fragments' data, joined."""
    parts = []
    for off, length in fragments:
        fp.seek(off)
        parts.append(fp.read(length))
    return b"".join(parts)
