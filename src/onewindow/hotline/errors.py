"""The refusals of the hotline: each says what to do next (``core.errors``)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError
from onewindow.hotline.events import WORK_ORDER_EVENTS
from onewindow.workflow.errors import StaleRevision
from onewindow.workflow.errors import TransitionNotAllowed as _KernelNotAllowed


class WorkOrderNotAllowed(_KernelNotAllowed):
    def __init__(self, *, action: str, state: str):
        super().__init__(action=action, state=state)
        self.message = _("The work order is %(state)s; it cannot %(action)s now. Reload the page.")
        self.params = {"state": state, "action": WORK_ORDER_EVENTS.verb(action)}


class StaleWorkOrder(StaleRevision):
    def __init__(self) -> None:
        super().__init__()
        self.message = _(
            "This work order was changed meanwhile by someone else. Reload the page and check "
            "before you act again."
        )


class DispatchRefused(ApplicationError):
    """A dispatch that breaks a rule of the dispatch catalogue."""

    def __init__(self, message: str | Promise, **params: object) -> None:
        super().__init__(message=message, code="dispatch_refused", status=409, params=params)


class CallbackIncomplete(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_(
                "Not every caller of this order has been called back yet: record a call-back (or "
                "a failed attempt) for each before closing."
            ),
            code="callback_incomplete",
            status=409,
        )


class CallerCalledBack(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_(
                "This caller has already been reached on this round's call-back; call back the "
                "others."
            ),
            code="caller_called_back",
            status=409,
        )
