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
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from onewindow.core.audit import audit_record

MAX_FAILURES = 5
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
        if sign_in_locked(username):
            raise self._locked_error()
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            if self._inactive_with_right_password(username, password):
                raise ValidationError(self.error_messages["inactive"], code="inactive")
            if _count_failure(username) >= MAX_FAILURES:
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
        self.confirm_login_allowed(self.user_cache)
        _forget_failures(username)
        return self.cleaned_data

    def _locked_error(self) -> ValidationError:
        return ValidationError(
            self.error_messages["locked"], code="locked", params={"minutes": LOCK_SECONDS // 60}
        )

    @sensitive_variables("password")
    def _inactive_with_right_password(self, username: str, password: str) -> bool:
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            return False
        return not user.is_active and user.check_password(password)
