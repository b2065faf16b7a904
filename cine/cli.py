"""Command line: ``python -m cine info FILE | deidentify IN OUT | process IN OUTDIR``.

Exit status 0 on success; 2 with one line on stderr for input the library cannot handle (no
traceback, never a header value or the file name). The de-identification secret comes from
the environment variable ``CINE_DEID_SECRET`` (at least 16 bytes), never from the command line
where other users could read it in the process list.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import warnings
from collections.abc import Sequence

import numpy as np

from cine.errors import CineError, InvalidMaskError

SECRET_ENV = "CINE_DEID_SECRET"


class UsageError(CineError):
    """A command-line problem that is not about the input file."""


def _secret() -> bytes:
    value = os.environ.get(SECRET_ENV, "")
    if len(value.encode()) < 16:
        raise UsageError(f"set {SECRET_ENV} (at least 16 bytes) to de-identify")
    return value.encode()


def parse_roi(text: str) -> list[tuple[float, float]]:
    """``x0,y0,x1,y1`` (rectangle, inclusive) or ``x,y;x,y;x,y…`` (polygon)."""
    try:
        if ";" in text:
            points = [tuple(float(v) for v in p.split(",")) for p in text.split(";") if p]
        else:
            x0, y0, x1, y1 = (float(v) for v in text.split(","))
            points = [(x0, y0), (x1, y1)]
    except ValueError:
        raise argparse.ArgumentTypeError("expected x0,y0,x1,y1 or x,y;x,y;x,y") from None
    if any(len(p) != 2 for p in points) or len(points) < 2:
        raise argparse.ArgumentTypeError("expected x0,y0,x1,y1 or x,y;x,y;x,y")
    return points  # type: ignore[return-value]


def _info(args: argparse.Namespace) -> int:
    from cine.metadata import header_facts
    from cine.reader import read_header
    from cine.regions import parse_regions
    from cine.timing import frame_timing
    from cine.video_stream import stream_timing

    header = read_header(args.file)
    timing = stream_timing(frame_timing(header.dataset, header.layout.frames), header.video)
    facts = header_facts(header, timing, parse_regions(header.dataset))
    print(json.dumps(facts.to_json(), indent=1))
    return 0


def _deidentify(args: argparse.Namespace) -> int:
    from cine.deid_file import deidentify_file

    summary = deidentify_file(args.input, args.output, secret=_secret())
    print(json.dumps({"burned_in_annotation": summary.burned_in_annotation}))
    return 0


def _manual_mask(args: argparse.Namespace) -> np.ndarray | list | None:
    if args.mask_npy:
        try:
            mask = np.load(args.mask_npy, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise InvalidMaskError("the mask file is not a readable .npy array") from exc
        return np.asarray(mask, dtype=bool)
    roi: list | None = args.roi
    return roi or None


def _process(args: argparse.Namespace) -> int:
    from cine.pipeline import deidentified_dicom_writer, process

    writer = None
    if not args.no_dicom:
        writer = deidentified_dicom_writer(_secret(), lossy=args.lossy_dicom)

    def report(percent: int) -> None:
        if args.progress:
            print(f"{percent}%", file=sys.stderr, flush=True)

    result = process(
        args.input,
        args.outdir,
        manual_mask=_manual_mask(args),
        progress=report,
        dicom_writer=writer,
    )
    facts = result.facts
    summary = {
        "frames": facts.source.frames,
        "fps": facts.timing.fps,
        "duration_s": facts.timing.duration_s,
        "pixel_cleaning": str(facts.cleaning.decision),
    }
    print(json.dumps(summary))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cine", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    info = sub.add_parser("info", help="print the header facts as JSON (no patient fields)")
    info.add_argument("file")
    info.set_defaults(func=_info)

    deid = sub.add_parser("deidentify", help="de-identify the header, pixels copied as-is")
    deid.add_argument("input")
    deid.add_argument("output")
    deid.set_defaults(func=_deidentify)

    proc = sub.add_parser("process", help="video, poster, thumbnails, DICOM, metadata")
    proc.add_argument("input")
    proc.add_argument("outdir")
    proc.add_argument(
        "--roi",
        action="append",
        type=parse_roi,
        metavar="SHAPE",
        help="area to keep (repeatable): x0,y0,x1,y1 or x,y;x,y;x,y — overrides the regions",
    )
    proc.add_argument("--mask-npy", metavar="FILE", help="boolean rowsxcolumns array to keep")
    proc.add_argument("--no-dicom", action="store_true", help="skip deidentified.dcm")
    proc.add_argument(
        "--lossy-dicom",
        action="store_true",
        help="JPEG Baseline deidentified.dcm even for a lossless source (smaller; lossless "
        "sources stay lossless by default)",
    )
    proc.add_argument("--progress", action="store_true", help="print progress on stderr")
    proc.set_defaults(func=_process)
    return parser


def _quiet() -> None:
    # pydicom's warnings can quote header values (patient data) and would add stderr lines.
    warnings.simplefilter("ignore")
    logging.getLogger("pydicom").setLevel(logging.ERROR)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _quiet()
    try:
        code: int = args.func(args)
        return code
    except CineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
