"""The demo's grid categories: the GB/T 30428-shaped classes with their units and stages, the
sanitation stations with their own office hours, the enforcement team; a wrong data file is
refused whole, located."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate

from onewindow.core.errors import ValidationFailed
from onewindow.demo import city
from onewindow.demo.generator import DEMO_PASSWORD, build_demo_city
from onewindow.demo.urban import grid_categories_data, load_grid_categories
from onewindow.hotline.codes import UnitKind
from onewindow.hotline.models import HandlingUnit
from onewindow.org.models import Department
from onewindow.urban.limits import office_hours_of
from onewindow.urban.models import Category, CategoryStage, CategoryUnit
from onewindow.urban.services.categories import categories_write_from_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_city() -> Any:
    return build_demo_city(seed=2026, scale=0.05)


def test_the_demo_has_the_grid_categories_and_their_units(small_city: Any) -> None:
    majors = Category.objects.filter(parent__isnull=True)
    assert [(m.code, m.name) for m in majors.order_by("code")] == [
        ("C01", "公用设施"),
        ("C02", "道路交通"),
        ("C03", "市容环境"),
        ("C04", "园林绿化"),
        ("C05", "房屋土地"),
        ("C06", "其他设施"),
        ("E01", "市容环境"),
        ("E02", "宣传广告"),
        ("E03", "施工管理"),
        ("E04", "突发事件"),
        ("E05", "街面秩序"),
        ("E06", "其他"),
    ]
    assert Category.objects.filter(parent__isnull=False).count() == 46
    rubbish = Category.objects.get(code="E0101")
    assert rubbish.name == "暴露垃圾"
    assert [(s.name, s.limit, s.unit) for s in rubbish.stages.all()] == [("清理", 4, "wh")]
    streets = len(city.STREETS)
    units = CategoryUnit.objects.filter(category=rubbish).select_related("department", "region")
    assert units.count() == streets
    shamian = units.get(region__code="440103001000")
    assert shamian.department.name == "荔湾区沙面街道环卫站"
    assert office_hours_of(shamian.department) == [("08:30", "12:00"), ("14:30", "18:00")]
    building = Category.objects.get(code="E0301")
    assert building.enforcement
    assert [(s.name, s.limit, s.unit) for s in CategoryStage.objects.filter(category=building)] == [
        ("停工", 4, "wh"),
        ("处罚", 7, "1"),
        ("拆除", 20, "1"),
    ]
    team = Department.objects.get(name="荔湾区综合行政执法队")
    assert HandlingUnit.objects.get(department=team).kind == UnitKind.ENFORCEMENT
    assert [u.department_id for u in building.units.all()] == [team.pk]
    # Dispatched to the street office first, the district bureau second.
    stalls = CategoryUnit.objects.filter(category__code="E0501")
    assert stalls.filter(order=1).count() == streets
    assert stalls.get(order=2).department.name == "荔湾区城市管理和综合执法局"
    assert authenticate(username="approver_hw01", password=DEMO_PASSWORD) is not None
    assert authenticate(username="lead_zfd", password=DEMO_PASSWORD) is not None


def test_a_wrong_data_file_is_refused_whole_and_located(small_city: Any) -> None:
    data = load_grid_categories()
    data["major"][0]["subclass"][1]["units"] = ["nobody"]
    data["major"][0]["subclass"][2]["stages"] = [["维修", 3, "分钟"]]
    departments = {d.name: d for d in Department.objects.all()}
    by_key = {spec.key: departments[spec.name] for spec in city.DEPARTMENTS}
    for index, street in enumerate(city.STREETS, start=1):
        by_key[f"s{index:02d}"] = departments[f"荔湾区{street.name}街道办事处"]
    rows = grid_categories_data(
        data,
        departments=by_key,
        stations={
            i: departments[f"荔湾区{s.name}街道环卫站"] for i, s in enumerate(city.STREETS, 1)
        },
        team=departments["荔湾区综合行政执法队"],
    )
    before = list(CategoryUnit.objects.values_list("pk", flat=True))
    with pytest.raises(ValidationFailed) as caught:
        categories_write_from_data(actor=None, data=rows)
    found = [(e.sheet, e.code, str(e)) for e in caught.value.errors]
    assert [(sheet, code) for sheet, code, _text in found] == [
        ("责任单位", "unknown_department"),
        ("时限", "invalid_code"),
    ]
    assert "<nobody>" in found[0][2]
    assert list(CategoryUnit.objects.values_list("pk", flat=True)) == before
