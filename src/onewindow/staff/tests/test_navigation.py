"""The navigation registry: entries, who sees them, the current one, and what apps registered."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from onewindow.org.models import Role
from onewindow.org.permissions import Action
from onewindow.staff import navigation
from onewindow.staff.navigation import Registry, Tool, Workstation, navigation_for, registry
from onewindow.testing.factories import staff_with_role


class Anonymous:
    is_authenticated = False


def test_entries_come_in_order_then_key():
    reg = Registry()
    reg.add_workstation(Workstation("b.later", "B", "staff:home", visible=bool, order=20))
    reg.add_workstation(Workstation("a.first", "A", "staff:home", visible=bool, order=10))
    reg.add_workstation(Workstation("a.later", "C", "staff:home", visible=bool, order=20))
    assert [w.key for w in reg.workstations()] == ["a.first", "a.later", "b.later"]


def test_a_predicate_decides_and_anonymous_sees_nothing(db):
    reg = Registry()
    reg.add_workstation(Workstation("x.all", "X", "staff:home", visible=lambda user: True))
    reg.add_workstation(Workstation("x.none", "Y", "staff:home", visible=lambda user: False))
    user = staff_with_role(Role.AUDITOR)
    assert [w.key for w in reg.workstations_for(user)] == ["x.all"]
    assert reg.workstations_for(Anonymous()) == []
    assert reg.workstations_for(None) == []


def test_an_action_shows_the_entry_to_whoever_may_do_it_somewhere(db):
    reg = Registry()
    reg.add_workstation(Workstation("x.audit", "A", "staff:home", action=Action.AUDIT_VIEW))
    reg.add_tool(Tool("x.tool", "cases/staff/_find_case.html", action=Action.AUDIT_VIEW))
    auditor = staff_with_role(Role.AUDITOR)
    clerk = staff_with_role(Role.OUTPUT_CLERK)
    assert [w.key for w in reg.workstations_for(auditor)] == ["x.audit"]
    assert [t.key for t in reg.tools_for(auditor)] == ["x.tool"]
    assert reg.workstations_for(clerk) == [] and reg.tools_for(clerk) == []


def test_registering_the_same_entry_twice_is_harmless_but_two_entries_under_one_key_are_not():
    reg = Registry()
    entry = Workstation("x.one", _("Intake"), "staff:home", action=Action.CASE_ACCEPT)
    reg.add_workstation(entry)
    reg.add_workstation(Workstation("x.one", _("Intake"), "staff:home", action=Action.CASE_ACCEPT))
    assert reg.workstations() == [entry]
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        reg.add_workstation(Workstation("x.one", "Other", "staff:home", action=Action.CASE_ACCEPT))
    reg.add_tool(Tool("t", "a.html", visible=bool))
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        reg.add_tool(Tool("t", "b.html", visible=bool))


@pytest.mark.parametrize(
    ("action", "visible"), [(None, None), (Action.CASE_ACCEPT, bool)], ids=["neither", "both"]
)
def test_an_entry_names_exactly_one_way_of_deciding_who_sees_it(action, visible):
    with pytest.raises(ImproperlyConfigured, match="exactly one of action= or visible="):
        Registry().add_workstation(
            Workstation("x.bad", "X", "staff:home", action=action, visible=visible)
        )


def test_the_apps_registered_their_workstations_and_the_case_number_box():
    assert [(w.key, w.url_name, w.order) for w in registry.workstations()] == [
        ("cases.intake", "cases_staff:intake", 10),
        ("online.review", "online_staff:queue", 12),
        ("hall.windows", "hall_staff:windows", 15),
        ("cases.queue", "cases_staff:queue", 20),
        ("cases.output", "cases_staff:output", 30),
        ("hotline.call", "hotline_staff:call", 31),
        ("hotline.submitted", "hotline_staff:submitted", 32),
        ("hotline.dispatch", "hotline_staff:dispatch", 33),
        ("hotline.callbacks", "hotline_staff:callbacks", 34),
        ("hotline.extensions", "hotline_staff:extensions", 35),
        ("hotline.supervision", "hotline_staff:supervision", 36),
        ("hotline.wallboard", "hotline_staff:wallboard", 37),
        ("urban.supervision", "urban_staff:supervision", 38),
        ("urban.command", "urban_staff:command", 39),
        ("cases.supervision", "cases_staff:supervision", 40),
        ("dashboard.manager", "dashboard_staff:dashboard", 45),
        ("ratings.rectifications", "ratings_staff:rectifications", 46),
        ("ratings.appeals", "ratings_staff:appeals", 47),
        ("ratings.mine", "ratings_staff:mine", 48),
        ("hotline.unit", "hotline_staff:unit_queue", 49),
        ("knowledge.articles", "knowledge_staff:list", 50),
        ("hotline.figures", "hotline_staff:figures", 51),
        ("urban.unit", "urban_staff:unit_queue", 52),
        ("urban.tasks", "urban_staff:tasks", 53),
        ("urban.report", "urban_staff:report", 54),
        ("hall.phone_booking", "hall_staff:phone_booking", 55),
        ("enforcement.tasks", "enforcement_staff:queue", 56),
        ("urban.figures", "urban_staff:figures", 57),
        ("urban.today", "urban_staff:today", 58),
        ("hotline.open311_clients", "hotline_staff:open311_clients", 59),
        ("catalog.workbook", "catalog_manage:index", 60),
        ("grid.grids", "grid_staff:list", 61),
        ("urban.categories", "urban_staff:categories", 62),
        ("hall.manager", "hall_staff:manager", 65),
        ("assess.tables", "assess_staff:tables", 70),
        ("ratings.pads", "ratings_staff:pads", 72),
        ("staff.accounts", "admin:auth_user_changelist", 80),
        ("staff.enrolment_codes", "admin:staff_enrolmentcode_changelist", 81),
        ("staff.second_factor_devices", "admin:staff_stafftotpdevice_changelist", 82),
        ("staff.audit_trail", "admin:core_auditlog_changelist", 90),
    ]
    actions = {w.key: w.action for w in registry.workstations()}
    assert actions == {
        "cases.intake": Action.CASE_ACCEPT,
        "online.review": Action.CASE_ACCEPT,
        "hall.windows": Action.HALL_SERVE,
        "cases.queue": Action.CASE_WORK,
        "cases.output": Action.CASE_DELIVER,
        "hotline.call": Action.HOTLINE_TAKE,
        "hotline.submitted": Action.HOTLINE_TAKE,
        "hotline.dispatch": Action.HOTLINE_DISPATCH,
        "hotline.callbacks": Action.HOTLINE_TAKE,
        "hotline.extensions": Action.HOTLINE_SUPERVISE,
        "hotline.supervision": Action.HOTLINE_SUPERVISE,
        "urban.supervision": Action.URBAN_FILE,
        "urban.command": Action.URBAN_DISPATCH,
        "urban.unit": Action.URBAN_HANDLE,
        "urban.tasks": Action.URBAN_REPORT,
        "urban.report": Action.URBAN_REPORT,
        "hotline.wallboard": Action.HOTLINE_TAKE,
        "cases.supervision": Action.CASE_SUPERVISE,
        "dashboard.manager": Action.CASE_SUPERVISE,
        "ratings.rectifications": Action.RATING_VIEW,
        "ratings.appeals": Action.RATING_APPEAL_REVIEW,
        "ratings.mine": None,  # a predicate: the staff who may be rated (and appeal)
        "hotline.unit": Action.HOTLINE_HANDLE,
        "knowledge.articles": Action.KNOWLEDGE_VIEW,
        "hotline.figures": Action.HOTLINE_VIEW,
        "enforcement.tasks": Action.ENFORCEMENT_VIEW,
        "hall.phone_booking": Action.HALL_BOOK_FOR_CALLER,
        "catalog.workbook": None,  # a predicate: import or export
        "urban.categories": Action.URBAN_MANAGE,
        "hall.manager": Action.HALL_MANAGE,
        "grid.grids": Action.GRID_VIEW,
        "hotline.open311_clients": Action.HOTLINE_MANAGE,
        "assess.tables": Action.ASSESS_VIEW,
        "urban.figures": Action.URBAN_VIEW,
        "urban.today": Action.URBAN_VIEW,
        "ratings.pads": Action.HALL_MANAGE,  # the centre manager pairs pads, never a clerk
        "staff.accounts": Action.ROLE_GRANT,
        "staff.enrolment_codes": Action.SECURITY_MANAGE,
        "staff.second_factor_devices": Action.SECURITY_MANAGE,
        "staff.audit_trail": Action.AUDIT_TRAIL_VIEW,
    }
    assert [w.url for w in registry.workstations()] == [
        "/staff/cases/intake/",
        "/staff/online/",
        "/staff/hall/",
        "/staff/cases/queue/",
        "/staff/cases/output/",
        "/staff/hotline/call/",
        "/staff/hotline/submitted/",
        "/staff/hotline/dispatch/",
        "/staff/hotline/callbacks/",
        "/staff/hotline/extensions/",
        "/staff/hotline/supervision/",
        "/staff/hotline/wallboard/",
        "/staff/urban/supervision/",
        "/staff/urban/command/",
        "/staff/cases/supervision/",
        "/staff/dashboard/",
        "/staff/ratings/rectifications/",
        "/staff/ratings/appeals/",
        "/staff/ratings/mine/",
        "/staff/hotline/unit/",
        "/staff/knowledge/",
        "/staff/hotline/figures/",
        "/staff/urban/unit/",
        "/staff/urban/tasks/",
        "/staff/urban/report/",
        "/staff/hall/phone-booking/",
        "/staff/enforcement/",
        "/staff/urban/figures/",
        "/staff/urban/today/",
        "/staff/hotline/open311/clients/",
        "/staff/catalog/",
        "/staff/grid/",
        "/staff/urban/categories/",
        "/staff/hall/manager/",
        "/staff/assess/",
        "/staff/ratings/pads/",
        "/admin/auth/user/",
        "/admin/staff/enrolmentcode/",
        "/admin/staff/stafftotpdevice/",
        "/admin/core/auditlog/",
    ]
    assert all(w.description for w in registry.workstations())
    assert [(t.key, t.template, t.action) for t in registry.tools()] == [
        ("cases.find", "cases/staff/_find_case.html", Action.CASE_VIEW)
    ]


def test_the_current_entry_is_the_longest_one_the_page_lies_under(db):
    manager = staff_with_role(Role.CENTRE_MANAGER)
    links = navigation_for(manager, "/staff/cases/supervision/?light=red")
    assert [(link.key, link.current) for link in links] == [
        ("cases.supervision", True),
        ("dashboard.manager", False),
        ("ratings.rectifications", False),
        ("ratings.appeals", False),
        ("knowledge.articles", False),
        ("hall.phone_booking", False),
        ("urban.figures", False),
        ("urban.today", False),
        ("catalog.workbook", False),
        ("grid.grids", False),
        ("hall.manager", False),
        ("assess.tables", False),
        ("ratings.pads", False),
    ]
    assert not any(link.current for link in navigation_for(manager, "/staff/cases/X1/"))
    assert [link.current for link in navigation_for(manager, "/staff/catalog/import/")] == [
        False,
        False,
        False,
        False,
        False,
        False,
        False,
        False,
        True,
        False,
        False,
        False,
        False,
    ]


def test_the_staff_app_imports_no_app_that_registers_with_it():
    """``cases`` and ``catalog`` import the shell; the shell never imports them back."""
    package = Path(navigation.__file__).parent
    imported: set[str] = set()
    for source in package.rglob("*.py"):
        if "tests" in source.relative_to(package).parts:
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    ours = sorted(name for name in imported if name.startswith("onewindow."))
    assert ours == [
        "onewindow.core.audit",
        "onewindow.core.client",
        "onewindow.core.crypto",
        "onewindow.core.errors",
        "onewindow.core.tasks",
        "onewindow.core.validation",
        "onewindow.org.codes",
        "onewindow.org.models",
        "onewindow.org.permissions",
        "onewindow.org.permissions_admin",
        "onewindow.staff",
        "onewindow.staff.checks",
        "onewindow.staff.decorators",
        "onewindow.staff.enrolment",
        "onewindow.staff.errors",
        "onewindow.staff.home",
        "onewindow.staff.models",
        "onewindow.staff.navigation",
        "onewindow.staff.sessions",
        "onewindow.staff.sign_in",
        "onewindow.staff.views",
    ]
