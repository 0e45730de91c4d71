"""Every catalogue rule, accepted and rejected, with the field it names."""

import pytest

from onewindow.catalog.codes import (
    CaseType,
    ItemType,
    MaterialForm,
    MaterialNecessity,
    MaterialType,
    OnlineDepth,
    StepKind,
    TimeUnit,
)
from onewindow.catalog.models import (
    FeeItem,
    Material,
    ProcessStep,
    ServiceItem,
    ServiceItemVersion,
)
from onewindow.catalog.rules import default_steps, item_rules_check
from onewindow.catalog.services import ItemContent, item_save
from onewindow.core.errors import ValidationFailed
from onewindow.org.models import Role
from onewindow.testing.factories import DepartmentFactory, fee, item_instance, material

pytestmark = pytest.mark.django_db

FULL_ONLINE = [
    OnlineDepth.RECEIVE,
    OnlineDepth.ACCEPT,
    OnlineDepth.HANDLE,
    OnlineDepth.RESULT_FEEDBACK,
]


def check(item=None, *, materials=None, fee_items=(), steps=None, joint=()):
    item = item or item_instance()
    if materials is None:
        materials = [material()]
    if steps is None:
        steps = [ProcessStep(**spec) for spec in default_steps(item)]
    errors = item_rules_check(
        item,
        materials=materials,
        fee_items=list(fee_items),
        steps=steps,
        joint_department_ids=joint,
    )
    return sorted((e.field, e.code) for e in errors)


def test_the_factory_item_is_valid():
    assert check() == []


# (description, item overrides, expected errors)
ITEM_CASES = [
    ("instant item with 0 limit", {"case_type": CaseType.INSTANT, "promised_limit": 0}, []),
    (
        "instant item with a limit",
        {"case_type": CaseType.INSTANT, "promised_limit": 3},
        [("promised_limit", "instant_has_limit")],
    ),
    (
        "promised item with 0 limit",
        {"case_type": CaseType.PROMISED, "promised_limit": 0},
        [("case_type", "promised_without_limit")],
    ),
    ("promised equal to statutory", {"promised_limit": 20, "statutory_limit": 20}, []),
    (
        "promised over statutory",
        {"promised_limit": 21, "statutory_limit": 20},
        [("promised_limit", "promised_over_statutory")],
    ),
    (
        "promised in natural days within working days",
        {
            "promised_limit": 27,
            "promised_limit_unit": TimeUnit.NATURAL_DAY,
            "statutory_limit": 20,
            "statutory_limit_unit": TimeUnit.WORKING_DAY,
        },
        [],
    ),
    (
        "promised in natural days beyond working days",
        {
            "promised_limit": 29,
            "promised_limit_unit": TimeUnit.NATURAL_DAY,
            "statutory_limit": 20,
            "statutory_limit_unit": TimeUnit.WORKING_DAY,
        },
        [("promised_limit", "promised_over_statutory")],
    ),
    ("promised without statutory", {"statutory_limit": 0}, [("statutory_limit", "required")]),
    ("visit with reason", {"visits": 1, "visit_reason": "核验原件"}, []),
    ("visit without reason", {"visits": 2, "visit_reason": "  "}, [("visit_reason", "required")]),
    (
        "fully online with 0 visits",
        {"is_online": True, "online_depth": FULL_ONLINE, "visits": 0, "visit_reason": ""},
        [],
    ),
    (
        "fully online with a visit",
        {"is_online": True, "online_depth": FULL_ONLINE, "visits": 1},
        [("visits", "full_online_with_visits")],
    ),
    (
        "0 visits, offline, post accepted",
        {"visits": 0, "visit_reason": "", "accepts_post": True},
        [],
    ),
    (
        "0 visits, offline, no post",
        {"visits": 0, "visit_reason": "", "accepts_post": False},
        [("accepts_post", "zero_visits_needs_post")],
    ),
    (
        "online without depth",
        {"is_online": True, "online_depth": []},
        [("online_depth", "required")],
    ),
    (
        "depth beyond consulting without online flag",
        {"is_online": False, "online_depth": [OnlineDepth.RECEIVE]},
        [("is_online", "depth_without_online")],
    ),
    (
        "consulting only without online flag",
        {"is_online": False, "online_depth": [OnlineDepth.CONSULT]},
        [],
    ),
    (
        "unknown depth code",
        {"is_online": True, "online_depth": ["9"]},
        [("online_depth", "invalid_choice")],
    ),
    (
        "fee without basis",
        {"charges_fee": True, "fee_basis": ""},
        [("fee_basis", "required"), ("fee_items", "required")],
    ),
    ("bad basic code", {"basic_code": "abc"}, [("basic_code", "invalid_code")]),
    (
        "implementation code not starting with basic code",
        {"basic_code": "000000000001", "implementation_code": "000000000002XYZ"},
        [("implementation_code", "code_mismatch")],
    ),
    (
        "implementation code too long",
        {"basic_code": "000000000001", "implementation_code": "000000000001" + "X" * 25},
        [("implementation_code", "invalid_code")],
    ),
    ("no service object", {"service_objects": []}, [("service_objects", "invalid_choice")]),
    ("unknown service object", {"service_objects": ["8"]}, [("service_objects", "invalid_choice")]),
    ("no centre level", {"handled_at_levels": []}, [("handled_at_levels", "invalid_choice")]),
    (
        "unknown centre level",
        {"handled_at_levels": ["moon_base"]},
        [("handled_at_levels", "invalid_choice")],
    ),
    ("no result name", {"result_name": ""}, [("result_name", "required")]),
]


@pytest.mark.parametrize(
    ("overrides", "expected"), [c[1:] for c in ITEM_CASES], ids=[c[0] for c in ITEM_CASES]
)
def test_item_field_rules(overrides, expected):
    item = item_instance(**overrides)
    steps = None
    if overrides.get("case_type") == CaseType.INSTANT:
        steps = [ProcessStep(**spec) for spec in default_steps(item)]
    assert check(item, steps=steps) == expected


def test_cancel_date_before_effective_date():
    import datetime

    item = item_instance(
        effective_date=datetime.date(2026, 1, 2), cancel_date=datetime.date(2026, 1, 1)
    )
    assert check(item) == [("cancel_date", "before_effective")]


def test_fee_rules():
    charging = item_instance(charges_fee=True, fee_basis="粤价〔2020〕1号")
    assert check(charging, fee_items=[fee()]) == []
    assert check(charging, fee_items=[]) == [("fee_items", "required")]
    assert check(charging, fee_items=[fee(basis="")]) == [("fee_items[0].basis", "required")]
    assert check(item_instance(), fee_items=[fee()]) == [("fee_items", "fee_items_without_fee")]


def test_material_rules():
    ok = material()
    assert check(materials=[]) == [("materials", "required")]
    assert check(materials=[ok, material()]) == [("materials[1].name", "duplicate")]
    assert check(materials=[material(paper_copies=0)]) == [
        ("materials[0].paper_copies", "required")
    ]
    assert check(materials=[material(form=MaterialForm.ELECTRONIC, paper_copies=2)]) == [
        ("materials[0].paper_copies", "electronic_with_copies")
    ]
    assert check(materials=[material(form=MaterialForm.ELECTRONIC, paper_copies=0)]) == []
    assert check(materials=[material(necessity=MaterialNecessity.DEFERRABLE)]) == [
        ("materials[0].necessity", "form_not_deferrable")
    ]
    deferrable_proof = material(
        name="房屋产权证明",
        material_type=MaterialType.CERTIFICATE,
        necessity=MaterialNecessity.DEFERRABLE,
    )
    assert check(materials=[ok, deferrable_proof]) == []
    instant = item_instance(case_type=CaseType.INSTANT, promised_limit=0)
    assert check(instant, materials=[ok, deferrable_proof]) == [
        ("materials[1].necessity", "instant_not_deferrable")
    ]


def steps_of(*kinds_roles):
    return [
        ProcessStep(order=i, kind=k, name=str(k), role=r)
        for i, (k, r) in enumerate(kinds_roles, start=1)
    ]


def test_licensing_needs_the_minimum_steps():
    item = item_instance(item_type=ItemType.LICENSING)
    three = steps_of(
        (StepKind.ACCEPT, Role.INTAKE_CLERK),
        (StepKind.REVIEW, Role.DEPT_APPROVER),
        (StepKind.DECIDE, Role.DEPT_LEAD),
    )
    assert check(item, steps=three) == [("steps", "licensing_minimum_steps")]
    public_service = item_instance(item_type=ItemType.PUBLIC_SERVICE)
    assert check(public_service, steps=three) == []


def test_step_order_and_counts():
    item = item_instance(item_type=ItemType.PUBLIC_SERVICE)
    assert check(item, steps=steps_of((StepKind.REVIEW, Role.DEPT_APPROVER))) == [
        ("steps", "must_start_with_accept")
    ]
    twice = steps_of(
        (StepKind.ACCEPT, Role.INTAKE_CLERK),
        (StepKind.REVIEW, Role.DEPT_APPROVER),
        (StepKind.REVIEW, Role.DEPT_LEAD),
    )
    assert check(item, steps=twice) == [
        ("steps", "duplicate_kind"),
        ("steps", "too_many_approval_steps"),
    ]
    backwards = steps_of(
        (StepKind.ACCEPT, Role.INTAKE_CLERK),
        (StepKind.DECIDE, Role.DEPT_LEAD),
        (StepKind.REVIEW, Role.DEPT_APPROVER),
    )
    assert check(item, steps=backwards) == [("steps", "wrong_order")]
    same_number = [
        ProcessStep(order=1, kind=StepKind.ACCEPT, name="受理", role=Role.INTAKE_CLERK),
        ProcessStep(order=1, kind=StepKind.DECIDE, name="审批", role=Role.DEPT_LEAD),
    ]
    assert check(item, steps=same_number) == [("steps", "duplicate_order")]


def test_step_roles():
    item = item_instance(item_type=ItemType.PUBLIC_SERVICE)
    wrong = steps_of((StepKind.ACCEPT, Role.DEPT_LEAD), (StepKind.DECIDE, Role.INTAKE_CLERK))
    assert check(item, steps=wrong) == [
        ("steps[0].role", "role_not_allowed"),
        ("steps[1].role", "role_not_allowed"),
    ]
    instant = item_instance(
        item_type=ItemType.PUBLIC_SERVICE, case_type=CaseType.INSTANT, promised_limit=0
    )
    at_window = steps_of((StepKind.ACCEPT, Role.INTAKE_CLERK), (StepKind.DECIDE, Role.INTAKE_CLERK))
    assert check(instant, steps=at_window) == []
    assert check(
        instant,
        steps=steps_of((StepKind.ACCEPT, Role.INTAKE_CLERK), (StepKind.DECIDE, Role.DEPT_LEAD)),
    ) == [("steps[1].role", "role_not_allowed")]


def test_lead_department_is_not_a_joint_department():
    item = item_instance()
    other = DepartmentFactory()
    assert check(item, joint=[other.pk]) == []
    assert check(item, joint=[item.department.pk, other.pk]) == [
        ("joint_departments", "lead_is_joint")
    ]


def test_item_save_rejects_with_every_error_and_writes_nothing():
    item = item_instance(promised_limit=30, visits=1, visit_reason="")
    counts = (
        ServiceItem.objects.count(),
        Material.objects.count(),
        FeeItem.objects.count(),
        ServiceItemVersion.objects.count(),
    )
    with pytest.raises(ValidationFailed) as caught:
        item_save(content=ItemContent(item=item, materials=[material(paper_copies=0)]))
    assert sorted((e.field, e.code) for e in caught.value.errors) == [
        ("materials[0].paper_copies", "required"),
        ("promised_limit", "promised_over_statutory"),
        ("visit_reason", "required"),
    ]
    body = caught.value.as_dict()
    assert body["code"] == "item_invalid"
    assert body["message"] == "事项数据不符合事项标准化规则。"
    assert body["message_en"] == "The service item breaks the catalogue rules."
    assert (
        ServiceItem.objects.count(),
        Material.objects.count(),
        FeeItem.objects.count(),
        ServiceItemVersion.objects.count(),
    ) == counts


def test_rule_messages_are_bilingual():
    item = item_instance(visits=1, visit_reason="")
    errors = item_rules_check(
        item,
        materials=[material()],
        fee_items=[],
        steps=[ProcessStep(**s) for s in default_steps(item)],
    )
    assert [e.as_dict() for e in errors] == [
        {
            "field": "visit_reason",
            "code": "required",
            "message": "需要到现场办理的事项，必须说明到现场的理由。",
            "message_en": "An item that needs a visit to the site must say why.",
        }
    ]
