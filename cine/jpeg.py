"""Read the few JPEG / JPEG 2000 header facts the reader needs, without decoding.

JPEG: frame size, precision, components and their ids (SOF), and the JFIF / Adobe APP
markers, which decide how libjpeg interprets three-component colour. JPEG 2000: the image size
from the SIZ marker. Both parsers stop at the first scan and return None for anything else.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

# SOF markers: baseline, extended, progressive, lossless (+ arithmetic variants), JPEG-LS.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF, 0xF7}
_STANDALONE = {0x01, *range(0xD0, 0xD8)}


@dataclass(frozen=True)
class JpegInfo:
    sof: int
    precision: int
    height: int
    width: int
    component_ids: tuple[int, ...]
    jfif: bool
    adobe_transform: int | None  # None: no (complete) Adobe APP14 marker

    @property
    def components(self) -> int:
        return len(self.component_ids)


def jpeg_info(data: bytes) -> JpegInfo | None:
    """Header facts of a JPEG / JPEG-LS codestream, or None if ``data`` is not one."""
    if data[:2] != b"\xff\xd8":
        return None
    pos, jfif, adobe = 2, False, None
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segment = data[pos + 4 : pos + 2 + length]
        if marker == 0xE0 and segment[:5] == b"JFIF\x00":
            jfif = True
        elif marker == 0xEE and segment[:5] == b"Adobe" and len(segment) >= 12:
            # libjpeg ignores an APP14 shorter than 12 bytes, so do we.
            adobe = segment[11]
        elif marker in _SOF and len(segment) >= 6:
            precision, height, width, count = struct.unpack(">BHHB", segment[:6])
            ids = tuple(segment[6 + 3 * i] for i in range(count) if 6 + 3 * i < len(segment))
            return JpegInfo(marker, precision, height, width, ids, jfif, adobe)
        elif marker == 0xDA:  # start of scan before any SOF: not a usable codestream
            return None
        pos += 2 + length
    return None


def j2k_size(data: bytes) -> tuple[int, int] | None:
    """(rows, columns) from a JPEG 2000 codestream's SIZ marker, or None."""
    if data[:4] != b"\xff\x4f\xff\x51" or len(data) < 24:
        return None
    xsiz, ysiz, xosiz, yosiz = struct.unpack(">LLLL", data[8:24])
    return ysiz - yosiz, xsiz - xosiz
