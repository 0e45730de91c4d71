"""A grid case (城市管理案件, GB/T 30428): states and moves, declared once on the workflow
kernel (ADR 0009) — the same kernel, dispatch shape and clocks as the 12345 work order
(hotline.transitions); ``workflow.mover.move`` is the only code that changes its state.

    (new) ─report (grid worker)──────────────────────► to_file ─refuse─► not_filed
    (new) ─report_public─► to_verify ─verify (on site)─┘   │
    (new) ─self_handle─► closed (自行处置)                   file
                                                           ▼
          to_dispatch ─dispatch (clock starts)─► handling ─feedback─► to_check ─check─► to_close
               ▲                       redispatch, extend ─┘ ▲  │                       │
               └──────────return (回退)────────────┘          └──rework (返工)──┘ ◄─reject─┘
    handling ─park (挂账)─► parked ─unpark─► handling          to_close ─close─► closed
    any open state ─void (作废)─► void

The handling clock runs while a unit holds the case (handling); its staged limits are
``CaseStage`` rows, the case's ``due_at`` is the current stage's.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.urban.errors import GridCaseNotAllowed, StaleGridCase
from onewindow.urban.events import CASE_EVENTS
from onewindow.workflow.machine import NEW, Move, StateMachine

__all__ = ["CASE_MACHINE", "CASE_TRANSITIONS", "NEW", "OPEN_STATES", "CaseState"]


class CaseState(models.TextChoices):
    TO_VERIFY = "to_verify", _("To be verified on site (待核实)")
    TO_FILE = "to_file", _("To be filed (待立案)")
    NOT_FILED = "not_filed", _("Not filed (不予立案)")
    TO_DISPATCH = "to_dispatch", _("To be dispatched (待派遣)")
    HANDLING = "handling", _("Being handled by the unit (处置中)")
    TO_CHECK = "to_check", _("Fed back, to be checked on site (待核查)")
    TO_CLOSE = "to_close", _("Checked, to be closed (待结案)")
    CLOSED = "closed", _("Closed (已结案)")
    PARKED = "parked", _("Parked long-term (挂账)")
    VOID = "void", _("Void (作废)")


S = CaseState
REPORT, VERIFY, FILE = Action.URBAN_REPORT, Action.URBAN_VERIFY, Action.URBAN_FILE
DISPATCH, HANDLE = Action.URBAN_DISPATCH, Action.URBAN_HANDLE
OPEN_STATES = frozenset(
    {S.TO_VERIFY, S.TO_FILE, S.TO_DISPATCH, S.HANDLING, S.TO_CHECK, S.TO_CLOSE, S.PARKED}
)

CASE_MACHINE = StateMachine(
    name="urban.grid_case",
    model="urban.GridCase",
    states=CaseState,
    events=CASE_EVENTS,
    moves=[
        Move("report", {NEW}, S.TO_FILE, permission=REPORT, public=False),
        Move("report_public", {NEW}, S.TO_VERIFY, notifies=True),
        Move("self_handle", {NEW}, S.CLOSED, permission=REPORT, public=False),
        Move("verify", {S.TO_VERIFY}, S.TO_FILE, permission=VERIFY),
        Move("file", {S.TO_FILE}, S.TO_DISPATCH, permission=FILE, notifies=True),
        Move("refuse", {S.TO_VERIFY, S.TO_FILE}, S.NOT_FILED, permission=FILE, notifies=True),
        Move("dispatch", {S.TO_DISPATCH}, S.HANDLING, permission=DISPATCH),
        Move("redispatch", {S.HANDLING}, S.HANDLING, permission=DISPATCH, public=False),
        Move("return", {S.HANDLING}, S.TO_DISPATCH, permission=HANDLE, public=False),
        Move("extend", {S.HANDLING}, S.HANDLING, permission=FILE, public=False),
        Move("feedback", {S.HANDLING}, S.TO_CHECK, permission=HANDLE, notifies=True),
        Move("check", {S.TO_CHECK}, S.TO_CLOSE, permission=VERIFY, public=False),
        Move("rework", {S.TO_CHECK, S.TO_CLOSE}, S.HANDLING, permission=VERIFY, public=False),
        Move("close", {S.TO_CLOSE}, S.CLOSED, permission=FILE, notifies=True),
        Move("park", {S.HANDLING}, S.PARKED, permission=FILE, public=False),
        Move("unpark", {S.PARKED}, S.HANDLING, permission=FILE, public=False),
        Move(
            "void",
            {S.TO_VERIFY, S.TO_FILE, S.TO_DISPATCH, S.HANDLING, S.PARKED},
            S.VOID,
            permission=FILE,
            notifies=True,
        ),
    ],
    running={S.HANDLING},
    terminal={S.CLOSED, S.NOT_FILED, S.VOID},
    event_model="urban.GridCaseEvent",
    event_fields=lambda case: {"case": case},
    audit_prefix="urban.case_",
    notifier="onewindow.urban.notifications.grid_case_event_notify",
    not_allowed=GridCaseNotAllowed,
    stale=StaleGridCase,
)

CASE_TRANSITIONS = CASE_MACHINE.table()
# A unit holds the case (its queue, the handling clock).
AT_UNIT_STATES = frozenset({S.HANDLING})
