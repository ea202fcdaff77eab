"""Builders for the spending tests: an organization with two administrators and two finance
members, a public project with funds, disbursements in any status (through the services only),
and evidence files (images with EXIF and GPS, PDFs, disguised executables)."""

import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from commonweal.disclosure.models.spending import Disbursement, DisbursementStatus
from commonweal.disclosure.services.spending import disbursement_create, disbursement_transition, evidence_add
from commonweal.orgs.models import Membership, Organization
from commonweal.projects.models import Project
from tests.factories import add_member, donate, make_org, make_project, make_user

RAISED_FEN = 8_000_000
"""Donated to the project in the world: ¥80,000 against a budget of 图书 ¥60,000 + 书架 ¥40,000."""


@dataclass
class World:
    org: Organization
    project: Project
    admin: object
    """The organization's first administrator."""
    admin2: object
    """A second administrator: the one who approves."""
    finance: object
    """The finance member who records disbursements (their author)."""
    finance2: object
    editor: object
    outsider: object
    """An administrator of another organization."""


def make_world(*, raised_fen: int = RAISED_FEN) -> World:
    org = make_org(name="春苗助学基金会")
    admin = org.memberships.get(role="admin").user
    project = make_project(org)
    if raised_fen:
        donate(project, raised_fen, donor_name="张三")
    project.refresh_from_db()
    other = make_org()
    return World(
        org=org, project=project, admin=admin, admin2=add_member(org, "admin"), finance=add_member(org, "finance"),
        finance2=add_member(org, "finance"), editor=add_member(org, "editor"),
        outsider=other.memberships.get(role="admin").user,
    )


def promote(org: Organization, user, role: str) -> None:
    """Change a member's role the way an organization would: remove, invite again, accept."""
    from commonweal.orgs.services import member_remove

    admin = org.memberships.filter(role="admin").exclude(user=user).first().user
    member_remove(org=org, actor=admin, membership_id=Membership.objects.get(org=org, user=user).pk)
    add_member(org, role, user=user)


def jpeg_bytes(*, size=(64, 48), colour=(200, 30, 30), exif: bool = False, orientation: int | None = None) -> bytes:
    """A JPEG; with ``exif``, camera make, a GPS position (Beijing) and a date are embedded."""
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    kwargs = {}
    if exif or orientation:
        data = Image.Exif()
        if exif:
            data[0x010F] = "CameraMaker"  # Make
            data[0x0110] = "Phone X"  # Model
            data[0x0132] = "2025:05:01 10:00:00"  # DateTime
            data[0x8825] = {1: "N", 2: (39.0, 54.0, 15.0), 3: "E", 4: (116.0, 23.0, 30.0)}  # GPSInfo
        if orientation:
            data[0x0112] = orientation
        kwargs["exif"] = data.tobytes()
    image.save(out, format="JPEG", quality=85, **kwargs)
    return out.getvalue()


def png_bytes(*, size=(40, 30), text_chunk: str | None = None, exif: bool = False) -> bytes:
    from PIL import PngImagePlugin

    image = Image.new("RGBA", size, (10, 110, 80, 255))
    out = io.BytesIO()
    kwargs = {}
    if text_chunk:
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", text_chunk)
        kwargs["pnginfo"] = info
    if exif:
        data = Image.Exif()
        data[0x8825] = {1: "N", 2: (39.0, 54.0, 15.0)}
        kwargs["exif"] = data.tobytes()
    image.save(out, format="PNG", **kwargs)
    return out.getvalue()


def webp_bytes(*, exif: bool = False) -> bytes:
    image = Image.new("RGB", (32, 32), (30, 60, 200))
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x8825] = {1: "N", 2: (39.0, 54.0, 15.0)}
        kwargs["exif"] = data.tobytes()
    image.save(out, format="WEBP", **kwargs)
    return out.getvalue()


PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def upload(data: bytes, name: str = "receipt.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def record(world: World, amount_fen: int = 100_000, *, line: int = 0, kind: str = "purchase",
           description: str = "采购图书 200 册", evidence: bool = True, author=None) -> Disbursement:
    """A draft by ``world.finance`` (or ``author``), with a receipt photo unless ``evidence=False``."""
    return disbursement_create(
        project=world.project, actor=author or world.finance, budget_line_position=line, kind=kind,
        amount_fen=amount_fen, description=description,
        evidence_files=[upload(jpeg_bytes(exif=True))] if evidence else [],
    )


def walk(world: World, disbursement: Disbursement, to: str) -> Disbursement:
    """Move a draft along the legal path to ``to``, each step by a member allowed to take it."""
    paths = {
        DisbursementStatus.DRAFT: [],
        DisbursementStatus.SUBMITTED: [("submitted", world.finance)],
        DisbursementStatus.APPROVED: [("submitted", world.finance), ("approved", world.admin2)],
        DisbursementStatus.PAID: [("submitted", world.finance), ("approved", world.admin2), ("paid", world.finance)],
        DisbursementStatus.REJECTED: [("submitted", world.finance), ("rejected", world.admin2)],
    }
    for step, actor in paths[to]:
        disbursement = disbursement_transition(
            disbursement=disbursement, to=step, actor=actor, reason="发票抬头有误" if step == "rejected" else ""
        )
    return disbursement


def paid(world: World, amount_fen: int = 100_000, **kwargs) -> Disbursement:
    return walk(world, record(world, amount_fen, **kwargs), DisbursementStatus.PAID)


__all__ = [
    "RAISED_FEN", "World", "make_world", "promote", "jpeg_bytes", "png_bytes", "webp_bytes", "PDF_BYTES", "upload",
    "record", "walk", "paid", "evidence_add", "make_user",
]
