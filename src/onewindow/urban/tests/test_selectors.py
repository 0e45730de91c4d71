"""The flow's reads, scoped: each queue holds exactly the cases of its user, a case's page
shows its stages with their lights, and the proposals of many cases are one query."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.core.errors import NotFoundOrForbidden
from onewindow.urban import selectors
from onewindow.urban.codes import RequestDecision, RequestKind
from onewindow.urban.models import CaseRequest
from onewindow.urban.services.centre import case_dispatch, case_redispatch
from onewindow.urban.services.unit import request_make
from onewindow.urban.tests.conftest import MONDAY, case_in
from onewindow.urban.transitions import CaseState
from onewindow.workflow.clock import Light

S = CaseState


def numbers(cases) -> set[str]:
    return {c.number for c in cases}


def test_each_queue_holds_exactly_the_cases_of_its_user(scene):
    to_file = case_in(scene, S.TO_FILE)
    to_close = case_in(scene, S.TO_CLOSE)
    to_dispatch = case_in(scene, S.TO_DISPATCH)
    to_verify = case_in(scene, S.TO_VERIFY)
    to_check = case_in(scene, S.TO_CHECK)
    parked = case_in(scene, S.PARKED, park_review_due=dt.date(2026, 3, 1))
    parked_later = case_in(scene, S.PARKED, park_review_due=dt.date(2026, 4, 1))
    held = case_dispatch(
        actor=scene.dispatcher,
        case=case_in(scene, S.TO_DISPATCH),
        revision=0,
        department=scene.sanitation,
        now=MONDAY,
    )
    queue = selectors.chief_queue(scene.chief, today=dt.date(2026, 3, 2))
    assert numbers(queue.to_file) == {to_file.number}
    assert numbers(queue.to_close) == {to_close.number}
    assert numbers(queue.parked_due) == {parked.number}
    assert parked_later.number not in numbers(queue.parked_due)
    rows = selectors.dispatcher_queue(scene.dispatcher)
    assert [(c.number, units) for c, units in rows] == [
        (to_dispatch.number, [scene.sanitation, scene.bureau])
    ]
    assert numbers(selectors.unit_queue(scene.sanitation_staff)) == {held.number}
    assert selectors.unit_queue(scene.bureau_staff) == []
    assert numbers(selectors.worker_tasks(scene.worker)) == {to_verify.number, to_check.number}
    assert selectors.worker_tasks(scene.other_worker) == []
    # Nobody else has a queue.
    assert selectors.chief_queue(scene.dispatcher).to_file == []
    assert selectors.dispatcher_queue(scene.chief) == []
    assert selectors.unit_queue(scene.worker) == []


def test_a_case_is_found_by_those_who_may_see_it_only(scene):
    case = case_in(scene, S.TO_FILE)
    assert selectors.case_get(scene.worker, case.number) == case
    assert selectors.case_get(scene.auditor, case.number) == case
    for stranger in (scene.other_worker, scene.sanitation_staff):
        with pytest.raises(NotFoundOrForbidden):
            selectors.case_get(stranger, case.number)
    for bad in ("", "x" * 40, None, 12):
        with pytest.raises(NotFoundOrForbidden):
            selectors.case_get(scene.chief, bad)


def test_the_stages_lights(scene):
    held = case_dispatch(
        actor=scene.dispatcher,
        case=case_in(scene, S.TO_DISPATCH),
        revision=0,
        department=scene.sanitation,
        now=MONDAY,
    )
    at = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))
    detail = selectors.case_detail(held, now=at)
    assert [s.light for s in detail.stages] == [Light.YELLOW]
    late = timezone.make_aware(dt.datetime(2026, 3, 2, 15, 1))
    assert selectors.case_detail(held, now=late).light == Light.RED
    assert [e.action for e in detail.events] == ["dispatch"]


def test_proposals_of_many_cases_are_one_query(scene, django_assert_num_queries):
    cases = [case_in(scene, S.TO_DISPATCH) for _ in range(5)]
    with django_assert_num_queries(1):
        found = selectors.proposals_for(cases)
    assert list(found) == [c.pk for c in cases]
    assert all(units == [scene.sanitation, scene.bureau] for units in found.values())


def test_a_redispatch_withdraws_the_first_units_request(scene):
    held = case_dispatch(
        actor=scene.dispatcher,
        case=case_in(scene, S.TO_DISPATCH),
        revision=0,
        department=scene.sanitation,
        now=MONDAY,
    )
    request_make(
        actor=scene.sanitation_staff,
        case=held,
        revision=held.revision,
        kind=RequestKind.EXTENSION,
        reason="多",
        extra=1,
    )
    held.refresh_from_db()
    case_redispatch(
        actor=scene.dispatcher, case=held, revision=held.revision, department=scene.bureau
    )
    assert CaseRequest.objects.get().decision == RequestDecision.REFUSED
    assert selectors.chief_queue(scene.chief).requests == []
