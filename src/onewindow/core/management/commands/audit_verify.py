"""Verify the audit chain: ``manage.py audit_verify [--seal] [--head SEQ:HASH]``.

Names the first row where the chain breaks (its id, its position and what differs) and exits
with status 1; exits 0 when every sealed row holds. Rows not yet sealed are counted, not judged.
``--head`` takes a position and hash from an earlier seal's log line ("head 1234:ab…"), so that
rows cut off the end of the chain are found too.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext_lazy as _

from onewindow.core import audit_chain
from onewindow.core.audit_chain import ChainBreak, audit_seal, audit_verify
from onewindow.core.management.commands._bilingual import both


def _head(text: str) -> tuple[int, str]:
    seq, _sep, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise CommandError(
            both(_("--head must be a position and a hash: SEQ:HASH (64 hex digits)."))
        )
    return int(seq), digest.lower()


def describe(broken: ChainBreak, last_seq: int) -> str:
    """The break in both languages."""
    where = {"id": broken.row_id, "seq": broken.seq}
    if broken.kind == audit_chain.GAP:
        assert broken.missing is not None
        return both(
            _(
                "Audit chain broken at row %(id)s (position %(seq)s): positions %(first)s to "
                "%(last)s are missing (rows deleted)."
            ),
            first=broken.missing[0],
            last=broken.missing[1],
            **where,
        )
    if broken.kind == audit_chain.LINK:
        return both(
            _(
                "Audit chain broken at row %(id)s (position %(seq)s): its link is not the "
                "previous row's hash (expected %(expected)s, found %(found)s)."
            ),
            expected=broken.expected,
            found=broken.found or "-",
            **where,
        )
    if broken.kind == audit_chain.CONTENT:
        if broken.fields:
            return both(
                _(
                    "Audit chain broken at row %(id)s (position %(seq)s): changed since it was "
                    "sealed: %(fields)s."
                ),
                fields=", ".join(broken.fields),
                **where,
            )
        return both(
            _(
                "Audit chain broken at row %(id)s (position %(seq)s): its stored hash or field "
                "checks were altered (the fields are as sealed)."
            ),
            **where,
        )
    if broken.kind == audit_chain.STORED_HEAD:
        return _describe_stored_head(broken, last_seq)
    if broken.row_id is not None:
        return both(
            _(
                "Audit chain does not reach the given head: row %(id)s at position %(seq)s has "
                "another hash (expected %(expected)s, found %(found)s); the chain was rewritten "
                "from there."
            ),
            expected=broken.expected,
            found=broken.found,
            **where,
        )
    return both(
        _(
            "Audit chain does not reach the given head: it ends at position %(last)s, the head "
            "is at position %(seq)s; rows after it were cut off."
        ),
        last=last_seq,
        seq=broken.seq,
    )


def _describe_stored_head(broken: ChainBreak, last_seq: int) -> str:
    if broken.row_id is not None:
        return both(
            _(
                "Audit chain does not reach the seal's stored head: row %(id)s at position "
                "%(seq)s has another hash (expected %(expected)s, found %(found)s); the chain "
                "was rewritten or begun again from there."
            ),
            id=broken.row_id,
            seq=broken.seq,
            expected=broken.expected,
            found=broken.found,
        )
    if broken.seq:
        return both(
            _(
                "Audit chain broken: it ends at position %(last)s, but the seal had already "
                "chained %(seq)s rows; rows were removed (the table emptied and the chain begun "
                "again, or rows cut off the end)."
            ),
            last=last_seq,
            seq=broken.seq,
        )
    return both(
        _(
            "Audit chain broken: the seal's stored head is missing while %(last)s rows are "
            "sealed; it was removed."
        ),
        last=last_seq,
    )


class Command(BaseCommand):
    help = "Verify the audit chain; name the first broken row (exit status 1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seal", action="store_true", help="seal the rows not yet chained first"
        )
        parser.add_argument("--head", default="", help="SEQ:HASH from an earlier seal's log")

    def handle(self, *args: Any, **options: Any) -> None:
        head = _head(options["head"]) if options["head"] else None
        if options["seal"]:
            audit_seal()
        outcome = audit_verify(head=head)
        if outcome.unsealed:
            self.stdout.write(
                both(
                    _("Rows not yet sealed: %(count)s (the oldest written at %(at)s)."),
                    count=outcome.unsealed,
                    at=outcome.oldest_unsealed_at.isoformat() if outcome.oldest_unsealed_at else "",
                )
            )
        if outcome.broken is not None:
            raise CommandError(describe(outcome.broken, outcome.head_seq), returncode=1)
        self.stdout.write(
            both(
                _("Audit chain intact; rows verified: %(count)s; chain head %(seq)s:%(hash)s."),
                count=outcome.checked,
                seq=outcome.head_seq,
                hash=outcome.head_hash,
            )
        )
