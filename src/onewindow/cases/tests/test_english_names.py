"""English pages (``/en/…``) show the catalogue's English names where they are filled in —
items, departments, centres — and the standard step names (受理, 审查, 审批, 办结, 送达) as
their kind's English label; the Chinese pages keep the Chinese names."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from onewindow.cases.services import case_accept
from onewindow.catalog.codes import StepKind
from onewindow.catalog.models import ServiceItem
from onewindow.catalog.names import step_text
from onewindow.org.models import Department, Role, ServiceCentre
from onewindow.testing.factories import staff_with_role

LIFT_EN = "Adding a lift to an existing residential building"
HOUSING_EN = "District Housing and Construction Bureau"
JOINT_EN = "Joint department 3"
CENTRE_EN = "Street service centre"


def url(name: str, *args: object, language: str = "zh-hans") -> str:
    with translation.override(language):
        return reverse(f"cases_staff:{name}", args=args)


@pytest.fixture
def named_city(city):
    """The city with English names filled in after the lift item's version was published, so
    the version's snapshot has none: the item's current English name is shown."""
    ServiceItem.objects.filter(pk=city.lift.pk).update(name_en=LIFT_EN)
    Department.objects.filter(pk=city.lead_department.pk).update(name_en=HOUSING_EN)
    Department.objects.filter(pk=city.joint_departments[2].pk).update(name_en=JOINT_EN)
    ServiceCentre.objects.filter(pk=city.street_centre.pk).update(name_en=CENTRE_EN)
    return city


def test_step_text_translates_only_the_standard_name_of_the_kind():
    with translation.override("en"):
        assert step_text(StepKind.REVIEW, "审查") == "Review"
        assert step_text(StepKind.DECIDE, "审批") == "Decide"
        assert step_text(StepKind.COMPLETE, "办结") == "Complete"
        assert step_text(StepKind.DELIVER, "送达") == "Deliver"
        assert step_text(StepKind.REVIEW, "现场踏勘") == "现场踏勘"  # the item's own wording
        assert step_text(StepKind.DECIDE, "审查") == "审查"  # not this kind's standard name
    with translation.override("zh-hans"):
        assert step_text(StepKind.REVIEW, "审查") == "审查"


def test_english_queue_shows_english_item_department_and_step(client, named_city):
    city = named_city
    case = case_accept(intake=city.intake())
    client.force_login(city.approvers[city.joint_departments[2].pk])
    english = client.get(url("queue", language="en")).content.decode()
    assert case.number in english
    assert f"<td>{LIFT_EN}</td>" in english
    assert "<td>Review" in english and "<td>审查" not in english
    assert f'<span class="small">{JOINT_EN}</span>' in english
    assert "既有住宅增设电梯" not in english

    chinese = client.get(url("queue")).content.decode()
    assert "<td>既有住宅增设电梯</td>" in chinese
    assert "<td>审查" in chinese and "<td>Review" not in chinese
    assert '<span class="small">联办部门3</span>' in chinese
    assert LIFT_EN not in chinese


def test_english_case_page_shows_english_names(client, named_city):
    city = named_city
    case = case_accept(intake=city.intake())
    client.force_login(city.approvers[city.lead_department.pk])
    english = client.get(url("case_detail", case.number, language="en")).content.decode()
    assert f'<p class="item-meta">{LIFT_EN} · {HOUSING_EN} · ' in english
    assert f"<dd>{CENTRE_EN}" in english
    assert "<td>Review" in english and "<td>Decide" in english
    assert "<td>审查" not in english and "<td>审批" not in english
    assert f"<td>{JOINT_EN}</td>" in english
    assert "<td>联办部门1</td>" in english  # no English name: the Chinese one

    chinese = client.get(url("case_detail", case.number)).content.decode()
    assert '<p class="item-meta">既有住宅增设电梯 · 区住房和建设局 · ' in chinese
    assert "<dd>街道中心" in chinese
    assert "<td>审查" in chinese and "<td>审批" in chinese
    assert LIFT_EN not in chinese and HOUSING_EN not in chinese


def test_english_supervision_board_shows_english_names(client, named_city):
    city = named_city
    case_accept(intake=city.intake())
    client.force_login(staff_with_role(Role.CENTRE_MANAGER, centre=city.street_centre))
    english = client.get(url("supervision", language="en")).content.decode()
    assert f'<th scope="row">{HOUSING_EN}</th>' in english
    assert f"<td>{LIFT_EN}</td><td>{HOUSING_EN}</td><td>{CENTRE_EN}</td>" in english

    chinese = client.get(url("supervision")).content.decode()
    assert '<th scope="row">区住房和建设局</th>' in chinese
    assert "<td>既有住宅增设电梯</td><td>区住房和建设局</td><td>街道中心</td>" in chinese


def test_english_progress_page_shows_english_item_and_department(client, named_city):
    city = named_city
    case = case_accept(intake=city.intake())
    form = {"number": case.number, "code": case.query_code}
    english = client.post("/en/progress/", form).content.decode()
    assert f'<h2 id="progress-item">{LIFT_EN}</h2>' in english
    # The accept step is placed at the accepting centre, in English where it has a name.
    assert f" · {CENTRE_EN}</span>" in english
    assert "既有住宅增设电梯" not in english and " · 街道中心</span>" not in english

    chinese = client.post("/progress/", form).content.decode()
    assert '<h2 id="progress-item">既有住宅增设电梯</h2>' in chinese
    assert " · 街道中心</span>" in chinese
    assert LIFT_EN not in chinese and HOUSING_EN not in chinese


def test_the_versions_english_name_comes_first(client, named_city):
    """A version published with an English name shows that name, as it shows its Chinese one."""
    city = named_city
    case = case_accept(intake=city.intake())
    version = case.item_version
    version.snapshot = {**version.snapshot, "name_en": "Lift (as published)"}
    version.save(update_fields=["snapshot"])
    english = client.post(
        "/en/progress/", {"number": case.number, "code": case.query_code}
    ).content.decode()
    assert '<h2 id="progress-item">Lift (as published)</h2>' in english


def test_english_intake_search_and_item_page_show_english_names(client, named_city):
    from onewindow.cases.tests.test_staff_pages import identified

    city = named_city
    identified(client, city)
    english = client.get(
        url("intake_items", language="en"), {"q": "电梯"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert f'<span class="item-result__name">{LIFT_EN}</span>' in english
    assert f'<span class="item-result__meta">{HOUSING_EN}' in english
    page = client.get(url("intake_item", city.lift.pk, language="en")).content.decode()
    assert f'<h1 class="item-title">{LIFT_EN}</h1>' in page
    assert f"<strong>{CENTRE_EN}</strong>" in page  # the desk bar

    chinese = client.get(url("intake_item", city.lift.pk)).content.decode()
    assert '<h1 class="item-title">既有住宅增设电梯</h1>' in chinese
    assert "<strong>街道中心</strong>" in chinese
