"""An official identity check: does this name belong to this document? An outside system.

A change of a person's name needs either the ID card read at the window (the clerk's
attestation) or this check. The backend is a class named by the setting
``IDENTITY_VERIFIER`` (a dotted path); it is built once per check with no arguments and must
have ``verify(id_type, id_number, name) -> IdentityResult``. The default, ``NotConfigured``,
refuses every check with a message saying so: no city has wired its identity service yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_VERIFIER = "onewindow.applicants.identity.NotConfigured"
NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True)
class IdentityResult:
    """The answer of an identity check. ``reference`` is the outside system's own number for
    the check (recorded in the audit row); ``code`` says why a check failed, in a word
    (``not_configured``, ``name_mismatch``, ``unavailable`` …)."""

    verified: bool
    reference: str = ""
    code: str = ""


class IdentityVerifier(Protocol):
    def verify(self, id_type: str, id_number: str, name: str) -> IdentityResult: ...


class NotConfigured:
    """No identity service is connected: every check fails, saying so."""

    def verify(self, id_type: str, id_number: str, name: str) -> IdentityResult:
        return IdentityResult(verified=False, code=NOT_CONFIGURED)


def identity_verifier() -> IdentityVerifier:
    """An instance of the configured backend (``IDENTITY_VERIFIER``)."""
    path = getattr(settings, "IDENTITY_VERIFIER", "") or DEFAULT_VERIFIER
    verifier: IdentityVerifier = import_string(path)()
    return verifier
