"""The refusals of grid management: each says what to do next (``core.errors``)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError
from onewindow.urban.events import CASE_EVENTS
from onewindow.workflow.errors import StaleRevision
from onewindow.workflow.errors import TransitionNotAllowed as _KernelNotAllowed


class GridCaseNotAllowed(_KernelNotAllowed):
    def __init__(self, *, action: str, state: str):
        super().__init__(action=action, state=state)
        self.message = _("The grid case is %(state)s; it cannot %(action)s now. Reload the page.")
        self.params = {"state": state, "action": CASE_EVENTS.verb(action)}


class StaleGridCase(StaleRevision):
    def __init__(self) -> None:
        super().__init__()
        self.message = _(
            "This grid case was changed meanwhile by someone else. Reload the page and check "
            "before you act again."
        )


class GridCaseRefused(ApplicationError):
    """A move that breaks a rule of grid management (a condition, a missing photo)."""

    def __init__(
        self, message: str | Promise, *, code: str = "grid_case_refused", **params: object
    ):
        super().__init__(message=message, code=code, status=409, params=params)
