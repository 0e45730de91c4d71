"""Errors of the case flow: each says what went wrong and what to do."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.cases.events import CASE_EVENTS
from onewindow.core.errors import ApplicationError, FieldError, ValidationFailed
from onewindow.workflow.errors import StaleRevision
from onewindow.workflow.errors import TransitionNotAllowed as _KernelNotAllowed


class TransitionNotAllowed(_KernelNotAllowed):
    """``action``: an event code of ``CASE_EVENTS`` (or the verb itself, from the mover)."""

    def __init__(self, *, action: str, state: str):
        super().__init__(action=action, state=state)
        self.message = _("The case is %(state)s; it cannot %(action)s now. Reload the page.")
        self.params = {"state": state, "action": CASE_EVENTS.verb(action)}


class StaleCase(StaleRevision):
    def __init__(self) -> None:
        super().__init__()
        self.message = _(
            "Someone else changed this case while you were looking at it. Reload the page "
            "and check before you act again."
        )


class MaterialsIncomplete(ValidationFailed):
    def __init__(self, errors: list[FieldError]):
        super().__init__(
            _("Papers are missing or faulty; accept with 容缺 only for papers that allow it."),
            errors,
            code="materials_incomplete",
        )


class MaterialsOutstanding(ApplicationError):
    def __init__(self, names: str):
        super().__init__(
            message=_(
                "Papers accepted under 容缺 have not arrived yet: %(names)s. The case can be "
                "decided when they arrive or the promise lapses."
            ),
            code="materials_outstanding",
            status=409,
            params={"names": names},
        )


class DecisionStands(ApplicationError):
    """A step after the deciding one (e.g. 办结 after the lead department's 审批) chose another
    outcome: it carries the decision out and cannot overturn it (ADR 0007)."""

    def __init__(self, *, step: str, department: str, outcome: object):
        super().__init__(
            message=_(
                "%(step)s by %(department)s decided “%(outcome)s”. This step carries that "
                "decision out and cannot change it: choose “%(outcome)s”, or send the case "
                "back for papers."
            ),
            code="decision_stands",
            status=409,
            params={"step": step, "department": department, "outcome": outcome},
        )
