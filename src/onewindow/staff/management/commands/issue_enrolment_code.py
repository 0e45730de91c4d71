"""``manage.py issue_enrolment_code <username>``: a one-time enrolment code issued at the
server's console, for a new install's first security administrator (nobody can issue theirs in
the admin yet). The same code as the admin's (``enrolment.issue_code_from_console``): shown here
once, kept as a keyed hash, valid ``STAFF_ENROLMENT_CODE_HOURS``; the record and the audit row
name the operating-system user who ran the command, and "console"."""

from __future__ import annotations

import getpass
import os
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


def operator_name() -> str:
    """The operating-system user at the console (its uid when it has no name)."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no LOGNAME/USER and no password-database entry
        name = ""
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return (name or f"uid {os.getuid()}")[:MAX_USERNAME]


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
        code, row = enrolment.issue_code_from_console(user=account, operator=operator_name())
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
