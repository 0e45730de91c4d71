"""Signing staff in: the form, and the locks after repeated wrong passwords.

Two limits, both counted in the cache (shared between workers when ``CACHE_REDIS_URL`` is set),
both settings:

- per user name: after ``STAFF_SIGN_IN_MAX_FAILURES`` wrong passwords within
  ``STAFF_SIGN_IN_LOCK_MINUTES`` the name is locked until that window ends; even the right
  password is refused. Names that do not exist are counted the same way, so the answer never
  tells whether an account exists.
- per client address, across any names: after ``STAFF_SIGN_IN_ADDRESS_MAX_FAILURES`` failed
  tries within ``STAFF_SIGN_IN_ADDRESS_LOCK_MINUTES`` the address is refused for the rest of
  that window (one guesser trying many names). A successful sign-in takes its try back, so a
  busy hall behind one address is not locked by its own clerks.

Every refusal is audited (``denied:staff.sign_in`` with the reason and the address). The row
never holds the password typed, and holds the name typed only when it is an existing account:
otherwise a short keyed hash of it (people type passwords into the name field).
A switched-off (inactive) account is named as such only to someone who knows its password.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import AllowAllUsersModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from onewindow.core.audit import audit_record
from onewindow.core.client import client_address
from onewindow.core.crypto import blind_index

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
UNKNOWN_NAME_CONTEXT = "staff.sign_in.unknown_name"


def max_failures() -> int:
    return int(settings.STAFF_SIGN_IN_MAX_FAILURES)


def lock_seconds() -> int:
    return int(settings.STAFF_SIGN_IN_LOCK_MINUTES) * 60


def address_max_failures() -> int:
    return int(settings.STAFF_SIGN_IN_ADDRESS_MAX_FAILURES)


def address_lock_seconds() -> int:
    return int(settings.STAFF_SIGN_IN_ADDRESS_LOCK_MINUTES) * 60


def _failure_key(username: str) -> str:
    return f"staff.sign_in.failures:{username.strip().casefold()}"


def _address_key(address: str) -> str:
    return f"staff.sign_in.address_failures:{address}"


def sign_in_failures(username: str) -> int:
    return int(cache.get(_failure_key(username), 0))


def sign_in_locked(username: str) -> bool:
    return sign_in_failures(username) >= max_failures()


def _count(key: str, timeout: int) -> int:
    # The window starts at the first failure; ``add`` does nothing when the key exists.
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def _count_failure(username: str) -> int:
    return _count(_failure_key(username), lock_seconds())


def _forget_failures(username: str) -> None:
    cache.delete(_failure_key(username))


def _give_back_address_try(address: str) -> None:
    with contextlib.suppress(ValueError):  # the window ended meanwhile
        cache.decr(_address_key(address))


def name_for_audit(username: str) -> tuple[str, str]:
    """``(object_id, object_repr)`` for an audit row about the name typed: the account when it
    exists, else ``unknown:`` and a short keyed hash (HMAC), never the text itself."""
    user_model = get_user_model()
    user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
    if user is not None:
        return str(user.pk), user.get_username()
    # Keyed (the blind-index key, its own context): a plain hash of a password typed into the
    # name field would be reversed with a dictionary.
    digest = blind_index(username.strip().casefold(), context=UNKNOWN_NAME_CONTEXT)[:16]
    return "", f"unknown:{digest}"


class StaffSignInForm(AuthenticationForm):
    """Django's sign-in form with our messages (shown in Chinese and English) and the locks."""

    username = forms.CharField(
        label=_("User name"),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )

    error_messages = {
        "invalid_login": _(
            "Wrong user name or password. Check both (capital letters count) and try again."
        ),
        "inactive": _("This account is switched off. Ask your centre manager to switch it on."),
        "locked": _(
            "Too many wrong passwords: this account is locked for %(minutes)s minutes. Wait, or "
            "ask your centre manager."
        ),
        "address_locked": _(
            "Too many failed sign-ins from this computer: signing in here is paused for "
            "%(minutes)s minutes. Wait, or ask your centre manager."
        ),
    }

    def _audit_refusal(self, username: str, reason: str, **detail: Any) -> None:
        object_id, object_repr = name_for_audit(username)
        audit_record(
            actor=None,
            action="denied:staff.sign_in",
            object_type="auth.user",
            object_id=object_id,
            object_repr=object_repr,
            allowed=False,
            detail={"reason": reason, "address": client_address(self.request), **detail},
        )

    @sensitive_variables("password")
    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        address = client_address(self.request)
        # Each try takes its numbers *before* the password is checked, so that many tries sent
        # at once cannot all pass a lock that is counted only afterwards.
        from_address = _count(_address_key(address), address_lock_seconds())
        if from_address > address_max_failures():
            if from_address == address_max_failures() + 1:
                self._audit_refusal(username, "address_locked", failures=address_max_failures())
            raise ValidationError(
                self.error_messages["address_locked"],
                code="address_locked",
                params={"minutes": address_lock_seconds() // 60},
            )
        attempt = _count_failure(username)
        if attempt > max_failures():
            raise self._locked_error()
        # One password check whatever the account (unknown, inactive or active): the answer's
        # timing does not tell them apart.
        user = AllowAllUsersModelBackend().authenticate(
            self.request, username=username, password=password
        )
        if user is not None and not user.is_active:
            self._audit_refusal(username, "inactive")
            raise ValidationError(self.error_messages["inactive"], code="inactive")
        if user is None:
            if attempt == max_failures():
                self._audit_refusal(username, "locked", failures=max_failures())
                raise self._locked_error()
            self._audit_refusal(username, "wrong_password", failures=attempt)
            raise self.get_invalid_login_error()
        user.backend = MODEL_BACKEND  # type: ignore[attr-defined]
        self.user_cache = user
        self.confirm_login_allowed(user)
        _forget_failures(username)
        _give_back_address_try(address)
        return self.cleaned_data

    def _locked_error(self) -> ValidationError:
        return ValidationError(
            self.error_messages["locked"], code="locked", params={"minutes": lock_seconds() // 60}
        )
