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


class ReportOutsideArea(ApplicationError):
    """A grid worker reports from a grid of another community (not theirs to report in)."""

    def __init__(self, *, grid: str) -> None:
        super().__init__(
            message=_(
                "This place is in grid %(grid)s, which is not in your area: report only in the "
                "communities you are posted to, or check the location."
            ),
            code="report_outside_area",
            status=403,
            params={"grid": grid},
        )


class ClientKeyTaken(ApplicationError):
    """A report key already used by another reporter (never the same phone's retry)."""

    def __init__(self) -> None:
        super().__init__(
            message=_(
                "This report's key was already used for another report. Start a new report on "
                "the phone."
            ),
            code="client_key_taken",
            status=409,
        )


class TooManyReports(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_(
                "Too many reports were sent from your network in the last hour. Wait a while, "
                "or call the 12345 hotline."
            ),
            code="too_many_reports",
            status=429,
        )
