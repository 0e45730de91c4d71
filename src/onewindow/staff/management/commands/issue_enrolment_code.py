"""``manage.py issue_enrolment_code <username>``: a one-time enrolment code issued at the
server's console, for a new install's first security administrator (nobody can issue theirs in
the admin yet). The same code as the admin's (``enrolment.issue_code_from_console``): shown here
once, kept as a keyed hash, valid ``STAFF_ENROLMENT_CODE_HOURS``; the record and the audit row
name the operating-system user who ran the command (from the effective uid, not from the
``USER``/``LOGNAME`` the caller can set), and "console". ``SUDO_USER`` is recorded too, as what
it is: a claim of the environment. Any unused code of the account (from the admin as well) stops
working; the output says how many."""

from __future__ import annotations

import os
import pwd
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import bilingual
from onewindow.core.validation import has_control_characters
from onewindow.staff import enrolment

MAX_USERNAME = 150


def both(message: str | Promise, **params: Any) -> str:
    text = bilingual(message, **params)
    return f"{text['zh']}\n{text['en']}"


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable()).strip()[:MAX_USERNAME]


def operator_identity() -> tuple[str, dict[str, Any]]:
    """Who runs the command: the password-database name of the effective uid (``USER`` and
    ``LOGNAME`` are not read: anyone sets them), and the uid. With ``SUDO_USER`` set, the
    account sudo says it came from, kept as claimed (the environment can be set by hand too).
    Returns the text for the record and the fields for the audit row."""
    uid = os.geteuid()
    try:
        name = _printable(pwd.getpwuid(uid).pw_name)
    except KeyError:  # a uid with no password-database entry (e.g. in a container)
        name = ""
    text = f"{name or '?'} (uid {uid})"
    detail: dict[str, Any] = {"operator_uid": uid}
    claimed = _printable(os.environ.get("SUDO_USER", ""))
    if claimed:
        text = f"{text}, SUDO_USER {claimed} (claimed)"
        detail["sudo_user_claimed"] = claimed
    return text[:MAX_USERNAME], detail


class Command(BaseCommand):
    help = (
        "Issue a one-time second-factor enrolment code for an active account, at the server's "
        "console (e.g. a new install's first security administrator). Prints the code once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="user name of the account that is to enrol")

    def handle(self, *args: Any, **options: Any) -> None:
        name = str(options["username"]).strip()
        if not name or len(name) > MAX_USERNAME or has_control_characters(name):
            raise CommandError(
                both(
                    _("Give the user name of an account (at most %(max)s characters)."),
                    max=MAX_USERNAME,
                )
            )
        account = get_user_model().objects.filter(username=name).first()
        if account is None:
            raise CommandError(
                both(_("There is no account with the user name %(name)s."), name=name)
            )
        if not account.is_active:
            raise CommandError(
                both(
                    _("The account %(name)s is switched off: switch it on before it enrols."),
                    name=name,
                )
            )
        operator, operator_detail = operator_identity()
        code, row, voided = enrolment.issue_code_from_console(
            user=account, operator=operator, operator_detail=operator_detail
        )
        expires = timezone.localtime(row.expires_at).strftime("%Y-%m-%d %H:%M")
        self.stdout.write(
            both(
                _(
                    "Enrolment code for %(name)s: %(code)s — valid once, until %(expires)s. Hand "
                    "it over in person; it is not shown again."
                ),
                name=name,
                code=code,
                expires=expires,
            )
        )
        if voided:
            self.stdout.write(
                both(
                    _(
                        "%(count)s unused enrolment code(s) issued earlier for %(name)s (in the "
                        "admin or here) no longer work."
                    ),
                    count=voided,
                    name=name,
                )
            )
