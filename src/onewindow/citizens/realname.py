"""Real-name verification of a citizen account: does this resident ID belong to this name (and
this mobile)? An outside service in production (the public-security identity check, a carrier's
three-element check); pluggable.

The backend is the class named by the setting ``CITIZEN_REAL_NAME_VERIFIER`` (a dotted path),
built with no arguments for each check, with ``verify(*, id_number, name, phone_index,
reference) -> RealNameResult``. ``id_number`` is a checked resident ID, ``phone_index`` the
keyed blind index of the account's mobile (context ``person.phone``; a backend that needs the
number itself gets it from ``reference["account"]`` through an audited service — none does yet).

- ``DemoRegistryVerifier`` (the embedded demo's default): the city's own register stands in for
  the official check — a registered person with this ID, this exact name and this mobile
  (``applicants.services.citizen_identity_matches``, audited). So on the demo a citizen binds
  the person a window registered with their phone.
- ``NotConfigured`` (the default when ``DEBUG=0``): refuses every check, saying so.
- ``tests`` use ``AcceptAll`` / a class of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True)
class RealNameResult:
    """``verified``; ``code`` says why not in a word (``not_registered``, ``name_differs``,
    ``phone_differs``, ``not_configured``, ``unavailable``); ``reference`` is the outside
    service's number for the check (kept with the binding)."""

    verified: bool
    code: str = ""
    reference: str = ""


class RealNameVerifier(Protocol):
    name: str

    def verify(
        self, *, id_number: str, name: str, phone_index: str, reference: Mapping[str, Any]
    ) -> RealNameResult: ...


class NotConfigured:
    name = "not_configured"

    def verify(
        self, *, id_number: str, name: str, phone_index: str, reference: Mapping[str, Any]
    ) -> RealNameResult:
        return RealNameResult(verified=False, code=NOT_CONFIGURED)


class DemoRegistryVerifier:
    """Name, ID and mobile of a person registered at a window (three elements, the register
    standing in for the official services)."""

    name = "demo_registry"

    def verify(
        self, *, id_number: str, name: str, phone_index: str, reference: Mapping[str, Any]
    ) -> RealNameResult:
        from onewindow.applicants.services import citizen_identity_matches

        outcome = citizen_identity_matches(
            id_number=id_number, name=name, phone_index=phone_index, reference=reference
        )
        return RealNameResult(
            verified=outcome == "match", code="" if outcome == "match" else outcome
        )


class AcceptAll:
    """Every check passes: for tests only (an identity service that confirms anything)."""

    name = "accept_all"

    def verify(
        self, *, id_number: str, name: str, phone_index: str, reference: Mapping[str, Any]
    ) -> RealNameResult:
        return RealNameResult(verified=True, reference="test-check")


def real_name_verifier() -> RealNameVerifier:
    """An instance of the configured backend (``CITIZEN_REAL_NAME_VERIFIER``)."""
    path = getattr(settings, "CITIZEN_REAL_NAME_VERIFIER", "") or (
        "onewindow.citizens.realname.NotConfigured"
    )
    verifier: RealNameVerifier = import_string(path)()
    return verifier
