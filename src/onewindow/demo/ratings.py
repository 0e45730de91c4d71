"""Ratings (好差评) of the demo's delivered cases, and the rectification of the bad ones.

``plan_rating`` decides, as plain data from its own ``random.Random``, whether a delivered case
is rated and how: most applicants rate (5 and 4 mostly, some 3, a few 1–2), some leave it to
the default after ``RATING_PERIOD_DAYS``; a bad active rating is rectified along one path of
``ratings.transitions`` (fixed at once, on the ledger, explained, or appealed and upheld), each
move at a plausible time after the rating — the moves not yet due at ``now`` are not made, so
recent ones wait in ``callback``, ``verified``, ``ledger``, ``fixed`` or ``appealed``.

Two writers use it: ``rate_demo_cases`` (the demo cases of ``demo/cases.py``: rows through the
ORM, the rectification opened by ``ratings.services.rectify.rectification_open`` and moved by the
kernel's mover with ``RECTIFICATION_MACHINE``, so events and audit rows are the real ones) and
``bulk.py`` (the city's year of cases: the same plan written as rows, with one event and one
sealed audit row per move, as the mover writes them).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.transitions import CaseState
from onewindow.org.models import Role
from onewindow.ratings.codes import (
    FORM_VERSION,
    ON_SITE_CHANNELS,
    Channel,
    Occasion,
    RatedRole,
    dimensions_for,
    options_for,
)
from onewindow.ratings.models import CallbackResult, RatedStaff, Rating, Resolution
from onewindow.ratings.services.rectify import rectification_open
from onewindow.ratings.transitions import NEW, RECTIFICATION_MACHINE
from onewindow.workflow import mover

RATED_SHARE = 0.88  # of the delivered cases, rated at all (actively or by default)
DEFAULT_SHARE = 0.18  # of those, left to the default
LEVELS = ((5, 60), (4, 25), (3, 9), (2, 4), (1, 2))
CHANNELS = (
    (Channel.PAD, 30),
    (Channel.QR, 8),
    (Channel.SMS, 30),
    (Channel.ACCOUNT, 15),
    (Channel.PROGRESS, 12),
    (Channel.HOTLINE, 5),
)
# A bad rating's path after the call-back, and the moves with their delay after the rating.
PATHS = (("fix_now", 55), ("ledger", 20), ("explain", 15), ("upheld", 10))
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
MOVES: dict[str, tuple[tuple[str, dt.timedelta], ...]] = {
    "fix_now": (("verify", 3 * HOUR), ("fix_now", DAY), ("recheck", 2 * DAY)),
    "ledger": (
        ("verify", 3 * HOUR),
        ("ledger", DAY),
        ("submit_fix", 8 * DAY),
        ("recheck", 9 * DAY),
    ),
    "explain": (("verify", 3 * HOUR), ("explain", DAY)),
    "upheld": (("verify", 3 * HOUR), ("appeal", DAY), ("uphold_appeal", 3 * DAY)),
}
LEDGER_DAYS = 10  # working days, within RATING_LEDGER_MIN_DAYS…MAX_DAYS
# Texts staff write for publication (no personal data), and the call-back's findings.
FIX_TEXTS = (
    "窗口增设取号引导员，高峰时段开放备用窗口，等候时间缩短至15分钟以内。",
    "更新办事指南的材料清单，删除已取消的证明材料，并在窗口张贴。",
    "对窗口人员开展服务规范培训，实行首问负责和一次性告知。",
    "自助终端故障已修复，增加每日巡检。",
    "网上申报页面的填报说明已改写，增加示例。",
)
EXPLANATIONS = (
    "该事项依法须核验原件，已向申请人说明依据，并在办事指南中标明。",
    "办理时限为法定时限，未超期；已向申请人解释审批流程。",
)
FINDINGS = (
    "回访核实：反映情况属实。",
    "回访核实：等候时间较长。",
    "回访核实：对材料要求有疑问。",
)
APPEAL_REASON = "评价内容与本窗口办理情况不符，申请复核。"
APPEAL_DECISION = "经调阅录像核实，申诉成立，该评价不计入考核。"


def _weighted(rng: random.Random, pairs: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


@dataclass(frozen=True)
class RatingDraft:
    level: int
    channel: str
    occasion: str
    is_default: bool
    rated_at: dt.datetime
    dimensions: dict[str, int]
    options: list[str]
    path: str  # "" for a rating that is not bad
    moves: tuple[tuple[str, dt.datetime], ...]  # after ``open``; only those due by ``now``
    text: int  # index into FIX_TEXTS / EXPLANATIONS / FINDINGS


def default_level() -> int | None:
    text = str(settings.RATING_DEFAULT_LEVEL).strip()
    return int(text) if text else None


def plan_rating(
    rng: random.Random, *, delivered_at: dt.datetime, now: dt.datetime, default: int | None
) -> RatingDraft | None:
    """The rating of a case delivered at ``delivered_at`` as of ``now``, or ``None``. Draws the
    same number of values from ``rng`` whatever the outcome, so later cases do not shift."""
    rated, defaulted = rng.random(), rng.random()
    level = _weighted(rng, LEVELS)
    channel = _weighted(rng, CHANNELS)
    delay = rng.uniform(0.02, 3.0)  # days after delivery (an online rating)
    spread = [rng.choice((-1, 0, 0, 0, 1)) for _ in range(5)]
    ticks = rng.random()
    path = _weighted(rng, PATHS)
    text = rng.randrange(60)
    if rated >= RATED_SHARE:
        return None
    if defaulted < DEFAULT_SHARE:
        if default is None:
            return None
        rated_at = delivered_at + dt.timedelta(days=settings.RATING_PERIOD_DAYS)
        if rated_at > now:
            return None
        dims = {d.value: default for d in dimensions_for(Occasion.CASE)}
        return RatingDraft(
            default, Channel.DEFAULT, Occasion.CASE, True, rated_at, dims, [], "", (), text
        )
    occasion = Occasion.VISIT if channel in ON_SITE_CHANNELS else Occasion.CASE
    if occasion == Occasion.VISIT:
        rated_at = delivered_at + dt.timedelta(minutes=1)
    else:
        rated_at = delivered_at + dt.timedelta(days=delay)
    if rated_at > now:
        return None
    dims = {
        d.value: min(5, max(1, level + (0 if d == "overall" else spread[n])))
        for n, d in enumerate(dimensions_for(occasion))
    }
    offered = options_for(occasion, level)
    options = [o.code for n, o in enumerate(offered) if ticks * (n + 1) % 1 < 0.45][:3]
    moves: tuple[tuple[str, dt.datetime], ...] = ()
    if level <= 2:
        moves = tuple(
            (action, rated_at + after) for action, after in MOVES[path] if rated_at + after <= now
        )
    else:
        path = ""
    return RatingDraft(level, channel, occasion, False, rated_at, dims, options, path, moves, text)


def rectification_fields(
    draft: RatingDraft, *, actor_id: int | None, ledger_due: dt.datetime | None
) -> dict[str, Any]:
    """The fields of the rectification after ``draft.moves`` (beside the state and revision),
    as the rectification services set them."""
    fields: dict[str, Any] = {}
    for action, at in draft.moves:
        if action == "verify":
            fields.update(
                callback_at=at,
                callback_result=CallbackResult.REACHED,
                finding=FINDINGS[draft.text % len(FINDINGS)],
            )
        elif action in ("fix_now", "submit_fix"):
            fields.update(
                resolution=Resolution.FIXED_AT_ONCE if action == "fix_now" else Resolution.LEDGER,
                fix_summary=FIX_TEXTS[draft.text % len(FIX_TEXTS)],
                evidence="整改记录已存档。",
                fixed_at=at,
                rater_told_at=at,
            )
        elif action == "ledger":
            fields.update(
                resolution=Resolution.LEDGER,
                time_limit=LEDGER_DAYS,
                time_limit_unit="1",
                due_at=ledger_due,
            )
        elif action == "explain":
            fields.update(
                resolution=Resolution.EXPLAINED,
                explanation=EXPLANATIONS[draft.text % len(EXPLANATIONS)],
                rater_told_at=at,
                closed_at=at,
            )
        elif action == "appeal":
            fields.update(appeal_by_id=actor_id, appeal_reason=APPEAL_REASON)
        elif action == "uphold_appeal":
            fields.update(
                resolution=Resolution.APPEAL_UPHELD, appeal_decision=APPEAL_DECISION, closed_at=at
            )
        elif action == "recheck":
            fields.update(recheck_at=at, recheck_level=4, closed_at=at)
    if "ledger" in dict(draft.moves) and "submit_fix" not in dict(draft.moves):
        fields["due_at"] = ledger_due
    elif "submit_fix" in dict(draft.moves):
        fields["due_at"] = None  # the clock stops when the ledger is left
    return fields


def states_after(draft: RatingDraft) -> list[tuple[str, str, str, dt.datetime]]:
    """(action, from, to, at) of every move from ``open``, by the machine's own table."""
    out = []
    current = NEW
    for action, at in (("open", draft.rated_at), *draft.moves):
        target = RECTIFICATION_MACHINE.target(action, current)
        assert target is not None, (action, current)
        out.append((action, current, str(target), at))
        current = str(target)
    return out


# --- the demo cases (ORM, services and the kernel's mover) -----------------------------------

# The demo cases' ratings, in the order of their delivery: a fixed mix so that every state of
# the loop is on show (level, channel, path of a bad one: "" waits for its call-back).
DEMO_MIX = (
    (5, Channel.PAD, ""),
    (4, Channel.SMS, ""),
    (2, Channel.PAD, "fix_now"),
    (5, Channel.ACCOUNT, ""),
    (3, Channel.QR, ""),
    (1, Channel.SMS, ""),
    (5, Channel.PAD, ""),
    (2, Channel.PROGRESS, "explain"),
    (4, Channel.PAD, ""),
    (5, Channel.SMS, ""),
)


def rate_demo_cases(*, now: dt.datetime | None = None) -> int:
    """Rate every delivered case without a rating (the demo cases), in one transaction; returns
    how many ratings were written."""
    now = now or timezone.now()
    cases = list(
        Case.objects.filter(state=CaseState.DELIVERED, ratings__isnull=True)
        .select_related("item_version", "centre__region", "item")
        .order_by("delivered_at", "id")
    )
    user_model = get_user_model()
    made = 0
    with transaction.atomic():
        for n, case in enumerate(cases):
            level, channel, path = DEMO_MIX[n % len(DEMO_MIX)]
            occasion = Occasion.VISIT if channel in ON_SITE_CHANNELS else Occasion.CASE
            visit = (
                CaseEvent.objects.filter(case=case, action="deliver").order_by("id").first()
                if occasion == Occasion.VISIT
                else None
            )
            key = f"visit:{case.pk}:{visit.pk}" if visit else f"case:{case.pk}"
            if visit is None:
                occasion = Occasion.CASE
            rated_at = max(case.delivered_at or now, now)
            rating = Rating.objects.create(
                occasion_key=key,
                occasion=occasion,
                channel=channel,
                level=level,
                dimensions={d.value: level for d in dimensions_for(occasion)},
                options=[o.code for o in options_for(occasion, level)[:2]],
                form_version=FORM_VERSION,
                rated_at=rated_at,
                case=case,
                case_number=case.number,
                case_name=case.item_version.snapshot.get("name", case.item.name),
                case_state=case.state,
                item_id=case.item_id,
                item_code=case.item.implementation_code,
                item_version_number=case.item_version.number,
                department_id=case.department_id,
                centre_id=case.centre_id,
                window_id=case.window_id,
                region_code=case.centre.region.code,
                applicant_type=case.applicant_type,
            )
            RatedStaff.objects.create(rating=rating, user_id=case.clerk_id, role=RatedRole.WINDOW)
            made += 1
            if level > 2:
                continue
            rectification = rectification_open(rating=rating, now=rated_at)
            if not path:
                continue
            lead = (
                user_model.objects.filter(
                    role_assignments__role=Role.DEPT_LEAD,
                    role_assignments__department_id=case.department_id,
                )
                .order_by("username")
                .first()
            )
            draft = RatingDraft(
                level=level,
                channel=channel,
                occasion=occasion,
                is_default=False,
                rated_at=rated_at,
                dimensions={},
                options=[],
                path=path,
                moves=tuple((action, rated_at) for action, _after in MOVES[path]),
                text=n,
            )
            for action, at in draft.moves:
                one = replace(draft, moves=((action, at),))
                for name, value in rectification_fields(
                    one, actor_id=None, ledger_due=None
                ).items():
                    setattr(rectification, name, value)
                mover.move(RECTIFICATION_MACHINE, rectification, action, actor=lead, now=at)
    return made


__all__ = [
    "DEMO_MIX",
    "RatingDraft",
    "default_level",
    "plan_rating",
    "rate_demo_cases",
    "rectification_fields",
    "states_after",
]
