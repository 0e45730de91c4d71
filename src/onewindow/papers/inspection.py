"""What an uploaded file really is, decided by its content (never by its name), and the form in
which it is kept.

- PDF (``%PDF-``): read with pypdf; a password-protected or damaged file is refused, the pages
  are counted against ``PAPER_MAX_PAGES``; the bytes are kept as they came.
- JPEG (``FF D8 FF``) and PNG (``89 50 4E 47 0D 0A 1A 0A``): decoded with Pillow (the pixel
  count checked against ``PAPER_MAX_PIXELS`` before decoding, so a small file that unpacks
  into gigabytes is refused), turned upright by its EXIF orientation and re-encoded — which
  drops every EXIF field (GPS position, camera, time), any text chunk or JPEG comment and the
  ICC profile — and thumbnailed
  (``PAPER_THUMBNAIL_PIXELS`` on the longer side).

A name whose extension contradicts the content (``scan.pdf`` that is a PNG, ``id.jpg`` that is
a program) is refused: it is what a person would call "not what its name says". A name
without an extension is taken by its content.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps

from onewindow.papers import errors

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"

# content type → (extension kept, extensions a name may carry, label in messages)
KINDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    PDF: ("pdf", ("pdf",), "PDF"),
    JPEG: ("jpg", ("jpg", "jpeg", "jpe"), "JPEG"),
    PNG: ("png", ("png",), "PNG"),
}
NAMED_EXTENSIONS = {ext: kind for kind, (_ext, exts, _label) in KINDS.items() for ext in exts}


@dataclass(frozen=True)
class Inspected:
    content_type: str
    data: bytes  # what is kept: a PDF as it came, an image re-encoded
    thumbnail: bytes  # b"" for a PDF (no renderer on the server)
    thumbnail_type: str
    pages: int
    width: int | None
    height: int | None

    @property
    def extension(self) -> str:
        return KINDS[self.content_type][0]


def sniff(head: bytes) -> str | None:
    """The allowed content type the first bytes announce, or ``None``."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def _extension(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base.strip(".") else ""


def check_size(size: int) -> None:
    limit = settings.PAPER_MAX_BYTES
    if size <= 0:
        raise errors.paper_refused("empty", errors.EMPTY)
    if size > limit:
        raise errors.paper_refused(
            "too_large",
            errors.TOO_LARGE,
            size=f"{size / 1024 / 1024:.1f}",
            limit=f"{limit / 1024 / 1024:g}",
        )


def inspect_paper(*, data: bytes, name: str) -> Inspected:
    """The file checked and normalised, or ``ValidationFailed`` (422) naming what is wrong."""
    check_size(len(data))
    kind = sniff(data[:16])
    extension = _extension(name)
    if kind is None:
        if extension in NAMED_EXTENSIONS:
            raise errors.paper_refused(
                "not_what_its_name_says", errors.NAME_MISMATCH_NONE, name=name
            )
        raise errors.paper_refused("type_not_allowed", errors.NOT_ALLOWED)
    if extension and NAMED_EXTENSIONS.get(extension) != kind:
        raise errors.paper_refused(
            "not_what_its_name_says", errors.NAME_MISMATCH, name=name, actual=KINDS[kind][2]
        )
    if kind == PDF:
        return _inspect_pdf(data)
    return _inspect_image(data, kind)


def _inspect_pdf(data: bytes) -> Inspected:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise errors.paper_refused("pdf_encrypted", errors.PDF_ENCRYPTED)
        pages = len(reader.pages)
    except errors.ValidationFailed:
        raise
    except Exception:  # pypdf raises many kinds on a damaged file; each means "unreadable"
        raise errors.paper_refused("unreadable", errors.UNREADABLE, kind="PDF") from None
    if pages < 1:
        raise errors.paper_refused("unreadable", errors.UNREADABLE, kind="PDF")
    if pages > settings.PAPER_MAX_PAGES:
        raise errors.paper_refused(
            "too_many_pages", errors.TOO_MANY_PAGES, pages=pages, limit=settings.PAPER_MAX_PAGES
        )
    return Inspected(PDF, data, b"", "", pages, None, None)


def _inspect_image(data: bytes, kind: str) -> Inspected:
    label = KINDS[kind][2]
    try:
        image = Image.open(io.BytesIO(data), formats=[label])
        width, height = image.size
        if width * height > settings.PAPER_MAX_PIXELS:
            raise errors.paper_refused(
                "too_many_pixels",
                errors.TOO_MANY_PIXELS,
                width=width,
                height=height,
                limit=f"{settings.PAPER_MAX_PIXELS / 1_000_000:g}",
            )
        image.load()
        upright = ImageOps.exif_transpose(image)
        kept = _without_metadata(_kept_mode(upright, kind))
        data_out = _encode(kept, kind)
        thumb = kept.copy()
        side = settings.PAPER_THUMBNAIL_PIXELS
        thumb.thumbnail((side, side))
        thumbnail = _encode(thumb, kind)
    except errors.ValidationFailed:
        raise
    except Exception:  # OSError, SyntaxError, ValueError, DecompressionBombError: unreadable
        raise errors.paper_refused("unreadable", errors.UNREADABLE, kind=label) from None
    return Inspected(kind, data_out, thumbnail, kind, 1, kept.width, kept.height)


def _kept_mode(image: Image.Image, kind: str) -> Image.Image:
    if kind == JPEG:
        return image if image.mode in ("L", "RGB") else image.convert("RGB")
    if image.mode in ("1", "L", "LA", "RGB", "RGBA", "P"):
        return image
    return image.convert("RGBA")


def _without_metadata(image: Image.Image) -> Image.Image:
    """``image`` with no metadata left for the encoder: Pillow writes what ``info`` carries
    from the file read (a JPEG's comment segment, a PNG's or JPEG's ICC profile, which names
    the device). Only a palette's transparency is pixels, and stays."""
    image.info = {k: v for k, v in image.info.items() if k == "transparency"}
    return image


def _encode(image: Image.Image, kind: str) -> bytes:
    """Re-encoded without any metadata: ``info`` is emptied first (``_without_metadata``) and
    no EXIF, ICC profile, comment or text chunk is given to the encoder."""
    out = io.BytesIO()
    if kind == JPEG:
        image.save(out, format="JPEG", quality=88)
    else:
        image.save(out, format="PNG")
    return out.getvalue()
