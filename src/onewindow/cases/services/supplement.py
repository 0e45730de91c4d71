"""Papers arriving after intake: a window 补正 is accepted, a back-office 补正 resumes the
clock, a 容缺 paper is marked received.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.errors import TransitionNotAllowed
from onewindow.cases.models import Case, MaterialStatus, PauseKind
from onewindow.cases.services.clock_pauses import resume_locked
from onewindow.cases.services.core import (
    case_record,
    case_transition,
    check_case_revision,
    lock_case,
)
from onewindow.cases.services.intake import MaterialReceipt
from onewindow.cases.services.tasks import advance_if_no_tasks, tasks_create
from onewindow.cases.transitions import CaseState
from onewindow.catalog.codes import MaterialNecessity
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.org.permissions import Action, require
from onewindow.workflow import clock


def case_supplement_received(
    *,
    case: Case,
    actor: Any,
    receipts: Sequence[MaterialReceipt],
    expected_revision: int | None = None,
) -> Case:
    """Papers arrive: after a window 补正 the case is accepted now; after a back-office 补正 the
    clock resumes; a 容缺 paper is marked received."""
    require(actor, Action.CASE_ACCEPT, case.centre, hide=True)
    return _case_supplement_received(
        case=case, actor=actor, receipts=receipts, expected_revision=expected_revision
    )


PAPERS_MAY_ARRIVE = frozenset(
    {CaseState.SUPPLEMENT_REQUESTED, CaseState.ACCEPTED, CaseState.SUSPENDED}
)


def case_papers_may_arrive(case: Case) -> bool:
    """Whether the window can record papers for ``case`` now (the rule the service enforces):
    a live case with a paper still outstanding, or one paused for a back-office 补正, which may
    ask again for a paper already received."""
    if case.state not in PAPERS_MAY_ARRIVE:
        return False
    return (
        case.state == CaseState.SUSPENDED
        or case.materials.exclude(status=MaterialStatus.RECEIVED).exists()
    )


@transaction.atomic
def _case_supplement_received(
    *, case: Case, actor: Any, receipts: Sequence[MaterialReceipt], expected_revision: int | None
) -> Case:
    case = lock_case(case)
    if case.state not in PAPERS_MAY_ARRIVE:
        raise TransitionNotAllowed(action="papers_received", state=case.get_state_display())
    check_case_revision(case, expected_revision)
    if not receipts:
        raise ValidationFailed(_("Tick the papers that arrived."), [], code="no_papers")
    # A back-office 补正 may ask again for a paper already received (a corrected version);
    # otherwise only papers still outstanding can arrive.
    correcting = case.state == CaseState.SUSPENDED
    now = timezone.now()
    by_name = {m.name: m for m in case.materials.all()}
    for receipt in receipts:
        material = by_name.get(receipt.name)
        if material is None:
            raise ApplicationError(
                _("Not on this case's checklist: %(names)s."),
                code="unknown_material",
                status=422,
                params={"names": receipt.name},
            )
        if material.status == MaterialStatus.RECEIVED and not correcting:
            raise ApplicationError(
                _("%(names)s was received already."),
                code="already_received",
                status=409,
                params={"names": receipt.name},
            )
        material.status = MaterialStatus.RECEIVED
        material.receive_form = receipt.receive_form
        material.copies = receipt.copies
        material.received_at = now
        material.problem = ""
        material.save()
    case_record(
        case,
        action="papers_received",
        actor=actor,
        now=now,
        data={"papers": [r.name for r in receipts]},
    )
    if case.state == CaseState.SUPPLEMENT_REQUESTED:
        still = [
            m.name
            for m in by_name.values()
            if m.status in (MaterialStatus.MISSING, MaterialStatus.FAULTY)
            and m.necessity != MaterialNecessity.OPTIONAL
        ]
        if not still:
            case.accepted_at = now
            case.due_at = clock.due_after(now, case.time_limit, case.time_limit_unit)
            case_transition(
                case=case,
                action="accept",
                actor=actor,
                now=now,
                department=case.department,
                data={"due_at": case.due_at.isoformat()},
            )
            tasks_create(case, case.item_version, now=now)
            advance_if_no_tasks(case, actor=actor, now=now)
    elif (
        case.state == CaseState.SUSPENDED
        and case.pauses.filter(kind=PauseKind.SUPPLEMENT, ended_at=None).exists()
    ):
        resume_locked(case, actor=actor, result=str(_("Papers received")), now=now)
    return case
