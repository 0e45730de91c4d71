"""The grid case's moves after intake, each on the real database: what it writes, with exact
deadlines and on-time flags, and what it refuses (wrong state, stale page, missing photo,
condition not confirmed, another's case as missing) with nothing changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from onewindow.core.errors import NotFoundOrForbidden, ValidationFailed
from onewindow.testing.grid_factories import category_make
from onewindow.urban.codes import PhotoKind, RequestDecision, RequestKind, Source
from onewindow.urban.errors import GridCaseNotAllowed, GridCaseRefused, StaleGridCase
from onewindow.urban.models import CasePhoto, CaseRequest, CaseStage, GridCaseEvent
from onewindow.urban.services.centre import (
    case_close,
    case_dispatch,
    case_file,
    case_redispatch,
    case_refuse,
    case_unpark,
    case_void,
    dispatch_proposal,
    first_of_next_month,
    request_decide,
)
from onewindow.urban.services.onsite import case_check, case_rework, case_verify
from onewindow.urban.services.unit import case_feedback, case_return, request_make, stage_done
from onewindow.urban.tests.conftest import MONDAY, case_in, fresh, jpeg, pdf, png
from onewindow.urban.transitions import CaseState
from onewindow.workflow.clock import TimeUnit

S = CaseState


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 3, day, hour, minute))


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "papers"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def actions(case) -> list[str]:
    return list(
        GridCaseEvent.objects.filter(case=case)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


def handling(scene, **fields):
    case = case_in(scene, S.TO_DISPATCH, **fields)
    return case_dispatch(
        actor=scene.dispatcher,
        case=case,
        revision=case.revision,
        department=scene.sanitation,
        now=MONDAY,
    )


# --- filing -------------------------------------------------------------------------------------


def test_the_chief_files_a_report_once_the_filing_condition_is_confirmed(scene):
    case = case_in(scene, S.TO_FILE, file_due_at=at(10, 30))
    with pytest.raises(ValidationFailed) as refused:
        case_file(actor=scene.chief, case=case, revision=0, condition_met=False)
    assert [e.field for e in refused.value.errors] == ["condition_met"]
    assert fresh(case).state == S.TO_FILE and actions(case) == []
    row = case_file(
        actor=scene.chief, case=case, revision=0, condition_met=True, note="属实", now=at(10)
    )
    assert (row.state, row.revision, row.filed_at, row.filed_by) == (
        S.TO_DISPATCH,
        1,
        at(10),
        scene.chief,
    )
    event = GridCaseEvent.objects.get(case=case)
    assert (event.action, event.reason, event.data) == ("file", "属实", {"on_time": True})


def test_filing_refuses_a_stale_page_a_wrong_state_and_anyone_but_the_chief(scene):
    case = case_in(scene, S.TO_FILE)
    with pytest.raises(StaleGridCase):
        case_file(actor=scene.chief, case=case, revision=3, condition_met=True)
    with pytest.raises(StaleGridCase):
        case_file(actor=scene.chief, case=case, revision=None, condition_met=True)
    for other in (scene.dispatcher, scene.worker, scene.sanitation_staff, scene.auditor):
        with pytest.raises(NotFoundOrForbidden):
            case_file(actor=other, case=case, revision=0, condition_met=True)
    closed = case_in(scene, S.CLOSED)
    with pytest.raises(GridCaseNotAllowed):
        case_file(actor=scene.chief, case=closed, revision=0, condition_met=True)
    assert fresh(case).state == S.TO_FILE and fresh(case).revision == 0


def test_a_report_verified_false_is_refused_not_filed(scene):
    case = case_in(scene, S.TO_VERIFY, source=Source.PUBLIC, verify_due_at=at(10))
    row = case_verify(
        actor=scene.worker,
        case=case,
        revision=0,
        found_true=False,
        note="现场无垃圾",
        photos=[jpeg()],
        now=at(9, 45),
    )
    assert (row.state, row.verified_true, row.verified_at) == (S.TO_FILE, False, at(9, 45))
    assert list(CasePhoto.objects.filter(case=case).values_list("kind", flat=True)) == [
        PhotoKind.VERIFY
    ]
    assert GridCaseEvent.objects.get(case=case).data == {
        "found_true": False,
        "photos": 1,
        "on_time": True,
    }
    with pytest.raises(GridCaseRefused):
        case_file(actor=scene.chief, case=row, revision=row.revision, condition_met=True)
    with pytest.raises(ValidationFailed):
        case_refuse(actor=scene.chief, case=row, revision=row.revision, reason="  ")
    refused = case_refuse(actor=scene.chief, case=row, revision=row.revision, reason="核实不属实")
    assert (refused.state, refused.refusal) == (S.NOT_FILED, "核实不属实")


def test_verify_is_the_case_grids_worker_and_says_whether_it_is_as_reported(scene):
    case = case_in(scene, S.TO_VERIFY, source=Source.PUBLIC)
    with pytest.raises(NotFoundOrForbidden):
        case_verify(actor=scene.other_worker, case=case, revision=0, found_true=True)
    with pytest.raises(ValidationFailed):
        case_verify(actor=scene.worker, case=case, revision=0, found_true="yes")
    with pytest.raises(ValidationFailed):  # false needs what was found
        case_verify(actor=scene.worker, case=case, revision=0, found_true=False)
    assert fresh(case).state == S.TO_VERIFY and stored_files() == []
    row = case_verify(actor=scene.worker, case=case, revision=0, found_true=True)
    assert (row.state, row.verified_true) == (S.TO_FILE, True)


# --- dispatch -----------------------------------------------------------------------------------


def test_the_proposal_puts_the_streets_own_unit_before_the_one_of_anywhere(scene):
    case = case_in(scene, S.TO_DISPATCH)
    assert dispatch_proposal(case) == [scene.sanitation, scene.bureau]
    elsewhere = case_in(scene, S.TO_DISPATCH, region_code="440103009001")
    assert dispatch_proposal(elsewhere) == [scene.bureau]


def test_dispatch_copies_the_stages_and_starts_the_first_in_working_hours(scene):
    staged = category_make(
        code="E0301",
        name="违法建设",
        stages=(
            ("停工", 4, TimeUnit.WORKING_HOUR),
            ("处罚", 7, TimeUnit.WORKING_DAY),
        ),
        units=(scene.sanitation,),
    )
    case = case_in(scene, S.TO_DISPATCH, category=staged)
    row = case_dispatch(
        actor=scene.dispatcher, case=case, revision=0, department=scene.sanitation.pk, now=MONDAY
    )
    # 09:30–12:00 is 2½ hours, the afternoon from 13:30 gives the last 1½: 15:00.
    assert (row.state, row.unit, row.dispatched_at, row.dispatch_accurate) == (
        S.HANDLING,
        scene.sanitation,
        MONDAY,
        True,
    )
    assert (row.due_at, row.time_limit, row.time_limit_unit) == (at(15), 4, TimeUnit.WORKING_HOUR)
    stages = list(
        CaseStage.objects.filter(case=case).values_list("order", "name", "started_at", "due_at")
    )
    assert stages == [(1, "停工", MONDAY, at(15)), (2, "处罚", None, None)]
    # The first stage done at 14:00: the penalty's seven working days run from then.
    row = stage_done(
        actor=scene.sanitation_staff, case=row, revision=row.revision, note="已停工", now=at(14)
    )
    second = CaseStage.objects.get(case=case, order=2)
    expected = timezone.make_aware(dt.datetime(2026, 3, 11, 23, 59, 59))
    assert (second.started_at, second.due_at, row.due_at) == (at(14), expected, expected)
    assert CaseStage.objects.get(case=case, order=1).done_at == at(14)
    event = GridCaseEvent.objects.filter(case=case).last()
    assert (event.action, event.data["on_time"], event.data["next"]) == ("stage", True, 2)
    with pytest.raises(GridCaseRefused):
        stage_done(actor=scene.sanitation_staff, case=row, revision=row.revision, note="再来")


def test_dispatch_refuses_a_department_that_is_no_handling_unit_and_the_wrong_role(scene):
    from onewindow.testing.factories import DepartmentFactory

    case = case_in(scene, S.TO_DISPATCH)
    for bad in (DepartmentFactory(), "x", None, 10**12):
        with pytest.raises(ValidationFailed):
            case_dispatch(actor=scene.dispatcher, case=case, revision=0, department=bad)
    with pytest.raises(NotFoundOrForbidden):
        case_dispatch(actor=scene.chief, case=case, revision=0, department=scene.sanitation)
    assert fresh(case).state == S.TO_DISPATCH and CaseStage.objects.count() == 0


def test_a_return_and_the_second_dispatch_are_not_accurate(scene):
    row = handling(scene)
    with pytest.raises(NotFoundOrForbidden):
        case_return(actor=scene.bureau_staff, case=row, revision=row.revision, reason="不是我们")
    row = case_return(
        actor=scene.sanitation_staff,
        case=row,
        revision=row.revision,
        reason="属区城管局",
        now=at(10),
    )
    assert (row.state, row.unit, row.due_at, row.return_count, row.dispatch_accurate) == (
        S.TO_DISPATCH,
        None,
        None,
        1,
        False,
    )
    assert list(CaseStage.objects.filter(case=row).values_list("started_at", flat=True)) == [None]
    row = case_dispatch(
        actor=scene.dispatcher, case=row, revision=row.revision, department=scene.bureau, now=at(10)
    )
    assert (row.unit, row.dispatch_accurate, row.due_at) == (scene.bureau, False, at(15, 30))


def test_redispatch_restarts_the_stages_at_another_unit(scene):
    row = handling(scene)
    with pytest.raises(ValidationFailed):
        case_redispatch(
            actor=scene.dispatcher, case=row, revision=row.revision, department=scene.sanitation
        )
    row = case_redispatch(
        actor=scene.dispatcher,
        case=row,
        revision=row.revision,
        department=scene.bureau,
        note="二次派遣",
        now=at(11),
    )
    assert (row.state, row.unit, row.redispatch_count, row.dispatch_accurate) == (
        S.HANDLING,
        scene.bureau,
        1,
        False,
    )
    assert row.due_at == timezone.make_aware(dt.datetime(2026, 3, 2, 16, 30))
    with pytest.raises(NotFoundOrForbidden):  # the first unit no longer holds it
        case_feedback(
            actor=scene.sanitation_staff,
            case=row,
            revision=row.revision,
            note="已清理",
            photos=[jpeg()],
        )


# --- feedback, check, rework, close -----------------------------------------------------------


def test_the_whole_loop_with_a_rework_closes_on_time(scene):
    row = handling(scene)  # due 15:00
    with pytest.raises(ValidationFailed) as no_photo:
        case_feedback(actor=scene.sanitation_staff, case=row, revision=row.revision, note="已清理")
    assert no_photo.value.errors[0].field == "photos"
    row = case_feedback(
        actor=scene.sanitation_staff,
        case=row,
        revision=row.revision,
        note="已清理",
        photos=[jpeg(), png()],
        now=at(11),
    )
    assert (row.state, row.handled_at, row.handled_on_time, row.check_due_at) == (
        S.TO_CHECK,
        at(11),
        True,
        at(12),
    )
    with pytest.raises(ValidationFailed):  # the "after" photo
        case_check(actor=scene.worker, case=row, revision=row.revision)
    with pytest.raises(NotFoundOrForbidden):
        case_check(actor=scene.other_worker, case=row, revision=row.revision, photos=[jpeg()])
    row = case_rework(
        actor=scene.worker, case=row, revision=row.revision, reason="还有一袋", now=at(11, 30)
    )
    # The stage again, from 11:30: ½ hour before noon, 3½ after 13:30 → 17:00.
    assert (row.state, row.rework_count, row.due_at, row.checked_on_time) == (
        S.HANDLING,
        1,
        at(17),
        True,
    )
    row = case_feedback(
        actor=scene.sanitation_staff,
        case=row,
        revision=row.revision,
        note="全部清走",
        photos=[jpeg()],
        now=at(14),
    )
    assert (row.handled_on_time, row.check_due_at) == (True, at(15))
    row = case_check(
        actor=scene.worker,
        case=row,
        revision=row.revision,
        note="干净了",
        photos=[jpeg()],
        now=at(14, 40),
    )
    assert (row.state, row.checked_at, row.checked_on_time) == (S.TO_CLOSE, at(14, 40), True)
    with pytest.raises(ValidationFailed):
        case_close(actor=scene.chief, case=row, revision=row.revision)
    row = case_close(
        actor=scene.chief, case=row, revision=row.revision, condition_met=True, now=at(15)
    )
    assert (row.state, row.closed_at, row.closed_on_time) == (S.CLOSED, at(15), True)
    assert actions(row) == ["dispatch", "feedback", "rework", "feedback", "check", "close"]
    kinds = sorted(CasePhoto.objects.filter(case=row).values_list("kind", flat=True))
    assert kinds == [PhotoKind.AFTER, PhotoKind.HANDLING, PhotoKind.HANDLING, PhotoKind.HANDLING]


def test_late_feedback_and_a_late_check_are_flagged_and_the_close_is_not_on_time(scene):
    row = handling(scene)
    row = case_feedback(
        actor=scene.sanitation_staff,
        case=row,
        revision=row.revision,
        note="已清理",
        photos=[jpeg()],
        now=at(15, 1),
    )
    assert (row.handled_on_time, row.check_due_at) == (False, at(16, 1))
    row = case_check(
        actor=scene.worker, case=row, revision=row.revision, photos=[jpeg()], now=at(16, 2)
    )
    assert row.checked_on_time is False
    row = case_close(actor=scene.chief, case=row, revision=row.revision, condition_met=True)
    assert row.closed_on_time is False


def test_the_chief_sends_back_before_closing(scene):
    row = case_in(scene, S.TO_CLOSE, unit=scene.sanitation)
    CaseStage.objects.create(
        case=row,
        order=1,
        name="处置",
        limit=4,
        unit=TimeUnit.WORKING_HOUR,
        started_at=MONDAY,
        due_at=at(15),
        done_at=at(11),
    )
    # Sent back at 13:00, in the lunch break: the 4 working hours run from 13:30.
    row = case_rework(actor=scene.chief, case=row, revision=0, reason="照片看不清", now=at(13))
    assert (row.state, row.due_at, row.rework_count) == (S.HANDLING, at(17, 30), 1)


def test_a_photo_that_is_not_a_jpeg_or_png_refuses_the_feedback_and_keeps_no_file(scene):
    row = handling(scene)
    before = row.revision
    with pytest.raises(ValidationFailed) as refused:
        case_feedback(
            actor=scene.sanitation_staff,
            case=row,
            revision=before,
            note="已清理",
            photos=[jpeg(), pdf()],
        )
    assert refused.value.errors[0].code == "not_a_photo"
    assert stored_files() == [] and CasePhoto.objects.count() == 0
    assert (fresh(row).state, fresh(row).revision) == (S.HANDLING, before)
    with pytest.raises(StaleGridCase):
        case_feedback(
            actor=scene.sanitation_staff,
            case=row,
            revision=before - 1,
            note="已清理",
            photos=[jpeg()],
        )
    assert stored_files() == []


# --- requests -----------------------------------------------------------------------------------


def test_an_extension_moves_the_stages_deadline_in_its_unit(scene):
    row = handling(scene)
    with pytest.raises(ValidationFailed):
        request_make(
            actor=scene.sanitation_staff,
            case=row,
            revision=row.revision,
            kind=RequestKind.EXTENSION,
            reason="垃圾量大",
            extra=0,
        )
    asked = request_make(
        actor=scene.sanitation_staff,
        case=row,
        revision=row.revision,
        kind=RequestKind.EXTENSION,
        reason="垃圾量大",
        extra=2,
        now=at(10),
    )
    with pytest.raises(GridCaseRefused):
        request_make(
            actor=scene.sanitation_staff,
            case=fresh(row),
            revision=fresh(row).revision,
            kind=RequestKind.PARK,
            reason="再要",
        )
    with pytest.raises(NotFoundOrForbidden):
        request_decide(actor=scene.dispatcher, request=asked, approve=True)
    request_decide(actor=scene.chief, request=asked.pk, approve=True, now=at(10, 30))
    row = fresh(row)
    assert (row.state, row.due_at, row.extension_count) == (S.HANDLING, at(17), 1)
    assert CaseStage.objects.get(case=row).due_at == at(17)
    asked.refresh_from_db()
    assert (asked.decision, asked.decided_by) == (RequestDecision.APPROVED, scene.chief)
    assert actions(row) == ["dispatch", "request", "extend"]
    with pytest.raises(NotFoundOrForbidden):  # decided already
        request_decide(actor=scene.chief, request=asked, approve=True)


def test_a_refused_request_needs_a_reason_and_changes_no_deadline(scene):
    row = handling(scene)
    asked = request_make(
        actor=scene.sanitation_staff,
        case=row,
        revision=row.revision,
        kind=RequestKind.EXTENSION,
        reason="垃圾量大",
        extra=2,
    )
    with pytest.raises(ValidationFailed):
        request_decide(actor=scene.chief, request=asked, approve=False, note="")
    request_decide(actor=scene.chief, request=asked, approve=False, note="四小时够了")
    row = fresh(row)
    assert (row.due_at, row.extension_count) == (at(15), 0)
    assert actions(row)[-1] == "decline"
    assert CaseRequest.objects.get().decision == RequestDecision.REFUSED


def test_parking_pauses_the_clock_until_the_monthly_review_takes_it_off(scene):
    row = handling(scene)
    asked = request_make(
        actor=scene.sanitation_staff,
        case=row,
        revision=row.revision,
        kind=RequestKind.PARK,
        reason="需规划调整",
    )
    request_decide(actor=scene.chief, request=asked, approve=True, now=at(11))
    row = fresh(row)
    assert (row.state, row.parked_at, row.paused_since, row.park_review_due) == (
        S.PARKED,
        at(11),
        at(11),
        dt.date(2026, 4, 1),
    )
    # Back on Tuesday 11:00: the pause covered 1 + 4 + 2 = 7 working hours, so the deadline
    # (Monday 15:00) moves by them: 2½ on Monday, 3 on Tuesday morning, 1½ after 13:30.
    row = case_unpark(actor=scene.chief, case=row, revision=row.revision, now=at(11, day=3))
    assert row.state == S.HANDLING and row.paused_since is None and row.park_review_due is None
    assert row.due_at == at(15, day=3)
    assert CaseStage.objects.get(case=row).due_at == row.due_at


def test_first_of_next_month():
    assert first_of_next_month(dt.date(2026, 3, 2)) == dt.date(2026, 4, 1)
    assert first_of_next_month(dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)


def test_the_chief_voids_an_open_case_with_a_reason_and_its_request_is_withdrawn(scene):
    row = handling(scene)
    request_make(
        actor=scene.sanitation_staff,
        case=row,
        revision=row.revision,
        kind=RequestKind.PARK,
        reason="需规划调整",
    )
    row = fresh(row)
    with pytest.raises(ValidationFailed):
        case_void(actor=scene.chief, case=row, revision=row.revision, reason="")
    row = case_void(actor=scene.chief, case=row, revision=row.revision, reason="重复上报")
    assert (row.state, row.due_at) == (S.VOID, None)
    assert CaseRequest.objects.get().decision == RequestDecision.REFUSED
    with pytest.raises(GridCaseNotAllowed):
        case_void(actor=scene.chief, case=row, revision=row.revision, reason="再来")


def test_text_with_control_characters_is_refused(scene):
    case = case_in(scene, S.TO_FILE)
    with pytest.raises(ValidationFailed):
        case_refuse(actor=scene.chief, case=case, revision=0, reason="坏\x00字")
    assert fresh(case).state == S.TO_FILE


@time_machine.travel(MONDAY, tick=False)
def test_moves_without_a_time_use_now(scene):
    row = handling(scene)
    row = case_feedback(
        actor=scene.sanitation_staff,
        case=row,
        revision=row.revision,
        note="已清理",
        photos=[jpeg()],
    )
    assert (row.handled_at, row.check_due_at) == (MONDAY, at(10, 30))


def test_a_late_feedback_stays_late_through_a_rework_and_the_close_is_not_on_time(scene):
    row = handling(scene)
    row = case_feedback(
        actor=scene.sanitation_staff,
        case=row,
        revision=row.revision,
        note="已清理",
        photos=[jpeg()],
        now=at(15, 1),
    )
    assert row.handled_on_time is False
    row = case_rework(
        actor=scene.worker, case=row, revision=row.revision, reason="还有垃圾", now=at(15, 30)
    )
    assert row.handled_on_time is False
    # Fed back again well within the restarted stage: still late, once late.
    row = case_feedback(
        actor=scene.sanitation_staff,
        case=row,
        revision=row.revision,
        note="已全部清走",
        photos=[jpeg()],
        now=at(16, 0),
    )
    assert row.handled_on_time is False
    row = case_check(
        actor=scene.worker, case=row, revision=row.revision, photos=[jpeg()], now=at(16, 10)
    )
    row = case_close(actor=scene.chief, case=row, revision=row.revision, condition_met=True)
    assert (row.state, row.closed_on_time, row.rework_count) == (S.CLOSED, False, 1)
