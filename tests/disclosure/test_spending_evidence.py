"""Evidence upload: type and size by content, never by name; image metadata stripped; each
refusal with its own code and message, and nothing stored when a file is refused."""

import io
import json
import os
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from commonweal.disclosure.evidence import EVIDENCE_MAX_BYTES, EvidenceRejected, evidence_clean, evidence_read
from commonweal.disclosure.models.spending import Disbursement, Evidence, evidence_storage
from commonweal.disclosure.services.spending import evidence_add
from tests.disclosure.spending_support import (
    PDF_BYTES,
    jpeg_bytes,
    make_world,
    png_bytes,
    record,
    upload,
    webp_bytes,
)

pytestmark = pytest.mark.django_db

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"This program cannot be run in DOS mode."
ZIP = b"PK\x03\x04\x14\x00\x00\x00" + b"\x00" * 60
SCRIPT = b"#!/bin/sh\nrm -rf / --no-preserve-root\n"
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
GARBAGE_JPEG = b"\xff\xd8\xff\xe0" + os.urandom(2000)
TRUNCATED_JPEG = jpeg_bytes(size=(400, 300))[:700]
PNG_BAD_CRC = png_bytes()[:-20] + b"\x00" * 20
PDF_NO_EOF = PDF_BYTES.replace(b"%%EOF", b"")
PDF_WITH_JS = PDF_BYTES.replace(b"/Pages 2 0 R", b"/Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >>")

# (name, file name, declared content type, bytes, expected code)
REFUSED = [
    ("ELF executable renamed .jpg", "photo.jpg", "image/jpeg", ELF, "evidence_executable"),
    ("Windows PE renamed .jpg", "receipt.jpg", "image/jpeg", PE, "evidence_executable"),
    ("ZIP renamed .png", "invoice.png", "image/png", ZIP, "evidence_executable"),
    ("shell script renamed .jpg", "photo.jpg", "image/jpeg", SCRIPT, "evidence_executable"),
    ("HTML renamed .pdf", "invoice.pdf", "application/pdf", HTML, "evidence_executable"),
    ("SVG with a script", "chart.svg", "image/svg+xml", SVG, "evidence_executable"),
    ("plain text", "notes.jpg", "image/jpeg", "发票号 12345".encode(), "evidence_unsupported_type"),
    ("GIF (not accepted)", "anim.gif", "image/gif", b"GIF89a" + b"\x00" * 40, "evidence_unsupported_type"),
    ("JPEG header then garbage", "photo.jpg", "image/jpeg", GARBAGE_JPEG, "evidence_corrupt_image"),
    ("truncated JPEG", "photo.jpg", "image/jpeg", TRUNCATED_JPEG, "evidence_corrupt_image"),
    ("PNG with a broken end", "scan.png", "image/png", PNG_BAD_CRC, "evidence_corrupt_image"),
    ("PDF without %%EOF", "invoice.pdf", "application/pdf", PDF_NO_EOF, "evidence_corrupt_pdf"),
    ("PDF with JavaScript", "invoice.pdf", "application/pdf", PDF_WITH_JS, "evidence_pdf_active_content"),
    ("empty file", "photo.jpg", "image/jpeg", b"", "evidence_empty"),
    ("oversized file", "huge.pdf", "application/pdf", b"%PDF-1.4\n" + b"0" * EVIDENCE_MAX_BYTES + b"\n%%EOF\n", "evidence_too_large"),
]


def _stored_files() -> list[Path]:
    root = Path(evidence_storage().location)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("name, filename, content_type, data, code", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_files_through_the_service(name, filename, content_type, data, code):
    world = make_world()
    d = record(world)
    files_before, rows_before = _stored_files(), Evidence.objects.count()
    with pytest.raises(EvidenceRejected) as caught:
        evidence_add(disbursement=d, actor=world.finance, upload=upload(data, filename, content_type))
    assert caught.value.code == code
    assert caught.value.field == "evidence" and caught.value.message
    assert (Evidence.objects.count(), _stored_files()) == (rows_before, files_before)


def test_messages_name_what_was_found_and_the_limit():
    with pytest.raises(EvidenceRejected) as caught:
        evidence_clean(ELF)
    assert "ELF executable" in caught.value.message
    with pytest.raises(EvidenceRejected) as caught:
        evidence_read(upload(b"x" * (EVIDENCE_MAX_BYTES + 1), "big.jpg"))
    assert caught.value.message == "evidence files are at most 10,485,760 bytes (10 MB), got 10,485,761 bytes"


def test_a_refused_file_on_the_create_form_stores_nothing_at_all(client):
    world = make_world()
    client.force_login(world.finance)
    files_before = _stored_files()
    url = reverse("console-disbursement-new", kwargs={"org": world.org.public_id, "project": world.project.public_id})
    data = {"budget_line": "0", "kind": "purchase", "amount_yuan": "100", "description": "图书",
            "evidence": [upload(jpeg_bytes()), upload(ELF, "photo.jpg")]}
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "该文件是程序、压缩包或脚本（an ELF executable），不是图片或 PDF。" in page
    assert (Disbursement.objects.count(), Evidence.objects.count(), _stored_files()) == (0, 0, files_before)


@pytest.mark.parametrize("via", ["page", "api"])
@pytest.mark.parametrize("name, filename, content_type, data, code", REFUSED[:3] + REFUSED[8:9] + REFUSED[-1:],
                         ids=[r[0] for r in REFUSED[:3] + REFUSED[8:9] + REFUSED[-1:]])
def test_refused_files_through_the_page_and_the_api(via, name, filename, content_type, data, code):
    world = make_world()
    d = record(world, evidence=False)
    files_before = _stored_files()
    client = Client()
    client.force_login(world.finance)
    if via == "page":
        url = reverse("console-disbursement-evidence", kwargs={"org": world.org.public_id, "disbursement": d.public_id})
        response = client.post(url, {"file": upload(data, filename, content_type)}, follow=True)
        assert response.status_code == 200
        assert 'class="msg-error"' in response.content.decode()
    else:
        response = client.post(f"/api/v1/disbursements/{d.public_id}/evidence", {"file": upload(data, filename, content_type)})
        assert response.status_code == 400, response.content
        assert response.json()["error"]["code"] == code
    assert Evidence.objects.count() == 0 and _stored_files() == files_before


def _exif_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif()), dict(image.info)


@pytest.mark.parametrize("kind, data, content_type", [
    ("jpeg", jpeg_bytes(exif=True), "image/jpeg"),
    ("png", png_bytes(exif=True, text_chunk="GPS 39.9,116.4 张三家"), "image/png"),
    ("webp", webp_bytes(exif=True), "image/webp"),
])
def test_stored_images_carry_no_exif_gps_or_text(kind, data, content_type):
    exif, _ = _exif_of(data)
    assert 0x8825 in exif  # the upload has GPS
    world = make_world()
    d = record(world, evidence=False)
    evidence = evidence_add(disbursement=d, actor=world.finance, upload=upload(data, f"photo.{kind}", "application/octet-stream"))
    assert evidence.content_type == content_type  # from the content, not the declared type
    stored = evidence.file.read()
    exif, info = _exif_of(stored)
    assert exif == {}
    assert not {"exif", "icc_profile", "xmp", "Comment", "XML:com.adobe.xmp"} & set(info), info
    assert b"Exif" not in stored and "张三".encode() not in stored and b"GPS" not in stored
    assert evidence.size_bytes == len(stored)
    import hashlib

    assert evidence.sha256 == hashlib.sha256(stored).hexdigest()
    assert evidence.file.name.endswith(f".{'jpg' if kind == 'jpeg' else kind}")


def test_the_exif_orientation_is_applied_before_it_is_removed():
    data = jpeg_bytes(size=(60, 20), orientation=6)  # "rotate 90° clockwise to display"
    clean = evidence_clean(data)
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.size == (20, 60)
        assert dict(image.getexif()) == {}


def test_a_pdf_is_stored_as_uploaded_and_a_disguised_one_is_recognised():
    world = make_world()
    d = record(world, evidence=False)
    evidence = evidence_add(disbursement=d, actor=world.finance, upload=upload(PDF_BYTES, "scan.jpg", "image/jpeg"))
    assert evidence.content_type == "application/pdf"
    assert evidence.file.name.endswith(".pdf") and evidence.file.read() == PDF_BYTES


def test_evidence_is_private_and_served_only_to_members(client):
    world = make_world()
    d = record(world)
    evidence = d.evidence.get()
    from django.conf import settings

    assert not Path(evidence.file.path).is_relative_to(settings.MEDIA_ROOT)
    url = reverse("console-disbursement-evidence-file",
                  kwargs={"org": world.org.public_id, "disbursement": d.public_id, "evidence": evidence.public_id})
    for user, status in ((world.finance, 200), (world.admin2, 200), (world.editor, 404), (world.outsider, 404)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user
        if status == 200:
            assert response["Content-Type"] == "image/jpeg"
            assert response["Cache-Control"] == "private, no-store"
            assert b"".join(response.streaming_content) == evidence.file.read()
            evidence.file.seek(0)


def test_rejected_disbursements_take_no_more_evidence():
    from commonweal.core.errors import Conflict
    from tests.disclosure.spending_support import walk

    world = make_world()
    d = walk(world, record(world), "rejected")
    with pytest.raises(Conflict):
        evidence_add(disbursement=d, actor=world.finance, upload=upload(jpeg_bytes()))


def test_the_api_upload_answers_with_the_detected_type():
    world = make_world()
    d = record(world, evidence=False)
    client = Client()
    client.force_login(world.finance)
    response = client.post(f"/api/v1/disbursements/{d.public_id}/evidence", {"file": upload(jpeg_bytes(exif=True), "x.png", "image/png")})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "image/jpeg" and body["size_bytes"] == Evidence.objects.get().size_bytes
    detail = json.loads(client.get(f"/api/v1/disbursements/{d.public_id}").content)
    assert [e["public_id"] for e in detail["evidence"]] == [body["public_id"]]
