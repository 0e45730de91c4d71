"""Every write of the case flow. ``case_transition`` is the only code that changes a case's state.

Each public service runs in one transaction, locks the case row (``select_for_update``) before it
reads the state, refuses a move the table in ``transitions.py`` does not allow, checks the
caller's revision when given (a stale page gets ``StaleCase``, never a silent overwrite), writes a
``CaseEvent`` and an audit row. Work that leaves the process (notifications) is sent after
commit.

The package's modules, lowest first (a module imports only the ones above it):

- ``core``: ``case_transition``, the case row lock, events, case numbers and query codes;
- ``clock_pauses``: special procedures that stop the clock (``case_suspend``, ``case_resume``);
- ``tasks``: back-office tasks (create, claim, assign, complete, open the next step, decide);
- ``intake``: the intake window (``Intake``, ``MaterialReceipt``, accept, 补正, refuse, instant);
- ``supplement``: papers arriving after intake (``case_supplement_received``);
- ``output``: 统一出件 (``case_deliver``);
- ``withdraw``: the applicant withdraws (``case_withdraw``).
"""

from onewindow.cases.services.clock_pauses import case_resume, case_suspend
from onewindow.cases.services.core import (
    QUERY_CODE_ALPHABET,
    case_number_next,
    case_transition,
    query_code_new,
    sequence_next,
)
from onewindow.cases.services.intake import (
    Intake,
    MaterialReceipt,
    case_accept,
    case_complete_instant,
    case_refuse_at_intake,
    case_request_supplement,
)
from onewindow.cases.services.output import case_deliver
from onewindow.cases.services.supplement import case_papers_may_arrive, case_supplement_received
from onewindow.cases.services.tasks import (
    BACK_OFFICE_KINDS,
    DEFAULT_ROLE,
    DEPARTMENT_ROLES,
    task_assign,
    task_claim,
    task_complete,
    task_worker_required,
)
from onewindow.cases.services.withdraw import case_withdraw

__all__ = [
    "BACK_OFFICE_KINDS",
    "DEFAULT_ROLE",
    "DEPARTMENT_ROLES",
    "QUERY_CODE_ALPHABET",
    "Intake",
    "MaterialReceipt",
    "case_accept",
    "case_complete_instant",
    "case_deliver",
    "case_number_next",
    "case_papers_may_arrive",
    "case_refuse_at_intake",
    "case_request_supplement",
    "case_resume",
    "case_supplement_received",
    "case_suspend",
    "case_transition",
    "case_withdraw",
    "query_code_new",
    "sequence_next",
    "task_assign",
    "task_claim",
    "task_complete",
    "task_worker_required",
]
