"""Errors of the online application: each says what went wrong and what to do."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError, FieldError, ValidationFailed
from onewindow.online.events import ONLINE_EVENTS
from onewindow.workflow.errors import StaleRevision
from onewindow.workflow.errors import TransitionNotAllowed as _KernelNotAllowed


class OnlineTransitionNotAllowed(_KernelNotAllowed):
    def __init__(self, *, action: str, state: str):
        super().__init__(action=action, state=state)
        self.message = _("The application is %(state)s; it cannot %(action)s now. Reload the page.")
        self.params = {"state": state, "action": ONLINE_EVENTS.verb(action)}


class StaleApplication(StaleRevision):
    def __init__(self) -> None:
        super().__init__()
        self.message = _(
            "This application was changed meanwhile (in another window or by the centre). "
            "Reload the page and check before you act again."
        )


class SubmissionKeyReused(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_(
                "This submission key was used for another submission; send a new key "
                "(Idempotency-Key)."
            ),
            code="idempotency_key_reused",
            status=409,
        )


REVISION_MISSING = _("The page did not say which version of the application it showed.")
REVISION_RELOAD = _("Reload the page and act again.")


def revision_required(raw: object) -> int:
    """The revision a posted page showed: digits only, below 10 digits; missing or malformed
    is refused (422), so that the stale check is never skipped."""
    text = str(raw if raw is not None else "")
    if text.isascii() and text.isdigit() and len(text) < 10:
        return int(text)
    raise ValidationFailed(
        REVISION_MISSING, [FieldError("revision", "invalid", REVISION_RELOAD)], code="revision"
    )
