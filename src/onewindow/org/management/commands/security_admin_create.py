"""``manage.py security_admin_create <username>``: a new install's first security administrator.

Roles are granted by the security administrator only (三员分立), so an install with none has
nobody who can grant any role; ``createsuperuser`` makes a system administrator, who may not.
This command, for the operator at the server's console, creates the one account that starts
the chain: a staff account holding only the security administrator role. It refuses once any
account holds that role (further ones are granted in the admin, audited), refuses a name in
use, and reads the password twice from the terminal (or once from standard input with
``--password-stdin``, for scripts), checked by the configured password validators. The audit row
names the operating-system user who ran it (effective uid) and "console". The new account then
enrols its second factor with ``manage.py issue_enrolment_code <username>``.
"""

from __future__ import annotations

import getpass
import os
import pwd
import sys
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit_record
from onewindow.core.errors import bilingual
from onewindow.core.validation import has_control_characters
from onewindow.org.codes import Role
from onewindow.org.models import RoleAssignment
from onewindow.org.services import staff_create

MAX_USERNAME = 150


def both(message: str | Promise, **params: Any) -> str:
    text = bilingual(message, **params)
    return f"{text['zh']}\n{text['en']}"


def console_operator() -> dict[str, Any]:
    uid = os.geteuid()
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        name = "?"
    return {"operator": name, "operator_uid": uid, "from": "console"}


class Command(BaseCommand):
    help = (
        "Create a new install's first security administrator (the only role that grants "
        "roles), at the server's console. Refused once any account holds the role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="user name of the new account")
        parser.add_argument("--full-name", default="", help="the person's name")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password (one line) from standard input instead of the terminal",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = str(options["username"]).strip()
        full_name = str(options["full_name"]).strip()
        if not name or len(name) > MAX_USERNAME or has_control_characters(name):
            raise CommandError(
                both(_("Give a user name of at most %(max)s characters."), max=MAX_USERNAME)
            )
        if len(full_name) > 150 or has_control_characters(full_name):
            raise CommandError(both(_("Give a name of at most 150 characters.")))
        if RoleAssignment.objects.filter(role=Role.SECURITY_ADMIN).exists():
            raise CommandError(
                both(
                    _(
                        "A security administrator exists already; further ones are granted "
                        "in the admin by a security administrator."
                    )
                )
            )
        if get_user_model().objects.filter(username=name).exists():
            raise CommandError(both(_("The user name %(name)s is taken."), name=name))
        password = self._password(options["password_stdin"])
        candidate = get_user_model()(username=name, first_name=full_name)
        try:
            password_validation.validate_password(password, candidate)
        except ValidationError as exc:
            raise CommandError("\n".join(str(message) for message in exc.messages)) from exc
        with transaction.atomic():
            # Checked again under the transaction: two consoles at once make one account.
            if RoleAssignment.objects.select_for_update().filter(role=Role.SECURITY_ADMIN).exists():
                raise CommandError(both(_("A security administrator exists already.")))
            user = staff_create(
                username=name,
                password=password,
                full_name=full_name,
                roles=[{"role": Role.SECURITY_ADMIN}],
            )
            audit_record(
                actor=None,
                action="org.security_admin_create",
                obj=user,
                detail=console_operator(),
            )
        self.stdout.write(
            both(
                _(
                    "Security administrator %(name)s created. Next: manage.py "
                    "issue_enrolment_code %(name)s for their second factor."
                ),
                name=name,
            )
        )

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(str(_("Password: ")))
            again = getpass.getpass(str(_("Password (again): ")))
            if password != again:
                raise CommandError(both(_("The two passwords differ.")))
        if not password or has_control_characters(password):
            raise CommandError(both(_("Give a password without control characters.")))
        return password
