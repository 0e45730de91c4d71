"""12345 and Open311 into the grid case flow: an order the hotline dispatches to the grid
command centre is signed for and becomes a grid case (to be verified on site) when the 值班长
takes the centre's orders in — its category from the mapping, or chosen — once only; when the
case ends, the centre replies on the order through the hotline's own service."""

from __future__ import annotations

import pytest

from onewindow.core.errors import NotFoundOrForbidden, PermissionDenied
from onewindow.hotline.codes import Channel, UnitKind
from onewindow.hotline.models import HandlingReply, HandlingUnit
from onewindow.hotline.services import order_dispatch, order_take
from onewindow.hotline.tests.conftest import caller, light_input, scene  # noqa: F401
from onewindow.hotline.transitions import OrderState
from onewindow.org.codes import Role
from onewindow.testing.factories import DepartmentFactory, staff_with_role
from onewindow.testing.grid_factories import category_make, grid_make
from onewindow.urban.codes import CaseKind, Source
from onewindow.urban.models import GridCase
from onewindow.urban.services import (
    hotline_order_to_case,
    hotline_orders_take,
    hotline_reply_for,
)
from onewindow.urban.transitions import CaseState


@pytest.fixture
def centre(scene):  # noqa: F811
    department = DepartmentFactory(name="城市管理监督指挥中心", short_name="指挥中心")
    HandlingUnit.objects.create(department=department, kind=UnitKind.FUNCTIONAL)
    chief = staff_with_role(Role.GRID_CHIEF)
    from onewindow.org.models import RoleAssignment

    RoleAssignment.objects.create(user=chief, role=Role.DEPT_APPROVER, department=department)
    lights = category_make(
        kind=CaseKind.COMPONENT, code="C0101", name="路灯", major_name="公用设施"
    )
    return {"department": department, "chief": chief, "lights": lights, "scene": scene}


def dispatched(centre, **overrides):
    hotline = centre["scene"]
    order = order_take(actor=hotline.agent, data=light_input(**overrides), caller=caller())
    return order_dispatch(
        actor=hotline.agent,
        order=order,
        expected_revision=order.revision,
        lead_id=centre["department"].pk,
        note="网格事项，请指挥中心处理。",
    )


def test_the_chief_takes_the_centres_orders_in_as_grid_cases_once(centre):
    order = dispatched(centre)
    other = dispatched(centre, category_code="0201", title="门口摆摊", content="门口有人摆摊。")
    taken = hotline_orders_take(actor=centre["chief"])
    assert [c.hotline_order_id for c in taken.cases] == [order.pk]
    assert [o.pk for o in taken.unmapped] == [other.pk]  # 0201 maps to no category here
    case = taken.cases[0]
    assert (case.state, case.source, case.category.code) == (
        CaseState.TO_VERIFY,
        Source.HOTLINE,
        "C0101",
    )
    assert case.description == order.content and case.verify_due_at is not None
    assert case.reporter_phone_encrypted == ""
    order.refresh_from_db()
    assert order.state == OrderState.HANDLING and order.signed_at is not None
    # Again: nothing new.
    again = hotline_orders_take(actor=centre["chief"])
    assert again.cases == [] and [o.pk for o in again.unmapped] == [other.pk]
    assert GridCase.objects.count() == 1
    # The unmapped one with the category chosen; twice is one case.
    chosen = hotline_order_to_case(actor=centre["chief"], order=other, category="C0101")
    assert hotline_order_to_case(actor=centre["chief"], order=other, category="C0101") == chosen
    assert GridCase.objects.count() == 2


def test_an_open311_order_is_a_case_of_source_open311(centre):
    order = dispatched(centre)
    type(order).objects.filter(pk=order.pk).update(channel=Channel.OPEN311)
    order.refresh_from_db()
    case = hotline_order_to_case(actor=centre["chief"], order=order, category="C0101")
    assert case.source == Source.OPEN311


def test_the_orders_point_puts_the_case_in_its_grid(centre):
    grid = grid_make()
    order = dispatched(centre, longitude=str(grid.label_lon), latitude=str(grid.label_lat))
    case = hotline_order_to_case(actor=centre["chief"], order=order, category="C0101")
    assert case.grid == grid and case.region_code == grid.community_code


def test_an_order_of_another_unit_is_not_found_and_nothing_written(centre):
    hotline = centre["scene"]
    order = order_take(actor=hotline.agent, data=light_input(), caller=caller())
    order = order_dispatch(
        actor=hotline.agent, order=order, expected_revision=order.revision, lead_id=hotline.cgj.pk
    )
    with pytest.raises(NotFoundOrForbidden):
        hotline_order_to_case(actor=centre["chief"], order=order, category="C0101")
    assert GridCase.objects.count() == 0
    order.refresh_from_db()
    assert order.state == OrderState.DISPATCHED


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.HOTLINE_AGENT, Role.AUDITOR])
def test_only_the_chief_takes_orders_in(centre, role):
    order = dispatched(centre)
    actor = (
        staff_with_role(role)
        if role != Role.GRID_WORKER
        else staff_with_role(role, region=centre["scene"].community)
    )
    with pytest.raises(PermissionDenied):
        hotline_orders_take(actor=actor)
    with pytest.raises(PermissionDenied):
        hotline_order_to_case(actor=actor, order=order, category="C0101")
    assert GridCase.objects.count() == 0
    order.refresh_from_db()
    assert order.state == OrderState.DISPATCHED


def test_a_chief_without_the_centres_unit_role_signs_nothing(centre):
    order = dispatched(centre)
    outsider = staff_with_role(Role.GRID_CHIEF)
    with pytest.raises(NotFoundOrForbidden):
        hotline_order_to_case(actor=outsider, order=order, category="C0101")
    assert GridCase.objects.count() == 0
    order.refresh_from_db()
    assert order.state == OrderState.DISPATCHED


def test_a_closed_case_replies_on_its_order_once(centre):
    order = dispatched(centre)
    case = hotline_order_to_case(actor=centre["chief"], order=order, category="C0101")
    assert hotline_reply_for(case=case, actor=centre["chief"]) is None  # not ended yet
    GridCase.objects.filter(pk=case.pk).update(state=CaseState.CLOSED)
    case.refresh_from_db()
    replied = hotline_reply_for(case=case, actor=centre["chief"])
    assert replied is not None and replied.state == OrderState.REPLIED
    reply = HandlingReply.objects.get(order=order)
    assert (reply.solved, reply.truth, reply.department_id) == (
        True,
        "true",
        centre["department"].pk,
    )
    assert case.number in reply.public_reply
    assert hotline_reply_for(case=case, actor=centre["chief"]) is None
    assert HandlingReply.objects.count() == 1


def test_a_case_not_filed_replies_unsolved_with_the_reason(centre):
    order = dispatched(centre)
    case = hotline_order_to_case(actor=centre["chief"], order=order, category="C0101")
    GridCase.objects.filter(pk=case.pk).update(
        state=CaseState.NOT_FILED, refusal="现场核实无此问题", verified_true=False
    )
    case.refresh_from_db()
    hotline_reply_for(case=case, actor=centre["chief"])
    reply = HandlingReply.objects.get(order=order)
    assert (reply.solved, reply.truth, reply.unsolved_reason) == (
        False,
        "false",
        "现场核实无此问题",
    )
    assert "现场核实无此问题" in reply.public_reply


def test_the_supervision_page_lists_the_waiting_orders_and_takes_them_in(client, centre):
    order = dispatched(centre)
    client.force_login(centre["chief"])
    page = client.get("/staff/urban/supervision/").content.decode()
    assert f'data-order="{order.number}"' in page and 'id="submit-hotline-take"' in page
    response = client.post("/staff/urban/supervision/hotline/")
    assert (response.status_code, response["Location"]) == (302, "/staff/urban/supervision/")
    case = GridCase.objects.get()
    assert (case.hotline_order_id, case.state) == (order.pk, CaseState.TO_VERIFY)
    assert (
        f'data-order="{order.number}"'
        not in client.get("/staff/urban/supervision/").content.decode()
    )
    # A dispatcher may not take them in: refused, nothing made.
    client.force_login(staff_with_role(Role.GRID_DISPATCHER))
    assert client.post("/staff/urban/supervision/hotline/").status_code == 403
    assert GridCase.objects.count() == 1
