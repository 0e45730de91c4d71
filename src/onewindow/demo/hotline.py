"""The demo district's 12345 hotline: the dispatch catalogue of ``data/dispatch.toml``, every
department told what kind of handling unit it is, and a month of work orders in every state,
made through the hotline's services by the demo agents (``hotline01``–``03``) and the units'
approvers, each move at a plausible time before ``now``."""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from onewindow.demo.datafiles import DATA_DIR
from onewindow.demo.planning import street_code
from onewindow.hotline.codes import Truth, Urgency
from onewindow.hotline.models import DispatchCategory
from onewindow.hotline.services import (
    CallbackInput,
    CallerInput,
    OrderInput,
    ReplyInput,
    callback_record,
    dispatch_catalogue_write,
    dispatch_propose,
    handling_units_write,
    order_dispatch,
    order_reply,
    order_sign,
    order_take,
)
from onewindow.org.models import Department, Region

AGENTS = ("hotline01", "hotline02", "hotline03")
ORDERS = 36
# (type, subject, content, place) by category code: what callers say.
CALLS: dict[str, list[tuple[str, str, str]]] = {
    "0101": [("help", "路灯不亮", "门口的路灯连续几晚不亮，晚上走路很黑。")],
    "0102": [("complaint", "人行道破损", "人行道地砖松动破损，老人差点摔倒。")],
    "0103": [("help", "井盖缺失", "路口井盖不见了，很危险，请尽快处理。")],
    "0201": [("complaint", "占道摆摊", "每天晚上有小贩在门口摆摊占道，行人要走到马路上。")],
    "0202": [("complaint", "垃圾没人清运", "小区门口的垃圾堆了两天没人清运，很臭。")],
    "0203": [("report", "天台违法搭建", "楼顶有人在天台加建铁皮房。")],
    "0301": [("complaint", "夜间施工噪声", "工地晚上十一点后还在施工，噪声很大。")],
    "0302": [("complaint", "餐馆油烟", "楼下餐馆的油烟直接排到住户窗口。")],
    "0401": [("report", "出售过期食品", "便利店货架上有过期的牛奶。")],
    "0501": [("help", "拖欠工资", "公司拖欠三个月工资不发。")],
    "0601": [("complaint", "物业不修电梯", "电梯坏了一周物业不修。")],
    "0602": [("help", "楼上漏水", "楼上漏水到我家，协商不成。")],
}
PLACES = ("大街{n}号", "路{n}号门口", "新村{n}栋", "社区{n}号楼下")


def write_hotline_catalogue(departments: dict[str, Department], regions: dict[str, Region]) -> int:
    """Handling units and the dispatch catalogue; returns the number of subcategories."""
    offices = {}
    for key, department in departments.items():
        if key.startswith("s") and key[1:].isdigit():
            offices[regions[street_code(int(key[1:]))]] = department
    functional = [d for k, d in departments.items() if d not in offices.values()]
    handling_units_write(functional=functional, street_offices=offices)
    data = tomllib.loads((DATA_DIR / "dispatch.toml").read_text(encoding="utf-8"))
    return dispatch_catalogue_write(
        actor=None, groups=data["group"], units=departments, street_offices=offices
    )


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _approver(department: Department, cache: dict[int, Any]) -> Any:
    if department.pk not in cache:
        from onewindow.org.models import RoleAssignment

        assignment = (
            RoleAssignment.objects.filter(department=department, role="dept_approver")
            .select_related("user")
            .first()
        )
        cache[department.pk] = assignment.user if assignment else None
    return cache[department.pk]


def build_demo_hotline(*, seed: int = 2026, now: dt.datetime | None = None) -> int:
    """A month of work orders: the older ones closed after the call-back, recent ones at every
    step (to dispatch, at a unit, replied); returns how many."""
    rng = random.Random(f"{seed}:hotline")
    now = now or timezone.now()
    agents = [_user(name) for name in AGENTS]
    communities = list(Region.objects.filter(level="community").order_by("code"))
    categories = {
        c.code: c for c in DispatchCategory.objects.filter(code__in=CALLS).order_by("code")
    }
    if not communities or not categories:
        return 0
    approvers: dict[int, Any] = {}
    made = 0
    with transaction.atomic():
        for number in range(ORDERS):
            code = rng.choice(sorted(categories))
            order_type, title, content = rng.choice(CALLS[code])
            community = rng.choice(communities)
            place = community.name.removesuffix("社区") + rng.choice(PLACES).format(
                n=rng.randint(1, 120)
            )
            age_days = ORDERS - number  # oldest first
            start = now - dt.timedelta(days=age_days, hours=rng.randint(0, 6))
            agent = rng.choice(agents)
            order = order_take(
                actor=agent,
                data=OrderInput(
                    order_type=order_type,
                    urgency=Urgency.NORMAL,
                    title=title,
                    content=content,
                    category_code=code,
                    place=place,
                    region_code=community.code,
                ),
                caller=CallerInput(
                    name=rng.choice(("陈先生", "李女士", "黄先生", "梁女士", "何先生")),
                    phone=f"139{rng.randrange(10**7, 10**8)}",
                ),
                now=start,
            )
            made += 1
            if age_days <= 1:
                continue  # waits in the dispatch queue
            proposal = dispatch_propose(order=order)
            if proposal.lead is None:
                continue
            order = order_dispatch(
                actor=agent,
                order=order,
                expected_revision=order.revision,
                lead_id=proposal.lead.pk,
                assist_ids=[a.pk for a in proposal.assists],
                now=start + dt.timedelta(minutes=20),
            )
            approver = _approver(proposal.lead, approvers)
            if approver is None or age_days <= 3:
                continue  # at the unit, not yet signed for
            order = order_sign(
                actor=approver,
                order=order,
                expected_revision=order.revision,
                now=start + dt.timedelta(hours=5),
            )
            if age_days <= 6:
                continue  # being handled
            reply_at = start + dt.timedelta(days=rng.randint(1, 3), hours=2)
            order = order_reply(
                actor=approver,
                order=order,
                expected_revision=order.revision,
                reply=ReplyInput(
                    truth=Truth.TRUE,
                    solved=True,
                    handling="已到现场核实并处理。",
                    public_reply=f"您反映的“{title}”问题已到现场处理，感谢您的监督。",
                ),
                now=reply_at,
            )
            if age_days <= 8:
                continue  # waits for the call-back
            caller = order.callers.get()
            callback_record(
                actor=agent,
                order=order,
                expected_revision=order.revision,
                data=CallbackInput(
                    caller_id=caller.pk,
                    reached=True,
                    solved=True,
                    level=rng.choice((5, 5, 5, 4, 4, 3)),
                ),
                now=reply_at + dt.timedelta(days=1),
            )
    return made


__all__ = ["build_demo_hotline", "write_hotline_catalogue"]
