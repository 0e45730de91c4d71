"""The refusals of comprehensive enforcement: each says what to do next (``core.errors``)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError
from onewindow.enforcement.events import TASK_EVENTS
from onewindow.workflow.errors import StaleRevision
from onewindow.workflow.errors import TransitionNotAllowed as _KernelNotAllowed


class TaskNotAllowed(_KernelNotAllowed):
    def __init__(self, *, action: str, state: str):
        super().__init__(action=action, state=state)
        self.message = _(
            "The enforcement task is %(state)s; it cannot %(action)s now. Reload the page."
        )
        self.params = {"state": state, "action": TASK_EVENTS.verb(action)}


class StaleTask(StaleRevision):
    def __init__(self) -> None:
        super().__init__()
        self.message = _(
            "This enforcement task was changed meanwhile by someone else. Reload the page and "
            "check before you act again."
        )


class EnforcementRefused(ApplicationError):
    """A record that breaks a rule of the procedure (not the team's, not two officers)."""

    def __init__(
        self, message: str | Promise, *, code: str = "enforcement_refused", **params: object
    ):
        super().__init__(message=message, code=code, status=409, params=params)
