"""CINE_DICOM_LOSSY: a lossless upload's de-identified DICOM stays lossless unless it is set."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pydicom import dcmread
from pydicom.uid import JPEGBaseline8Bit, JPEGLSLossless

from cineloops import services
from cineloops.models import CineLoop
from tests.cineloops.samples import good_cine
from tests.cineloops.stored import output_bytes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("lossy", "syntax", "flag"), [(False, JPEGLSLossless, "00"), (True, JPEGBaseline8Bit, "01")]
)
def test_the_setting_chooses_the_dicom_codec(
    celery_eager, instructor, settings, tmp_path, lossy, syntax, flag
):
    settings.CINE_DICOM_LOSSY = lossy
    path = good_cine(tmp_path / "in.dcm")  # native grey: a lossless source
    uploaded = SimpleUploadedFile("upload.dcm", path.read_bytes())
    loop = services.loop_create_from_upload(uploaded_file=uploaded, by=instructor)

    loop.refresh_from_db()
    assert loop.status == CineLoop.Status.READY
    ds = dcmread(io.BytesIO(output_bytes(loop, "dicom")))
    assert ds.file_meta.TransferSyntaxUID == syntax
    assert ds.LossyImageCompression == flag
