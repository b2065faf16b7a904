"""Errors for input the library cannot handle, each with a message fit for an instructor.

Messages never contain header values of the file (they may be patient data) and never the
file name (it may be a patient's name): only what is wrong and, where useful, tag keywords.
"""


class CineError(Exception):
    """Input that cannot be turned into teaching material; ``str(err)`` is the user message."""


class NotDicomError(CineError):
    pass


class TruncatedFileError(CineError):
    pass


class NoPixelDataError(CineError):
    pass


class UnsupportedTransferSyntaxError(CineError):
    pass


class InconsistentImageError(CineError):
    """Header values that contradict the pixel data (e.g. a NumberOfFrames that lies)."""


class PixelDecodeError(CineError):
    """A frame that the installed decoders cannot decode (corrupt or unsupported codestream)."""


class InvalidMaskError(CineError):
    """A caller-provided cleaning mask that does not fit the image (wrong shape, < 2 points)."""


class UnsupportedImageError(CineError):
    """A valid image this library does not display (e.g. an unusual photometric)."""


class UnsupportedSopClassError(CineError):
    """A DICOM object that is not an ultrasound image (CT, MR, a report, a DICOMDIR …)."""


class NestingTooDeepError(CineError):
    """Sequences nested deeper than any real image needs (a hostile or broken header)."""


class FrameTooLargeError(CineError):
    """Rows x Columns beyond any ultrasound frame: decoding it would exhaust memory."""
