"""The citizens app's errors: bilingual, each saying what to do next."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError

SIGN_IN_REQUIRED = _("Sign in with your mobile number first.")


class CitizenSignInRequired(ApplicationError):
    def __init__(self) -> None:
        super().__init__(message=SIGN_IN_REQUIRED, code="citizen_sign_in_required", status=401)


class TooManyCodes(ApplicationError):
    """A code was refused by a sending limit (per number, per client address)."""

    def __init__(self, *, message: object, seconds: int, reason: str) -> None:
        super().__init__(
            message=message,  # type: ignore[arg-type]
            code="too_many_codes",
            status=429,
            params={"seconds": seconds, "minutes": max(1, (seconds + 59) // 60)},
        )
        self.reason = reason
        self.retry_after = seconds


class CodeRefused(ApplicationError):
    """A sign-in code that does not work: wrong, expired, used, or out of tries."""

    def __init__(self, *, message: object, code: str, **params: object) -> None:
        super().__init__(message=message, code=code, status=422, params=params)  # type: ignore[arg-type]


class RealNameRefused(ApplicationError):
    def __init__(self, *, message: object, code: str, status: int = 422) -> None:
        super().__init__(message=message, code=code, status=status)  # type: ignore[arg-type]


class AgentOutOfScope(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_(
                "Your authorisation for this company does not cover this. Ask its legal "
                "representative to extend it."
            ),
            code="agent_out_of_scope",
            status=403,
        )
