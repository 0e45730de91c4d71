"""Errors of the online application: each says what went wrong and what to do."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError
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
