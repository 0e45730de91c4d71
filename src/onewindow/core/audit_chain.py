"""The audit trail as a keyed hash chain (ADR 0011): sealing committed rows, verifying the chain.

Rows are written unchained by ``audit_record`` (no lock, no hash on the write path). The seal
takes the rows not yet sealed, in id order, and gives each the next position ``seq``, the hash
of the row before it (``prev_hash``), its own hash (``row_hash``, HMAC-SHA256 over a canonical
form of its fields, its position and the previous hash) and a short keyed check of each field
(``field_macs``, so that verification can say *which* field was changed). The chain's order is
the order of sealing, not of ids: a row committed late behind a higher id is simply sealed by
the next run, after rows already chained. Nothing is skipped, because the seal selects "not yet
sealed", never "after the last id sealed".

The seal runs every minute (``audit_chain_seal``, a periodic task), on demand with
``manage.py audit_seal`` and before verification with ``manage.py audit_verify --seal``. It holds
a lock only while it chains one batch: on PostgreSQL a transaction-scoped advisory lock, on
SQLite the database's write lock (transactions start IMMEDIATE).

The key is ``AUDIT_CHAIN_KEY`` (url-safe base64, at least 32 bytes; with DEBUG=0 the settings
refuse to start without it). Without it, a key is derived from ``SECRET_KEY``: the embedded demo
only.

The seal's last head is also kept in ``AuditSealHead`` (one row its trigger only moves forward):
the seal chains only onto the chain that ends there, and verification treats it as an anchor,
so a table emptied and refilled from the genesis is reported, not called intact.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from onewindow.core.models import AuditLog, AuditSealHead
from onewindow.core.tasks import periodic, task

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
SEAL_BATCH = 500
SEAL_EVERY = dt.timedelta(minutes=1)
# pg_advisory_xact_lock key: "OWaudit" as an integer; only the seal takes it.
SEAL_LOCK_ID = 0x4F57_6175_6469_74
FORMAT_VERSION = 1
# The fields a seal covers, in the order verification reports them.
CHAINED_FIELDS = (
    "id",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "allowed",
    "detail",
)
FIELD_MAC_LENGTH = 16  # hex digits (64 bits) per field: enough to name the changed field


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def chain_key() -> bytes:
    """The HMAC key of the chain (``AUDIT_CHAIN_KEY``, or one derived from ``SECRET_KEY``)."""
    configured = (getattr(settings, "AUDIT_CHAIN_KEY", "") or "").strip()
    if configured:
        try:
            key = _b64decode(configured)
        except ValueError:  # binascii.Error
            key = b""
        if len(key) < 32:
            raise ValueError("AUDIT_CHAIN_KEY must be at least 32 bytes (url-safe base64)")
        return key
    return hmac.new(
        settings.SECRET_KEY.encode(), b"onewindow.audit-chain.v1", hashlib.sha256
    ).digest()


def _canonical(value: Any) -> bytes:
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode()


def field_value(row: AuditLog, name: str) -> Any:
    """A field as the chain sees it: JSON values; the time in UTC to the microsecond."""
    value = getattr(row, name)
    if name == "at":
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def field_macs_of(row: AuditLog, key: bytes) -> dict[str, str]:
    return {
        name: hmac.new(
            key, _canonical([row.pk, name, field_value(row, name)]), hashlib.sha256
        ).hexdigest()[:FIELD_MAC_LENGTH]
        for name in CHAINED_FIELDS
    }


def row_hash_of(
    row: AuditLog, *, seq: int, prev_hash: str, field_macs: dict[str, str], key: bytes
) -> str:
    payload = {
        "v": FORMAT_VERSION,
        "seq": seq,
        "prev": prev_hash,
        "fields": {name: field_value(row, name) for name in CHAINED_FIELDS},
        "macs": field_macs,
    }
    return hmac.new(key, _canonical(payload), hashlib.sha256).hexdigest()


def _seal_lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_ID])
    # SQLite: the transaction began IMMEDIATE and holds the database's write lock already.


def chain_head() -> tuple[int, str]:
    """Position and hash of the last sealed row (``0`` and the genesis hash when none is)."""
    head = (
        AuditLog.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "row_hash")
        .first()
    )
    return (int(head[0] or 0), head[1]) if head else (0, GENESIS)


class SealRefused(RuntimeError):
    """The chain in the table does not end at the seal's stored head: rows were removed (or the
    table emptied and refilled). The seal will not chain onto it; ``audit_verify`` names it."""


def _seal_batch(batch: int, key: bytes) -> tuple[int, int, str]:
    with transaction.atomic():
        _seal_lock()
        seq, prev_hash = chain_head()
        stored = AuditSealHead.objects.filter(pk=1).values_list("seq", "row_hash").first()
        # Only onto the chain it left: a chain begun again from the genesis (or cut short)
        # is never sealed, however many rows are written after it.
        if (stored is None and seq) or (stored is not None and stored != (seq, prev_hash)):
            logger.error("audit chain head %s does not match the stored head %s", seq, stored)
            raise SealRefused(
                "审计链的链尾与封存时记下的不符，拒绝继续封存；请运行 manage.py audit_verify。"
                " / The audit chain does not end at the seal's stored head: sealing refused;"
                " run manage.py audit_verify."
            )
        rows = list(AuditLog.objects.filter(seq__isnull=True).order_by("id")[:batch])
        for row in rows:
            seq += 1
            row.seq = seq
            row.prev_hash = prev_hash
            row.field_macs = field_macs_of(row, key)
            row.row_hash = row_hash_of(
                row, seq=seq, prev_hash=prev_hash, field_macs=row.field_macs, key=key
            )
            prev_hash = row.row_hash
        if rows:
            AuditLog.objects.bulk_update(rows, ["seq", "prev_hash", "row_hash", "field_macs"])
            _store_head(seq, prev_hash)
    return len(rows), seq, prev_hash


def _store_head(seq: int, row_hash: str) -> None:
    """Move the stored head on (its guard refuses any other change); create it when a reset
    database (``flush`` under DEBUG=1 or tests) has none."""
    moved = AuditSealHead.objects.filter(pk=1).update(
        seq=seq, row_hash=row_hash, sealed_at=timezone.now()
    )
    if not moved:
        AuditSealHead.objects.create(pk=1, seq=seq, row_hash=row_hash)


@dataclass(frozen=True)
class SealOutcome:
    sealed: int
    head_seq: int
    head_hash: str


def audit_seal(*, batch: int = SEAL_BATCH, limit: int | None = None) -> SealOutcome:
    """Chain every committed row not yet sealed (at most ``limit``), one batch per transaction.

    Safe to run twice at once: the second waits for the first's lock, then finds less to do.
    """
    key = chain_key()
    sealed = 0
    head_seq, head_hash = chain_head()
    while limit is None or sealed < limit:
        size = batch if limit is None else min(batch, limit - sealed)
        count, seq, last_hash = _seal_batch(size, key)
        if count:
            sealed += count
            head_seq, head_hash = seq, last_hash
        if count < size:
            break
    if sealed:
        # The head in the log is an anchor outside the database: ``audit_verify --head`` checks
        # that no sealed row after it was cut off.
        logger.info("audit chain sealed %s rows; head %s:%s", sealed, head_seq, head_hash)
    return SealOutcome(sealed=sealed, head_seq=head_seq, head_hash=head_hash)


@periodic(every=SEAL_EVERY)
@task
def audit_chain_seal() -> None:
    audit_seal()


# Kinds of break, in the words of the command's report. ``stored_head``: against the seal's
# head kept in ``AuditSealHead`` (``missing``: that row is gone while rows are sealed).
GAP, LINK, CONTENT, HEAD = "gap", "link", "content", "head"
STORED_HEAD = "stored_head"


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the chain does not hold."""

    kind: str
    row_id: int | None
    seq: int
    # gap: the missing positions; link: the hash expected and found; content: changed fields
    # (empty when only the stored hash or the field checks were altered); head: the anchor.
    missing: tuple[int, int] | None = None
    expected: str = ""
    found: str = ""
    fields: tuple[str, ...] = ()


@dataclass
class VerifyOutcome:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    unsealed: int = 0
    oldest_unsealed_at: dt.datetime | None = None
    broken: ChainBreak | None = None


def audit_verify(*, head: tuple[int, str] | None = None) -> VerifyOutcome:
    """Walk the sealed rows by position and stop at the first that does not hold.

    A row breaks the chain when its position is not the next one (rows removed), when its
    ``prev_hash`` is not the previous row's hash (the previous row's hash or this link was
    changed), or when its hash does not match its fields (the row was changed; the field checks
    name which fields). ``head`` (a position and hash from the seal's log line) must be on the
    chain: otherwise the rows after it were cut off or rewritten. So must the seal's stored
    head (``AuditSealHead``): a chain that restarted at the genesis after its rows were
    removed does not reach it; and it must exist while any row is sealed.
    """
    key = chain_key()
    outcome = VerifyOutcome()
    # Read before the walk: a seal running meanwhile only moves it past what is walked.
    stored = AuditSealHead.objects.filter(pk=1).values_list("seq", "row_hash").first()
    anchors = [(kind, anchor) for kind, anchor in ((HEAD, head), (STORED_HEAD, stored)) if anchor]
    expected_seq, prev_hash = 1, GENESIS
    rows = AuditLog.objects.filter(seq__isnull=False).order_by("seq")
    for row in rows.iterator(chunk_size=2000):
        assert row.seq is not None
        if row.seq != expected_seq:
            outcome.broken = ChainBreak(
                kind=GAP, row_id=row.pk, seq=row.seq, missing=(expected_seq, row.seq - 1)
            )
            break
        if row.prev_hash != prev_hash:
            outcome.broken = ChainBreak(
                kind=LINK, row_id=row.pk, seq=row.seq, expected=prev_hash, found=row.prev_hash
            )
            break
        stored_macs = row.field_macs if isinstance(row.field_macs, dict) else {}
        recomputed = row_hash_of(
            row, seq=row.seq, prev_hash=row.prev_hash, field_macs=stored_macs, key=key
        )
        if not hmac.compare_digest(recomputed, row.row_hash):
            macs = field_macs_of(row, key)
            changed = tuple(name for name in CHAINED_FIELDS if stored_macs.get(name) != macs[name])
            outcome.broken = ChainBreak(
                kind=CONTENT,
                row_id=row.pk,
                seq=row.seq,
                expected=recomputed,
                found=row.row_hash,
                fields=changed,
            )
            break
        off = next(
            (
                (kind, anchor)
                for kind, anchor in anchors
                if row.seq == anchor[0] and row.row_hash != anchor[1]
            ),
            None,
        )
        if off is not None:
            outcome.broken = ChainBreak(
                kind=off[0], row_id=row.pk, seq=row.seq, expected=off[1][1], found=row.row_hash
            )
            break
        outcome.checked += 1
        outcome.head_seq, outcome.head_hash = row.seq, row.row_hash
        expected_seq, prev_hash = row.seq + 1, row.row_hash
    if outcome.broken is None:
        # A chain that ends before an anchor lost its last rows, or was emptied and begun
        # again from the genesis (then fewer rows, or other rows at the anchor's position).
        for kind, anchor in anchors:
            if outcome.head_seq < anchor[0]:
                outcome.broken = ChainBreak(
                    kind=kind,
                    row_id=None,
                    seq=anchor[0],
                    expected=anchor[1],
                    found=outcome.head_hash,
                )
                break
    if outcome.broken is None and stored is None and outcome.head_seq:
        outcome.broken = ChainBreak(kind=STORED_HEAD, row_id=None, seq=0)
    unsealed = AuditLog.objects.filter(seq__isnull=True)
    outcome.unsealed = unsealed.count()
    if outcome.unsealed:
        outcome.oldest_unsealed_at = unsealed.aggregate(oldest=Min("at"))["oldest"]
    return outcome
