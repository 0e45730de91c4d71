"""Reads of comprehensive enforcement, scoped to the user (``org.permissions``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, Q, QuerySet, When

from onewindow.core.errors import NotFoundOrForbidden
from onewindow.core.identifiers import normalise_document_number
from onewindow.enforcement.codes import TEAM_UNIT_KIND, PartyKind
from onewindow.enforcement.models import EnforcementTask, PenaltyDecision
from onewindow.enforcement.transitions import OPEN_STATES, TaskState
from onewindow.org.codes import Role
from onewindow.org.models import Department, RoleAssignment
from onewindow.org.permissions import Action, require, scope_queryset
from onewindow.workflow.clock import LightBoundaries

NUMBER_MAX_LENGTH = 24


def tasks_visible(user: Any) -> QuerySet[EnforcementTask]:
    """The tasks ``user`` may read: their team's (officers, lead), every one (the 值班长, the
    auditor)."""
    return scope_queryset(
        user,
        Action.ENFORCEMENT_VIEW,
        EnforcementTask.objects.all(),
        department_path="team_id",
        region_code_path="region_code",
    )


def with_next_due(queryset: QuerySet[EnforcementTask]) -> QuerySet[EnforcementTask]:
    """``next_due``: the nearer of the task's deadline and, while the notice runs, the party's
    rectification deadline."""
    return queryset.annotate(
        next_due=Case(
            When(
                Q(rectify_due_at__isnull=False)
                & (Q(due_at__isnull=True) | Q(rectify_due_at__lt=F("due_at"))),
                then=F("rectify_due_at"),
            ),
            default=F("due_at"),
        )
    )


def light_rank(bounds: LightBoundaries) -> Any:
    return bounds.rank_expression(
        due="next_due", paused=Q(pk__in=[]), running=Q(state__in=OPEN_STATES)
    )


def task_queue(
    user: Any, bounds: LightBoundaries, *, open_only: bool = True
) -> QuerySet[EnforcementTask]:
    """The queue: the user's tasks, the ones at risk first (red, yellow, green, then the rest),
    then by deadline and number. One query whatever the number of tasks."""
    rows = with_next_due(tasks_visible(user).select_related("team"))
    if open_only:
        rows = rows.filter(state__in=OPEN_STATES)
    return rows.annotate(light_rank=light_rank(bounds)).order_by(
        "light_rank", F("next_due").asc(nulls_last=True), "number"
    )


def task_get(user: Any, number: str) -> EnforcementTask:
    """The task by number if ``user`` may read it; the one audited "not found" otherwise (a
    missing number and another team's task answer the same)."""
    task = None
    if (
        isinstance(number, str)
        and 0 < len(number) <= NUMBER_MAX_LENGTH
        and number.isascii()
        and number.isalnum()
    ):
        task = (
            with_next_due(EnforcementTask.objects.select_related("team"))
            .filter(number=number)
            .first()
        )
    if task is None:
        require(user, Action.ENFORCEMENT_VIEW, None)
        raise NotFoundOrForbidden()
    require(user, Action.ENFORCEMENT_VIEW, task, hide=True)
    return task


def team_officers(team_id: int) -> list[Any]:
    """The team's enforcement officers (active accounts), by name: the officers a record can
    name."""
    from django.contrib.auth import get_user_model

    user_ids = RoleAssignment.objects.filter(
        role=Role.ENFORCEMENT_OFFICER, department_id=team_id
    ).values("user_id")
    return list(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .order_by("last_name", "first_name", "username")
    )


def enforcement_teams() -> QuerySet[Department]:
    """The departments that are comprehensive enforcement teams (their handling unit's kind)."""
    return Department.objects.filter(is_active=True, hotline_unit__kind=TEAM_UNIT_KIND)


def company_penalties(*, uscc: str) -> QuerySet[PenaltyDecision]:
    """The penalty decisions on the company with this unified social credit code, newest
    first — the public record the business-disclosure work publishes (a company's penalties
    are public information; persons' never appear here)."""
    code = normalise_document_number(uscc or "")
    if not code or len(code) != 18:
        return PenaltyDecision.objects.none()
    return (
        PenaltyDecision.objects.filter(
            disclosable=True,
            party__kind=PartyKind.COMPANY,
            party__uscc=code,
            task__state=TaskState.CONCLUDED,
        )
        .select_related("party", "task", "task__team")
        .order_by("-decided_at", "-id")
    )
