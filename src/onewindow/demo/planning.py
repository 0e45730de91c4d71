"""The demo city as plain data: what ``generator.build_demo_city`` will write, decided up front.

Planning touches no database, so it can be compared and hashed (``plan_digest``): the same seed
and scale always give the same plan. Each part of the plan draws from its own
``random.Random`` seeded with ``"<seed>:<part>"`` (string seeds are hashed with SHA-512 by the
standard library, independent of ``PYTHONHASHSEED``), so changing one part, say the staff list,
does not shift the random choices of another. Nothing iterates over a set or reads the clock;
dates are fixed offsets from ``BASE_DATE``.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import random
from dataclasses import dataclass, field
from typing import Any

from stdnum.cn import uscc

from onewindow.catalog.codes import (
    CaseType,
    ExerciseLevel,
    ItemStatus,
    ItemType,
    MaterialForm,
    MaterialNecessity,
    MaterialType,
    OnlineDepth,
    ResultType,
    ServiceObject,
    StepKind,
    TimeUnit,
)
from onewindow.demo import city, subjects
from onewindow.demo.forms import DEFAULT_FORMS, FormFieldSpec
from onewindow.demo.handwritten import HANDWRITTEN_ITEMS, HandwrittenItem
from onewindow.org.models import CentreLevel, Role, WindowKind

# Items at scale 1.0 (Liwan ran 977 items; the issue asks for at least 600).
BASE_ITEM_COUNT = 600
BASE_DATE = datetime.date(2024, 1, 2)
STREET_OFFICE_NUMBER = 900  # department part of the basic code of street-office items

HALL_INTAKE_WINDOWS = 9
HALL_OUTPUT_WINDOWS = 2
HALL_CODE = "LW-HALL"

DEFAULT_STATUTORY = {
    ItemType.LICENSING: 20,
    ItemType.CONFIRMATION: 20,
    ItemType.PAYMENT: 30,
    ItemType.PUBLIC_SERVICE: 10,
    ItemType.OTHER_POWER: 10,
    ItemType.REVIEW_FORWARD: 20,
    ItemType.ADJUDICATION: 45,
}
PROMISE_CHOICES = (1, 2, 3, 5, 7, 10, 15, 20, 30)

CONSULT = [OnlineDepth.CONSULT]
PRE_REVIEW = [
    OnlineDepth.CONSULT,
    OnlineDepth.RECEIVE,
    OnlineDepth.PRE_REVIEW,
    OnlineDepth.RESULT_FEEDBACK,
]
FULL_ONLINE = [
    OnlineDepth.CONSULT,
    OnlineDepth.RECEIVE,
    OnlineDepth.PRE_REVIEW,
    OnlineDepth.ACCEPT,
    OnlineDepth.HANDLE,
    OnlineDepth.RESULT_FEEDBACK,
]

# An instant licence still runs every step a licence needs, all by the clerk at the window
# (the department's electronic seal sits at the front desk, seed 001).
INSTANT_LICENCE_STEPS = [
    {"order": 1, "kind": StepKind.ACCEPT, "name": "受理", "role": Role.INTAKE_CLERK},
    {"order": 2, "kind": StepKind.REVIEW, "name": "审查", "role": Role.INTAKE_CLERK},
    {"order": 3, "kind": StepKind.DECIDE, "name": "决定", "role": Role.INTAKE_CLERK},
    {"order": 4, "kind": StepKind.COMPLETE, "name": "办结", "role": Role.INTAKE_CLERK},
    {"order": 5, "kind": StepKind.DELIVER, "name": "送达", "role": Role.INTAKE_CLERK},
]

VISIT_REASONS = (
    "需核验申请人身份证件原件。",
    "需提交经签名确认的纸质申请材料原件。",
    "需核验证照和证明材料原件。",
)
VISIT_REASON_PHOTO = "需本人到场采集人像和指纹信息。"

ACTION_CONDITIONS = {
    "single": "属于本事项的适用对象",
    "new": "首次申请，未持有同类有效证件",
    "change": "已依法取得{result}，登记事项发生变化",
    "renew": "{result}有效期届满前30个工作日内提出申请",
    "reissue": "原证件遗失或者损毁",
    "cancel": "不再从事相关活动，或者依法应当注销",
    "commit": "申请人书面承诺已符合条件，并愿意承担不实承诺的法律责任",
    "extend": "在原批准期限届满前提出延期申请",
    "reg_set": "名称经自主申报，住所（经营场所）真实有效",
    "reg_change": "自登记事项变更之日起30日内申请",
    "reg_cancel": "已依法完成清算，或者符合简易注销条件，无未结清的税款和罚款",
    "reg_filing": "自备案事项变化之日起30日内申请",
    "first_reg": "权属来源合法，已完成竣工验收",
    "transfer_reg": "转移原因真实合法，由双方共同申请",
    "change_reg": "权利人姓名、名称或者不动产坐落等登记事项发生变化",
    "cancel_reg": "不动产权利或者主债权已经消灭",
    "apply": "符合发放条件",
    "stop": "享受待遇的人员死亡或者不再符合条件",
    "replace": "证件有效期届满或者登记信息发生变化",
    "transfer_out": "户籍已迁往其他地区",
}
ACTION_MATERIALS = {
    "change": "变更事项证明材料",
    "renew": "原证件",
    "reissue": "遗失声明或损毁的原证件",
    "cancel": "原证件",
    "reg_change": "变更事项证明材料",
    "reg_cancel": "清算报告或全体投资人承诺书",
    "transfer_reg": "转移原因证明（买卖合同、继承或赠与材料）",
    "replace": "原证件",
    "stop": "死亡证明或不再符合条件的证明",
}
CANCEL_ACTIONS = ("cancel", "reg_cancel", "cancel_reg", "stop")

WHO = {
    subjects.NATURAL: "本区户籍居民或在本区居住的人员，本人办理或委托他人代办。",
    subjects.BUSINESS: "在荔湾区登记或经营的企业、个体工商户和其他组织。",
    subjects.CONSTRUCTION: "在荔湾区有建设项目的建设单位。",
}
SERVICE_OBJECTS = {
    subjects.NATURAL: [ServiceObject.NATURAL_PERSON],
    subjects.BUSINESS: [ServiceObject.ENTERPRISE, ServiceObject.UNINCORPORATED],
    subjects.CONSTRUCTION: [ServiceObject.ENTERPRISE, ServiceObject.INSTITUTION],
}


@dataclass
class DepartmentPlan:
    key: str
    number: int  # department part of basic codes
    name: str
    short_name: str
    name_en: str
    uscc: str
    region_code: str


@dataclass
class RegionPlan:
    code: str
    name: str
    name_en: str
    level: str
    parent_code: str | None


@dataclass
class CentrePlan:
    code: str
    name: str
    name_en: str
    level: str
    region_code: str
    address: str
    windows: list[tuple[str, str, str]]  # (number, kind, name)


@dataclass
class StaffPlan:
    username: str
    full_name: str
    # (role, scope kind "department"/"centre"/"region"/"", scope key: department key,
    # centre code or region code)
    roles: list[tuple[str, str, str]]


@dataclass
class ItemPlan:
    department: str  # department key
    fields: dict[str, Any]  # scalar fields of ServiceItem, status and dates included
    materials: list[dict[str, Any]]
    fee_items: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] | None = None
    faqs: list[tuple[str, str]] = field(default_factory=list)
    # The online form, as keyword arguments of ``FormField`` (none for a window-only item).
    form_fields: list[dict[str, Any]] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    joint: list[str] = field(default_factory=list)  # department keys
    region_codes: list[str] = field(default_factory=list)  # 通办 restricted to these regions
    handwritten: bool = False


@dataclass
class CityPlan:
    seed: int
    scale: float
    regions: list[RegionPlan]
    departments: list[DepartmentPlan]
    centres: list[CentrePlan]
    staff: list[StaffPlan]
    items: list[ItemPlan]


def _organisation_code(rng: random.Random) -> str:
    """A 9-character organisation code (GB 11714): 8 digits and their check character."""
    body = f"{rng.randrange(10**7, 10**8)}"
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def government_uscc(rng: random.Random) -> str:
    """A valid unified social credit code of a government body (1-1) in Liwan (440103)."""
    body = "11" + city.DISTRICT_CODE[:6] + _organisation_code(rng)
    return body + uscc.calc_check_digit(body)


def street_code(index: int) -> str:
    return f"{city.DISTRICT_CODE[:6]}{index:03d}000"


def street_office_key(index: int) -> str:
    return f"s{index:02d}"


# ---------------------------------------------------------------------------------------
# Organisation
# ---------------------------------------------------------------------------------------


def plan_regions(seed: int) -> list[RegionPlan]:
    rng = random.Random(f"{seed}:regions")
    regions = [
        RegionPlan(city.DISTRICT_CODE, city.DISTRICT_NAME, city.DISTRICT_NAME_EN, "district", None)
    ]
    for index, street in enumerate(city.STREETS, start=1):
        code = street_code(index)
        regions.append(
            RegionPlan(
                code,
                f"{street.name}街道",
                f"{street.name_en} Subdistrict",
                "street",
                city.DISTRICT_CODE,
            )
        )
        count = rng.randint(min(2, len(street.communities)), len(street.communities))
        for number, place in enumerate(street.communities[:count], start=1):
            regions.append(
                RegionPlan(
                    f"{code[:9]}{number:03d}",
                    f"{place}社区",
                    f"{place} Community",
                    "community",
                    code,
                )
            )
    return regions


def plan_departments(seed: int) -> list[DepartmentPlan]:
    rng = random.Random(f"{seed}:uscc")
    departments: list[DepartmentPlan] = []
    taken: list[str] = []

    def new_uscc() -> str:
        while True:
            code = government_uscc(rng)
            if code not in taken:
                taken.append(code)
                return code

    for number, spec in enumerate(city.DEPARTMENTS, start=1):
        departments.append(
            DepartmentPlan(
                spec.key,
                number,
                spec.name,
                spec.short_name,
                spec.name_en,
                new_uscc(),
                city.DISTRICT_CODE,
            )
        )
    # Street offices implement the street-level items of their own street.
    for index, street in enumerate(city.STREETS, start=1):
        departments.append(
            DepartmentPlan(
                street_office_key(index),
                STREET_OFFICE_NUMBER,
                f"{city.DISTRICT_NAME}{street.name}街道办事处",
                f"{street.name}街道",
                f"{street.name_en} Subdistrict Office",
                new_uscc(),
                street_code(index),
            )
        )
    return departments


def plan_centres(seed: int, regions: list[RegionPlan]) -> list[CentrePlan]:
    rng = random.Random(f"{seed}:centres")
    hall_windows: list[tuple[str, str, str]] = [
        (f"{n:02d}", WindowKind.INTAKE, f"综合受理{n}号窗口")
        for n in range(1, HALL_INTAKE_WINDOWS + 1)
    ]
    hall_windows += [
        (f"{n:02d}", WindowKind.OUTPUT, "统一出件窗口")
        for n in range(HALL_INTAKE_WINDOWS + 1, HALL_INTAKE_WINDOWS + HALL_OUTPUT_WINDOWS + 1)
    ]
    special = HALL_INTAKE_WINDOWS + HALL_OUTPUT_WINDOWS + 1
    hall_windows.append((f"{special:02d}", WindowKind.SPECIAL, "帮办代办和绿色通道窗口"))
    centres = [
        CentrePlan(
            HALL_CODE,
            city.HALL_NAME,
            city.HALL_NAME_EN,
            CentreLevel.DISTRICT_HALL,
            city.DISTRICT_CODE,
            city.HALL_ADDRESS,
            hall_windows,
        )
    ]
    streets = [r for r in regions if r.level == "street"]
    for index, street in enumerate(streets, start=1):
        intake = rng.randint(2, 4)
        windows: list[tuple[str, str, str]] = [
            (f"{n:02d}", WindowKind.INTAKE, f"综合受理{n}号窗口") for n in range(1, intake + 1)
        ]
        windows.append((f"{intake + 1:02d}", WindowKind.OUTPUT, "出件窗口"))
        centres.append(
            CentrePlan(
                f"LW-S{index:02d}",
                f"{street.name}政务服务中心",
                f"{street.name_en} Government Service Centre",
                CentreLevel.STREET_CENTRE,
                street.code,
                f"{city.DISTRICT_NAME}{street.name}办事处一楼",
                windows,
            )
        )
    # Community points in roughly half the communities, always the first of each street.
    for community in regions:
        if community.level != "community":
            continue
        first = community.code.endswith("001")
        if first or rng.random() < 0.4:
            centres.append(
                CentrePlan(
                    f"LW-C{community.code[6:]}",
                    f"{community.name}党群服务中心政务服务站",
                    f"{community.name_en} Service Point",
                    CentreLevel.COMMUNITY_POINT,
                    community.code,
                    f"{community.name}党群服务中心",
                    [("01", WindowKind.INTAKE, "综合服务窗口")],
                )
            )
    centres.append(
        CentrePlan(
            "LW-K01",
            "区政务服务中心24小时自助服务区",
            "24-hour self-service area, district hall",
            CentreLevel.KIOSK,
            city.DISTRICT_CODE,
            city.HALL_ADDRESS,
            [],
        )
    )
    for number, street in enumerate(rng.sample(streets, 2), start=2):
        centres.append(
            CentrePlan(
                f"LW-K{number:02d}",
                f"{street.name}政务服务自助终端",
                f"Self-service kiosk, {street.name_en}",
                CentreLevel.KIOSK,
                street.code,
                f"{city.DISTRICT_NAME}{street.name}办事处大堂",
                [],
            )
        )
    return centres


def _names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        given = "".join(rng.choice(city.GIVEN_NAME_CHARACTERS) for _ in range(rng.choice((1, 2))))
        name = rng.choice(city.SURNAMES) + given
        if name not in names:
            names.append(name)
    return names


def plan_staff(
    seed: int, departments: list[DepartmentPlan], centres: list[CentrePlan]
) -> list[StaffPlan]:
    """Demo logins: predictable usernames, realistic names, every role covered."""
    rng = random.Random(f"{seed}:staff")
    accounts: list[tuple[str, list[tuple[str, str, str]]]] = [
        # 三员分立: three people for running the system, granting roles and auditing.
        ("admin", [(Role.ADMIN, "", "")]),
        ("security", [(Role.SECURITY_ADMIN, "", "")]),
        ("auditor", [(Role.AUDITOR, "", "")]),
        ("manager", [(Role.CENTRE_MANAGER, "centre", HALL_CODE)]),
    ]
    accounts += [
        (f"clerk{n:02d}", [(Role.INTAKE_CLERK, "centre", HALL_CODE)])
        for n in range(1, HALL_INTAKE_WINDOWS + 1)
    ]
    accounts += [
        (f"output{n:02d}", [(Role.OUTPUT_CLERK, "centre", HALL_CODE)])
        for n in range(1, HALL_OUTPUT_WINDOWS + 1)
    ]
    street_centres = [c for c in centres if c.level == CentreLevel.STREET_CENTRE]
    for number, centre in enumerate(street_centres, start=1):
        roles: list[tuple[str, str, str]] = [
            (Role.INTAKE_CLERK, "centre", centre.code),
            (Role.OUTPUT_CLERK, "centre", centre.code),
        ]
        # The street's clerks also serve its community points.
        roles += [
            (Role.INTAKE_CLERK, "centre", point.code)
            for point in centres
            if point.level == CentreLevel.COMMUNITY_POINT
            and point.region_code[:9] == centre.region_code[:9]
        ]
        accounts.append((f"street{number:02d}", roles))
    for department in departments:
        accounts.append(
            (f"approver_{department.key}", [(Role.DEPT_APPROVER, "department", department.key)])
        )
        accounts.append(
            (f"lead_{department.key}", [(Role.DEPT_LEAD, "department", department.key)])
        )
    accounts += [(f"hotline{n:02d}", [(Role.HOTLINE_AGENT, "", "")]) for n in range(1, 4)]
    accounts += [
        (f"grid{n:02d}", [(Role.GRID_WORKER, "region", centre.region_code)])
        for n, centre in enumerate(street_centres, start=1)
    ]
    # Grid management: the command centre's duty chief (值班长, also its approver, so the
    # chief's close answers a 12345 order) and dispatcher (派遣员), and the district's
    # enforcement officers; the centre and the team are made by demo/urban.py (``lead_zfd``
    # is the team's lead).
    accounts += [
        (
            "gridchief01",
            [(Role.GRID_CHIEF, "", ""), (Role.DEPT_APPROVER, "department", "zhzx")],
        ),
        ("griddispatch01", [(Role.GRID_DISPATCHER, "", "")]),
    ]
    accounts += [
        (f"zf{n:02d}", [(Role.ENFORCEMENT_OFFICER, "department", "zfd")]) for n in range(1, 4)
    ]
    names = _names(rng, len(accounts))
    return [
        StaffPlan(username, name, roles)
        for (username, roles), name in zip(accounts, names, strict=True)
    ]


# ---------------------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------------------


def _material(
    name: str, *, theme: str = "", necessity: str = MaterialNecessity.REQUIRED, notes: str = ""
) -> dict[str, Any]:
    if name.endswith(("表", "申请书", "承诺书", "协议书")):
        material_type = MaterialType.FORM
    elif any(word in name for word in ("证", "执照", "户口簿", "合同")):
        material_type = MaterialType.CERTIFICATE
    else:
        material_type = MaterialType.OTHER
    return {
        "name": name,
        "material_type": material_type,
        "form": MaterialForm.BOTH,
        "necessity": necessity,
        "paper_copies": 1,
        "paper_spec": "A4",
        "source_channel": "申请人自备",
        "acceptance_standard": "",
        "notes": notes,
        "basis": "",
    }


def _form_name(name: str) -> str:
    stem = name.split("（")[0]
    stem = stem.removesuffix("办理")
    if stem.endswith(("申请", "登记", "备案", "申领")):
        return f"{stem}表"
    return f"{stem}申请表"


def _result_type(result: str) -> str:
    if any(word in result for word in ("决定书", "批复", "意见")):
        return ResultType.APPROVAL_DOCUMENT
    if result.endswith("证") or any(w in result for w in ("证书", "执照", "许可证", "结婚证")):
        return ResultType.LICENCE
    return ResultType.OTHER


def _keywords(*parts: str) -> str:
    words: list[str] = []
    for part in parts:
        for word in part.split():
            if word not in words:
                words.append(word)
    return " ".join(words)[:500]


def _common_fields(levels: list[str]) -> dict[str, Any]:
    where = (
        f"{city.HALL_NAME}综合受理窗口（1-{HALL_INTAKE_WINDOWS}号）"
        if CentreLevel.DISTRICT_HALL in levels
        else "各街道政务服务中心综合受理窗口"
    )
    return {
        "handling_location": where,
        "handling_hours": city.OPENING_HOURS,
        "consult_phone": f"{city.HOTLINE}（政务服务便民热线）",
        "complaint_phone": city.HOTLINE,
    }


def _form_fields(
    *, online: bool, natural: bool, own: tuple[FormFieldSpec, ...] = ()
) -> list[dict[str, Any]]:
    """The online form of an item: its own, else its audience's default; none at the window
    only. Draws nothing from the random generator, so the rest of the plan is unchanged."""
    if not online:
        return []
    form = own or (DEFAULT_FORMS.natural if natural else DEFAULT_FORMS.legal)
    return [spec.model_fields(order) for order, spec in enumerate(form, start=1)]


def _effective_date(rng: random.Random) -> datetime.date:
    return BASE_DATE + datetime.timedelta(days=rng.randrange(0, 540))


def plan_handwritten_item(
    index: int, spec: HandwrittenItem, departments: dict[str, DepartmentPlan], rng: random.Random
) -> ItemPlan:
    department = departments[spec.department]
    basic_code = f"{spec.item_type}{department.number:03d}0000{index:03d}"
    depth = [str(v) for v in spec.online_depth]
    levels = [str(v) for v in spec.handled_at_levels]
    fields: dict[str, Any] = {
        "basic_code": basic_code,
        "implementation_code": basic_code + department.uscc,
        "name": spec.name,
        "name_en": spec.name_en,
        "item_type": spec.item_type,
        "exercise_level": ExerciseLevel.COUNTY,
        "status": ItemStatus.PUBLISHED,
        "effective_date": _effective_date(rng),
        "cancel_date": None,
        "power_source": "法定本级行使",
        "service_objects": [str(v) for v in spec.service_objects],
        "legal_basis": spec.legal_basis,
        "conditions": spec.conditions,
        "case_type": spec.case_type,
        "handling_forms": spec.handling_forms,
        "special_procedures": spec.special_procedures,
        "statutory_limit": spec.statutory_limit,
        "statutory_limit_unit": spec.statutory_limit_unit,
        "statutory_limit_note": spec.statutory_limit_note,
        "promised_limit": spec.promised_limit,
        "promised_limit_unit": spec.promised_limit_unit,
        "promised_limit_note": spec.promised_limit_note,
        "visits": spec.visits,
        "visit_reason": spec.visit_reason,
        "is_online": set(depth) != {OnlineDepth.CONSULT},
        "online_depth": depth,
        "accepts_post": spec.accepts_post,
        "charges_fee": spec.charges_fee,
        "fee_basis": spec.fee_basis,
        "supports_online_payment": spec.supports_online_payment,
        "supports_kiosk": spec.supports_kiosk,
        "handled_at_levels": levels,
        "intermediary_services": spec.intermediary_services,
        "result_type": spec.result_type,
        "result_name": spec.result_name,
        "guide_summary": spec.guide.summary,
        "guide_you_get": spec.guide.you_get,
        "guide_who": spec.guide.who,
        "guide_bring": spec.guide.bring,
        "guide_how_long": spec.guide.how_long,
        "guide_how_much": spec.guide.how_much,
        "keywords": spec.keywords,
        **_common_fields(levels),
    }
    instant_licence = spec.case_type == CaseType.INSTANT and spec.item_type == ItemType.LICENSING
    return ItemPlan(
        department=department.key,
        fields=fields,
        materials=[dataclasses.asdict(m) for m in spec.materials],
        fee_items=[dataclasses.asdict(f) for f in spec.fees],
        steps=[dict(s) for s in INSTANT_LICENCE_STEPS] if instant_licence else None,
        faqs=list(spec.faqs),
        form_fields=_form_fields(
            online=fields["is_online"],
            natural=ServiceObject.NATURAL_PERSON in spec.service_objects,
            own=spec.form,
        ),
        topics=list(spec.topics),
        joint=list(spec.joint_departments),
        handwritten=True,
    )


def _candidate_pool(departments: list[DepartmentPlan]) -> dict[str, list[tuple[int, str, str]]]:
    """Per department key, every (subject number, action, subject list) it can generate."""
    handwritten = {(spec.department, spec.name) for spec in HANDWRITTEN_ITEMS}
    pool: dict[str, list[tuple[int, str, str]]] = {d.key: [] for d in departments}
    for number, subject in enumerate(subjects.SUBJECTS, start=1):
        for action in subject.actions:
            name = subjects.ACTIONS[action].pattern.format(name=subject.name)
            if (subject.department, name) not in handwritten:
                pool[subject.department].append((number, action, "district"))
    for department in departments:
        if department.number == STREET_OFFICE_NUMBER:
            pool[department.key] = [
                (number, action, "street")
                for number, subject in enumerate(subjects.STREET_SUBJECTS, start=1)
                for action in subject.actions
            ]
    return pool


def plan_generated_item(
    *,
    department: DepartmentPlan,
    subject_number: int,
    action_key: str,
    kind: str,
    round_number: int,
    rng: random.Random,
) -> ItemPlan:
    subject_list = subjects.SUBJECTS if kind == "district" else subjects.STREET_SUBJECTS
    subject = subject_list[subject_number - 1]
    action = subjects.ACTIONS[action_key]
    action_number = list(subjects.ACTIONS).index(action_key) + 1
    item_type = action.item_type or subject.item_type
    street_office = kind == "street"

    name = action.pattern.format(name=subject.name)
    if round_number:
        name = f"{name}（{round_number + 1}）"
    result = action.result.format(result=subject.result)
    instant = action.instant or (subject.instant and rng.random() < 0.75)

    statutory = subject.statutory or DEFAULT_STATUTORY.get(ItemType(item_type), 20)
    if instant:
        promised = 0
    else:
        choices = [d for d in PROMISE_CHOICES if d <= max(1, statutory * 3 // 4)]
        promised = rng.choice(choices)

    roll = rng.random()
    if roll < 0.1:
        depth = CONSULT
    elif roll < (0.55 if subject.theme == subjects.NATURAL else 0.7):
        depth = FULL_ONLINE
    else:
        depth = PRE_REVIEW
    result_type = _result_type(result)
    depth = list(depth)
    if depth == FULL_ONLINE and result_type == ResultType.LICENCE:
        depth.append(OnlineDepth.LICENCE_FEEDBACK)
    full_online = depth[: len(FULL_ONLINE)] == FULL_ONLINE
    visits = 0 if full_online else 1
    photo = "身份证" in subject.name or "居住证" in subject.name
    visit_reason = (
        "" if not visits else (VISIT_REASON_PHOTO if photo else rng.choice(VISIT_REASONS))
    )

    if street_office:
        levels = [CentreLevel.STREET_CENTRE]
    elif subject.theme == subjects.NATURAL:
        levels = [CentreLevel.DISTRICT_HALL, CentreLevel.STREET_CENTRE]
    else:
        levels = [CentreLevel.DISTRICT_HALL]
    if subject.community:
        levels.append(CentreLevel.COMMUNITY_POINT)
    kiosk = instant and full_online and subject.theme == subjects.NATURAL
    if kiosk:
        levels.append(CentreLevel.KIOSK)

    fee = subject.fee if action_key not in CANCEL_ACTIONS else None

    materials = [_material(_form_name(name))]
    if subject.theme == subjects.NATURAL:
        materials.append(_material("申请人居民身份证", notes="可用电子证照代替。"))
    else:
        licence = _material("营业执照或事业单位法人证书")
        licence.update(
            form=MaterialForm.ELECTRONIC,
            paper_copies=0,
            paper_spec="",
            source_channel="政府部门核发",
            acceptance_standard="通过电子证照库调取，申请人无需提交。",
        )
        materials.append(licence)
        materials.append(_material("经办人身份证明及授权委托书"))
    extra = list(subject.materials)
    if action_key in ACTION_MATERIALS:
        extra.append(ACTION_MATERIALS[action_key])
    if action_key == "commit":
        extra.append("告知承诺书")
    for extra_name in extra:
        if any(m["name"] == extra_name for m in materials):
            continue
        material = _material(extra_name)
        if not instant and material["material_type"] != MaterialType.FORM and rng.random() < 0.2:
            material["necessity"] = MaterialNecessity.DEFERRABLE
            material["notes"] = "可容缺受理，在作出决定前补交。"
        materials.append(material)

    if subject.summary and action_key == "single":
        summary = subject.summary
    else:
        summary = action.summary.format(plain=subject.plain or subject.name, result=subject.result)
    bring = [m["name"] for m in materials if m["form"] != MaterialForm.ELECTRONIC]
    guide_bring = "带上：" + "、".join(bring) + "。申请表可以在窗口现场填写。"
    if subject.theme != subjects.NATURAL:
        guide_bring += "营业执照由系统自动调取，不用带。"
    if street_office:
        street = department.short_name
        who = f"住在{street}的居民，在{street}政务服务中心或社区服务站办理。"
    else:
        who = WHO[subject.theme]

    basic_department = STREET_OFFICE_NUMBER if street_office else department.number
    basic_code = f"{item_type}{basic_department:03d}{subject_number:04d}{action_number:03d}"
    implementation_code = basic_code + department.uscc
    if round_number:
        implementation_code += f"{round_number:02d}"

    law = subject.basis.split("》")[0] + "》" if "《" in subject.basis else "有关法律法规"
    condition = ACTION_CONDITIONS[action_key].format(result=subject.result)
    conditions = f"1. 符合{law}等规定的条件；\n2. {condition}；\n3. 申请材料齐全、符合法定形式。"

    faqs: list[tuple[str, str]] = []
    if rng.random() < 0.3:
        faqs.append(
            (
                "可以网上办吗？",
                "可以，在网上提交材料，审核通过后结果可以邮寄或在网上查看。"
                if depth != CONSULT
                else "这个事项需要到窗口办理，可以先在网上咨询和预约。",
            )
        )
    if subject.theme == subjects.NATURAL and rng.random() < 0.3:
        faqs.append(
            (
                "可以请家人代办吗？",
                "可以，代办人带上自己和申请人的身份证，以及申请人签名的授权委托书。",
            )
        )

    fields: dict[str, Any] = {
        "basic_code": basic_code,
        "implementation_code": implementation_code,
        "name": name,
        "name_en": (
            subject.name_en[:1].upper()
            + subject.name_en[1:]
            + (f" ({action.name_en})" if action.name_en else "")
        ),
        "item_type": item_type,
        "exercise_level": ExerciseLevel.TOWNSHIP if street_office else ExerciseLevel.COUNTY,
        "status": ItemStatus.PUBLISHED,
        "effective_date": _effective_date(rng),
        "cancel_date": None,
        "power_source": "法定本级行使",
        "service_objects": [str(v) for v in (subject.objects or SERVICE_OBJECTS[subject.theme])],
        "legal_basis": subject.basis,
        "conditions": conditions,
        "case_type": CaseType.INSTANT if instant else CaseType.PROMISED,
        "handling_forms": "窗口办理" + ("；网上办理" if depth != CONSULT else ""),
        "special_procedures": "",
        "statutory_limit": statutory,
        "statutory_limit_unit": TimeUnit.WORKING_DAY,
        "statutory_limit_note": "",
        "promised_limit": promised,
        "promised_limit_unit": TimeUnit.WORKING_DAY,
        "promised_limit_note": "",
        "visits": visits,
        "visit_reason": visit_reason,
        "is_online": depth != CONSULT,
        "online_depth": [str(v) for v in depth],
        "accepts_post": full_online,
        "charges_fee": fee is not None,
        "fee_basis": fee.basis if fee else "",
        "supports_online_payment": fee is not None and full_online,
        "supports_kiosk": kiosk,
        "handled_at_levels": [str(v) for v in levels],
        "intermediary_services": "",
        "result_type": result_type,
        "result_name": result,
        "guide_summary": summary,
        "guide_you_get": f"办好后拿到：{result}。",
        "guide_who": who,
        "guide_bring": guide_bring,
        "guide_how_long": "材料齐全的，当场办好。"
        if instant
        else f"材料齐全的，{promised}个工作日内办好。",
        "guide_how_much": f"{fee.name}：{fee.standard}。" if fee else "不收费。",
        "keywords": _keywords(subject.keywords, action.keywords),
        **_common_fields([str(v) for v in levels]),
    }
    instant_licence = instant and item_type == ItemType.LICENSING
    return ItemPlan(
        department=department.key,
        fields=fields,
        materials=materials,
        fee_items=(
            [{"name": fee.name, "standard": fee.standard, "basis": fee.basis, "reducible": True}]
            if fee
            else []
        ),
        steps=[dict(s) for s in INSTANT_LICENCE_STEPS] if instant_licence else None,
        faqs=faqs,
        form_fields=_form_fields(
            online=fields["is_online"],
            natural=ServiceObject.NATURAL_PERSON in fields["service_objects"],
        ),
        topics=list(subject.topics),
        joint=list(subject.joint),
        region_codes=[department.region_code] if street_office else [],
    )


def generated_item_count(scale: float) -> int:
    return max(0, round(BASE_ITEM_COUNT * scale) - len(HANDWRITTEN_ITEMS))


def plan_items(seed: int, scale: float, departments: list[DepartmentPlan]) -> list[ItemPlan]:
    """Hand-written items first, then generated ones taken round-robin across departments.

    Each department's candidates are shuffled once; the round-robin keeps every department
    represented at any scale. When every candidate is used (scale above about 1), the
    templates are used again with a round number in the name and a unique code.
    """
    rng = random.Random(f"{seed}:items")
    by_key = {d.key: d for d in departments}
    items = [
        plan_handwritten_item(index, spec, by_key, rng)
        for index, spec in enumerate(HANDWRITTEN_ITEMS, start=1)
    ]

    wanted = generated_item_count(scale)
    pool = _candidate_pool(departments)
    for key in pool:
        rng.shuffle(pool[key])
    order = [d.key for d in departments if pool[d.key]]
    positions = dict.fromkeys(order, 0)
    round_number = 0
    generated: list[ItemPlan] = []
    while len(generated) < wanted:
        progressed = False
        for key in order:
            if len(generated) >= wanted:
                break
            if positions[key] >= len(pool[key]):
                continue
            subject_number, action, kind = pool[key][positions[key]]
            positions[key] += 1
            progressed = True
            generated.append(
                plan_generated_item(
                    department=by_key[key],
                    subject_number=subject_number,
                    action_key=action,
                    kind=kind,
                    round_number=round_number,
                    rng=rng,
                )
            )
        if not progressed:
            round_number += 1
            positions = dict.fromkeys(order, 0)

    # A few items are still drafts and a few were withdrawn (cancelled after publication).
    if len(generated) >= 10:
        chosen = rng.sample(range(len(generated)), max(2, len(generated) // 40))
        half = len(chosen) // 2
        for position, index in enumerate(chosen):
            fields = generated[index].fields
            if position < half:
                fields["status"] = ItemStatus.DRAFT
                fields["effective_date"] = None
            else:
                fields["status"] = ItemStatus.CANCELLED
                fields["cancel_date"] = fields["effective_date"] + datetime.timedelta(
                    days=rng.randrange(30, 300)
                )
    return items + generated


def plan_demo_city(*, seed: int = 2026, scale: float = 1.0) -> CityPlan:
    regions = plan_regions(seed)
    departments = plan_departments(seed)
    centres = plan_centres(seed, regions)
    return CityPlan(
        seed=seed,
        scale=scale,
        regions=regions,
        departments=departments,
        centres=centres,
        staff=plan_staff(seed, departments, centres),
        items=plan_items(seed, scale, departments),
    )


def plan_digest(plan: CityPlan) -> str:
    """SHA-256 of the whole plan: equal digests mean an identical demo city."""
    payload = json.dumps(dataclasses.asdict(plan), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()
