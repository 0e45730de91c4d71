"""``manage.py demo_logins``: print the demo accounts with their role, scope and password."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import bilingual
from onewindow.demo.citizen import (
    DEMO_CITIZEN_ID,
    DEMO_CITIZEN_NAME,
    DEMO_CITIZEN_PHONE,
    demo_citizen,
)
from onewindow.demo.generator import DEMO_PASSWORD, demo_usernames
from onewindow.org.models import Role

ROWS_PER_KIND = 3  # without --all, how many accounts of each kind are listed


def both(message: str | Promise, **params: Any) -> str:
    """Chinese and English, once when they are the same (no translation yet)."""
    text = bilingual(message, **params)
    return text["zh"] if text["zh"] == text["en"] else f"{text['zh']} / {text['en']}"


def account_kind(username: str) -> str:
    """``clerk01`` → ``clerk``, ``approver_zjj`` → ``approver``."""
    return re.sub(r"\d+$", "", username.split("_")[0])


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


class Command(BaseCommand):
    help = str(_("Print the demo logins: username, role, scope and the shared demo password."))

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help=str(_("List every demo account, not only the first of each role.")),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        usernames = demo_usernames()
        users = {
            user.username: user
            for user in get_user_model()
            .objects.filter(username__in=usernames)
            .prefetch_related(
                "role_assignments__department",
                "role_assignments__centre",
                "role_assignments__region",
            )
        }
        if not users:
            self.stdout.write(
                both(
                    _(
                        "No demo logins yet. Create the demo city first with: "
                        "python manage.py demo_city"
                    )
                )
            )
            return
        rows: list[tuple[str, str, str, str]] = []
        shown: dict[str, int] = {}
        hidden = 0
        for username in usernames:
            user = users.get(username)
            if user is None:
                continue
            assignments = sorted(user.role_assignments.all(), key=lambda a: a.pk)
            kind = account_kind(username)
            shown[kind] = shown.get(kind, 0) + 1
            if not options["all"] and shown[kind] > ROWS_PER_KIND:
                hidden += 1
                continue
            roles = []
            for assignment in assignments:
                label = both(Role(assignment.role).label)
                if label not in roles:
                    roles.append(label)
            scopes = []
            for assignment in assignments:
                scope = assignment.department or assignment.centre or assignment.region
                scopes.append(str(scope) if scope is not None else both(_("city-wide")))
            scope_text = (
                scopes[0]
                if len(scopes) == 1
                else both(_("%(first)s and %(count)s more"), first=scopes[0], count=len(scopes) - 1)
            )
            rows.append((username, ", ".join(roles), scope_text, DEMO_PASSWORD))

        header = (both(_("Username")), both(_("Role")), both(_("Scope")), both(_("Password")))
        widths = [max(display_width(row[i]) for row in [header, *rows]) for i in range(4)]
        self.stdout.write(both(_("Demo logins")))
        for row in [header, tuple("-" * w for w in widths), *rows]:
            self.stdout.write(
                "  ".join(pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip()
            )
        if hidden:
            self.stdout.write(
                both(_("… and %(count)s more accounts (show them with --all)."), count=hidden)
            )
        self.stdout.write(
            both(_("Every demo account uses the password %(password)s."), password=DEMO_PASSWORD)
        )
        if demo_citizen() is not None:
            self.stdout.write(
                both(
                    _(
                        "Demo citizen at /my/: mobile %(phone)s (the sign-in code is written to "
                        "the server's console), real name %(name)s, resident ID %(id_number)s."
                    ),
                    phone=DEMO_CITIZEN_PHONE,
                    name=DEMO_CITIZEN_NAME,
                    id_number=DEMO_CITIZEN_ID,
                )
            )
