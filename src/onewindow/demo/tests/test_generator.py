"""The demo city: counts, rules, determinism and the two management commands."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import translation
from stdnum.cn import uscc

from onewindow.catalog.codes import CaseType, ItemStatus, ServiceObject
from onewindow.catalog.formschema import answers_clean
from onewindow.catalog.models import SearchDocument, ServiceItem
from onewindow.catalog.rules import item_rules_check
from onewindow.catalog.selectors import form_fields_of
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.demo.generator import (
    DEMO_PASSWORD,
    build_demo_city,
    demo_usernames,
)
from onewindow.demo.handwritten import HANDWRITTEN_ITEMS
from onewindow.demo.planning import plan_demo_city, plan_digest
from onewindow.org.models import (
    CentreLevel,
    Department,
    Region,
    RegionLevel,
    Role,
    RoleAssignment,
    ServiceCentre,
    WindowKind,
)
from onewindow.testing.factories import UserFactory, create_item

SMALL = 0.05  # 30 items: the hand-written ones and a few generated
LIFT_JOINT_DEPARTMENTS = [
    "广州市公安局荔湾区分局",
    "广州市生态环境局荔湾分局",
    "广州市荔湾区消防救援大队",
    "广州市规划和自然资源局荔湾区分局",
    "荔湾区城市管理和综合执法局",
    "荔湾区市场监督管理局",
    "荔湾区文化广电旅游体育局",
    "荔湾区水务局",
]


def _rule_failures() -> list[str]:
    failures = []
    items = ServiceItem.objects.prefetch_related(
        "materials", "fee_items", "steps", "joint_departments"
    )
    for item in items:
        errors = item_rules_check(
            item,
            materials=list(item.materials.all()),
            fee_items=list(item.fee_items.all()),
            steps=list(item.steps.all()),
            joint_department_ids=[d.pk for d in item.joint_departments.all()],
            form_fields=list(item.form_fields.all()),
        )
        failures += [f"{item.name}: {error}" for error in errors]
    return failures


@pytest.fixture(scope="module")
def full_city(django_db_setup: Any, django_db_blocker: Any) -> dict[str, Any]:
    """Build the city at scale 1.0 once, measure it, and roll it back."""
    with django_db_blocker.unblock(), transaction.atomic():
        summary = build_demo_city(seed=2026, scale=1.0)
        items = ServiceItem.objects.all()
        district_departments = Department.objects.filter(region__level=RegionLevel.DISTRICT)
        facts = {
            "summary": summary,
            "district_departments": district_departments.count(),
            "departments_without_items": list(
                # The grid command centre and the enforcement team run no service items.
                district_departments.filter(items__isnull=True)
                .exclude(hotline_unit__kind="enforcement")
                .exclude(name=settings.URBAN_COMMAND_CENTRE)
                .values_list("name", flat=True)
            ),
            "items": items.count(),
            "instant": items.filter(case_type=CaseType.INSTANT).count(),
            "natural": sum(
                1
                for objects in items.values_list("service_objects", flat=True)
                if ServiceObject.NATURAL_PERSON in objects
            ),
            "construction": items.filter(topics__code="construction").distinct().count(),
            "business": items.filter(topics__audience="legal").distinct().count(),
            "drafts": items.filter(status=ItemStatus.DRAFT).count(),
            "cancelled": items.filter(status=ItemStatus.CANCELLED).count(),
            "rule_failures": _rule_failures(),
            "implementation_codes": items.values("implementation_code").distinct().count(),
        }
        transaction.set_rollback(True)
    return facts


def test_full_scale_city_is_liwan_sized(full_city: dict[str, Any]) -> None:
    assert full_city["district_departments"] >= 19
    assert full_city["departments_without_items"] == []
    assert full_city["items"] == 600
    assert full_city["implementation_codes"] == 600
    assert full_city["instant"] >= 16
    # Spread over the three themes.
    assert full_city["natural"] >= 150
    assert full_city["business"] >= 150
    assert full_city["construction"] >= 40
    assert full_city["drafts"] >= 1
    assert full_city["cancelled"] >= 1


def test_every_item_of_the_full_city_passes_every_rule(full_city: dict[str, Any]) -> None:
    assert full_city["rule_failures"] == []


@pytest.fixture
def small_city(db: Any) -> Any:
    return build_demo_city(seed=2026, scale=SMALL)


def test_service_network(small_city: Any) -> None:
    hall = ServiceCentre.objects.get(level=CentreLevel.DISTRICT_HALL)
    assert hall.name == "荔湾区政务服务中心"
    assert hall.windows.filter(kind=WindowKind.INTAKE).count() == 9
    assert hall.windows.filter(kind=WindowKind.OUTPUT).count() == 2
    assert hall.windows.filter(kind=WindowKind.SPECIAL).count() == 1
    # The front desk holds the seals of the departments whose items are instant.
    first_window = hall.windows.get(number="01")
    assert first_window.delegated_departments.filter(name="荔湾区市场监督管理局").exists()

    streets = Region.objects.filter(level=RegionLevel.STREET)
    assert streets.count() == 22
    assert streets.filter(name="白鹤洞街道", code="440103014000").exists()
    street_centres = ServiceCentre.objects.filter(level=CentreLevel.STREET_CENTRE)
    assert street_centres.count() == 22
    for centre in street_centres:
        assert centre.region.level == RegionLevel.STREET
        assert centre.windows.filter(kind=WindowKind.INTAKE).exists()
        assert centre.windows.filter(kind=WindowKind.OUTPUT).exists()
    assert ServiceCentre.objects.filter(level=CentreLevel.COMMUNITY_POINT).count() >= 22
    assert ServiceCentre.objects.filter(level=CentreLevel.KIOSK).count() == 3
    for street in streets:
        assert street.children.count() >= 2


def test_departments_and_staff(small_city: Any) -> None:
    departments = list(Department.objects.all())
    # 23 of city.toml, the grid's comprehensive enforcement team and command centre
    # (demo/urban.py).
    assert len([d for d in departments if d.region.level == RegionLevel.DISTRICT]) == 25
    assert all(uscc.is_valid(d.uscc) for d in departments)
    assert len({d.uscc for d in departments}) == len(departments)
    for role in Role:
        assert RoleAssignment.objects.filter(role=role).exists(), role
    for department in departments:
        assert RoleAssignment.objects.filter(
            department=department, role=Role.DEPT_APPROVER
        ).exists()
        assert RoleAssignment.objects.filter(department=department, role=Role.DEPT_LEAD).exists()
    for assignment in RoleAssignment.objects.filter(role=Role.GRID_WORKER):
        assert assignment.region is not None
        assert assignment.region.level == RegionLevel.STREET
    users = get_user_model().objects
    assert users.filter(username__in=demo_usernames()).count() == len(demo_usernames())
    assert (
        users.get(username="approver_zjj").role_assignments.get().department.name
        == "荔湾区住房和建设局"
    )
    assert authenticate(username="clerk01", password=DEMO_PASSWORD) is not None
    assert authenticate(username="clerk01", password="wrong") is None
    # No demo account bypasses the permission matrix (三员分立): not even the administrator.
    assert not users.filter(is_superuser=True).exists()
    assert [
        list(users.get(username=name).role_assignments.values_list("role", flat=True))
        for name in ("admin", "security", "auditor")
    ] == [[Role.ADMIN], [Role.SECURITY_ADMIN], [Role.AUDITOR]]


def test_handwritten_items(small_city: Any) -> None:
    assert len(HANDWRITTEN_ITEMS) >= 15
    for name in (
        "既有住宅增设电梯",
        "个体工商户设立登记",
        "城乡居民基本养老保险待遇核定",
        "基本医疗保险参保人员异地就医备案",
        "生育登记",
        "最低生活保障申请",
        "食品经营许可（新办）",
        "建设工程规划许可证核发",
    ):
        item = ServiceItem.objects.get(name=name)
        assert item.status == ItemStatus.PUBLISHED
        assert item.version == 1
        assert item.guide_summary and item.guide_how_much and item.keywords
        assert item.name_en
    lift = ServiceItem.objects.get(name="既有住宅增设电梯")
    assert lift.department.name == "荔湾区住房和建设局"
    assert sorted(d.name for d in lift.joint_departments.all()) == LIFT_JOINT_DEPARTMENTS
    assert "加梯" in lift.keywords
    assert lift.materials.filter(necessity="3").count() == 2
    for name in (
        "个体工商户设立登记",
        "城乡居民基本养老保险待遇核定",
        "基本医疗保险参保人员异地就医备案",
    ):
        assert ServiceItem.objects.get(name=name).case_type == CaseType.INSTANT
    remote = ServiceItem.objects.get(name="基本医疗保险参保人员异地就医备案")
    assert remote.is_full_online and remote.visits == 0
    id_card = ServiceItem.objects.get(name="居民身份证换领")
    assert id_card.charges_fee and id_card.fee_items.get().standard == "20元/证"


def test_online_items_carry_an_online_form_and_window_only_items_none(small_city: Any) -> None:
    shop = ServiceItem.objects.get(name="个体工商户设立登记")
    fields = form_fields_of(shop.versions.get())
    assert [(f["key"], f["label"], f["kind"], f["prefill"]) for f in fields] == [
        ("operator_name", "经营者姓名", "text", "person.name"),
        ("id_number", "身份证号", "id_number", "person.id_number"),
        ("phone", "联系电话", "phone", "person.phone"),
        ("business_name", "个体工商户名称", "text", ""),
        ("premises", "经营场所", "address", ""),
        ("business_scope", "经营范围", "textarea", ""),
        ("staff_count", "从业人数", "integer", ""),
        ("capital", "资金数额（万元）", "integer", ""),
        ("organisation_form", "组成形式", "choice", ""),
    ]
    assert (fields[6]["min_value"], fields[6]["max_value"]) == (1, 500)
    assert [c["label"] for c in fields[8]["choices"]] == ["个人经营", "家庭经营"]
    # A complete application for it passes the form's check.
    answers = {
        "operator_name": "陈大文",
        "id_number": "44010319900307023X",
        "phone": "13800138000",
        "premises": "荔湾区龙津西路18号首层",
        "business_scope": "日用百货零售",
        "staff_count": "2",
        "capital": "5",
        "organisation_form": "family",
    }
    assert answers_clean(fields, answers)["staff_count"] == 2
    pension = ServiceItem.objects.get(name="城乡居民基本养老保险待遇核定")
    assert [f.key for f in pension.form_fields.all()] == [
        "applicant_name",
        "id_number",
        "phone",
        "address",
        "remarks",
    ]
    marriage = ServiceItem.objects.get(name="内地居民结婚登记")
    assert not marriage.is_online and marriage.form_fields.count() == 0
    items = ServiceItem.objects.annotate(n=Count("form_fields"))
    assert items.filter(is_online=True, n=0).count() == 0
    assert items.filter(is_online=False, n__gt=0).count() == 0
    first_keys = {
        (ServiceObject.NATURAL_PERSON in item.service_objects, item.form_fields.first().key)
        for item in ServiceItem.objects.filter(is_online=True).exclude(pk=shop.pk)
    }
    # Items of individuals get the natural form, items of businesses only the legal one.
    assert first_keys == {(True, "applicant_name"), (False, "organisation_name")}


def test_small_city_items_pass_rules_and_are_indexed(small_city: Any) -> None:
    assert small_city.items == ServiceItem.objects.count() == 30
    assert _rule_failures() == []
    published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
    assert SearchDocument.objects.count() == ServiceItem.objects.count()
    for item in published:
        assert item.versions.count() == 1
    assert small_city.instant_items >= 8


def _db_item_rows() -> list[tuple[Any, ...]]:
    rows = []
    for item in ServiceItem.objects.prefetch_related("materials", "topics", "joint_departments"):
        rows.append(
            (
                item.implementation_code,
                item.name,
                item.status,
                item.case_type,
                item.promised_limit,
                item.effective_date,
                item.department.name,
                tuple(m.name for m in item.materials.all()),
                tuple(sorted(t.code for t in item.topics.all())),
                tuple(sorted(d.name for d in item.joint_departments.all())),
            )
        )
    return sorted(rows)


def _plan_item_rows(seed: int, scale: float) -> list[tuple[Any, ...]]:
    plan = plan_demo_city(seed=seed, scale=scale)
    names = {d.key: d.name for d in plan.departments}
    return sorted(
        (
            p.fields["implementation_code"],
            p.fields["name"],
            p.fields["status"],
            p.fields["case_type"],
            p.fields["promised_limit"],
            p.fields["effective_date"],
            names[p.department],
            tuple(m["name"] for m in p.materials),
            tuple(sorted(p.topics)),
            tuple(sorted(names[k] for k in p.joint)),
        )
        for p in plan.items
    )


def test_database_is_exactly_the_plan(small_city: Any) -> None:
    """The build writes the plan and nothing else, so equal plans mean equal cities."""
    assert _db_item_rows() == _plan_item_rows(2026, SMALL)


def test_plan_is_deterministic() -> None:
    first = plan_demo_city(seed=2026, scale=1.0)
    assert plan_digest(first) == plan_digest(plan_demo_city(seed=2026, scale=1.0))
    assert plan_digest(first) != plan_digest(plan_demo_city(seed=2027, scale=1.0))
    # Another interpreter with another string-hash seed plans the same city.
    code = (
        "import django, json; django.setup();"
        "from onewindow.demo.planning import plan_demo_city, plan_digest;"
        "print(json.dumps(plan_digest(plan_demo_city(seed=2026, scale=1.0))))"
    )
    env = {
        **os.environ,
        "PYTHONHASHSEED": "12345",
        "DJANGO_SETTINGS_MODULE": "onewindow.config.settings",
    }
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(output.strip().splitlines()[-1]) == plan_digest(first)


def test_scale_changes_items_only() -> None:
    small = plan_demo_city(seed=2026, scale=SMALL)
    large = plan_demo_city(seed=2026, scale=2.0)
    assert len(small.items) == 30
    assert len(large.items) == 1200
    assert small.departments == large.departments
    assert small.centres == large.centres
    assert small.staff == large.staff
    codes = [item.fields["implementation_code"] for item in large.items]
    assert len(set(codes)) == len(codes)
    assert all(12 <= len(code) <= 36 for code in codes)
    # Below the size of the hand-written list, the hand-written items are still all there.
    assert len(plan_demo_city(seed=2026, scale=0.001).items) == len(HANDWRITTEN_ITEMS)


@pytest.mark.django_db
@pytest.mark.parametrize("scale", [0, -1, 1001])
def test_bad_scale_is_refused_and_nothing_written(scale: float) -> None:
    with pytest.raises(ValidationFailed) as caught:
        build_demo_city(scale=scale)
    assert caught.value.errors[0].field == "scale"
    assert Region.objects.count() == 0
    assert get_user_model().objects.count() == 0


def test_second_build_is_refused(small_city: Any) -> None:
    users = get_user_model().objects.count()
    with pytest.raises(ApplicationError) as caught:
        build_demo_city(scale=SMALL)
    assert caught.value.code == "demo_exists"
    assert ServiceItem.objects.count() == 30
    assert get_user_model().objects.count() == users


@pytest.mark.django_db
def test_taken_demo_username_is_refused_and_nothing_written() -> None:
    UserFactory(username="clerk01")
    with pytest.raises(ApplicationError) as caught:
        build_demo_city(scale=SMALL)
    assert caught.value.code == "demo_users_exist"
    assert caught.value.params == {"usernames": "clerk01"}
    assert Region.objects.count() == 0
    assert Department.objects.count() == 0
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_demo_city_command_if_empty() -> None:
    out = io.StringIO()
    call_command("demo_city", "--scale", str(SMALL), "--seed", "7", "--if-empty", stdout=out)
    assert ServiceItem.objects.count() == 30
    assert "30" in out.getvalue()
    users = get_user_model().objects.count()

    again = io.StringIO()
    call_command("demo_city", "--scale", str(SMALL), "--if-empty", stdout=again)
    assert again.getvalue() == (
        "数据库中已有数据，未生成演示城市。 / The database has data already; the demo city was not "
        "built.\n"
    )
    assert ServiceItem.objects.count() == 30
    assert get_user_model().objects.count() == users


@pytest.mark.django_db
def test_if_empty_leaves_an_existing_catalogue_alone() -> None:
    create_item(name="已有事项")
    call_command("demo_city", "--if-empty", stdout=io.StringIO())
    assert list(ServiceItem.objects.values_list("name", flat=True)) == ["已有事项"]
    assert get_user_model().objects.count() == 0


@pytest.mark.django_db
def test_demo_logins_before_the_city_exists() -> None:
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "manage.py demo_city" in out.getvalue()


def test_demo_logins_lists_every_role(small_city: Any) -> None:
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for role in Role:
        with translation.override("en"):
            assert str(role.label) in text, role
    for username in (
        "admin",
        "security",
        "auditor",
        "manager",
        "clerk01",
        "output01",
        "street01",
        "approver_fgj",
        "lead_fgj",
        "hotline01",
        "grid01",
    ):
        assert username in text
    assert DEMO_PASSWORD in text
    assert "approver_zjj" not in text  # only the first accounts of each kind without --all

    everything = io.StringIO()
    call_command("demo_logins", "--all", stdout=everything)
    for username in demo_usernames():
        assert f"{username} " in everything.getvalue()
