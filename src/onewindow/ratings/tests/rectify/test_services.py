"""Each move of the bad-rating loop: the permission first (anonymous, another department, a
role that may not — nothing changed), the stale revision, the exact validation errors, and what
each move writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from onewindow.core.errors import NotFoundOrForbidden, ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.ratings.errors import RectificationNotAllowed, StaleRectification
from onewindow.ratings.models import Rating, Rectification, RectificationEvent
from onewindow.ratings.services import rectify
from onewindow.ratings.tests.rectify.conftest import fresh, rating_of
from onewindow.ratings.transitions import RectificationState
from onewindow.testing.factories import staff_with_role
from onewindow.workflow.clock import TimeUnit, due_after

S = RectificationState
pytestmark = pytest.mark.django_db


def snapshot(r: Rectification) -> tuple[Any, ...]:
    row = fresh(r)
    return (
        row.state,
        row.revision,
        row.events.count(),
        row.finding,
        row.fix_summary,
        row.resolution,
        row.due_at,
        row.rating.counts_in_scores,
    )


def field_errors(exc: ValidationFailed) -> list[tuple[str, str, str, str]]:
    return [(e["field"], e["code"], e["message"], e["message_en"]) for e in exc.as_dict()["errors"]]


def verify(r: Rectification, actor: Any, **kw: Any) -> Rectification:
    values = {"callback_result": "reached", "finding": "申请人反映等候时间过长，属实。"}
    values.update(kw)
    return rectify.rectification_verify(
        rectification=r, actor=actor, expected_revision=fresh(r).revision, **values
    )


def ledger(r: Rectification, actor: Any, days: Any = 5, **kw: Any) -> Rectification:
    return rectify.rectification_ledger(
        rectification=r,
        actor=actor,
        days=days,
        plan=kw.pop("plan", "增开高峰时段窗口"),
        expected_revision=fresh(r).revision,
        **kw,
    )


# --- permission first ------------------------------------------------------------------------


MOVES = {
    "verify": lambda r, u: verify(r, u),
    "fix_now": lambda r, u: rectify.rectification_fix_now(
        rectification=r, actor=u, fix_summary="x", expected_revision=r.revision
    ),
    "ledger": lambda r, u: ledger(r, u),
    "submit_fix": lambda r, u: rectify.rectification_submit_fix(
        rectification=r, actor=u, fix_summary="x", evidence="y", expected_revision=r.revision
    ),
    "explain": lambda r, u: rectify.rectification_explain(
        rectification=r, actor=u, explanation="x", expected_revision=r.revision
    ),
    "uphold_appeal": lambda r, u: rectify.rectification_uphold_appeal(
        rectification=r, actor=u, decision="x", expected_revision=r.revision
    ),
    "reject_appeal": lambda r, u: rectify.rectification_reject_appeal(
        rectification=r, actor=u, decision="x", expected_revision=r.revision
    ),
    "recheck": lambda r, u: rectify.rectification_recheck(
        rectification=r, actor=u, level=5, note="", expected_revision=r.revision
    ),
    "appeal": lambda r, u: rectify.rectification_appeal(
        rectification=r, actor=u, reason="x", expected_revision=r.revision
    ),
}


@pytest.mark.parametrize("action", list(MOVES))
@pytest.mark.parametrize("who", ["anonymous", "other_lead", "approver"])
def test_a_move_by_someone_without_the_right_is_the_one_404_and_changes_nothing(
    action, who, bad, other_lead, city, instant_case
):
    actor = {
        "anonymous": AnonymousUser(),
        "other_lead": other_lead,
        # The instant department's approver: department staff, not its lead.
        "approver": staff_with_role(Role.DEPT_APPROVER, department=instant_case.department),
    }[who]
    before = snapshot(bad)
    with pytest.raises(NotFoundOrForbidden):
        MOVES[action](fresh(bad), actor)
    assert snapshot(bad) == before
    assert AuditLog.objects.filter(allowed=False, action__startswith="denied:rating.").count() == 1


def test_the_department_lead_and_the_centre_manager_may_call_back(bad, lead, manager, instant_case):
    verify(bad, lead)
    assert fresh(bad).state == S.VERIFIED
    second = Rectification.objects.get(rating=rating_of(instant_case, 2, key="visit:x:1"))
    verify(second, manager)
    assert fresh(second).state == S.VERIFIED


def test_a_stale_or_missing_revision_is_refused_and_changes_nothing(bad, lead):
    before = snapshot(bad)
    for revision in (bad.revision + 1, None):
        with pytest.raises(StaleRectification) as caught:
            rectify.rectification_verify(
                rectification=bad,
                actor=lead,
                callback_result="reached",
                finding="属实",
                expected_revision=revision,
            )
        assert caught.value.as_dict()["message"] == "该整改单已被他人修改，请刷新页面核对后再操作。"
        assert caught.value.as_dict()["message_en"] == (
            "This rectification was changed meanwhile by someone else. Reload the page and "
            "check before you act again."
        )
    assert snapshot(bad) == before


def test_a_move_the_table_does_not_allow_now_is_refused(bad, lead):
    before = snapshot(bad)
    with pytest.raises(RectificationNotAllowed) as caught:
        rectify.rectification_fix_now(
            rectification=bad, actor=lead, fix_summary="已整改", expected_revision=bad.revision
        )
    assert caught.value.as_dict()["message_en"] == (
        "The rectification is To be called back (待回访核实); it cannot record a fix at once "
        "now. Reload the page."
    )
    assert snapshot(bad) == before


# --- validation ------------------------------------------------------------------------------


def test_the_call_back_needs_a_result_and_a_finding_without_control_characters(bad, lead):
    before = snapshot(bad)
    with pytest.raises(ValidationFailed) as caught:
        verify(bad, lead, callback_result="maybe", finding="  ")
    assert caught.value.as_dict()["message_en"] == (
        "The call-back is not recorded; correct the marked fields."
    )
    assert [e[::3] for e in field_errors(caught.value)] == [
        ("callback_result", "Say whether the rater was reached on the call-back."),
        ("finding", "Write what the call-back found (what happened, what the rater said)."),
    ]
    with pytest.raises(ValidationFailed) as caught:
        verify(bad, lead, finding="属\x00实")
    assert field_errors(caught.value)[0][:2] == ("finding", "control_characters")
    with pytest.raises(ValidationFailed) as caught:
        verify(bad, lead, finding="长" * 2001)
    assert [e[::3] for e in field_errors(caught.value)] == [
        ("finding", "At most 2000 characters are allowed.")
    ]
    assert snapshot(bad) == before


@pytest.mark.parametrize("days", [4, 16, "five", "", None, True, 5.5])
def test_a_ledger_deadline_is_5_to_15_working_days(days, bad, lead):
    verify(bad, lead)
    before = snapshot(bad)
    with pytest.raises(ValidationFailed) as caught:
        ledger(bad, lead, days=days)
    assert [e[::3] for e in field_errors(caught.value)] == [
        ("days", "Give a deadline of 5 to 15 working days.")
    ]
    assert field_errors(caught.value)[0][2] == "整改期限应为 5 至 15 个工作日。"
    assert snapshot(bad) == before


def test_the_ledger_bounds_are_the_local_rule(bad, lead, settings):
    settings.RATING_LEDGER_MIN_DAYS, settings.RATING_LEDGER_MAX_DAYS = 3, 4
    verify(bad, lead)
    with pytest.raises(ValidationFailed) as caught:
        ledger(bad, lead, days=5)
    assert [e[::3] for e in field_errors(caught.value)] == [
        ("days", "Give a deadline of 3 to 4 working days.")
    ]
    ledger(bad, lead, days=3)
    assert fresh(bad).time_limit == 3


# --- the paths through the loop --------------------------------------------------------------


def test_call_back_ledger_fix_in_time_call_back_again_closes(bad, lead):
    now = timezone.now()
    verify(bad, lead)
    row = fresh(bad)
    assert (row.callback_result, row.finding) == ("reached", "申请人反映等候时间过长，属实。")
    assert row.callback_at is not None
    ledger(bad, lead, days="5", now=now)
    row = fresh(bad)
    assert row.state == S.LEDGER
    assert (row.time_limit, row.time_limit_unit, row.resolution) == (
        5,
        TimeUnit.WORKING_DAY,
        "ledger",
    )
    assert row.due_at == due_after(now, 5, TimeUnit.WORKING_DAY)
    rectify.rectification_submit_fix(
        rectification=row,
        actor=lead,
        fix_summary="高峰时段增开2个窗口",
        evidence="排班表已调整并公示（2026年第12号通知）",
        expected_revision=row.revision,
        now=now + dt.timedelta(days=1),
    )
    row = fresh(bad)
    assert (row.state, row.fix_summary, row.evidence) == (
        S.FIXED,
        "高峰时段增开2个窗口",
        "排班表已调整并公示（2026年第12号通知）",
    )
    assert row.events.get(action="submit_fix").data == {"in_time": True}
    rectify.rectification_recheck(
        rectification=row,
        actor=lead,
        level="4",
        note="申请人表示满意",
        expected_revision=row.revision,
    )
    row = fresh(bad)
    assert (row.state, row.recheck_level) == (S.CLOSED, 4)
    assert row.closed_at is not None and row.recheck_at is not None
    assert list(row.events.order_by("id").values_list("action", flat=True)) == [
        "open",
        "verify",
        "ledger",
        "submit_fix",
        "recheck",
    ]
    assert list(
        AuditLog.objects.filter(action__startswith="ratings.rectification_")
        .values_list("action", flat=True)
        .order_by("id")
    ) == [
        "ratings.rectification_open",
        "ratings.rectification_verify",
        "ratings.rectification_ledger",
        "ratings.rectification_submit_fix",
        "ratings.rectification_recheck",
    ]


def test_a_fix_after_the_ledger_deadline_is_recorded_as_late(bad, lead):
    verify(bad, lead)
    ledger(bad, lead)
    row = fresh(bad)
    rectify.rectification_submit_fix(
        rectification=row,
        actor=lead,
        fix_summary="已整改",
        evidence="通知",
        expected_revision=row.revision,
        now=row.due_at + dt.timedelta(seconds=1),
    )
    assert fresh(bad).events.get(action="submit_fix").data == {"in_time": False}


def test_submit_fix_needs_both_the_fix_and_its_evidence(bad, lead):
    verify(bad, lead)
    ledger(bad, lead)
    before = snapshot(bad)
    with pytest.raises(ValidationFailed) as caught:
        rectify.rectification_submit_fix(
            rectification=bad,
            actor=lead,
            fix_summary="",
            evidence="",
            expected_revision=fresh(bad).revision,
        )
    assert [e[::3] for e in field_errors(caught.value)] == [
        ("fix_summary", "Write what was fixed."),
        ("evidence", "Write the evidence of the fix (what shows it is done, where it is kept)."),
    ]
    assert snapshot(bad) == before


def test_fixed_at_once_then_called_back(bad, manager):
    verify(bad, manager)
    rectify.rectification_fix_now(
        rectification=bad,
        actor=manager,
        fix_summary="当场致歉并办结",
        expected_revision=fresh(bad).revision,
    )
    row = fresh(bad)
    assert (row.state, row.resolution, row.fix_summary) == (
        S.FIXED,
        "fixed_at_once",
        "当场致歉并办结",
    )
    assert row.fixed_at is not None


def test_explained_closes(bad, lead):
    verify(bad, lead)
    rectify.rectification_explain(
        rectification=bad,
        actor=lead,
        explanation="依据《社会保险法》须本人到场核验，已向申请人说明。",
        expected_revision=fresh(bad).revision,
    )
    row = fresh(bad)
    assert (row.state, row.resolution) == (S.CLOSED, "explained")
    assert row.explanation == "依据《社会保险法》须本人到场核验，已向申请人说明。"


def test_recheck_needs_one_of_the_five_levels(bad, lead):
    verify(bad, lead)
    rectify.rectification_fix_now(
        rectification=bad, actor=lead, fix_summary="已整改", expected_revision=fresh(bad).revision
    )
    before = snapshot(bad)
    for level in (0, 6, "", "x"):
        with pytest.raises(ValidationFailed) as caught:
            rectify.rectification_recheck(
                rectification=bad,
                actor=lead,
                level=level,
                note="",
                expected_revision=fresh(bad).revision,
            )
        assert [e[::3] for e in field_errors(caught.value)] == [
            ("level", "Choose the rater's view of the fix (one of the five levels).")
        ]
    assert snapshot(bad) == before


# --- the appeal ------------------------------------------------------------------------------


def test_only_the_rated_staff_may_appeal_and_the_manager_upholds(bad, lead, manager, city):
    verify(bad, lead)
    for stranger in (city.output_clerk, lead):  # same centre / department, not rated in it
        before = snapshot(bad)
        with pytest.raises(NotFoundOrForbidden):
            rectify.rectification_appeal(
                rectification=bad,
                actor=stranger,
                reason="恶意差评",
                expected_revision=fresh(bad).revision,
            )
        assert snapshot(bad) == before
    assert (
        AuditLog.objects.filter(
            action="denied:rating.appeal", allowed=False, detail__why="not rated in it"
        ).count()
        == 2
    )
    with pytest.raises(ValidationFailed) as caught:
        rectify.rectification_appeal(
            rectification=bad, actor=city.clerk, reason=" ", expected_revision=fresh(bad).revision
        )
    assert [e[::3] for e in field_errors(caught.value)] == [
        ("reason", "Write why the rating should not count (what happened at the window).")
    ]
    rectify.rectification_appeal(
        rectification=bad,
        actor=city.clerk,
        reason="申请人因材料不全被告知补正后给差评，监控可证明接待规范。",
        expected_revision=fresh(bad).revision,
    )
    row = fresh(bad)
    assert (row.state, row.appeal_by) == (S.APPEALED, city.clerk)
    # The department lead does not review appeals.
    with pytest.raises(NotFoundOrForbidden):
        rectify.rectification_uphold_appeal(
            rectification=row, actor=lead, decision="同意", expected_revision=row.revision
        )
    with pytest.raises(ValidationFailed):
        rectify.rectification_uphold_appeal(
            rectification=row, actor=manager, decision="", expected_revision=row.revision
        )
    assert fresh(bad).rating.counts_in_scores is True
    rectify.rectification_uphold_appeal(
        rectification=row,
        actor=manager,
        decision="经调取监控，接待规范，申诉成立。",
        expected_revision=row.revision,
    )
    row = fresh(bad)
    assert (row.state, row.resolution, row.appeal_decision) == (
        S.UPHELD,
        "appeal_upheld",
        "经调取监控，接待规范，申诉成立。",
    )
    rating = Rating.objects.get(pk=row.rating_id)
    assert rating.counts_in_scores is False
    assert rating.excluded_reason == f"申诉成立（{row.number}）：经调取监控，接待规范，申诉成立。"


def test_a_rejected_appeal_goes_back_to_the_department(bad, lead, manager, city):
    verify(bad, lead)
    rectify.rectification_appeal(
        rectification=bad,
        actor=city.clerk,
        reason="非本人经办",
        expected_revision=fresh(bad).revision,
    )
    rectify.rectification_reject_appeal(
        rectification=bad,
        actor=manager,
        decision="经核实确为本人经办",
        expected_revision=fresh(bad).revision,
    )
    row = fresh(bad)
    assert (row.state, row.appeal_decision) == (S.VERIFIED, "经核实确为本人经办")
    assert row.rating.counts_in_scores is True
    rectify.rectification_explain(
        rectification=row, actor=lead, explanation="已说明", expected_revision=row.revision
    )
    assert fresh(bad).state == S.CLOSED


# --- reminders -------------------------------------------------------------------------------


def test_a_reminder_once_for_a_late_call_back_and_once_for_a_late_ledger(bad, lead, instant_case):
    row = fresh(bad)
    assert rectify.reminders_due_sweep(now=row.callback_due_at) == 0
    late = row.callback_due_at + dt.timedelta(seconds=1)
    assert rectify.reminders_due_sweep(now=late) == 1
    assert rectify.reminders_due_sweep(now=late + dt.timedelta(days=3)) == 0
    event = RectificationEvent.objects.get(rectification=bad, action="remind")
    assert (event.public, event.actor, event.data) == (
        False,
        None,
        {"kind": "callback", "due_at": row.callback_due_at.isoformat()},
    )
    assert fresh(bad).revision == row.revision  # a reminder changes nothing
    verify(bad, lead)
    ledger(bad, lead)
    due = fresh(bad).due_at
    assert rectify.reminders_due_sweep(now=due) == 0
    assert rectify.reminders_due_sweep(now=due + dt.timedelta(minutes=1)) == 1
    assert rectify.reminders_due_sweep(now=due + dt.timedelta(days=1)) == 0
    assert list(
        RectificationEvent.objects.filter(rectification=bad, action="remind")
        .values_list("data__kind", flat=True)
        .order_by("id")
    ) == ["callback", "ledger"]


def test_the_reminder_sweep_is_a_periodic_task():
    from onewindow.core.tasks import periodic_tasks
    from onewindow.ratings import tasks

    assert periodic_tasks()[tasks.rectification_reminders_sweep.name] == 15 * 60
