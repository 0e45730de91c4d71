"""Demo grid cases, so that a freshly switched-on platform shows the grid flow at every step:
the supervision centre's queues, the command centre's dispatch list, a sanitation station's
cases by light, a grid worker's checks, the enforcement team's tasks, the figures and the
leaders' map.

``build_demo_grid_cases`` runs after the demo city and its grids, and goes through the real
services only (``report_submit``, ``case_file``, ``case_dispatch`` …, ``task_open`` through the
dispatch to the team, ``inspection_record``, ``notice_issue``), as the demo's own users: the
street's grid worker ``grid01``, the duty chief ``gridchief01``, the dispatcher
``griddispatch01``, the units' approvers and the enforcement officers ``zf01``/``zf02``. Every
case obeys the rules, clocks and audit trail of a real one. The moments are set back from now
(the oldest three weeks); the late and the overdue ones lie further back than the longest
holiday (Spring Festival, National Day), so they are late and red whatever day the demo is
built. The photos are drawn in code (no binary file in the repository)."""

from __future__ import annotations

import datetime as dt
import io
import random
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from onewindow.demo.bulk import organisation_uscc
from onewindow.enforcement.services import LegalBasis, PartyInput, inspection_record, notice_issue
from onewindow.grid.models import Grid
from onewindow.org.codes import Role
from onewindow.org.models import Department, RoleAssignment
from onewindow.urban.codes import RequestKind
from onewindow.urban.models import CaseStage, GridCase
from onewindow.urban.services.centre import (
    case_close,
    case_dispatch,
    case_file,
    case_refuse,
    dispatch_proposal,
)
from onewindow.urban.services.intake import public_report_submit, report_submit
from onewindow.urban.services.onsite import case_check, case_rework, case_verify
from onewindow.urban.services.unit import case_feedback, request_make, stage_done

WORKER, CHIEF, DISPATCHER = "grid01", "gridchief01", "griddispatch01"
OFFICERS = ("zf01", "zf02")
STREET_PREFIX = "440103001"  # 沙面街道: grid01's street
DEMO_ADDRESS = "192.0.2.10"  # a documentation address (RFC 5737): the demo citizen's browser


@dataclass(frozen=True)
class Plan:
    """One demo case: its category, words, how long ago it was reported, and how far it went."""

    category: str
    description: str
    place: str
    hours_ago: float
    until: str  # to_verify | to_file | refused | to_dispatch | handling | to_check | to_close
    #  | closed | self | enforcement
    public: bool = False
    late: bool = False  # handled after its deadline
    rework: bool = False  # found not done once on the check
    extension: bool = False  # the unit asks for more time (waits for the chief)


PLANS = (
    Plan("E0101", "路边绿化带旁堆放生活垃圾约两袋，有异味。", "沙面北街12号旁", 500, "closed"),
    Plan("C0302", "垃圾桶满溢，周边散落垃圾。", "沙面大街与沙面三街交界", 460, "closed"),
    Plan("E0201", "电线杆上张贴非法小广告多处。", "沙面南街45号", 420, "closed", late=True),
    Plan("E0103", "路面有油污和果皮，未及时保洁。", "沙面五街", 380, "closed", rework=True),
    Plan("C0105", "公厕洗手池水龙头损坏漏水。", "沙面公园公厕", 330, "closed"),
    Plan("E0504", "共享单车乱停放堵塞人行道。", "沙面一街地铁口", 300, "closed"),
    Plan("E0106", "路边有死老鼠一只。", "沙面北街绿道", 260, "closed"),
    Plan("C0301", "分类垃圾桶桶盖破损。", "沙面大街28号前", 200, "closed"),
    Plan("E0102", "装修垃圾堆放在巷口未清运。", "沙面四街3号", 360, "closed", late=True),
    Plan("E0202", "围墙上违规悬挂广告横幅。", "沙面大街60号", 120, "to_close"),
    Plan("E0103", "人行道有大量落叶和烟头。", "沙面南街", 96, "to_check"),
    Plan("E0101", "桥底堆放废弃床垫和纸箱。", "沙面西桥底", 300, "handling"),
    Plan("E0102", "小区门口渣土堆放。", "沙面三街9号", 50, "handling", extension=True),
    Plan("C0302", "垃圾桶满溢，已有两天未清运。", "沙面二街", 3, "handling"),
    Plan("E0301", "天台加建铁皮房，正在施工。", "沙面北街30号天台", 80, "enforcement"),
    Plan("E0301", "一楼商铺外违规搭建雨棚。", "沙面大街15号", 26, "enforcement"),
    Plan("E0504", "非机动车占用盲道。", "沙面五街8号", 5, "to_dispatch"),
    Plan("E0201", "楼道口张贴小广告。", "沙面四街12号", 2, "to_file"),
    Plan("E0106", "草地上有动物尸体。", "沙面公园", 1, "to_file"),
    Plan("E0103", "路面有少量纸屑。", "沙面一街", 30, "refused"),
    Plan("C0301", "垃圾桶倾倒，已扶正复位。", "沙面大街2号", 20, "self"),
    Plan("E0101", "江边步道有人丢弃大量垃圾。", "沙面江边步道", 4, "to_verify", public=True),
    Plan("E0504", "单车停在消防通道上。", "沙面三街消防通道", 40, "handling", public=True),
)


def demo_photo(label: int, *, after: bool = False) -> SimpleUploadedFile:
    """A small drawn "photo" (JPEG): a street, a wall and — before handling — the problem."""
    rng = random.Random(f"grid-photo:{label}:{after}")
    image = Image.new("RGB", (480, 360), (205, 214, 222))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 230, 480, 360), fill=(128, 128, 124))  # the road
    draw.rectangle((40, 60, 440, 230), fill=(rng.randint(170, 220), 190, 170))  # a wall
    if not after:
        for _ in range(5):
            x, y = rng.randint(80, 400), rng.randint(240, 320)
            draw.ellipse((x, y, x + 50, y + 32), fill=(60, rng.randint(60, 120), 40))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    name = f"{'after' if after else 'site'}-{label}.jpg"
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _user(username: str) -> Any:
    return get_user_model().objects.filter(username=username).first()


def _handler(unit: Department) -> Any:
    """Who handles at the unit: its approver (the demo makes one for every department)."""
    found = (
        RoleAssignment.objects.filter(role=Role.DEPT_APPROVER, department=unit)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    return found.user if found else None


def _point(rng: random.Random, grids: list[Grid]) -> tuple[float, float]:
    """A point well inside one of the street's grids (the demo grids are rectangles)."""
    grid = rng.choice(grids)
    lon = grid.min_lon + (grid.max_lon - grid.min_lon) * rng.uniform(0.2, 0.8)
    lat = grid.min_lat + (grid.max_lat - grid.min_lat) * rng.uniform(0.2, 0.8)
    return round(lon, 6), round(lat, 6)


def _last_due(case: GridCase) -> dt.datetime | None:
    stage = CaseStage.objects.filter(case=case).order_by("-order").first()
    return stage.due_at if stage else None


class _Clock:
    """The moments of one case: each step a little after the last, never after now."""

    def __init__(self, start: dt.datetime, now: dt.datetime):
        self.at, self.now = start, now

    def after(self, minutes: float) -> dt.datetime:
        self.at = min(self.at + dt.timedelta(minutes=minutes), self.now)
        return self.at

    def late_after(self, due: dt.datetime | None, minutes: float) -> dt.datetime:
        """A moment past ``due`` (a late step), still before now."""
        if due is not None:
            self.at = min(max(self.at, due), self.now)
        return self.after(minutes)


def build_demo_grid_cases(*, seed: int = 2026, now: dt.datetime | None = None) -> int:
    """The cases of ``PLANS`` in grid01's street; returns how many (0 when the demo's grid
    users or grids are missing)."""
    rng = random.Random(f"{seed}:grid-cases")
    now = now or timezone.now()
    worker, chief, dispatcher = _user(WORKER), _user(CHIEF), _user(DISPATCHER)
    officers = [_user(name) for name in OFFICERS]
    grids = list(Grid.objects.filter(is_active=True, code__startswith=STREET_PREFIX))
    if not (worker and chief and dispatcher and all(officers) and grids):
        return 0
    made = 0
    with transaction.atomic():
        for number, plan in enumerate(PLANS, start=1):
            _build_one(
                plan,
                number=number,
                rng=rng,
                clock=_Clock(now - dt.timedelta(hours=plan.hours_ago), now),
                users={"worker": worker, "chief": chief, "dispatcher": dispatcher},
                officers=officers,
                grids=grids,
                seed=seed,
            )
            made += 1
    return made


def _build_one(
    plan: Plan,
    *,
    number: int,
    rng: random.Random,
    clock: _Clock,
    users: dict[str, Any],
    officers: list[Any],
    grids: list[Grid],
    seed: int,
) -> GridCase:
    worker, chief, dispatcher = users["worker"], users["chief"], users["dispatcher"]
    lon, lat = _point(rng, grids)
    photo = demo_photo
    key = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if plan.public:
        case, _secret = public_report_submit(
            phone=f"139{rng.randrange(10**7, 10**8)}",
            category=plan.category,
            description=plan.description,
            longitude=lon,
            latitude=lat,
            place=plan.place,
            photos=[photo(number)],
            client_key=key,
            request_ip=DEMO_ADDRESS,
            now=clock.at,
        )
        if plan.until == "to_verify":
            return case
        case = case_verify(
            actor=worker,
            case=case,
            revision=case.revision,
            found_true=True,
            note="已到现场核实，情况属实。",
            photos=[photo(number)],
            now=clock.after(40),
        )
    else:
        case = report_submit(
            actor=worker,
            category=plan.category,
            description=plan.description,
            longitude=lon,
            latitude=lat,
            place=plan.place,
            photos=[photo(number)],
            client_key=key,
            self_handled=plan.until == "self",
            note="已在现场扶正复位并清扫。" if plan.until == "self" else "",
            after_photos=[photo(number, after=True)] if plan.until == "self" else [],
            now=clock.at,
        )
    if plan.until in ("self", "to_file"):
        return case
    if plan.until == "refused":
        return case_refuse(
            actor=chief,
            case=case,
            revision=case.revision,
            reason="纸屑数量少，不符合立案条件，已提醒保洁员巡回清扫。",
            now=clock.after(15),
        )
    case = case_file(
        actor=chief,
        case=case,
        revision=case.revision,
        condition_met=True,
        note="符合立案条件。",
        now=clock.after(15),
    )
    if plan.until == "to_dispatch":
        return case
    unit = dispatch_proposal(case)[0]
    case = case_dispatch(
        actor=dispatcher, case=case, revision=case.revision, department=unit, now=clock.after(10)
    )
    if plan.until == "enforcement":
        return _enforcement_steps(
            case, plan, number=number, clock=clock, officers=officers, seed=seed
        )
    handler = _handler(unit)
    if plan.extension:
        request_make(
            actor=handler,
            case=case,
            revision=case.revision,
            kind=RequestKind.EXTENSION,
            reason="渣土量较大，需协调运输车辆，申请延长一个工作日。",
            extra=1,
            now=clock.after(60),
        )
        return case
    if plan.until == "handling":
        return case

    def feedback(case: GridCase) -> GridCase:
        moment = clock.late_after(_last_due(case), 90) if plan.late else clock.after(90)
        return case_feedback(
            actor=handler,
            case=case,
            revision=case.revision,
            note="已安排人员到场处置完毕。",
            photos=[photo(number, after=True)],
            now=moment,
        )

    case = feedback(case)
    if plan.rework:
        case = case_rework(
            actor=worker,
            case=case,
            revision=case.revision,
            reason="现场仍有油污未清理干净。",
            photos=[photo(number)],
            now=clock.after(40),
        )
        case = feedback(case)
    if plan.until == "to_check":
        return case
    case = case_check(
        actor=worker,
        case=case,
        revision=case.revision,
        note="现场已处置完毕。",
        photos=[photo(number, after=True)],
        now=clock.after(40),
    )
    if plan.until == "to_close":
        return case
    return case_close(
        actor=chief,
        case=case,
        revision=case.revision,
        condition_met=True,
        note="核查通过，予以结案。",
        now=clock.after(20),
    )


def _enforcement_steps(
    case: GridCase,
    plan: Plan,
    *,
    number: int,
    clock: _Clock,
    officers: list[Any],
    seed: int,
) -> GridCase:
    """The older illegal building: inspected on site (a company found responsible), a
    rectification notice issued and the case's first stage (停工) done; the newer one waits
    for its inspection (and its first stage runs late)."""
    task = case.enforcement_task
    if task is None or plan.hours_ago < 48:
        return case
    task = inspection_record(
        actor=officers[0],
        task=task,
        revision=task.revision,
        at=clock.after(120),
        place=plan.place,
        officers=officers,
        findings="天台东侧新建铁皮房约30平方米，现场未能出示规划许可证。",
        party=PartyInput(
            kind="company",
            name="广州市荔湾区沙面示范餐饮有限公司",
            uscc=organisation_uscc(number, seed),
            legal_representative="李大明",
            phone="020-81234567",
        ),
        violation_found=True,
        photos=[(upload := demo_photo(number), str(upload.name))],
        now=clock.at,
    )
    notice_issue(
        actor=officers[0],
        task=task,
        revision=task.revision,
        deadline=timezone.localtime(clock.at).date() + dt.timedelta(days=7),
        requirements="立即停止施工，并于期限内自行拆除违法建设部分。",
        legal_basis=LegalBasis(law="《中华人民共和国城乡规划法》", article="第六十四条"),
        now=clock.after(30),
    )
    # The notice ordered the work stopped: the case's first stage (停工) is done.
    case = GridCase.objects.get(pk=case.pk)
    return stage_done(
        actor=officers[0],
        case=case,
        revision=case.revision,
        note="已现场责令停止施工，并送达责令整改通知书。",
        now=clock.after(10),
    )
