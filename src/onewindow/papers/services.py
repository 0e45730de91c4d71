"""Storing and reading electronic papers. Callers check permission and audit the read; this
module only keeps the bytes safe.

- ``paper_stored(...)`` — a context manager: the upload is checked and normalised
  (``inspection.inspect_paper``) before anything is written; then the encrypted file and
  thumbnail are written under fresh random names and the ``Paper`` row created in a
  transaction, which the caller's ``with`` block shares (it writes its own link and audit row
  there). If the block raises, the transaction rolls back and both files are deleted: a refused
  or failed upload leaves nothing on disk or in the database. Call it outside any other
  transaction that might still roll back after it.
- ``paper_bytes(paper=…, thumbnail=…)`` — the clear bytes, for an authorised, audited view.
- ``paper_erase(paper=…)`` — a paper no longer referred to: its row, then (after commit) its
  files.
- ``person_paper_keep(...)`` — keep a paper in a person's "my papers", with their consent
  (audited ``papers.person_paper_keep``); ``person_paper_withdraw`` ends it.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core import crypto
from onewindow.core.audit import audit_record
from onewindow.core.errors import ApplicationError, NotFoundOrForbidden
from onewindow.core.validation import has_control_characters
from onewindow.org.permissions import Action, require
from onewindow.papers import inspection
from onewindow.papers.models import Paper, PersonPaper

logger = logging.getLogger(__name__)

FILE_CONTEXT = "papers.file:"
STORAGE_FOLDER = "papers"
CONSENT_NEEDED = _(
    "The applicant has not agreed: ask them first, and tick that they agree, before their "
    "paper is kept or used again."
)


PAPER_FILE_DAMAGED = _(
    "The stored file of this paper cannot be read (damaged, or written with a key no longer "
    "configured). Ask the system administrator to restore it from the backup; the paper's "
    "record and its SHA-256 are kept."
)


class PaperFileMissing(NotFoundOrForbidden):
    """The row exists but its file is gone (a restore without the files): "not found"."""


class PaperFileDamaged(ApplicationError):
    """The file is there but does not decrypt (tampered with, moved, or its key removed)."""

    def __init__(self) -> None:
        super().__init__(message=PAPER_FILE_DAMAGED, code="paper_file_damaged", status=409)


def _clean_name(name: str) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if has_control_characters(base):
        base = "".join(ch for ch in base if not has_control_characters(ch))
    return base[:200] or "paper"


def _write(data: bytes, extension: str) -> str:
    day = timezone.now()
    name = f"{STORAGE_FOLDER}/{day:%Y/%m}/{secrets.token_hex(16)}.{extension}.enc"
    blob = crypto.encrypt_bytes(data, context=FILE_CONTEXT + name)
    saved = default_storage.save(name, ContentFile(blob))
    if saved != name:  # a 128-bit collision; never happens, but the context names the file
        default_storage.delete(saved)
        raise RuntimeError("a paper's storage name was taken")
    return saved


def _delete(names: list[str]) -> None:
    for name in names:
        if name and default_storage.exists(name):
            default_storage.delete(name)


def paper_erase(*, paper: Paper) -> None:
    """Delete ``paper`` — a file nothing refers to any more (the caller checked its own links;
    a case's or a person's kept link protects the row) — and its stored files once the
    transaction commits."""
    names = [paper.file_name, paper.thumbnail_name]
    paper.delete()
    transaction.on_commit(lambda: _delete(names))


def read_upload(upload: Any) -> bytes:
    """An uploaded file's bytes, its declared size checked first (an oversized upload is
    refused without being read into memory)."""
    size = getattr(upload, "size", None)
    if size is not None:
        inspection.check_size(int(size))
    upload.seek(0)
    data: bytes = upload.read(int(size) + 1 if size is not None else -1)
    inspection.check_size(len(data))
    return data


@contextmanager
def paper_stored(*, upload: Any, name: str, source: str, actor: Any) -> Iterator[Paper]:
    """Check ``upload`` (raises ``ValidationFailed`` before anything is written), keep it, and
    yield its ``Paper`` inside the transaction the caller's block runs in."""
    data = read_upload(upload)
    inspected = inspection.inspect_paper(data=data, name=_clean_name(name))
    written: list[str] = []
    try:
        written.append(_write(inspected.data, inspected.extension))
        if inspected.thumbnail:
            written.append(_write(inspected.thumbnail, "thumb"))
        with transaction.atomic():
            paper = Paper.objects.create(
                content_type=inspected.content_type,
                original_name=_clean_name(name),
                size=len(inspected.data),
                pages=inspected.pages,
                width=inspected.width,
                height=inspected.height,
                sha256=hashlib.sha256(inspected.data).hexdigest(),
                upload_sha256=hashlib.sha256(data).hexdigest(),
                file_name=written[0],
                thumbnail_name=written[1] if len(written) > 1 else "",
                thumbnail_type=inspected.thumbnail_type,
                source=source,
                uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            yield paper
    except BaseException:
        _delete(written)
        raise


def paper_bytes(*, paper: Paper, thumbnail: bool = False) -> bytes:
    """The clear bytes of the paper (or of its thumbnail). The caller has checked permission
    and audits the read."""
    name = paper.thumbnail_name if thumbnail else paper.file_name
    if not name:
        raise PaperFileMissing()
    try:
        with default_storage.open(name, "rb") as handle:
            blob = handle.read()
    except FileNotFoundError:
        raise PaperFileMissing() from None
    try:
        return crypto.decrypt_bytes(blob, context=FILE_CONTEXT + name)
    except crypto.DecryptionFailed:
        logger.error("paper %s: its file %s does not decrypt", paper.pk, name)
        raise PaperFileDamaged() from None


# --- "my papers" ------------------------------------------------------------------------------


def person_paper_keep(
    *, person: Any, paper: Paper, label: str, consent: bool, actor: Any
) -> PersonPaper:
    """Keep ``paper`` in ``person``'s "my papers" for later applications. Needs the person's
    consent (``consent=True``, recorded with who recorded it); audited."""
    require(actor, Action.PERSON_READ)
    if not consent:
        raise ApplicationError(CONSENT_NEEDED, code="consent_needed", status=422)
    who = actor.get_username() if getattr(actor, "is_authenticated", False) else "applicant"
    with transaction.atomic():
        kept, _created = PersonPaper.objects.get_or_create(
            person=person,
            paper=paper,
            defaults={
                "label": label[:255],
                "consent_note": f"{timezone.now():%Y-%m-%d %H:%M} {who}"[:255],
            },
        )
        if kept.withdrawn_at is not None:
            kept.withdrawn_at = None
            kept.save(update_fields=["withdrawn_at"])
        audit_record(
            actor=actor,
            action="papers.person_paper_keep",
            obj=kept,
            object_repr=f"{person.id_number_masked} · {kept.label}",
            detail={"paper": paper.pk, "sha256": paper.sha256, "consent": True},
        )
    return kept


def person_paper_withdraw(*, kept: PersonPaper, actor: Any) -> None:
    """The person no longer wants the paper kept: it is no longer offered for reuse (cases
    that used it keep their copy's link)."""
    with transaction.atomic():
        kept.withdrawn_at = timezone.now()
        kept.save(update_fields=["withdrawn_at"])
        audit_record(actor=actor, action="papers.person_paper_withdraw", obj=kept)


def person_papers_current(*, person: Any) -> list[PersonPaper]:
    """The papers ``person`` keeps for reuse (not withdrawn), newest first per label."""
    return list(
        PersonPaper.objects.filter(person=person, withdrawn_at__isnull=True)
        .select_related("paper")
        .order_by("label", "-kept_at")
    )


def person_paper_current(*, person: Any, kept_id: int) -> PersonPaper | None:
    """One paper ``person`` keeps (not withdrawn), with its file row; ``None`` when there is no
    such kept paper of this person (missing, another person's, withdrawn). Callers audit."""
    return (
        PersonPaper.objects.filter(pk=kept_id, person=person, withdrawn_at__isnull=True)
        .select_related("paper")
        .first()
    )
