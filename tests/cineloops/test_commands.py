"""``import_dicom`` and the DICOM listener (a real C-STORE over loopback)."""

import io
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from pydicom import Dataset, dcmread
from pydicom.uid import JPEGBaseline8Bit
from pynetdicom import AE
from pynetdicom.sop_class import UltrasoundMultiFrameImageStorage, Verification

from accounts.models import Institution
from cineloops import dicom_scp, storage
from cineloops.management.options import resolve_institution
from cineloops.models import CineLoop, DicomSender
from cineloops.processing import loop_process
from tests.cineloops.samples import good_cine, not_dicom, ybr_cine, zip_of
from tests.cineloops.stored import original_file

pytestmark = pytest.mark.django_db


def run_import(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_dicom", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


@pytest.mark.django_db(transaction=True)
def test_import_files_folders_and_zips(celery_eager, instructor, hospital, tmp_path):
    folder = tmp_path / "export"
    (folder / "series").mkdir(parents=True)
    good_cine(folder / "series" / "IM1")
    good_cine(folder / "series" / "IM2")
    (folder / "DICOMDIR").write_bytes(b"patient names")
    (folder / ".hidden").write_bytes(b"junk")
    archive = tmp_path / "more.zip"
    archive.write_bytes(zip_of({"a": ybr_cine().read_bytes(), "b": ybr_cine().read_bytes()}))
    single = good_cine(tmp_path / "one.dcm")

    out, err, failure = run_import(
        str(folder), str(archive), str(single), "--user", instructor.username
    )

    assert failure is None, err
    assert "[##############################] 4/4" in out
    assert "Imported 5 loops from 4 files" in out
    loops = CineLoop.objects.all()
    assert loops.count() == 5
    assert {loop.institution for loop in loops} == {hospital}
    assert {loop.uploaded_by for loop in loops} == {instructor}
    assert archive.exists() and single.exists()  # the operator's files are left alone


def test_import_reports_failures_and_exits_non_zero(hospital, tmp_path, settings):
    settings.CINE_MAX_UPLOAD_BYTES = 50_000
    good = good_cine(tmp_path / "ZHANG_WEI.dcm")
    too_big = tmp_path / "big.dcm"
    too_big.write_bytes(ybr_cine().read_bytes())

    out, err, failure = run_import(str(good), str(too_big), str(tmp_path / "missing.dcm"))

    assert failure is not None
    assert "2 of 3 files could not be fully imported" in str(failure)
    assert "failed: file 2: The file is larger than the upload limit" in err
    assert "failed: file 3: no such file" in err
    assert "ZHANG_WEI" not in out + err  # paths only with --show-paths
    assert CineLoop.objects.count() == 1


def test_import_shows_paths_on_request(hospital, tmp_path):
    path = tmp_path / "missing.dcm"
    _out, err, failure = run_import(str(path), "--show-paths")
    assert failure is not None
    assert f"failed: {path}: no such file" in err


def test_import_needs_an_owner_when_there_are_several(hospital, other_hospital, tmp_path):
    _out, _err, failure = run_import(str(good_cine(tmp_path / "a.dcm")))
    assert "--institution" in str(failure)
    _out, err, failure = run_import(str(tmp_path / "a.dcm"), "--institution", "Other Hospital")
    assert failure is None, err
    assert CineLoop.objects.get().institution == other_hospital


def test_institution_is_found_by_either_languages_name(hospital, other_hospital):
    Institution.objects.filter(pk=other_hospital.pk).update(
        name_en="Qingxi County Hospital",
        name_zh_hans="清溪县人民医院",
        short_name_en="Qingxi",
        short_name_zh_hans="清溪",
    )
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value in ("qingxi county hospital", "清溪县人民医院", "QINGXI", "清溪"):
                assert resolve_institution(value) == other_hospital, (language, value)
            assert resolve_institution(str(hospital.pk)) == hospital


def test_import_refuses_a_trainee_as_uploader(trainee, tmp_path):
    _out, _err, failure = run_import(str(good_cine(tmp_path / "a.dcm")), "--user", trainee.username)
    assert "Only instructors" in str(failure)


def test_the_scp_accepts_every_transfer_syntax_for_us_classes():
    ae = dicom_scp.build_ae("CEUS_TRAINING")
    contexts = {cx.abstract_syntax: cx.transfer_syntax for cx in ae.supported_contexts}
    for sop_class in (
        "1.2.840.10008.5.1.4.1.1.3.1",
        "1.2.840.10008.5.1.4.1.1.6.1",
        "1.2.840.10008.5.1.4.1.1.3",
        "1.2.840.10008.5.1.4.1.1.6",
    ):
        assert JPEGBaseline8Bit in contexts[sop_class]
        assert "1.2.840.10008.1.2.5" in contexts[sop_class]  # RLE
        assert "1.2.840.10008.1.2.4.90" in contexts[sop_class]  # JPEG 2000 lossless
    assert Verification in contexts


@contextmanager
def listener(*, institution_id=None, max_bytes=None):
    """The SCP on a free loopback port, as ``dicom_listener`` runs it; yields the port."""
    if max_bytes is None:
        server = dicom_scp.start_listener(
            ae_title="CEUS_TRAINING",
            bind="127.0.0.1",
            port=0,
            receive=dicom_scp.loop_receiver(),
            block=False,
            institution_id=institution_id,
        )
    else:
        server = dicom_scp.build_ae("CEUS_TRAINING").start_server(
            ("127.0.0.1", 0),
            block=False,
            evt_handlers=dicom_scp.store_handlers(dicom_scp.loop_receiver(), max_bytes=max_bytes),
        )
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()


def scanner(ae_title: str = "SCANNER", sop_class=UltrasoundMultiFrameImageStorage) -> AE:
    scu = AE(ae_title=ae_title)
    scu.add_requested_context(sop_class, JPEGBaseline8Bit)
    scu.add_requested_context(Verification)
    return scu


def as_class(sop_class_uid: str) -> Dataset:
    """The JPEG cine stored under another SOP class (an old scanner's retired class)."""
    ds = dcmread(ybr_cine())
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = sop_class_uid
    return ds


def register(institution, ae_title: str = "SCANNER", address=None, **fields) -> DicomSender:
    return DicomSender.objects.create(
        institution=institution, ae_title=ae_title, address=address, **fields
    )


@pytest.mark.django_db(transaction=True)
def test_a_c_store_over_the_network_becomes_a_queued_loop(hospital, queued_messages):
    register(hospital)
    with listener() as port:
        association = scanner().associate("127.0.0.1", port, ae_title="CEUS_TRAINING")
        assert association.is_established
        sent = dcmread(ybr_cine())
        echo = association.send_c_echo()
        status = association.send_c_store(sent)
        association.release()

    assert echo.Status == 0x0000
    assert status.Status == 0x0000
    loop = CineLoop.objects.get()
    assert (loop.institution, loop.source, loop.status) == (
        hospital,
        CineLoop.Source.DICOM_NETWORK,
        CineLoop.Status.QUEUED,
    )
    assert queued_messages == [{"loop_pk": loop.pk}]
    stored = dcmread(original_file(loop.original_name))
    assert stored.file_meta.TransferSyntaxUID == JPEGBaseline8Bit  # Part-10, as sent
    assert stored.SOPInstanceUID == sent.SOPInstanceUID
    assert original_file(loop.original_name).stat().st_mode & 0o077 == 0
    assert not any(storage.incoming_dir().iterdir())

    assert loop_process(loop_pk=loop.pk, task_id="t") == CineLoop.Status.NEEDS_REVIEW


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("uid", "sop_class"),
    [
        ("1.2.840.10008.5.1.4.1.1.3", "UltrasoundMultiFrameImageStorageRetired"),
        ("1.2.840.10008.5.1.4.1.1.6", "UltrasoundImageStorageRetired"),
    ],
)
def test_an_allowed_sender_stores_a_retired_ultrasound_class(
    hospital, other_hospital, queued_messages, uid, sop_class
):
    register(other_hospital, ae_title="OTHER_PACS")
    register(hospital, ae_title="OLD_SCANNER", address="127.0.0.1")
    with listener() as port:
        association = scanner("OLD_SCANNER", uid).associate("127.0.0.1", port)
        assert association.is_established
        status = association.send_c_store(as_class(uid))
        association.release()

    assert status.Status == 0x0000
    loop = CineLoop.objects.get()
    assert loop.institution == hospital  # the sender's institution
    assert dcmread(original_file(loop.original_name)).SOPClassUID == uid
    assert loop_process(loop_pk=loop.pk, task_id="t") == CineLoop.Status.NEEDS_REVIEW


def assert_refused_at_association(association) -> None:
    assert association.is_rejected
    assert not association.is_established
    rejection = association.acceptor.primitive
    # A-ASSOCIATE-RJ: rejected-permanent, DICOM UL service-user, calling AE not recognised.
    assert (rejection.result, rejection.result_source, rejection.diagnostic) == (1, 1, 3)


@pytest.mark.django_db(transaction=True)
def test_an_unknown_calling_ae_title_is_refused_at_association(hospital, caplog):
    register(hospital)
    register(hospital, ae_title="RETIRED_CART", active=False)
    with listener() as port:
        unknown = scanner("INTRUDER").associate("127.0.0.1", port)
        switched_off = scanner("RETIRED_CART").associate("127.0.0.1", port)

    assert_refused_at_association(unknown)
    assert_refused_at_association(switched_off)
    assert not CineLoop.objects.exists()
    assert "calling AE title 'INTRUDER' from 127.0.0.1 is not a registered sender" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_sender_calling_from_another_address_is_refused(hospital):
    register(hospital, ae_title="SCANNER", address="10.1.2.3")
    with listener() as port:
        association = scanner("SCANNER").associate("127.0.0.1", port)

    assert_refused_at_association(association)


@pytest.mark.django_db(transaction=True)
def test_no_sender_registered_refuses_everybody(hospital):
    with listener() as port:
        association = scanner("SCANNER").associate("127.0.0.1", port)

    assert_refused_at_association(association)


@pytest.mark.django_db(transaction=True)
def test_a_listener_for_one_institution_refuses_other_senders(hospital, other_hospital):
    register(other_hospital, ae_title="OTHER_PACS")
    with listener(institution_id=hospital.pk) as port:
        association = scanner("OTHER_PACS").associate("127.0.0.1", port)

    assert_refused_at_association(association)


@pytest.mark.django_db(transaction=True)
def test_the_scp_refuses_a_dataset_over_the_limit(hospital, tmp_path):
    register(hospital)
    with listener(max_bytes=1000) as port:
        association = scanner().associate("127.0.0.1", port)
        status = association.send_c_store(dcmread(ybr_cine()))
        association.release()

    assert status.Status == dicom_scp.OUT_OF_RESOURCES
    assert not CineLoop.objects.exists()


def test_the_listener_command_listens_on_loopback_by_default(hospital, monkeypatch):
    seen = {}
    monkeypatch.setattr(
        "cineloops.management.commands.dicom_listener.start_listener",
        lambda **kwargs: seen.update(kwargs),
    )
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "dicom_listener", "--port", "11112", "--ae-title", "CEUS_TRAINING", stdout=out, stderr=err
    )

    assert (seen["ae_title"], seen["bind"], seen["port"], seen["block"]) == (
        "CEUS_TRAINING",
        "127.0.0.1",
        11112,
        True,
    )
    assert seen["institution_id"] is None
    assert "CEUS_TRAINING listening on 127.0.0.1:11112" in out.getvalue()
    assert "every association will be refused" in err.getvalue()


def test_the_listener_command_binds_and_limits_to_an_institution(hospital, monkeypatch):
    seen = {}
    monkeypatch.setattr(
        "cineloops.management.commands.dicom_listener.start_listener",
        lambda **kwargs: seen.update(kwargs),
    )
    register(hospital)

    call_command(
        "dicom_listener",
        "--bind",
        "0.0.0.0",
        "--institution",
        str(hospital.pk),
        stdout=io.StringIO(),
    )

    assert (seen["bind"], seen["institution_id"]) == ("0.0.0.0", hospital.pk)


@pytest.mark.django_db(transaction=True)
def test_not_dicom_is_refused_by_import_with_its_reason(celery_eager, hospital, tmp_path):
    _out, err, failure = run_import(str(not_dicom(tmp_path / "notes.txt")))
    assert failure is not None  # the same check as uploads: nothing stored
    assert "not a DICOM file" in err
    assert not CineLoop.objects.exists()
    assert not any(p.is_file() for p in storage.upload_dir().rglob("*"))
