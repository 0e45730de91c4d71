"""The workstation home and the staff bar: each role sees exactly its workstations."""

from __future__ import annotations

import re

import pytest

from onewindow.staff.navigation import registry

HOME = "/staff/"
EXPECTED = {
    "intake_clerk": [
        "cases.intake",
        "online.review",
        "hall.windows",
        "cases.output",
        "ratings.mine",
        "hall.phone_booking",
    ],
    "output_clerk": ["hall.windows", "cases.output", "ratings.mine"],
    "approver": [
        "cases.queue",
        "ratings.mine",
        "hotline.unit",
        "knowledge.articles",
        "hotline.figures",
        "urban.unit",
        "urban.figures",
        "urban.today",
    ],
    "lead": [
        "cases.queue",
        "cases.supervision",
        "dashboard.manager",
        "ratings.rectifications",
        "ratings.mine",
        "hotline.unit",
        "knowledge.articles",
        "hotline.figures",
        "urban.unit",
        "enforcement.tasks",
        "urban.figures",
        "urban.today",
        "catalog.workbook",
    ],
    "manager": [
        "cases.supervision",
        "dashboard.manager",
        "ratings.rectifications",
        "ratings.appeals",
        "knowledge.articles",
        "hall.phone_booking",
        "urban.figures",
        "urban.today",
        "catalog.workbook",
        "grid.grids",
        "hall.manager",
        "assess.tables",
        "ratings.pads",
    ],
    "auditor": [
        "cases.supervision",
        "dashboard.manager",
        "ratings.rectifications",
        "knowledge.articles",
        "hotline.figures",
        "enforcement.tasks",
        "urban.figures",
        "urban.today",
        "catalog.workbook",
        "grid.grids",
        "assess.tables",
        "staff.audit_trail",
    ],
    "admin": [
        "cases.supervision",
        "dashboard.manager",
        "ratings.rectifications",
        "knowledge.articles",
        "hotline.figures",
        "enforcement.tasks",
        "urban.figures",
        "urban.today",
        "hotline.open311_clients",
        "catalog.workbook",
        "grid.grids",
        "urban.categories",
        "hall.manager",
        "assess.tables",
        "ratings.pads",
    ],
    "nobody": [],
}
URLS = {
    "cases.intake": "/staff/cases/intake/",
    "cases.queue": "/staff/cases/queue/",
    "online.review": "/staff/online/",
    "cases.output": "/staff/cases/output/",
    "cases.supervision": "/staff/cases/supervision/",
    "dashboard.manager": "/staff/dashboard/",
    "catalog.workbook": "/staff/catalog/",
    "staff.audit_trail": "/admin/core/auditlog/",
    "hall.windows": "/staff/hall/",
    "hall.phone_booking": "/staff/hall/phone-booking/",
    "hall.manager": "/staff/hall/manager/",
    "ratings.rectifications": "/staff/ratings/rectifications/",
    "ratings.appeals": "/staff/ratings/appeals/",
    "ratings.mine": "/staff/ratings/mine/",
    "hotline.unit": "/staff/hotline/unit/",
    "assess.tables": "/staff/assess/",
    "ratings.pads": "/staff/ratings/pads/",
    "knowledge.articles": "/staff/knowledge/",
    "hotline.figures": "/staff/hotline/figures/",
    "hotline.open311_clients": "/staff/hotline/open311/clients/",
    "grid.grids": "/staff/grid/",
    "urban.categories": "/staff/urban/categories/",
    "urban.unit": "/staff/urban/unit/",
    "enforcement.tasks": "/staff/enforcement/",
    "urban.figures": "/staff/urban/figures/",
    "urban.today": "/staff/urban/today/",
}
NO_ROLE = "您的账号未分配窗口、部门或监察角色，请联系服务中心管理人员。"


def text(response) -> str:
    return response.content.decode()


def cards(page: str) -> list[str]:
    return re.findall(r'<a class="staff-tile" href="[^"]+" data-workstation="([^"]+)">', page)


def bar_links(page: str) -> list[str]:
    bar = re.search(r'<nav class="staff-nav wrap"[^>]*>\s*<ul>(.*?)</ul>', page, re.S)
    assert bar is not None
    return re.findall(r'<a href="([^"]+)"', bar.group(1))


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_home_shows_exactly_the_workstations_of_each_role(client, staff, role):
    client.force_login(staff[role])
    response = client.get(HOME)
    assert response.status_code == 200
    page = text(response)
    assert cards(page) == EXPECTED[role]
    assert bar_links(page) == [HOME] + [URLS[key] for key in EXPECTED[role]]
    assert (NO_ROLE in page) is (not EXPECTED[role])


def test_the_cards_carry_their_names_and_descriptions(client, staff):
    client.force_login(staff["intake_clerk"])
    page = text(client.get(HOME))
    assert (
        '<a class="staff-tile" href="/staff/cases/intake/" data-workstation="cases.intake">'
        '<span class="staff-tile__name">综合受理</span>'
        '<span class="staff-tile__note">读取身份证，核对材料，受理申请。</span></a>'
    ) in page


def test_english_home_in_english(client, staff):
    client.force_login(staff["approver"])
    page = text(client.get("/en/staff/"))
    assert '<span class="staff-tile__name">Department queue</span>' in page
    assert cards(page) == EXPECTED["approver"]
    assert bar_links(page) == [
        "/en/staff/",
        "/en/staff/cases/queue/",
        "/en/staff/ratings/mine/",
        "/en/staff/hotline/unit/",
        "/en/staff/knowledge/",
        "/en/staff/hotline/figures/",
        "/en/staff/urban/unit/",
        "/en/staff/urban/figures/",
        "/en/staff/urban/today/",
    ]


def test_the_home_is_current_on_the_home_and_a_workstation_on_its_pages(client, staff):
    client.force_login(staff["approver"])
    page = text(client.get(HOME))
    assert '<a href="/staff/" aria-current="page">' in page
    page = text(client.get("/staff/cases/queue/?show=mine"))
    assert '<a href="/staff/cases/queue/" aria-current="page">部门待办</a>' in page
    assert '<a href="/staff/" aria-current="page">' not in page


def test_the_case_number_box_is_in_the_bar_of_those_who_see_cases(client, staff):
    client.force_login(staff["output_clerk"])
    assert 'action="/staff/cases/" method="get" role="search"' in text(client.get(HOME))
    client.force_login(staff["nobody"])
    assert 'name="number"' not in text(client.get(HOME))


def test_home_query_count_does_not_grow_with_workstations(
    client, staff, django_assert_max_num_queries
):
    client.force_login(staff["lead"])
    client.get(HOME)  # warm the session
    # session, user, role assignments — the registry asks the permissions once per user.
    with django_assert_max_num_queries(3):
        response = client.get(HOME)
    assert len(cards(text(response))) == len(EXPECTED["lead"]) == 13
    assert len(registry.workstations()) == 40


def test_the_case_number_box_still_opens_a_case_and_refuses_a_malformed_number(client, staff):
    client.force_login(staff["intake_clerk"])
    response = client.get("/staff/cases/", {"number": "4401032026112300001"})
    assert response["Location"] == "/staff/cases/4401032026112300001/"
    response = client.get("/staff/cases/", {"number": "a/b"})
    assert response.status_code == 200
    assert "不是有效的办件号，请输入受理回执上的办件号。" in text(response)
    assert cards(text(response)) == EXPECTED["intake_clerk"]
    response = client.get("/staff/cases/")
    assert (response.status_code, response["Location"]) == (302, HOME)


HOTLINE_AGENT = [
    "hotline.call",
    "hotline.submitted",
    "hotline.dispatch",
    "hotline.callbacks",
    "hotline.extensions",
    "hotline.supervision",
    "hotline.wallboard",
    "knowledge.articles",
    "hotline.figures",
    "hall.phone_booking",  # the hotline agent books hall appointments for callers
]


def test_a_hotline_agent_sees_the_hotline_centre_workstations(client, db):
    from onewindow.org.codes import Role
    from onewindow.testing.factories import staff_with_role

    client.force_login(staff_with_role(Role.HOTLINE_AGENT))
    page = text(client.get(HOME))
    assert cards(page) == HOTLINE_AGENT
    assert bar_links(page) == [HOME] + [
        URLS.get(key, f"/staff/hotline/{key.split('.')[1]}/") for key in HOTLINE_AGENT
    ]
