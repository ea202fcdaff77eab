"""Evidence files: type and size checked by content, never by name; image metadata removed.

Accepted: JPEG, PNG and WebP images and PDF documents, at most :data:`EVIDENCE_MAX_BYTES`.
In order, :func:`evidence_clean`

1. refuses empty and oversized files (the size is checked before anything is parsed);
2. recognises executables, archives and scripts by their first bytes (ELF, PE "MZ", Mach-O,
   ZIP, shebang, HTML/SVG/PHP) whatever the file is called, and refuses them by name;
3. accepts only the magic numbers of JPEG, PNG, WebP (RIFF....WEBP) and PDF ("%PDF-");
4. images: Pillow opens the header (the format must match the magic number, at most
   :data:`IMAGE_MAX_PIXELS`), ``verify()``s it, reopens and fully decodes it, applies the EXIF
   orientation, then builds a *new* image from the pixel data alone and encodes that in the same
   format. EXIF (with GPS), XMP, ICC, text chunks and anything appended after the image are gone;
5. PDFs: header at byte 0, "%%EOF" in the last 1024 bytes, and no JavaScript or launch actions.

Each refusal is an :class:`EvidenceRejected` with its own code, naming the limit and the value.
"""

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from commonweal.core.errors import InvalidInput
from commonweal.disclosure.models.spending import EVIDENCE_MAX_BYTES, EvidenceType

__all__ = [
    "EVIDENCE_MAX_BYTES",
    "IMAGE_MAX_PIXELS",
    "EvidenceRejected",
    "CleanEvidence",
    "evidence_read",
    "evidence_clean",
]

IMAGE_MAX_PIXELS = 50_000_000
"""Largest image accepted, in pixels (a 50-megapixel photo); decoding it takes ~150 MB."""

_PDF_TRAILER_WINDOW = 1024
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch)(?![A-Za-z0-9])")

# (first bytes, what the file is): executables, archives and scripts, refused by name.
_DANGEROUS: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "an ELF executable"),
    (b"MZ", "a Windows executable (PE)"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xfe\xed\xfa\xcf", "a Mach-O executable"),
    (b"\xfe\xed\xfa\xce", "a Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "a Mach-O or Java executable"),
    (b"PK\x03\x04", "a ZIP archive (or a JAR, APK or Office file)"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"#!", "a script"),
)
_MARKUP = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<(?:\?php|\?xml|!doctype|html|script|svg)", re.IGNORECASE)

_MAGIC: tuple[tuple[str, str], ...] = (
    (EvidenceType.JPEG, "JPEG"),
    (EvidenceType.PNG, "PNG"),
    (EvidenceType.WEBP, "WEBP"),
)
_EXTENSIONS = {EvidenceType.JPEG: "jpg", EvidenceType.PNG: "png", EvidenceType.WEBP: "webp", EvidenceType.PDF: "pdf"}


class EvidenceRejected(InvalidInput):
    """An evidence file was refused. Codes: ``evidence_empty``, ``evidence_too_large``,
    ``evidence_executable``, ``evidence_unsupported_type``, ``evidence_corrupt_image``,
    ``evidence_image_too_large``, ``evidence_corrupt_pdf``, ``evidence_pdf_active_content``.
    ``params`` holds the values the message names, for translated messages."""

    code = "evidence_rejected"

    def __init__(self, message: str, *, code: str, **params):
        super().__init__(message, code=code, field="evidence")
        self.params = params


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanEvidence:
    """A file that passed every check, as it will be stored."""

    content_type: str
    """One of :class:`EvidenceType`, from the content."""
    extension: str
    """File name extension for that type, without the dot."""
    data: bytes
    """The bytes to store: re-encoded for images, as uploaded for PDFs."""
    sha256: str
    """Hex SHA-256 of ``data``."""


def _too_large(size: int) -> EvidenceRejected:
    return EvidenceRejected(
        f"evidence files are at most {EVIDENCE_MAX_BYTES:,} bytes (10 MB), got {size:,} bytes",
        code="evidence_too_large", limit=EVIDENCE_MAX_BYTES, size=size,
    )


def evidence_read(upload) -> bytes:
    """The bytes of an uploaded file (a Django ``UploadedFile`` or any binary file object),
    refusing before reading when its declared size is over the limit, and never reading more
    than one byte past the limit."""
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > EVIDENCE_MAX_BYTES:
        raise _too_large(declared)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(EVIDENCE_MAX_BYTES + 1)
    if len(data) > EVIDENCE_MAX_BYTES:
        raise _too_large(declared if isinstance(declared, int) and declared > len(data) else len(data))
    return data


def _sniff(data: bytes) -> str:
    """The evidence type from the first bytes, or an EvidenceRejected naming what it is."""
    if data.startswith(b"\xff\xd8\xff"):
        return EvidenceType.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return EvidenceType.PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return EvidenceType.WEBP
    if data.startswith(b"%PDF-"):
        return EvidenceType.PDF
    for signature, what in _DANGEROUS:
        if data.startswith(signature):
            raise EvidenceRejected(
                f"this file is {what}, not an image or a PDF; only JPEG, PNG, WebP and PDF files are accepted",
                code="evidence_executable", what=what,
            )
    if _MARKUP.match(data[:512]):
        what = "a web page or script (HTML, SVG, XML or PHP)"
        raise EvidenceRejected(
            f"this file is {what}, not an image or a PDF; only JPEG, PNG, WebP and PDF files are accepted",
            code="evidence_executable", what=what,
        )
    raise EvidenceRejected(
        f"only JPEG, PNG, WebP and PDF files are accepted, got a file starting with bytes {data[:8].hex()}",
        code="evidence_unsupported_type", start=data[:8].hex(),
    )


def _corrupt(content_type: str, detail: str) -> EvidenceRejected:
    kind = dict(EvidenceType.choices)[content_type]
    return EvidenceRejected(
        f"this {kind} image is damaged or incomplete and cannot be read ({detail})",
        code="evidence_corrupt_image", kind=kind,
    )


_PIL_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, Image.DecompressionBombError,
               Image.DecompressionBombWarning)


def _clean_image(data: bytes, content_type: str) -> bytes:
    expected_format = dict(_MAGIC)[content_type]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # 1. Header only: the format and the size, before any pixel is decoded.
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != expected_format:
                    raise _corrupt(content_type, f"it starts like {expected_format} but reads as {probe.format}")
                width, height = probe.size
                if width * height > IMAGE_MAX_PIXELS:
                    raise EvidenceRejected(
                        f"images are at most {IMAGE_MAX_PIXELS:,} pixels, got {width}×{height} = {width * height:,}",
                        code="evidence_image_too_large", limit=IMAGE_MAX_PIXELS, width=width, height=height,
                    )
                probe.verify()
            # 2. Reopen (verify() leaves the image unusable) and decode every pixel.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
        except EvidenceRejected:
            raise
        except UnidentifiedImageError:
            raise _corrupt(content_type, "not a readable image") from None
        except _PIL_ERRORS as exc:
            raise _corrupt(content_type, str(exc)[:120] or type(exc).__name__) from None
    # 3. A new image from the pixel data alone: no EXIF, GPS, XMP, ICC or text chunks survive.
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info)
    if content_type == EvidenceType.JPEG:
        mode = "L" if upright.mode in ("L", "1") else "RGB"
    else:
        mode = "RGBA" if has_alpha else ("L" if upright.mode in ("L", "1") else "RGB")
    pixels = upright.convert(mode)
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if content_type == EvidenceType.JPEG:
        clean.save(out, format="JPEG", quality=90)
    elif content_type == EvidenceType.PNG:
        clean.save(out, format="PNG", optimize=True)
    else:
        clean.save(out, format="WEBP", quality=90)
    return out.getvalue()


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-_PDF_TRAILER_WINDOW:]:
        raise EvidenceRejected(
            "this PDF is damaged or incomplete: it has no end-of-file marker (%%EOF) in its last 1024 bytes",
            code="evidence_corrupt_pdf",
        )
    match = _PDF_ACTIVE.search(data)
    if match:
        action = match.group(0).decode("ascii")
        raise EvidenceRejected(
            f"PDFs with scripts or launch actions are not accepted, found {action}",
            code="evidence_pdf_active_content", action=action,
        )


def evidence_clean(data: bytes) -> CleanEvidence:
    """Check ``data`` by content (see the module docstring) and return what to store."""
    if not data:
        raise EvidenceRejected("the file is empty", code="evidence_empty")
    if len(data) > EVIDENCE_MAX_BYTES:
        raise _too_large(len(data))
    content_type = _sniff(data)
    if content_type == EvidenceType.PDF:
        _check_pdf(data)
        stored = data
    else:
        stored = _clean_image(data, content_type)
        if len(stored) > EVIDENCE_MAX_BYTES:
            raise _too_large(len(stored))
    return CleanEvidence(
        content_type=content_type,
        extension=_EXTENSIONS[content_type],
        data=stored,
        sha256=hashlib.sha256(stored).hexdigest(),
    )
