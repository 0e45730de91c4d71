"""The city-scale generator: millions of persons and cases added to the demo city in bulk.

``build_city_bulk(seed=, persons=, cases=)`` runs after ``generator.build_demo_city`` (it uses the
city's items, centres, windows and staff) and writes, in one transaction:

- ``persons`` natural persons with resident ID numbers valid by checksum (python-stdnum), each
  ID and phone encrypted and blind-indexed with the project's own ``core.crypto`` exactly as
  ``applicants.services`` stores them (addresses from a pool encrypted once), so the normal
  look-up (``person_find_by_id_number``) finds every one;
- ``persons // 20`` organisations (valid unified social credit codes, a generated person as
  legal representative);
- ``cases`` cases spread over the last ``SPAN_DAYS`` days, numbered as ``case_number_next``
  numbers them (``CaseNumberSequence`` moved on to the last number of each day), in a fixed mix
  of states (``state_counts``): most delivered, ~2 % open (accepted, suspended, waiting for
  papers, decided), the open ones among the most recent cases, so a share is overdue and due
  soon (red and yellow lights on the supervision board);
- per case its materials (the pinned item version's checklist), its back-office tasks (one
  per step; at the review step of a joint item the lead department and one task per assisting
  department), its public events (the case's moves and each task's outcome), its query code
  (from a pool of codes encrypted and blind-indexed once) and one audit row per move of the
  case, chained exactly as ``core.audit_chain`` seals rows (sealed on insert, the seal's stored
  head moved on), so ``manage.py audit_verify`` passes.

Left out on purpose, to keep a case near 5.5 KB on disk: the tasks' internal open/claim events
and their audit rows, notifications, and special procedures other than the open ones.

Determinism: every part draws from its own ``random.Random(f"{seed}:bulk-<part>")`` and yields
plain records (``PersonRecord``, ``CaseRecord``) in batches, never a whole table in memory; the
same seed, sizes, day and city give the same records (``plan_digest``). Ciphertexts differ
between runs (random nonces), the plain values do not.

Writing: primary keys are assigned here (after the largest existing one); PostgreSQL gets
``COPY … FROM STDIN`` (psycopg 3) on a thread of its own while the next batch is planned, into
tables whose secondary indexes and foreign keys are dropped for the load and rebuilt at the end
(``_LoadMode``); SQLite gets ``executemany`` in batches. The id sequences are reset afterwards
so later normal inserts work.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import queue
import random
import re
import shutil
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy
from stdnum.cn import ric
from stdnum.cn import uscc as stdnum_uscc

from onewindow.applicants.identifiers import mask_address
from onewindow.applicants.models import (
    ID_NUMBER_INDEX_CONTEXT,
    ORGANISATION_PHONE_CONTEXT,
    ORGANISATION_REPRESENTATIVE_ID_CONTEXT,
    PERSON_ADDRESS_CONTEXT,
    PERSON_ID_NUMBER_CONTEXT,
    PERSON_PHONE_CONTEXT,
    PHONE_INDEX_CONTEXT,
    IdType,
    Organisation,
    Person,
)
from onewindow.cases.models import (
    QUERY_CODE_CONTEXT,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseNumberSequence,
    CaseTask,
    ClockPause,
    query_code_index,
)
from onewindow.cases.transitions import CaseState, TaskState
from onewindow.catalog.codes import CaseType, ItemStatus, ServiceObject, StepKind
from onewindow.catalog.models import ServiceItem
from onewindow.catalog.selectors import item_accepted_at
from onewindow.core import audit_chain, crypto
from onewindow.core.errors import ApplicationError, ErrorList
from onewindow.core.models import AuditLog, AuditSealHead
from onewindow.demo import ratings as demo_ratings
from onewindow.demo.generator import TextOutput, build_demo_city, demo_city_exists
from onewindow.org.models import Role, RoleAssignment, ServiceCentre, WindowKind
from onewindow.ratings.codes import FORM_VERSION, RatedRole
from onewindow.ratings.models import RatedStaff, Rating, Rectification, RectificationEvent
from onewindow.ratings.services.rectify import rectification_number
from onewindow.ratings.transitions import RECTIFICATION_MACHINE
from onewindow.workcal.calendar import WorkingCalendar
from onewindow.workflow import clock

SPAN_DAYS = 365
BATCH = 2000
# Batches waiting for the COPY thread (each a few MB of rows).
PIPE_DEPTH = 4
MAX_CASES = 100_000_000
MAX_PERSONS = 50_000_000
PERSONS_PER_CASE = 0.1  # the city: 1,000,000 persons for 10,000,000 cases
ORGANISATIONS_PER_PERSON = 0.05
# Disk per case on PostgreSQL (all its rows and their indexes, and its share of the persons),
# measured with this generator at 200,000 cases (docs/scaling.md); the refusal uses it with a
# margin of 1.5 and keeps 10 GB free.
BYTES_PER_CASE = 5_500
DISK_MARGIN = 1.5
DISK_RESERVE = 10 * 1024**3
QUERY_CODE_POOL = 4096
# More cases than this already in the database: a bulk city was built before.
BULK_GUARD = 10_000
ADDRESS_POOL = 2048

# The mix of states, as shares of all cases; what is left is delivered. The board's cases
# (accepted and suspended) are 2 %: 40,000 at 2,000,000 cases, the board target.
OPEN_SHARES = {
    CaseState.ACCEPTED: 0.0185,
    CaseState.SUSPENDED: 0.0015,
    CaseState.SUPPLEMENT_REQUESTED: 0.0020,
    CaseState.DECIDED: 0.0020,
}
CLOSED_SHARES = {CaseState.REFUSED: 0.010, CaseState.WITHDRAWN: 0.005}
# Open cases are drawn among the most recent OPEN_WINDOW × (open count) cases.
OPEN_WINDOW = 2.5
INSTANT_SHARE = 0.15  # of the hall's delivered cases: instant items finished at the window
LATE_SHARE = 0.04  # closed cases decided after their promised date


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SURNAMES = "陈李张黄梁何罗林吴郑谢冯邓曾彭苏卢蔡许潘杜叶程魏钟袁邹"
GIVEN = _words(
    "伟 芳 志强 秀英 家豪 嘉怡 国华 丽娟 子轩 晓敏 建明 美玲 浩然 诗琪 俊杰 "
    "雅婷 文杰 淑芬 振华 婉婷 宇航 慧敏 永康 思彤 锦荣 少芬 家乐 晓彤 耀明 紫琳"
)
# Resident ID regions of the holders: Guangzhou's districts, Liwan most often.
ID_REGIONS = (
    "440103", "440103", "440103", "440104", "440105", "440106", "440111", "440112",
    "440113", "440114", "440115", "440117", "440118", "445102", "440304", "441900",
)  # fmt: skip
STREET_NAMES = _words(
    "多宝路 龙津西路 中山八路 康王中路 芳村大道 花地大道 黄沙大道 宝华路 恩宁路 荔湾路"
)
FIRST_ID_SERIAL = 100  # the demo cases' persons use serials 001–040
ID_SERIALS = 900
BIRTH_FIRST = dt.date(1940, 1, 1)
BIRTH_DAYS = (dt.date(2007, 12, 31) - BIRTH_FIRST).days + 1
SUPPLEMENT_PROBLEM = "缺少签名。"
REFUSE_REASON = "申请事项不属于本机关职权范围，已告知向有关机关申请。"
WITHDRAW_REASON = "申请人主动撤回申请。"
SUSPEND_REASON = "技术方案专家评审。"
OPINION = "同意。"
QUERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class BulkReport:
    seed: int
    persons: int
    organisations: int
    cases: int
    open_cases: int
    by_state: dict[str, int]
    rows: dict[str, int]
    seconds: float
    cpu_seconds: float  # this process's CPU time (the database server's is not counted)
    rows_per_second: float
    cases_per_second: float
    bytes_on_disk: int
    vendor: str


# ---------------------------------------------------------------------------------------------
# Checks


def state_counts(cases: int) -> dict[str, int]:
    """How many cases of each state a bulk city of ``cases`` cases gets (exact, by rounding)."""
    counts = {str(state): round(cases * share) for state, share in OPEN_SHARES.items()}
    counts.update({str(state): round(cases * share) for state, share in CLOSED_SHARES.items()})
    counts[str(CaseState.DELIVERED)] = cases - sum(counts.values())
    return counts


def estimated_bytes(cases: int) -> int:
    return int(cases * BYTES_PER_CASE * DISK_MARGIN)


def _disk_path() -> Path:
    if connection.vendor == "sqlite":
        return Path(str(settings.DATABASES["default"]["NAME"])).parent
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setting FROM pg_settings WHERE name = 'data_directory'")
            row = cursor.fetchone()
        if row and Path(row[0]).exists():
            return Path(row[0])
    return Path(settings.VAR_DIR)


def disk_check(errors: ErrorList, *, cases: int, free_bytes: int) -> None:
    """Refuse a scale whose estimated size does not fit the free disk less the reserve."""
    need = estimated_bytes(cases)
    room = free_bytes - DISK_RESERVE
    if need > room:
        errors.add(
            "cases",
            "disk_too_small",
            gettext_lazy(
                "%(cases)s cases need about %(need)s GB of disk (%(per_case)s bytes a case, "
                "times %(margin)s); only %(room)s GB are free beyond the 10 GB kept in reserve."
            ),
            cases=cases,
            need=round(need / 1024**3, 1),
            per_case=BYTES_PER_CASE,
            margin=DISK_MARGIN,
            room=max(0, round(room / 1024**3, 1)),
        )


def _check(seed: int, persons: int, cases: int, free_bytes: int | None) -> None:
    errors = ErrorList()
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        errors.add("seed", "out_of_range", gettext_lazy("The seed must be a whole number ≥ 0."))
    if not isinstance(cases, int) or isinstance(cases, bool) or not 1 <= cases <= MAX_CASES:
        errors.add(
            "cases",
            "out_of_range",
            gettext_lazy("The number of cases must be between 1 and %(max)s."),
            max=MAX_CASES,
        )
    if not isinstance(persons, int) or isinstance(persons, bool) or not 1 <= persons <= MAX_PERSONS:
        errors.add(
            "persons",
            "out_of_range",
            gettext_lazy("The number of persons must be between 1 and %(max)s."),
            max=MAX_PERSONS,
        )
    if not errors:
        free = shutil.disk_usage(_disk_path()).free if free_bytes is None else free_bytes
        disk_check(errors, cases=cases, free_bytes=free)
    errors.raise_if_any(gettext_lazy("The bulk city cannot be built with these options."))


def default_persons(cases: int) -> int:
    return max(1, round(cases * PERSONS_PER_CASE))


# ---------------------------------------------------------------------------------------------
# The city the bulk builds on


@dataclass
class ItemInfo:
    pk: int
    version_id: int
    department_id: int
    instant: bool
    natural: bool
    limit: int
    unit: str
    steps: list[dict[str, Any]]  # back-office steps
    joint_ids: list[int]
    materials: list[tuple[str, str]]  # (name, necessity)
    name: str
    code: str = ""  # the implementation code (a rating's item code)
    version_number: int = 0


@dataclass
class CentreInfo:
    pk: int
    code: str
    district: str
    is_hall: bool
    windows: list[int]
    instant_windows: list[int]
    clerks: list[int]
    output_clerks: list[int]
    region_code: str = ""  # the centre's 12-digit division code (a rating's region)
    items: list[int] = field(default_factory=list)  # indexes into City.items
    instant_items: list[int] = field(default_factory=list)


@dataclass
class City:
    items: list[ItemInfo]
    centres: list[CentreInfo]
    approvers: dict[int, list[int]]  # department id → user ids
    leads: dict[int, list[int]]


BACK_OFFICE_KINDS = (StepKind.REVIEW, StepKind.DECIDE, StepKind.COMPLETE)
DEPARTMENT_ROLES = (Role.DEPT_APPROVER, Role.DEPT_LEAD)
DEFAULT_ROLE = {
    StepKind.REVIEW: Role.DEPT_APPROVER,
    StepKind.DECIDE: Role.DEPT_LEAD,
    StepKind.COMPLETE: Role.DEPT_APPROVER,
}


def load_city() -> City:
    """The published items (with their latest version), centres and workers, in a fixed order."""
    items: list[ItemInfo] = []
    raw_items = list(
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
        .prefetch_related("handled_in_regions", "versions")
        .order_by("implementation_code", "pk")
    )
    for item in raw_items:
        version = max(item.versions.all(), key=lambda v: v.number, default=None)
        if version is None:
            continue
        snap = version.snapshot
        steps = [
            {
                "order": s["order"],
                "kind": s["kind"],
                "name": s["name"],
                "role": s["role"] if s["role"] in DEPARTMENT_ROLES else DEFAULT_ROLE[s["kind"]],
            }
            for s in snap["steps"]
            if s["kind"] in BACK_OFFICE_KINDS
        ]
        items.append(
            ItemInfo(
                pk=item.pk,
                version_id=version.pk,
                department_id=item.department_id,
                instant=snap["case_type"] == CaseType.INSTANT,
                natural=ServiceObject.NATURAL_PERSON in (snap.get("service_objects") or []),
                limit=int(snap["promised_limit"] or 0),
                unit=str(snap["promised_limit_unit"] or "1"),
                steps=steps,
                joint_ids=[d["id"] for d in snap.get("joint_departments", [])],
                materials=[(m["name"], m["necessity"]) for m in snap["materials"]],
                name=item.name,
                code=item.implementation_code,
                version_number=version.number,
            )
        )
    by_pk = {item.pk: item for item in raw_items}
    user_model = get_user_model()
    centres: list[CentreInfo] = []
    for centre in ServiceCentre.objects.select_related("region").order_by("code"):
        intake = list(
            centre.windows.filter(kind=WindowKind.INTAKE, is_active=True)
            .order_by("number")
            .prefetch_related("delegated_departments")
        )
        clerks = list(
            user_model.objects.filter(
                role_assignments__role=Role.INTAKE_CLERK, role_assignments__centre=centre
            )
            .order_by("username")
            .values_list("pk", flat=True)
            .distinct()
        )
        if not intake or not clerks:
            continue
        outputs = (
            list(
                user_model.objects.filter(
                    role_assignments__role=Role.OUTPUT_CLERK, role_assignments__centre=centre
                )
                .order_by("username")
                .values_list("pk", flat=True)
                .distinct()
            )
            or clerks
        )
        delegated = {d.pk for w in intake for d in w.delegated_departments.all()}
        info = CentreInfo(
            pk=centre.pk,
            code=centre.code,
            district=centre.region.code[:6],
            is_hall=centre.level == "district_hall",
            windows=[w.pk for w in intake],
            instant_windows=[w.pk for w in intake if w.delegated_departments.all()],
            clerks=clerks,
            output_clerks=outputs,
            region_code=centre.region.code,
        )
        for n, item_info in enumerate(items):
            if not item_accepted_at(item=by_pk[item_info.pk], centre=centre):
                continue
            if item_info.instant and item_info.department_id in delegated:
                info.instant_items.append(n)
            elif not item_info.instant:
                info.items.append(n)
        if info.items:
            centres.append(info)
    approvers: dict[int, list[int]] = {}
    leads: dict[int, list[int]] = {}
    for role, target in ((Role.DEPT_APPROVER, approvers), (Role.DEPT_LEAD, leads)):
        for department_id, user_id in (
            RoleAssignment.objects.filter(role=role, department__isnull=False)
            .order_by("department_id", "user__username")
            .values_list("department_id", "user_id")
        ):
            target.setdefault(department_id, []).append(user_id)
    return City(items=items, centres=centres, approvers=approvers, leads=leads)


# ---------------------------------------------------------------------------------------------
# Plain records


@dataclass(frozen=True)
class PersonRecord:
    index: int
    name: str
    id_number: str
    gender: str
    phone: str
    address: int  # index into the address pool


def _mix(index: int, modulus: int, seed: int) -> int:
    """A bijection of ``range(modulus)`` (an affine map with a multiplier coprime to it)."""
    multiplier = 2_654_435_761
    while _gcd(multiplier, modulus) != 1:
        multiplier += 2
    offset = int(hashlib.sha256(f"{seed}:bulk-offset".encode()).hexdigest(), 16) % modulus
    return (index * multiplier + offset) % modulus


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def resident_id(index: int, seed: int) -> str:
    """The ``index``-th generated resident ID: unique per index, valid by its check digit."""
    slots = len(ID_REGIONS) * BIRTH_DAYS * ID_SERIALS
    code = _mix(index, slots, seed)
    region, rest = divmod(code, BIRTH_DAYS * ID_SERIALS)
    day, serial = divmod(rest, ID_SERIALS)
    birth = BIRTH_FIRST + dt.timedelta(days=day)
    body = f"{ID_REGIONS[region]}{birth:%Y%m%d}{FIRST_ID_SERIAL + serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def plan_persons(seed: int, count: int, start: int = 0) -> Iterator[PersonRecord]:
    rng = random.Random(f"{seed}:bulk-persons:{start}")
    for index in range(start, count):
        number = resident_id(index, seed)
        yield PersonRecord(
            index=index,
            name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            id_number=number,
            gender="1" if int(number[16]) % 2 else "2",
            phone=f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
            address=rng.randrange(ADDRESS_POOL),
        )


def address_pool(seed: int) -> list[str]:
    rng = random.Random(f"{seed}:bulk-addresses")
    return [
        f"广东省广州市荔湾区{rng.choice(STREET_NAMES)}{rng.randrange(1, 400)}号"
        f"{rng.randrange(1, 30)}0{rng.randrange(1, 9)}房"
        for _ in range(ADDRESS_POOL)
    ]


def query_code_pool(seed: int) -> list[str]:
    rng = random.Random(f"{seed}:bulk-query-codes")
    return ["".join(rng.choice(QUERY_ALPHABET) for _ in range(6)) for _ in range(QUERY_CODE_POOL)]


@dataclass(frozen=True)
class OrganisationRecord:
    index: int
    uscc: str
    name: str
    representative: int  # person index
    phone: str


ORG_WORDS = _words("荔湾 西关 芳村 沙面 花地 永庆 逢源 多宝 华林 岭南 昌华 海龙 白鹤 东漖")
ORG_TRADES = _words("贸易 餐饮 科技 物流 建筑 医药 服装 文化 家政 咨询 装饰 电子")


def organisation_uscc(index: int, seed: int) -> str:
    code = _mix(index, 10**8, seed + 1)
    body8 = f"{code:08d}"
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c) * w for c, w in zip(body8, weights, strict=True)) % 11
    organisation_code = body8 + {10: "X", 11: "0"}.get(check, str(check))
    body = "91440103" + organisation_code
    return body + stdnum_uscc.calc_check_digit(body)


def plan_organisations(seed: int, count: int, persons: int) -> Iterator[OrganisationRecord]:
    rng = random.Random(f"{seed}:bulk-organisations")
    for index in range(count):
        yield OrganisationRecord(
            index=index,
            uscc=organisation_uscc(index, seed),
            name=f"广州市{rng.choice(ORG_WORDS)}{rng.choice(ORG_TRADES)}有限公司（{index + 1}）",
            representative=rng.randrange(persons),
            phone=f"020-8{rng.randrange(10**6, 10**7)}",
        )


@dataclass(frozen=True)
class TaskRecord:
    step_order: int
    kind: str
    name: str
    role: str
    department_id: int
    is_joint: bool
    is_lead: bool
    state: str
    assignee_id: int | None
    outcome: str
    opened_at: dt.datetime | None
    finished_at: dt.datetime | None
    due_at: dt.datetime | None


@dataclass(frozen=True)
class BulkEvent:
    at: dt.datetime
    actor_id: int | None
    action: str
    from_state: str
    to_state: str
    reason: str
    data: dict[str, Any]
    department_id: int | None = None
    task: int | None = None  # index into the case's tasks
    audit: dict[str, Any] | None = None  # the audit row's extra detail when the case moved


@dataclass(frozen=True)
class CaseRecord:
    number: str
    prefix: str
    item: int
    centre: int
    window_id: int
    clerk_id: int
    person: int | None
    organisation: int | None
    state: str
    outcome: str
    submitted_at: dt.datetime
    accepted_at: dt.datetime | None
    decided_at: dt.datetime | None
    delivered_at: dt.datetime | None
    due_at: dt.datetime | None
    paused_since: dt.datetime | None
    supplement_deadline: dt.date | None
    query_code: int
    materials: list[tuple[str, str, str, str]]  # name, necessity, status, problem
    tasks: list[TaskRecord]
    events: list[BulkEvent]
    revision: int


def _day_counts(cases: int, today: dt.date, calendar: WorkingCalendar) -> list[tuple[dt.date, int]]:
    """Cases per day over the last ``SPAN_DAYS`` days before ``today`` (largest remainder):
    working days weigh 1, other days 0.1 (weekend service at the hall)."""
    days = [today - dt.timedelta(days=n) for n in range(SPAN_DAYS, 0, -1)]
    weights = [1.0 if calendar.is_working_day(d) else 0.1 for d in days]
    total = sum(weights)
    exact = [cases * w / total for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(days)), key=lambda n: (-(exact[n] - counts[n]), n))
    for n in order[: cases - sum(counts)]:
        counts[n] += 1
    return list(zip(days, counts, strict=True))


class _Clock:
    """Deadlines with one calendar loaded once and cached per (day, limit, unit)."""

    def __init__(self, calendar: WorkingCalendar):
        self.calendar = calendar
        self.cache: dict[tuple[dt.date, int, str], dt.datetime] = {}
        self.texts: dict[dt.datetime, str] = {}

    def due(self, start: dt.datetime, limit: int, unit: str) -> dt.datetime:
        if unit in ("1", "2", "5"):  # working days, natural days, months: end of a day
            key = (start.date(), limit, unit)  # ``start`` is in the current time zone
            found = self.cache.get(key)
            if found is None:
                found = self.cache[key] = clock.due_after(start, limit, unit, self.calendar)
            return found
        return clock.due_after(start, limit, unit, self.calendar)

    def text(self, due: dt.datetime) -> str:
        """The deadline in local time, as the accept event's data gives it."""
        found = self.texts.get(due)
        if found is None:
            if len(self.texts) > 100_000:
                self.texts.clear()
            found = self.texts[due] = timezone.localtime(due).isoformat()
        return found


def plan_cases(
    *,
    seed: int,
    cases: int,
    persons: int,
    organisations: int,
    city: City,
    today: dt.date,
    now: dt.datetime,
    calendar: WorkingCalendar,
    first_seq: dict[str, int],
    template: str,
) -> Iterator[CaseRecord]:
    """The cases, oldest first, one day at a time (numbers in order of intake)."""
    rng = random.Random(f"{seed}:bulk-cases")
    remaining = state_counts(cases)
    open_states = [str(s) for s in OPEN_SHARES]
    closed_states = [str(s) for s in CLOSED_SHARES] + [str(CaseState.DELIVERED)]
    open_total = sum(remaining[s] for s in open_states)
    window = min(cases, max(open_total, round(open_total * OPEN_WINDOW)))
    deadlines = _Clock(calendar)
    hall = [n for n, c in enumerate(city.centres) if c.is_hall]
    streets = [n for n, c in enumerate(city.centres) if not c.is_hall]
    tz = timezone.get_current_timezone()
    slot = 0
    for day, count in _day_counts(cases, today, calendar):
        seconds = sorted(rng.randrange(9 * 3600, 17 * 3600 + 1800) for _ in range(count))
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
        for second in seconds:
            at = midnight + dt.timedelta(seconds=second, microseconds=rng.randrange(10**6))
            left = cases - slot
            open_left = sum(remaining[s] for s in open_states)
            if slot >= cases - window and rng.random() * left < open_left:
                pool = open_states
            else:
                pool = closed_states
            weights = [remaining[s] for s in pool]
            state = rng.choices(pool, weights=weights)[0] if sum(weights) else pool[-1]
            remaining[state] -= 1
            slot += 1
            yield _plan_case(
                rng,
                state=state,
                at=at,
                now=now,
                city=city,
                hall=hall,
                streets=streets,
                persons=persons,
                organisations=organisations,
                deadlines=deadlines,
                first_seq=first_seq,
                template=template,
            )


def _pick_worker(rng: random.Random, city: City, role: str, department_id: int) -> int | None:
    pool = (city.leads if role == Role.DEPT_LEAD else city.approvers).get(department_id)
    if not pool:
        pool = city.approvers.get(department_id) or city.leads.get(department_id)
    return rng.choice(pool) if pool else None


def _between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    if end <= start:
        return start
    return start + (end - start) * rng.random()


def _plan_case(
    rng: random.Random,
    *,
    state: str,
    at: dt.datetime,
    now: dt.datetime,
    city: City,
    hall: list[int],
    streets: list[int],
    persons: int,
    organisations: int,
    deadlines: _Clock,
    first_seq: dict[str, int],
    template: str,
) -> CaseRecord:
    at_hall = bool(hall) and (not streets or rng.random() < 0.4)
    centre_index = rng.choice(hall if at_hall else streets)
    centre = city.centres[centre_index]
    instant = (
        state == CaseState.DELIVERED
        and bool(centre.instant_items and centre.instant_windows)
        and rng.random() < INSTANT_SHARE
    )
    item_index = rng.choice(centre.instant_items if instant else centre.items)
    item = city.items[item_index]
    clerk = rng.choice(centre.clerks)
    window = rng.choice(centre.instant_windows if instant else centre.windows)
    if item.natural or not organisations:
        person, organisation = rng.randrange(persons), None
    else:
        person, organisation = None, rng.randrange(organisations)
    local_day = at.date()  # ``at`` is in the current time zone
    prefix = template.split("{seq")[0].format(district=centre.district, date=local_day)
    seq = first_seq.get(prefix, 0) + 1
    first_seq[prefix] = seq
    number = template.format(district=centre.district, date=local_day, seq=seq)
    department = item.department_id
    code = rng.randrange(QUERY_CODE_POOL)
    materials = [(name, necessity, "received", "") for name, necessity in item.materials]
    events: list[BulkEvent] = []
    tasks: list[TaskRecord] = []
    accepted_at = decided_at = delivered_at = due_at = paused_since = None
    supplement_deadline = None
    outcome = ""

    def deliver(when: dt.datetime, decided: dt.datetime) -> dt.datetime:
        handed = min(_between(rng, decided, decided + dt.timedelta(days=5)), now)
        events.append(
            BulkEvent(
                handed,
                rng.choice(centre.output_clerks),
                "deliver",
                CaseState.DECIDED,
                CaseState.DELIVERED,
                "",
                {
                    "proxy": False,
                    "method": "window",
                    "papers_returned": [],
                    "tracking_number": "",
                },
                audit={"method": "window"},
            )
        )
        return handed

    if instant:
        accepted_at = decided_at = due_at = at
        outcome = "approved"
        events.append(
            BulkEvent(
                at,
                clerk,
                "complete_instant",
                "new",
                CaseState.DECIDED,
                "",
                {},
                department,
                None,
                {},
            )
        )
        delivered_at = deliver(at, at)
    elif state in (CaseState.SUPPLEMENT_REQUESTED, CaseState.REFUSED):
        if state == CaseState.SUPPLEMENT_REQUESTED:
            name, necessity = item.materials[0]
            materials[0] = (name, necessity, "faulty", SUPPLEMENT_PROBLEM)
            supplement_deadline = local_day + dt.timedelta(days=15)
            data: dict[str, Any] = {
                "papers": [{"name": name, "status": "faulty", "problem": SUPPLEMENT_PROBLEM}],
                "deadline": supplement_deadline.isoformat(),
            }
            events.append(
                BulkEvent(at, clerk, "request_supplement", "new", state, "", data, audit={})
            )
        else:
            events.append(BulkEvent(at, clerk, "refuse", "new", state, REFUSE_REASON, {}, audit={}))
    else:
        accepted_at = at
        due_at = deadlines.due(at, item.limit, item.unit)
        events.append(
            BulkEvent(
                at,
                clerk,
                "accept",
                "new",
                CaseState.ACCEPTED,
                "",
                {"due_at": deadlines.text(due_at), "deferred": []},
                department,
                audit={},
            )
        )
        closed = state in (CaseState.DECIDED, CaseState.DELIVERED)
        if closed:
            late = rng.random() < LATE_SHARE
            span = due_at - at
            finish = at + span * (rng.uniform(1.0, 1.6) if late else rng.uniform(0.05, 0.95))
            decided_at = min(finish, now - dt.timedelta(minutes=1)) if finish > now else finish
            decided_at = max(decided_at, at)
        # Steps: how many are done.
        steps = item.steps
        if closed:
            done_steps = len(steps)
        elif state == CaseState.WITHDRAWN:
            done_steps = 0
        else:
            done_steps = rng.randrange(len(steps)) if steps else 0
        cursor_at = at
        end_at = decided_at or now
        worked_until = at
        task_index = 0
        for n, step in enumerate(steps):
            finished = n < done_steps
            current = n == done_steps
            opened_at = cursor_at if (finished or current) else None
            if finished:
                share = (n + 1) / max(1, len(steps))
                finished_at = max(cursor_at, _between(rng, cursor_at, at + (end_at - at) * share))
                if n == len(steps) - 1 and decided_at is not None:
                    finished_at = decided_at
            else:
                finished_at = None
            if state == CaseState.WITHDRAWN:
                task_state = TaskState.CANCELLED
            elif finished:
                task_state = TaskState.DONE
            elif current:
                task_state = TaskState.CLAIMED if rng.random() < 0.5 else TaskState.OPEN
            else:
                task_state = TaskState.WAITING
            joint = step["kind"] == StepKind.REVIEW and bool(item.joint_ids)
            parts = [(department, True)] + [(d, False) for d in item.joint_ids] if joint else []
            if not parts:
                parts = [(department, False)]
            for part_department, lead in parts:
                worker = _pick_worker(rng, city, step["role"], part_department)
                assignee = worker if task_state in (TaskState.DONE, TaskState.CLAIMED) else None
                tasks.append(
                    TaskRecord(
                        step["order"],
                        step["kind"],
                        step["name"],
                        step["role"],
                        part_department,
                        joint,
                        joint and lead,
                        task_state,
                        assignee,
                        "approve" if finished else "",
                        opened_at,
                        finished_at,
                        due_at if opened_at is not None else None,
                    )
                )
                if finished:
                    assert finished_at is not None
                    events.append(
                        BulkEvent(
                            finished_at,
                            assignee,
                            "task_approve",
                            CaseState.ACCEPTED,
                            CaseState.ACCEPTED,
                            OPINION,
                            {},
                            part_department,
                            task_index,
                        )
                    )
                task_index += 1
            if finished and finished_at is not None:
                cursor_at = worked_until = finished_at
        if state == CaseState.SUSPENDED:
            paused_since = max(worked_until, _between(rng, at, min(due_at, now)))
            pauser = _pick_worker(rng, city, Role.DEPT_LEAD, department)
            events.append(
                BulkEvent(
                    paused_since,
                    pauser,
                    "suspend",
                    CaseState.ACCEPTED,
                    CaseState.SUSPENDED,
                    SUSPEND_REASON,
                    {"kind": "expert_review"},
                    department,
                    audit={},
                )
            )
        elif state == CaseState.WITHDRAWN:
            withdrawn = _between(rng, at, min(due_at, now))
            events.append(
                BulkEvent(
                    withdrawn,
                    clerk,
                    "withdraw",
                    CaseState.ACCEPTED,
                    CaseState.WITHDRAWN,
                    WITHDRAW_REASON,
                    {},
                    audit={},
                )
            )
        elif closed:
            assert decided_at is not None
            outcome = "approved"
            decider = _pick_worker(rng, city, Role.DEPT_LEAD, department)
            events.append(
                BulkEvent(
                    decided_at,
                    decider,
                    "decide",
                    CaseState.ACCEPTED,
                    CaseState.DECIDED,
                    OPINION,
                    {"outcome": outcome},
                    department,
                    audit={"outcome": outcome},
                )
            )
            if state == CaseState.DELIVERED:
                delivered_at = deliver(decided_at, decided_at)
    return CaseRecord(
        number=number,
        prefix=prefix,
        item=item_index,
        centre=centre_index,
        window_id=window,
        clerk_id=clerk,
        person=person,
        organisation=organisation,
        state=state,
        outcome=outcome,
        submitted_at=at,
        accepted_at=accepted_at,
        decided_at=decided_at,
        delivered_at=delivered_at,
        due_at=due_at,
        paused_since=paused_since,
        supplement_deadline=supplement_deadline,
        query_code=code,
        materials=materials,
        tasks=tasks,
        events=events,
        revision=1 + sum(1 for e in events if e.audit is not None) + len(tasks),
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def plan_digest(
    *, seed: int, persons: int, cases: int, city: City, today: dt.date, now: dt.datetime
) -> str:
    """SHA-256 over every plain record the bulk would write (streamed, nothing kept)."""
    digest = hashlib.sha256()
    organisations = round(persons * ORGANISATIONS_PER_PERSON)
    for record in plan_persons(seed, persons):
        digest.update(json.dumps(_plain(record), ensure_ascii=False).encode())
    for org in plan_organisations(seed, organisations, persons):
        digest.update(json.dumps(_plain(org), ensure_ascii=False).encode())
    calendar = WorkingCalendar.load(
        today - dt.timedelta(days=SPAN_DAYS + 5), today + dt.timedelta(days=400)
    )
    for case in plan_cases(
        seed=seed,
        cases=cases,
        persons=persons,
        organisations=organisations,
        city=city,
        today=today,
        now=now,
        calendar=calendar,
        first_seq={},
        template=_number_template(),
    ):
        digest.update(json.dumps(_plain(case), ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()


def _number_template() -> str:
    return str(getattr(settings, "CASE_NUMBER_FORMAT", "{district}{date:%Y%m%d}{seq:05d}"))


# ---------------------------------------------------------------------------------------------
# Writing


class _Writer:
    """Rows to one table: ``COPY`` on PostgreSQL, ``executemany`` elsewhere.

    On PostgreSQL the COPY runs on a thread of its own with at most ``PIPE_DEPTH`` batches
    waiting, so the next batch is planned (Python) while the server stores the last one; the
    thread's first error is raised in the caller at the next ``write`` or at ``flush``, and a
    load that fails ``abort``s it before its transaction rolls back (``_write_all``).
    """

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.rows: dict[str, int] = {}
        self._queue: queue.Queue[tuple[str, str, list[tuple]] | None] | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._aborted = False

    def value(self, value: Any) -> Any:
        if self.vendor == "postgresql":
            return value
        if isinstance(value, dt.datetime):
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    def write(self, model: type[models.Model], columns: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        table = model._meta.db_table
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        self.rows[table] = self.rows.get(table, 0) + len(rows)
        if self.vendor == "postgresql":
            self._raise_pending()
            if self._queue is None:
                self._start()
            assert self._queue is not None
            statement = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
            self._queue.put((table, statement, rows))
            return
        marks = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})",
                [tuple(self.value(v) for v in row) for row in rows],
            )

    def flush(self) -> None:
        """Wait until every batch handed over is stored; raise the writer's error if any."""
        if self._queue is not None and self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._queue = None
            self._thread = None
        self._raise_pending()

    def abort(self) -> None:
        """Stop the COPY thread without storing the batches it still holds, and wait for it.
        Called before the load's transaction rolls back: a batch stored after the rollback
        would run with the connection back in autocommit and be committed at once."""
        self._aborted = True
        if self._queue is not None and self._thread is not None:
            self._queue.put(None)  # the thread drains what is left without storing it
            self._thread.join()
            self._queue = None
            self._thread = None
        self._error = None  # the caller's own error is the one raised

    def _raise_pending(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _start(self) -> None:
        self._queue = queue.Queue(maxsize=PIPE_DEPTH)
        raw = connection.connection
        work = self._queue

        def run() -> None:
            while True:
                job = work.get()
                if job is None:
                    return
                if self._error is not None or self._aborted:
                    continue  # drain: the caller raises the first error, or is rolling back
                _table, statement, rows = job
                try:
                    self._copy(raw, statement, rows)
                except BaseException as exc:
                    self._error = exc

        self._thread = threading.Thread(target=run, name="bulk-copy", daemon=True)
        self._thread.start()

    def _copy(self, raw: Any, statement: str, rows: list[tuple]) -> None:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)


class _LoadMode:
    """PostgreSQL bulk-load mode for the tables the generator fills, inside its transaction:
    their secondary indexes and foreign keys are dropped first and built again at the end
    (one sort per index and one join per key instead of a tree insert and a trigger per row),
    with ``maintenance_work_mem`` raised for the builds, then the database analysed so the
    planner knows the tables' sizes. Unique indexes and constraints are rebuilt like the rest: a
    duplicate fails the rebuild and rolls the whole build back. Primary keys stay.

    The tables are locked (ACCESS EXCLUSIVE) until the build commits: readers of the same
    database wait for it, as they would for any migration.
    """

    def __init__(self, models_: Sequence[type[models.Model]]):
        self.tables = [m._meta.db_table for m in models_]
        self.indexes: list[str] = []
        self.foreign_keys: list[tuple[str, str, str]] = []

    def enter(self) -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
                FROM pg_constraint c
                WHERE c.contype IN ('f', 'u') AND c.conrelid = ANY(%s::regclass[])
                ORDER BY c.contype DESC, c.conrelid::regclass::text, c.conname
                """,
                [self.tables],
            )
            self.foreign_keys = [(t, n, d) for t, n, d in cursor.fetchall()]
            cursor.execute(
                """
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                FROM pg_index i
                WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                ORDER BY 1
                """,
                [self.tables],
            )
            self.indexes = [d for _n, d in cursor.fetchall()]
            names = [n for n, _d in self._index_names()]
            # Checks deferred by earlier work of the same transaction (the demo city built
            # inside a caller's transaction) run now: ALTER TABLE refuses pending ones.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table, name, _definition in self.foreign_keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name in names:
                cursor.execute(f"DROP INDEX {name}")

    def _index_names(self) -> list[tuple[str, str]]:
        found = []
        for definition in self.indexes:
            match = re.match(r"CREATE (?:UNIQUE )?INDEX (\S+) ON ", definition)
            if match is None:  # pragma: no cover - pg_get_indexdef always starts so
                raise RuntimeError(f"unexpected index definition: {definition}")
            found.append((match.group(1), definition))
        return found

    def leave(self, say: _Progress) -> None:
        if connection.vendor != "postgresql":
            return
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            total = len(self.indexes) + len(self.foreign_keys)
            done = 0
            for definition in self.indexes:
                cursor.execute(definition)
                done += 1
                if done % 10 == 0:
                    say("indexes", done, total, started)
            # Unique constraints before foreign keys (a key may need the unique index).
            for table, name, definition in self.foreign_keys:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                done += 1
                if done % 10 == 0 or done == total:
                    say("indexes", done, total, started)
            # Every table of the database, not only the nine: the demo city's catalogue and
            # organisation tables were never analysed where autovacuum is off (this box), and
            # a planner that takes 600 items for one joins the board's cases badly (166 ms
            # instead of 43 ms for a department lead's board at 2,000,000 cases).
            cursor.execute("ANALYZE")


def _next_id(model: type[models.Model]) -> int:
    found = model._default_manager.aggregate(top=models.Max("pk"))["top"]
    return int(found or 0) + 1


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class _Progress:
    """Plain progress lines (``cases 120000/2000000 (6 %) 4100/s``) on ``stdout``, or on the
    process's standard output when none is given."""

    def __init__(self, stdout: TextOutput | None, enabled: bool):
        self.stdout = (stdout or sys.stdout) if enabled else None
        self.started = time.monotonic()

    def __call__(self, part: str, done: int, total: int, started: float) -> None:
        if self.stdout is None:
            return
        elapsed = max(time.monotonic() - started, 1e-6)
        share = 100 * done / total if total else 100
        self.stdout.write(f"{part} {done}/{total} ({share:.0f} %) {done / elapsed:.0f}/s\n")


def _batches(records: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def build_city_bulk(
    *,
    seed: int,
    persons: int,
    cases: int,
    stdout: TextOutput | None = None,
    progress: bool = True,
    now: dt.datetime | None = None,
    free_bytes: int | None = None,
) -> BulkReport:
    """Build the demo city if the database has none, then add the bulk persons and cases.

    Raises ``ValidationFailed`` (nothing written) for sizes out of range or a scale that would
    not fit the disk (``free_bytes`` overrides the measured free space), and
    ``ApplicationError`` when the database holds bulk data already.
    """
    _check(seed, persons, cases, free_bytes)
    if not demo_city_exists():
        build_demo_city(seed=seed, stdout=stdout)
    first_index = crypto.blind_index(resident_id(0, seed), context=ID_NUMBER_INDEX_CONTEXT)
    if (
        Case.objects.filter(pk__gt=0)[BULK_GUARD : BULK_GUARD + 1].exists()
        or Person.objects.filter(id_type=IdType.RESIDENT_ID, id_number_index=first_index).exists()
    ):
        raise ApplicationError(
            gettext_lazy("The database holds a bulk city already; use an empty database."),
            code="bulk_exists",
            status=409,
        )
    started = time.monotonic()
    cpu_started = time.process_time()
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    say = _Progress(stdout, progress)
    city = load_city()
    if not city.centres:
        raise ApplicationError(
            gettext_lazy("The demo city has no centre with intake windows, clerks and items."),
            code="bulk_no_city",
        )
    organisations = round(persons * ORGANISATIONS_PER_PERSON)
    calendar = WorkingCalendar.load(
        today - dt.timedelta(days=SPAN_DAYS + 5), today + dt.timedelta(days=400)
    )
    writer = _Writer()
    try:
        by_state = _write_all(
            writer,
            seed=seed,
            persons=persons,
            organisations=organisations,
            cases=cases,
            city=city,
            today=today,
            now=now,
            calendar=calendar,
            say=say,
        )
    except IntegrityError as exc:
        # A generated ID number or credit code that a row of an earlier build holds already.
        raise ApplicationError(
            gettext_lazy(
                "The generated rows collide with rows in the database (a bulk city built "
                "before?); nothing was written. Use an empty database."
            ),
            code="bulk_collides",
            status=409,
        ) from exc
    _vacuum(say)
    seconds = time.monotonic() - started
    total_rows = sum(writer.rows.values())
    open_states = {str(s) for s in OPEN_SHARES}
    return BulkReport(
        seed=seed,
        persons=persons,
        organisations=organisations,
        cases=cases,
        open_cases=sum(n for s, n in by_state.items() if s in open_states),
        by_state=by_state,
        rows=dict(writer.rows),
        seconds=round(seconds, 2),
        cpu_seconds=round(time.process_time() - cpu_started, 2),
        rows_per_second=round(total_rows / seconds, 1) if seconds else 0.0,
        cases_per_second=round(cases / seconds, 1) if seconds else 0.0,
        bytes_on_disk=database_bytes(),
        vendor=connection.vendor,
    )


def _vacuum(say: _Progress) -> None:
    """After the commit (PostgreSQL, outside any transaction): ``VACUUM (ANALYZE)`` of the
    tables written, so their visibility map is set and the boards' counts are index-only scans
    from the first request, as autovacuum would leave them in time (on a server where it runs;
    on this box it is off). Skipped inside a caller's transaction, where VACUUM cannot run."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    started = time.monotonic()
    with connection.cursor() as cursor:
        for done, model in enumerate(BULK_MODELS, start=1):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
            say("vacuum", done, len(BULK_MODELS), started)


def _write_all(
    writer: _Writer,
    *,
    seed: int,
    persons: int,
    organisations: int,
    cases: int,
    city: City,
    today: dt.date,
    now: dt.datetime,
    calendar: WorkingCalendar,
    say: _Progress,
) -> dict[str, int]:
    """Everything in one transaction: a failure leaves nothing behind."""
    with transaction.atomic():
        try:
            load = _LoadMode(BULK_MODELS)
            load.enter()
            person_base = _write_persons(
                writer, seed, persons, say, now - dt.timedelta(days=SPAN_DAYS + 1)
            )
            org_base = _write_organisations(
                writer, seed, organisations, persons, person_base, say, now
            )
            by_state = _write_cases(
                writer,
                seed=seed,
                cases=cases,
                persons=persons,
                organisations=organisations,
                city=city,
                today=today,
                now=now,
                calendar=calendar,
                person_base=person_base,
                org_base=org_base,
                say=say,
            )
            writer.flush()
            load.leave(say)
            _reset_sequences()
            return by_state
        except BaseException:
            writer.abort()  # before the rollback: no batch may be stored after it
            raise


def _write_persons(
    writer: _Writer, seed: int, count: int, say: _Progress, created: dt.datetime
) -> int:
    base = _next_id(Person)
    addresses = [
        (crypto.encrypt(a, context=PERSON_ADDRESS_CONTEXT), mask_address(a))
        for a in address_pool(seed)
    ]
    columns = [
        "id",
        "created_at",
        "updated_at",
        "name",
        "id_type",
        "id_number_encrypted",
        "id_number_index",
        "id_number_masked",
        "phone_encrypted",
        "phone_index",
        "phone_masked",
        "address_encrypted",
        "address_masked",
        "gender",
        "region_code",
        "prefill_encrypted",
    ]
    started = time.monotonic()
    done = 0
    for batch in _batches(plan_persons(seed, count), BATCH):
        rows = []
        for p in batch:
            address = addresses[p.address]
            rows.append(
                (
                    base + p.index,
                    created,
                    created,
                    p.name,
                    IdType.RESIDENT_ID.value,
                    crypto.encrypt(p.id_number, context=PERSON_ID_NUMBER_CONTEXT),
                    crypto.blind_index(p.id_number, context=ID_NUMBER_INDEX_CONTEXT),
                    crypto.mask_id_number(p.id_number),
                    crypto.encrypt(p.phone, context=PERSON_PHONE_CONTEXT),
                    crypto.blind_index(p.phone, context=PHONE_INDEX_CONTEXT),
                    crypto.mask_phone(p.phone),
                    address[0],
                    address[1],
                    p.gender,
                    p.id_number[:6],
                    "",
                )
            )
        writer.write(Person, columns, rows)
        done += len(batch)
        if done % (BATCH * 25) == 0 or done == count:
            say("persons", done, count, started)
    return base


def _write_organisations(
    writer: _Writer,
    seed: int,
    count: int,
    persons: int,
    person_base: int,
    say: _Progress,
    now: dt.datetime,
) -> int:
    base = _next_id(Organisation)
    columns = [
        "id",
        "created_at",
        "updated_at",
        "uscc",
        "name",
        "legal_representative_name",
        "legal_representative_id_type",
        "legal_representative_id_encrypted",
        "legal_representative_id_index",
        "legal_representative_id_masked",
        "contact_phone_encrypted",
        "contact_phone_index",
        "contact_phone_masked",
        "address",
    ]
    started = time.monotonic()
    done = 0
    # The representative's name: the person's plain record, regenerated by index.
    for batch in _batches(plan_organisations(seed, count, persons), BATCH):
        rows = []
        for org in batch:
            number = resident_id(org.representative, seed)
            rows.append(
                (
                    base + org.index,
                    now,
                    now,
                    org.uscc,
                    org.name,
                    _person_name(seed, org.representative),
                    IdType.RESIDENT_ID.value,
                    crypto.encrypt(number, context=ORGANISATION_REPRESENTATIVE_ID_CONTEXT),
                    crypto.blind_index(number, context=ID_NUMBER_INDEX_CONTEXT),
                    crypto.mask_id_number(number),
                    crypto.encrypt(org.phone, context=ORGANISATION_PHONE_CONTEXT),
                    crypto.blind_index(org.phone, context=PHONE_INDEX_CONTEXT),
                    crypto.mask_phone(org.phone),
                    f"广州市荔湾区{ORG_WORDS[org.index % len(ORG_WORDS)]}路{org.index % 300 + 1}号",
                )
            )
        writer.write(Organisation, columns, rows)
        done += len(batch)
        if done % (BATCH * 25) == 0 or done == count:
            say("organisations", done, count, started)
    return base


def _person_name(seed: int, index: int) -> str:
    # The representative is named after a fixed draw of their own (not the person row's name:
    # replaying the persons' stream for one index would cost the whole stream).
    rng = random.Random(f"{seed}:bulk-representative:{index}")
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


CASE_COLUMNS = [
    "id",
    "number",
    "query_code_encrypted",
    "query_code_index",
    "item_id",
    "item_version_id",
    "department_id",
    "centre_id",
    "window_id",
    "clerk_id",
    "applicant_type",
    "person_id",
    "organisation_id",
    "state",
    "revision",
    "outcome",
    "result_number",
    "submitted_at",
    "accepted_at",
    "decided_at",
    "delivered_at",
    "time_limit",
    "time_limit_unit",
    "due_at",
    "paused_since",
    "supplement_deadline",
    "output_method",
    "output_centre_id",
    "idempotency_key",
    "submission_fingerprint",
]
MATERIAL_COLUMNS = [
    "id",
    "case_id",
    "order",
    "name",
    "necessity",
    "status",
    "receive_form",
    "copies",
    "problem",
    "due_date",
    "received_at",
    "scan",
]
TASK_COLUMNS = [
    "id",
    "case_id",
    "step_order",
    "kind",
    "name",
    "role",
    "department_id",
    "is_joint",
    "is_lead",
    "state",
    "assignee_id",
    "outcome",
    "opinion",
    "opened_at",
    "finished_at",
    "due_at",
    "revision",
]
EVENT_COLUMNS = [
    "id",
    "at",
    "actor_id",
    "action",
    "from_state",
    "to_state",
    "reason",
    "public",
    "data",
    "case_id",
    "department_id",
    "task_id",
    # Every bulk case's messages count as sent long ago: nothing is left for the notice sweep.
    "notify_pending",
]
PAUSE_COLUMNS = [
    "id",
    "case_id",
    "kind",
    "reason",
    "started_at",
    "ended_at",
    "result",
    "paused_working_days",
]
AUDIT_COLUMNS = [*audit_chain.CHAINED_FIELDS, "seq", "prev_hash", "row_hash", "field_macs"]


CHECK_EVERY = 997
SORTED_FIELDS = tuple(sorted(audit_chain.CHAINED_FIELDS))
# Text that JSON writes as it is between quotes (no escapes needed).
PLAIN_TEXT = re.compile(r"[A-Za-z0-9_.:+\- ]*")


def _scalar_text(value: Any) -> str:
    """``_canonical`` of a scalar, without the encoder for the common cases."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and PLAIN_TEXT.fullmatch(value):
        return f'"{value}"'
    return _canonical(value)


def _canonical(value: Any) -> str:
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )


class _Chain:
    """Audit rows sealed as they are written: the same positions, links, hashes and field
    checks ``audit_chain`` gives them, continuing from the chain's current head."""

    def __init__(self) -> None:
        # Seal what is pending first (its own transactions), then hold the seal's lock for
        # the whole bulk transaction so no seal runs in between.
        self.key = audit_chain.chain_key()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [audit_chain.SEAL_LOCK_ID])
        self.seq, self.prev = audit_chain.chain_head()
        stored = AuditSealHead.objects.filter(pk=1).values_list("seq", "row_hash").first()
        if (stored is None and self.seq) or (
            stored is not None and stored != (self.seq, self.prev)
        ):
            raise audit_chain.SealRefused("audit chain head does not match the stored head")
        self.unsealed = AuditLog.objects.filter(seq__isnull=True).exists()

    def row(self, values: dict[str, Any]) -> tuple:
        """The row with its chain columns. The hashes are computed here with the canonical
        form of ``audit_chain`` (JSON, sorted keys, no spaces; the time in UTC to the
        microsecond) written out for speed; every ``CHECK_EVERY``-th row is recomputed with
        ``audit_chain.field_macs_of`` / ``row_hash_of`` themselves and must agree."""
        self.seq += 1
        at = values["at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
        shown = {**values, "at": at}
        pk = values["id"]
        texts = {}
        macs = {}
        for name in audit_chain.CHAINED_FIELDS:
            value = shown[name]
            text = _canonical(value) if name == "detail" else _scalar_text(value)
            texts[name] = text
            macs[name] = hmac.digest(self.key, f'[{pk},"{name}",{text}]'.encode(), "sha256").hex()[
                : audit_chain.FIELD_MAC_LENGTH
            ]
        # The payload of ``row_hash_of`` in its canonical form: keys sorted at each level.
        fields_text = ",".join(f'"{name}":{texts[name]}' for name in SORTED_FIELDS)
        macs_text = ",".join(f'"{name}":"{macs[name]}"' for name in SORTED_FIELDS)
        payload = (
            f'{{"fields":{{{fields_text}}},"macs":{{{macs_text}}},'
            f'"prev":"{self.prev}","seq":{self.seq},"v":{audit_chain.FORMAT_VERSION}}}'
        )
        digest = hmac.digest(self.key, payload.encode(), "sha256").hex()
        if self.seq % CHECK_EVERY == 1:
            row = SimpleNamespace(pk=pk, **values)
            expected = audit_chain.field_macs_of(row, self.key)  # type: ignore[arg-type]
            expected_hash = audit_chain.row_hash_of(
                row,  # type: ignore[arg-type]
                seq=self.seq,
                prev_hash=self.prev,
                field_macs=expected,
                key=self.key,
            )
            if expected != macs or expected_hash != digest:
                raise RuntimeError("the bulk audit chain differs from audit_chain's")
        out = (
            pk,
            values["at"],
            values["actor_id"],
            values["action"],
            values["object_type"],
            values["object_id"],
            values["object_repr"],
            values["allowed"],
            _json(values["detail"]),
            self.seq,
            self.prev,
            digest,
            _json(macs),
        )
        self.prev = digest
        return out

    def close(self) -> None:
        if self.seq == 0:
            return
        moved = AuditSealHead.objects.filter(pk=1).update(
            seq=self.seq, row_hash=self.prev, sealed_at=timezone.now()
        )
        if not moved:
            AuditSealHead.objects.create(pk=1, seq=self.seq, row_hash=self.prev)


RATING_COLUMNS = [str(f.column) for f in Rating._meta.concrete_fields]
RATED_STAFF_COLUMNS = [str(f.column) for f in RatedStaff._meta.concrete_fields]
RECTIFICATION_COLUMNS = [str(f.column) for f in Rectification._meta.concrete_fields]
RECTIFICATION_EVENT_COLUMNS = [str(f.column) for f in RectificationEvent._meta.concrete_fields]
RECTIFICATION_DEFAULTS: dict[str, Any] = {
    f.attname: f.get_default() for f in Rectification._meta.concrete_fields
}


class _RatingRows:
    """The ratings of the delivered cases (``demo.ratings.plan_rating``, its own random stream
    ``"<seed>:ratings"``: the case records do not change), their rated staff, and for each bad
    one its rectification with one event and one sealed audit row per move, as the kernel's
    mover writes them (``ratings.rectification_<move>``)."""

    def __init__(self, *, seed: int, now: dt.datetime, calendar: WorkingCalendar):
        self.rng = random.Random(f"{seed}:ratings")
        self.now = now
        self.clock = _Clock(calendar)
        self.default = demo_ratings.default_level()
        self.rating_id = _next_id(Rating)
        self.staff_id = _next_id(RatedStaff)
        self.rectification_id = _next_id(Rectification)
        self.event_id = _next_id(RectificationEvent)
        managers = list(
            RoleAssignment.objects.filter(role=Role.CENTRE_MANAGER, centre__isnull=False)
            .order_by("centre_id", "user__username")
            .values_list("centre_id", "user_id")
        )
        self.managers: dict[int, int] = {}
        for centre_id, user_id in managers:
            self.managers.setdefault(centre_id, user_id)
        self.any_manager = managers[0][1] if managers else None
        self.leads = {
            department: users[0] for department, users in load_department_leads().items() if users
        }
        self.start_batch()

    def start_batch(self) -> None:
        self.ratings: list[tuple] = []
        self.staff: list[tuple] = []
        self.rectifications: list[tuple] = []
        self.events: list[tuple] = []

    def add(
        self,
        record: CaseRecord,
        *,
        case_id: int,
        item: ItemInfo,
        centre: CentreInfo,
        deliver_event: int | None,
        decider: int | None,
        chain: _Chain,
        audit_rows: list[tuple],
        audit_id: int,
    ) -> int:
        """Add the rows of ``record``'s rating, if it has one; returns the next audit id."""
        assert record.delivered_at is not None
        draft = demo_ratings.plan_rating(
            self.rng, delivered_at=record.delivered_at, now=self.now, default=self.default
        )
        if draft is None:
            return audit_id
        rating_id = self.rating_id
        self.rating_id += 1
        visit = draft.occasion == "visit" and deliver_event is not None
        occasion = draft.occasion if visit or draft.occasion == "case" else "case"
        key = f"visit:{case_id}:{deliver_event}" if visit else f"case:{case_id}"
        values: dict[str, Any] = {
            "id": rating_id,
            "occasion_key": key,
            "occasion": occasion,
            "channel": draft.channel,
            "level": draft.level,
            "dimensions": _json(draft.dimensions),
            "options": _json(draft.options),
            "comment": "",
            "form_version": FORM_VERSION,
            "is_default": draft.is_default,
            "rated_at": draft.rated_at,
            "case_id": case_id,
            "case_number": record.number,
            "case_name": item.name,
            "case_state": CaseState.DELIVERED,
            "item_id": item.pk,
            "item_code": item.code,
            "item_version_number": item.version_number,
            "department_id": item.department_id,
            "centre_id": centre.pk,
            "window_id": record.window_id,
            "region_code": centre.region_code,
            "applicant_type": "natural" if record.person is not None else "legal",
            "counts_in_scores": not (draft.moves and draft.moves[-1][0] == "uphold_appeal"),
            "excluded_reason": (
                demo_ratings.APPEAL_DECISION
                if draft.moves and draft.moves[-1][0] == "uphold_appeal"
                else ""
            ),
            "reported_at": None,
            "pad_id": None,
        }
        self.ratings.append(tuple(values[c] for c in RATING_COLUMNS))
        rated: list[tuple[int, str, int | None]] = [(record.clerk_id, RatedRole.WINDOW, None)]
        # A visit rates its window clerk only; the case rated online, its back office too.
        if not visit and decider is not None and decider != record.clerk_id:
            rated.append((decider, RatedRole.BACK_OFFICE, item.department_id))
        for user_id, role, department_id in rated:
            self.staff.append((self.staff_id, rating_id, user_id, role, department_id))
            self.staff_id += 1
        if draft.is_default or draft.level > 2:
            return audit_id
        return self._rectification(
            draft, rating_id, record, item, centre, chain, audit_rows, audit_id
        )

    def _rectification(
        self,
        draft: demo_ratings.RatingDraft,
        rating_id: int,
        record: CaseRecord,
        item: ItemInfo,
        centre: CentreInfo,
        chain: _Chain,
        audit_rows: list[tuple],
        audit_id: int,
    ) -> int:
        pk = self.rectification_id
        self.rectification_id += 1
        lead = self.leads.get(item.department_id)
        manager = self.managers.get(centre.pk, self.any_manager)
        owner = record.clerk_id
        actors = {"appeal": owner, "uphold_appeal": manager}
        ledger_at = dict(draft.moves).get("ledger")
        ledger_due = self.clock.due(ledger_at, demo_ratings.LEDGER_DAYS, "1") if ledger_at else None
        number = rectification_number(
            cast(Rating, SimpleNamespace(rated_at=draft.rated_at, pk=rating_id))
        )
        moves = demo_ratings.states_after(draft)
        fields = {
            **RECTIFICATION_DEFAULTS,
            **demo_ratings.rectification_fields(draft, actor_id=owner, ledger_due=ledger_due),
            "id": pk,
            "number": number,
            "rating_id": rating_id,
            "department_id": item.department_id,
            "centre_id": centre.pk,
            "owner_id": owner,
            "state": moves[-1][2],
            "revision": len(moves),
            "opened_at": draft.rated_at,
            "callback_due_at": self.clock.due(draft.rated_at, 1, "1"),
        }
        self.rectifications.append(tuple(fields[c] for c in RECTIFICATION_COLUMNS))
        for action, from_state, to_state, at in moves:
            actor = None if action == "open" else actors.get(action, lead)
            declared = RECTIFICATION_MACHINE.move_for(action)
            assert declared is not None
            data = {"rating": rating_id, "level": draft.level} if action == "open" else {}
            event = {
                "id": self.event_id,
                "at": at,
                "actor_id": actor,
                "action": action,
                "from_state": from_state,
                "to_state": to_state,
                "reason": "",
                "public": declared.public,
                "data": _json(data),
                "notify_pending": False,
                "rectification_id": pk,
            }
            self.events.append(tuple(event[c] for c in RECTIFICATION_EVENT_COLUMNS))
            audit_rows.append(
                chain.row(
                    {
                        "id": audit_id,
                        "at": at,
                        "actor_id": actor,
                        "action": f"ratings.rectification_{action}",
                        "object_type": "ratings.rectification",
                        "object_id": str(pk),
                        "object_repr": number,
                        "allowed": True,
                        "detail": {"from": from_state, "to": to_state, "event": self.event_id},
                    }
                )
            )
            audit_id += 1
            self.event_id += 1
        return audit_id

    def write(self, writer: _Writer) -> None:
        writer.write(Rating, RATING_COLUMNS, self.ratings)
        writer.write(RatedStaff, RATED_STAFF_COLUMNS, self.staff)
        writer.write(Rectification, RECTIFICATION_COLUMNS, self.rectifications)
        writer.write(RectificationEvent, RECTIFICATION_EVENT_COLUMNS, self.events)
        self.start_batch()


def load_department_leads() -> dict[int, list[int]]:
    leads: dict[int, list[int]] = {}
    for department_id, user_id in (
        RoleAssignment.objects.filter(role=Role.DEPT_LEAD, department__isnull=False)
        .order_by("department_id", "user__username")
        .values_list("department_id", "user_id")
    ):
        leads.setdefault(department_id, []).append(user_id)
    return leads


def _write_cases(
    writer: _Writer,
    *,
    seed: int,
    cases: int,
    persons: int,
    organisations: int,
    city: City,
    today: dt.date,
    now: dt.datetime,
    calendar: WorkingCalendar,
    person_base: int,
    org_base: int,
    say: _Progress,
) -> dict[str, int]:
    writer.flush()  # the persons and organisations stored before the chain's reads
    audit_chain.audit_seal()
    chain = _Chain()
    if chain.unsealed:
        raise ApplicationError(
            gettext_lazy("Audit rows are waiting for the seal; run manage.py audit_seal first."),
            code="bulk_unsealed",
        )
    codes = [
        (crypto.encrypt(c, context=QUERY_CODE_CONTEXT), query_code_index(c))
        for c in query_code_pool(seed)
    ]
    template = _number_template()
    first_seq = dict(CaseNumberSequence.objects.values_list("prefix", "last"))
    case_id = _next_id(Case)
    material_id = _next_id(CaseMaterial)
    task_id = _next_id(CaseTask)
    event_id = _next_id(CaseEvent)
    pause_id = _next_id(ClockPause)
    audit_id = _next_id(AuditLog)
    rates = _RatingRows(seed=seed, now=now, calendar=calendar)
    by_state: dict[str, int] = {}
    started = time.monotonic()
    done = 0
    step = max(BATCH, min(100_000, cases // 50 or 1))
    records = plan_cases(
        seed=seed,
        cases=cases,
        persons=persons,
        organisations=organisations,
        city=city,
        today=today,
        now=now,
        calendar=calendar,
        first_seq=first_seq,
        template=template,
    )
    for batch in _batches(records, BATCH):
        case_rows, material_rows, task_rows, event_rows, pause_rows, audit_rows = (
            [],
            [],
            [],
            [],
            [],
            [],
        )
        rates.start_batch()
        for record in batch:
            item = city.items[record.item]
            centre = city.centres[record.centre]
            encrypted, index = codes[record.query_code]
            case_rows.append(
                (
                    case_id,
                    record.number,
                    encrypted,
                    index,
                    item.pk,
                    item.version_id,
                    item.department_id,
                    centre.pk,
                    record.window_id,
                    record.clerk_id,
                    "natural" if record.person is not None else "legal",
                    person_base + record.person if record.person is not None else None,
                    org_base + record.organisation if record.organisation is not None else None,
                    record.state,
                    record.revision,
                    record.outcome,
                    "",
                    record.submitted_at,
                    record.accepted_at,
                    record.decided_at,
                    record.delivered_at,
                    item.limit,
                    item.unit,
                    record.due_at,
                    record.paused_since,
                    record.supplement_deadline,
                    "window",
                    centre.pk,
                    None,
                    "",
                )
            )
            by_state[record.state] = by_state.get(record.state, 0) + 1
            for order, (name, necessity, status, problem) in enumerate(record.materials):
                received = status == "received"
                material_rows.append(
                    (
                        material_id,
                        case_id,
                        order,
                        name,
                        necessity,
                        status,
                        "paper" if received else "",
                        1 if received else 0,
                        problem,
                        None,
                        record.submitted_at if received else None,
                        "",
                    )
                )
                material_id += 1
            first_task = task_id
            for task in record.tasks:
                task_rows.append(
                    (
                        task_id,
                        case_id,
                        task.step_order,
                        task.kind,
                        task.name,
                        task.role,
                        task.department_id,
                        task.is_joint,
                        task.is_lead,
                        task.state,
                        task.assignee_id,
                        task.outcome,
                        OPINION if task.outcome else "",
                        task.opened_at,
                        task.finished_at,
                        task.due_at,
                        3 if task.state == TaskState.DONE else 1,
                    )
                )
                task_id += 1
            deliver_event = decider = None
            for event in record.events:
                if event.action == "deliver":
                    deliver_event = event_id
                elif event.action == "decide":
                    decider = event.actor_id
                event_rows.append(
                    (
                        event_id,
                        event.at,
                        event.actor_id,
                        event.action,
                        event.from_state,
                        event.to_state,
                        event.reason,
                        True,
                        _json(event.data),
                        case_id,
                        event.department_id,
                        first_task + event.task if event.task is not None else None,
                        False,
                    )
                )
                if event.audit is not None:
                    detail = {"from": event.from_state, "to": event.to_state, "event": event_id}
                    detail.update(event.audit)
                    audit_rows.append(
                        chain.row(
                            {
                                "id": audit_id,
                                "at": event.at,
                                "actor_id": event.actor_id,
                                "action": f"cases.{event.action}",
                                "object_type": "cases.case",
                                "object_id": str(case_id),
                                "object_repr": record.number,
                                "allowed": True,
                                "detail": detail,
                            }
                        )
                    )
                    audit_id += 1
                if event.action == "suspend":
                    pause_rows.append(
                        (pause_id, case_id, "expert_review", SUSPEND_REASON, event.at, None, "", 0)
                    )
                    pause_id += 1
                event_id += 1
            if record.state == CaseState.DELIVERED and record.delivered_at is not None:
                audit_id = rates.add(
                    record,
                    case_id=case_id,
                    item=item,
                    centre=centre,
                    deliver_event=deliver_event,
                    decider=decider,
                    chain=chain,
                    audit_rows=audit_rows,
                    audit_id=audit_id,
                )
            case_id += 1
        writer.write(Case, CASE_COLUMNS, case_rows)
        writer.write(CaseMaterial, MATERIAL_COLUMNS, material_rows)
        writer.write(CaseTask, TASK_COLUMNS, task_rows)
        writer.write(CaseEvent, EVENT_COLUMNS, event_rows)
        writer.write(ClockPause, PAUSE_COLUMNS, pause_rows)
        rates.write(writer)
        writer.write(AuditLog, AUDIT_COLUMNS, audit_rows)
        done += len(batch)
        if done % step < BATCH or done == cases:
            say("cases", done, cases, started)
    writer.flush()
    chain.close()
    _store_sequences(first_seq)
    return by_state


def _store_sequences(last: dict[str, int]) -> None:
    """Every day's ``CaseNumberSequence`` at the last number written, so the next normal
    accept of that prefix gets a fresh one."""
    existing = dict(CaseNumberSequence.objects.values_list("prefix", "last"))
    fresh = []
    for prefix, value in sorted(last.items()):
        if prefix in existing:
            if existing[prefix] != value:
                CaseNumberSequence.objects.filter(prefix=prefix).update(last=value)
        else:
            fresh.append(CaseNumberSequence(prefix=prefix, last=value))
    CaseNumberSequence.objects.bulk_create(fresh, batch_size=BATCH)


BULK_MODELS: list[type[models.Model]] = [
    Person,
    Organisation,
    Case,
    CaseMaterial,
    CaseTask,
    CaseEvent,
    ClockPause,
    AuditLog,
    CaseNumberSequence,
    Rating,
    RatedStaff,
    Rectification,
    RectificationEvent,
]


def _reset_sequences() -> None:
    """Move the id sequences past the ids written (PostgreSQL identity columns)."""
    statements = connection.ops.sequence_reset_sql(no_style(), BULK_MODELS)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def database_bytes() -> int:
    """The database's size on disk: ``pg_database_size`` or the SQLite file."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            row = cursor.fetchone()
        return int(row[0]) if row else 0
    name = str(settings.DATABASES["default"]["NAME"])
    path = Path(name)
    return path.stat().st_size if path.exists() else 0


__all__ = [
    "BulkReport",
    "build_city_bulk",
    "default_persons",
    "disk_check",
    "estimated_bytes",
    "load_city",
    "plan_digest",
    "resident_id",
    "state_counts",
]
