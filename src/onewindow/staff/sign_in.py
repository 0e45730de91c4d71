"""Signing staff in: the form, and the lock after repeated wrong passwords.

Wrong passwords are counted per user name in the cache (shared between workers when
``CACHE_REDIS_URL`` is set). After ``MAX_FAILURES`` within ``LOCK_SECONDS`` the name is locked
until that window ends: even the right password is refused, and the lock is audited. Names that
do not exist are counted the same way, so the answer never tells whether an account exists.
A switched-off (inactive) account is named as such only to someone who knows its password.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.backends import AllowAllUsersModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from onewindow.core.audit import audit_record

MAX_FAILURES = 5
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
LOCK_SECONDS = 15 * 60


def _failure_key(username: str) -> str:
    return f"staff.sign_in.failures:{username.strip().casefold()}"


def sign_in_failures(username: str) -> int:
    return int(cache.get(_failure_key(username), 0))


def sign_in_locked(username: str) -> bool:
    return sign_in_failures(username) >= MAX_FAILURES


def _count_failure(username: str) -> int:
    key = _failure_key(username)
    # The window starts at the first failure; ``add`` does nothing when the key exists.
    cache.add(key, 0, timeout=LOCK_SECONDS)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=LOCK_SECONDS)
        return 1


def _forget_failures(username: str) -> None:
    cache.delete(_failure_key(username))


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "") or ""


class StaffSignInForm(AuthenticationForm):
    """Django's sign-in form with our messages (shown in Chinese and English) and the lock."""

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
    }

    @sensitive_variables("password")
    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        # Each try takes its number *before* the password is checked, so that many tries sent
        # at once cannot all pass a lock that is counted only afterwards.
        attempt = _count_failure(username)
        if attempt > MAX_FAILURES:
            raise self._locked_error()
        # One password check whatever the account (unknown, inactive or active): the answer's
        # timing does not tell them apart.
        user = AllowAllUsersModelBackend().authenticate(
            self.request, username=username, password=password
        )
        if user is not None and not user.is_active:
            raise ValidationError(self.error_messages["inactive"], code="inactive")
        if user is None:
            if attempt == MAX_FAILURES:
                audit_record(
                    actor=None,
                    action="denied:staff.sign_in",
                    object_type="auth.user",
                    object_repr=username,
                    allowed=False,
                    detail={
                        "reason": "locked",
                        "failures": MAX_FAILURES,
                        "address": client_address(self.request),
                    },
                )
                raise self._locked_error()
            raise self.get_invalid_login_error()
        user.backend = MODEL_BACKEND  # type: ignore[attr-defined]
        self.user_cache = user
        self.confirm_login_allowed(user)
        _forget_failures(username)
        return self.cleaned_data

    def _locked_error(self) -> ValidationError:
        return ValidationError(
            self.error_messages["locked"], code="locked", params={"minutes": LOCK_SECONDS // 60}
        )
