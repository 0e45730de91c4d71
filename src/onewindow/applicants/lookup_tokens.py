"""Look-up tokens: what an audited look-up of an applicant gives an API client instead of a
record id.

A client of the staff API never names an applicant by a bare id (which could be counted
through, filing in the name of citizens who never applied). It looks the applicant up by
document number (a person) or USCC (an organisation) — an audited read with a purpose — and
gets a token naming that applicant, signed with ``django.core.signing``, bound to the user who
looked, valid ``APPLICANT_LOOKUP_TOKEN_MINUTES`` (default 30). Only the same user can use it,
and only within that time; anything else is refused as one "not valid" answer.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from onewindow.applicants.models import Organisation, Person
from onewindow.core.errors import ErrorList

SALT = "onewindow.applicants.lookup-token"
PERSON, ORGANISATION = "person", "organisation"


def token_minutes() -> int:
    return int(getattr(settings, "APPLICANT_LOOKUP_TOKEN_MINUTES", 30))


def lookup_token_issue(*, user: Any, person: Person | None = None, organisation: Any = None) -> str:
    """A token naming ``person`` or ``organisation`` for ``user``."""
    if (person is None) == (organisation is None):
        raise ValueError("give exactly one of person and organisation")
    kind, pk = (PERSON, person.pk) if person is not None else (ORGANISATION, organisation.pk)
    return signing.dumps({"k": kind, "id": pk, "u": user.pk}, salt=SALT, compress=True)


def _refuse(field: str, code: str, message: Any) -> None:
    errors = ErrorList()
    errors.add(field, code, message)
    errors.raise_if_any(_("The applicant could not be identified."), code=code)


def lookup_token_resolve(*, token: str, user: Any, kind: str, field: str) -> Any:
    """The person or organisation a token issued to ``user`` names; ``ValidationFailed`` on
    ``field`` when it is expired, not this user's, of another kind or not a token at all."""
    try:
        data = signing.loads(token, salt=SALT, max_age=token_minutes() * 60)
    except signing.SignatureExpired:
        _refuse(
            field,
            "lookup_token_expired",
            _("The look-up token has expired: look the applicant up again."),
        )
    except signing.BadSignature:
        data = None
    model = Person if kind == PERSON else Organisation
    found = None
    if (
        isinstance(data, dict)
        and data.get("k") == kind
        and data.get("u") == user.pk
        and isinstance(data.get("id"), int)
    ):
        found = model.objects.filter(pk=data["id"]).first()
    if found is None:
        _refuse(
            field,
            "lookup_token_invalid",
            _("This is not a look-up token you were given: look the applicant up first."),
        )
    return found
