"""The permission matrix: every action × every role × (own scope, other scope, anything)."""

import pytest

from onewindow.core.errors import NotFoundOrForbidden, PermissionDenied
from onewindow.core.models import AuditLog
from onewindow.org.models import CentreLevel, Department, Role
from onewindow.org.permissions import (
    RULES,
    Action,
    TargetScope,
    can,
    require,
    scope_queryset,
)
from onewindow.testing.factories import (
    CentreFactory,
    DepartmentFactory,
    StreetFactory,
    create_item,
    staff_with_role,
)

# The expected answer, written out independently of RULES:
#   "all"  – allowed on the own-scope and the other-scope target;
#   "own"  – allowed on the own-scope target only;
#   "-"    – never allowed.
R = Role
EXPECTED: dict[Action, dict[str, str]] = {
    Action.CATALOG_VIEW_DRAFT: {
        R.INTAKE_CLERK: "-",
        R.OUTPUT_CLERK: "-",
        R.DEPT_APPROVER: "own",
        R.DEPT_LEAD: "own",
        R.CENTRE_MANAGER: "all",
        R.HOTLINE_AGENT: "-",
        R.GRID_WORKER: "-",
        R.AUDITOR: "all",
        R.ADMIN: "all",
        R.SECURITY_ADMIN: "-",
    },
    Action.CATALOG_EDIT: {
        R.INTAKE_CLERK: "-",
        R.OUTPUT_CLERK: "-",
        R.DEPT_APPROVER: "-",
        R.DEPT_LEAD: "own",
        R.CENTRE_MANAGER: "-",
        R.HOTLINE_AGENT: "-",
        R.GRID_WORKER: "-",
        R.AUDITOR: "-",
        R.ADMIN: "all",
        R.SECURITY_ADMIN: "-",
    },
    Action.CATALOG_IMPORT: {
        R.INTAKE_CLERK: "-",
        R.OUTPUT_CLERK: "-",
        R.DEPT_APPROVER: "-",
        R.DEPT_LEAD: "-",
        R.CENTRE_MANAGER: "-",
        R.HOTLINE_AGENT: "-",
        R.GRID_WORKER: "-",
        R.AUDITOR: "-",
        R.ADMIN: "all",
        R.SECURITY_ADMIN: "-",
    },
    Action.CATALOG_EXPORT: {
        R.INTAKE_CLERK: "-",
        R.OUTPUT_CLERK: "-",
        R.DEPT_APPROVER: "-",
        R.DEPT_LEAD: "own",
        R.CENTRE_MANAGER: "all",
        R.HOTLINE_AGENT: "-",
        R.GRID_WORKER: "-",
        R.AUDITOR: "all",
        R.ADMIN: "all",
        R.SECURITY_ADMIN: "-",
    },
    Action.ORG_VIEW: {role: "all" for role in R.values},
    Action.ORG_MANAGE: {role: ("all" if role == R.ADMIN else "-") for role in R.values},
    Action.STAFF_MANAGE: {
        R.INTAKE_CLERK: "-",
        R.OUTPUT_CLERK: "-",
        R.DEPT_APPROVER: "-",
        R.DEPT_LEAD: "-",
        R.CENTRE_MANAGER: "own",
        R.HOTLINE_AGENT: "-",
        R.GRID_WORKER: "-",
        R.AUDITOR: "-",
        R.ADMIN: "all",
        R.SECURITY_ADMIN: "-",
    },
    Action.AUDIT_VIEW: {
        R.INTAKE_CLERK: "-",
        R.OUTPUT_CLERK: "-",
        R.DEPT_APPROVER: "-",
        R.DEPT_LEAD: "-",
        R.CENTRE_MANAGER: "-",
        R.HOTLINE_AGENT: "-",
        R.GRID_WORKER: "-",
        R.AUDITOR: "-",
        R.ADMIN: "all",
        R.SECURITY_ADMIN: "-",
    },
    # 三员分立: the security administrator grants roles and resets second factors; the auditor
    # alone reads the audit trail; the system administrator does neither.
    Action.ROLE_GRANT: {
        R.INTAKE_CLERK: "-",
        R.OUTPUT_CLERK: "-",
        R.DEPT_APPROVER: "-",
        R.DEPT_LEAD: "-",
        R.CENTRE_MANAGER: "-",
        R.HOTLINE_AGENT: "-",
        R.GRID_WORKER: "-",
        R.AUDITOR: "-",
        R.ADMIN: "-",
        R.SECURITY_ADMIN: "all",
    },
    Action.SECURITY_MANAGE: {
        R.INTAKE_CLERK: "-",
        R.OUTPUT_CLERK: "-",
        R.DEPT_APPROVER: "-",
        R.DEPT_LEAD: "-",
        R.CENTRE_MANAGER: "-",
        R.HOTLINE_AGENT: "-",
        R.GRID_WORKER: "-",
        R.AUDITOR: "-",
        R.ADMIN: "-",
        R.SECURITY_ADMIN: "all",
    },
    Action.AUDIT_TRAIL_VIEW: {
        R.INTAKE_CLERK: "-",
        R.OUTPUT_CLERK: "-",
        R.DEPT_APPROVER: "-",
        R.DEPT_LEAD: "-",
        R.CENTRE_MANAGER: "-",
        R.HOTLINE_AGENT: "-",
        R.GRID_WORKER: "-",
        R.AUDITOR: "all",
        R.ADMIN: "-",
        R.SECURITY_ADMIN: "-",
    },
}
CASE_EXPECTED = {
    Action.CASE_ACCEPT: {R.INTAKE_CLERK: "own"},
    Action.CASE_VIEW: {
        R.INTAKE_CLERK: "own",
        R.OUTPUT_CLERK: "own",
        R.CENTRE_MANAGER: "own",
        R.DEPT_APPROVER: "own",
        R.DEPT_LEAD: "own",
        R.AUDITOR: "all",
        R.ADMIN: "all",
        R.SECURITY_ADMIN: "-",
    },
    Action.CASE_WORK: {R.DEPT_APPROVER: "own", R.DEPT_LEAD: "own"},
    Action.CASE_DELIVER: {R.OUTPUT_CLERK: "own", R.INTAKE_CLERK: "own"},
    Action.CASE_SUPERVISE: {
        R.CENTRE_MANAGER: "own",
        R.DEPT_LEAD: "own",
        R.ADMIN: "all",
        R.AUDITOR: "all",
    },
    Action.CASE_PAPER_ADD: {R.INTAKE_CLERK: "own"},
    Action.CASE_PAPER_VIEW: {
        R.INTAKE_CLERK: "own",
        R.OUTPUT_CLERK: "own",
        R.CENTRE_MANAGER: "own",
        R.DEPT_APPROVER: "own",
        R.DEPT_LEAD: "own",
    },
    Action.CALENDAR_EDIT: {R.CENTRE_MANAGER: "all", R.ADMIN: "all"},
    Action.PERSON_READ: {
        R.INTAKE_CLERK: "all",
        R.OUTPUT_CLERK: "all",
        R.DEPT_APPROVER: "all",
        R.DEPT_LEAD: "all",
        R.CENTRE_MANAGER: "all",
        R.HOTLINE_AGENT: "all",
    },
}
for _action, _allowed in CASE_EXPECTED.items():
    EXPECTED[_action] = {role: _allowed.get(role, "-") for role in R.values}
EXPECTED[Action.NOTIFY_MANAGE] = {role: ("all" if role == R.ADMIN else "-") for role in R.values}
HALL_EXPECTED = {
    Action.HALL_SERVE: {R.INTAKE_CLERK: "centre", R.OUTPUT_CLERK: "centre"},
    Action.HALL_BOOK_FOR_CALLER: {
        R.HOTLINE_AGENT: "all",
        R.INTAKE_CLERK: "centre",
        R.CENTRE_MANAGER: "centre",
    },
    Action.HALL_MANAGE: {R.CENTRE_MANAGER: "centre", R.ADMIN: "all"},
}
for _action, _allowed in HALL_EXPECTED.items():
    EXPECTED[_action] = {role: _allowed.get(role, "-") for role in R.values}
# Ratings and assessment: targets are scoped like cases (a department, a centre, a region).
RATING_EXPECTED = {
    Action.RATING_VIEW: {
        R.CENTRE_MANAGER: "own",
        R.DEPT_LEAD: "own",
        R.AUDITOR: "all",
        R.ADMIN: "all",
    },
    Action.RATING_REPORT: {R.ADMIN: "all"},
    Action.RECTIFY_WORK: {R.DEPT_LEAD: "own", R.CENTRE_MANAGER: "own"},
    Action.RATING_APPEAL: {
        R.INTAKE_CLERK: "own",
        R.OUTPUT_CLERK: "own",
        R.DEPT_APPROVER: "own",
        R.DEPT_LEAD: "own",
    },
    Action.RATING_APPEAL_REVIEW: {R.CENTRE_MANAGER: "own"},
    Action.ASSESS_VIEW: {R.CENTRE_MANAGER: "own", R.AUDITOR: "all", R.ADMIN: "all"},
    Action.ASSESS_MANAGE: {R.CENTRE_MANAGER: "own"},
    Action.HOTLINE_VIEW: {
        R.HOTLINE_AGENT: "all",
        R.DEPT_APPROVER: "own",
        R.DEPT_LEAD: "own",
        R.AUDITOR: "all",
        R.ADMIN: "all",
    },
    Action.HOTLINE_TAKE: {R.HOTLINE_AGENT: "all"},
    Action.HOTLINE_DISPATCH: {R.HOTLINE_AGENT: "all"},
    Action.HOTLINE_HANDLE: {R.DEPT_APPROVER: "own", R.DEPT_LEAD: "own"},
    Action.HOTLINE_SUPERVISE: {R.HOTLINE_AGENT: "all"},
    Action.HOTLINE_MANAGE: {R.ADMIN: "all"},
}
for _action, _allowed in RATING_EXPECTED.items():
    EXPECTED[_action] = {role: _allowed.get(role, "-") for role in R.values}
# The knowledge base: targets are an article's department (what Article.permission_scope gives).
KNOWLEDGE_EXPECTED = {
    Action.KNOWLEDGE_VIEW: {
        R.HOTLINE_AGENT: "all",
        R.CENTRE_MANAGER: "all",
        R.DEPT_LEAD: "all",
        R.DEPT_APPROVER: "all",
        R.AUDITOR: "all",
        R.ADMIN: "all",
    },
    Action.KNOWLEDGE_VIEW_DRAFT: {
        R.DEPT_LEAD: "own",
        R.DEPT_APPROVER: "own",
        R.AUDITOR: "all",
        R.ADMIN: "all",
    },
    Action.KNOWLEDGE_EDIT: {R.DEPT_LEAD: "own", R.ADMIN: "all"},
}
for _action, _allowed in KNOWLEDGE_EXPECTED.items():
    EXPECTED[_action] = {role: _allowed.get(role, "-") for role in R.values}
# Grid management and comprehensive enforcement: targets are a grid case's unit and community
# (what GridCase.permission_scope gives), a grid's community, an enforcement task's team.
GRID_EXPECTED = {
    Action.GRID_VIEW: {
        R.GRID_WORKER: "own",
        R.GRID_CHIEF: "all",
        R.GRID_DISPATCHER: "all",
        R.CENTRE_MANAGER: "all",
        R.AUDITOR: "all",
        R.ADMIN: "all",
    },
    Action.GRID_MANAGE: {R.ADMIN: "all"},
    Action.URBAN_VIEW: {
        R.GRID_WORKER: "own",
        R.GRID_CHIEF: "all",
        R.GRID_DISPATCHER: "all",
        R.DEPT_APPROVER: "own",
        R.DEPT_LEAD: "own",
        R.ENFORCEMENT_OFFICER: "own",
        R.CENTRE_MANAGER: "all",
        R.AUDITOR: "all",
        R.ADMIN: "all",
    },
    Action.URBAN_REPORT: {R.GRID_WORKER: "own"},
    Action.URBAN_VERIFY: {R.GRID_WORKER: "own", R.GRID_CHIEF: "all"},
    Action.URBAN_FILE: {R.GRID_CHIEF: "all"},
    Action.URBAN_DISPATCH: {R.GRID_DISPATCHER: "all"},
    Action.URBAN_HANDLE: {R.DEPT_APPROVER: "own", R.DEPT_LEAD: "own", R.ENFORCEMENT_OFFICER: "own"},
    Action.URBAN_MANAGE: {R.ADMIN: "all"},
    Action.ENFORCEMENT_VIEW: {
        R.ENFORCEMENT_OFFICER: "own",
        R.DEPT_LEAD: "own",
        R.GRID_CHIEF: "all",
        R.AUDITOR: "all",
        R.ADMIN: "all",
    },
    Action.ENFORCEMENT_WORK: {R.ENFORCEMENT_OFFICER: "own"},
    Action.ENFORCEMENT_DECIDE: {R.DEPT_LEAD: "own"},
}
for _action, _allowed in GRID_EXPECTED.items():
    EXPECTED[_action] = {role: _allowed.get(role, "-") for role in R.values}
# Roles added after a table was written: "-" wherever the table does not name them.
for _row in EXPECTED.values():
    for _role in R.values:
        _row.setdefault(_role, "-")
# Auditors read the audit trail too.
EXPECTED[Action.AUDIT_VIEW][R.AUDITOR] = "all"


def test_expected_table_covers_every_action_and_role():
    assert set(EXPECTED) == set(Action)
    for action in Action:
        assert set(EXPECTED[action]) == set(Role.values), action
        assert set(RULES[action]) <= set(Role.values)


@pytest.fixture
def world(db):
    """Two departments, two street centres in two streets, one district hall."""
    street_a, street_b = StreetFactory(), StreetFactory()
    return {
        "dept_a": DepartmentFactory(),
        "dept_b": DepartmentFactory(),
        "centre_a": CentreFactory(level=CentreLevel.STREET_CENTRE, region=street_a),
        "centre_b": CentreFactory(level=CentreLevel.STREET_CENTRE, region=street_b),
        "street_a": street_a,
        "street_b": street_b,
    }


def user_for(role, world):
    scope = {}
    if role in (R.DEPT_APPROVER, R.DEPT_LEAD, R.ENFORCEMENT_OFFICER):
        scope = {"department": world["dept_a"]}
    elif role in (R.INTAKE_CLERK, R.OUTPUT_CLERK, R.CENTRE_MANAGER):
        scope = {"centre": world["centre_a"]}
    elif role == R.GRID_WORKER:
        scope = {"region": world["street_a"]}
    return staff_with_role(role, **scope)


def targets_for(action, world):
    """(own-scope target, other-scope target) for the action's kind of object."""
    if action.value.startswith(("catalog.", "knowledge.")):
        # What ServiceItem.permission_scope gives (checked in test_item_scope_is_its_department).
        return (
            TargetScope(department_ids=frozenset({world["dept_a"].pk})),
            TargetScope(department_ids=frozenset({world["dept_b"].pk})),
        )
    if action.value.startswith(("grid.", "urban.", "enforcement.")):
        return (
            TargetScope(
                department_ids=frozenset({world["dept_a"].pk}),
                region_code=world["street_a"].code[:9] + "001",
            ),
            TargetScope(
                department_ids=frozenset({world["dept_b"].pk}),
                region_code=world["street_b"].code[:9] + "001",
            ),
        )
    if action == Action.STAFF_MANAGE:
        return world["centre_a"], world["centre_b"]
    if action.value.startswith(("case.", "rating.", "assess.")) or action in (
        Action.CALENDAR_EDIT,
        Action.PERSON_READ,
    ):
        # A case accepted at centre A for department A, and one of centre B for department B.
        return (
            TargetScope(
                department_ids=frozenset({world["dept_a"].pk}),
                centre_id=world["centre_a"].pk,
                region_code=world["street_a"].code,
            ),
            TargetScope(
                department_ids=frozenset({world["dept_b"].pk}),
                centre_id=world["centre_b"].pk,
                region_code=world["street_b"].code,
            ),
        )
    return world["dept_a"], world["dept_b"]


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("action", list(Action))
def test_permission_matrix(world, action, role):
    user = user_for(role, world)
    own, other = targets_for(action, world)
    expected = EXPECTED[action][role]
    assert can(user, action, own) is (expected in ("all", "own"))
    assert can(user, action, other) is (expected == "all")
    assert can(user, action) is (expected != "-")


@pytest.mark.parametrize("action", list(Action))
def test_anonymous_and_inactive_users_may_do_nothing(world, action):
    from django.contrib.auth.models import AnonymousUser

    assert can(AnonymousUser(), action) is False
    assert can(None, action) is False
    admin = staff_with_role(R.ADMIN)
    admin.is_active = False
    admin.save()
    assert can(admin, action) is False


def test_district_hall_manager_oversees_every_centre_of_the_district(world):
    hall = CentreFactory(level=CentreLevel.DISTRICT_HALL, region=world["street_a"].parent)
    manager = staff_with_role(R.CENTRE_MANAGER, centre=hall)
    assert can(manager, Action.STAFF_MANAGE, world["centre_a"]) is True
    assert can(manager, Action.STAFF_MANAGE, world["centre_b"]) is True
    street_manager = staff_with_role(R.CENTRE_MANAGER, centre=world["centre_a"])
    assert can(street_manager, Action.STAFF_MANAGE, hall) is False
    # The hall's clerks work their own hall only.
    hall_clerk = staff_with_role(R.INTAKE_CLERK, centre=hall)
    assert can(hall_clerk, Action.CASE_VIEW, world["centre_a"]) is False
    assert can(hall_clerk, Action.CASE_VIEW, hall) is True


def test_a_user_with_two_roles_gets_both_scopes(world):
    user = staff_with_role(R.DEPT_LEAD, department=world["dept_a"])
    from onewindow.org.models import RoleAssignment

    RoleAssignment.objects.create(user=user, role=R.DEPT_LEAD, department=world["dept_b"])
    item_b = create_item(department=world["dept_b"], publish=False)
    assert can(user, Action.CATALOG_EDIT, item_b) is True


def test_scope_queryset_matches_can(world):
    lead = user_for(R.DEPT_LEAD, world)
    scoped = scope_queryset(
        lead, Action.CATALOG_EDIT, Department.objects.all(), department_path="id"
    )
    assert list(scoped) == [world["dept_a"]]
    admin = staff_with_role(R.ADMIN)
    assert (
        scope_queryset(
            admin, Action.CATALOG_EDIT, Department.objects.all(), department_path="id"
        ).count()
        == 2
    )
    clerk = user_for(R.INTAKE_CLERK, world)
    assert (
        scope_queryset(
            clerk, Action.CATALOG_EDIT, Department.objects.all(), department_path="id"
        ).count()
        == 0
    )


def test_refusal_is_audited_and_hidden_when_asked(world):
    lead = user_for(R.DEPT_LEAD, world)
    other_item = create_item(department=world["dept_b"], publish=False)
    before = AuditLog.objects.count()
    with pytest.raises(PermissionDenied):
        require(lead, Action.CATALOG_EDIT, other_item)
    with pytest.raises(NotFoundOrForbidden):
        require(lead, Action.CATALOG_EDIT, other_item, hide=True)
    denials = AuditLog.objects.order_by("id")[before:]
    assert [(d.action, d.allowed, d.object_id, d.actor_id) for d in denials] == [
        ("denied:catalog.edit", False, str(other_item.pk), lead.pk),
        ("denied:catalog.edit", False, str(other_item.pk), lead.pk),
    ]
    # An allowed check writes nothing.
    require(lead, Action.CATALOG_EDIT, create_item(department=world["dept_a"], publish=False))
    assert AuditLog.objects.filter(allowed=False).count() == 2


@pytest.mark.parametrize("role", Role.values)
def test_no_role_both_grants_roles_and_reads_the_audit_trail(world, role):
    user = user_for(role, world)
    duties = [
        can(user, Action.ROLE_GRANT),
        can(user, Action.ORG_MANAGE),
        can(user, Action.AUDIT_TRAIL_VIEW),
    ]
    assert sum(duties) <= 1, duties
    # The auditor changes nothing: no action outside reading is the auditor's.
    if role == R.AUDITOR:
        changing = {
            Action.CATALOG_EDIT,
            Action.CATALOG_IMPORT,
            Action.ORG_MANAGE,
            Action.STAFF_MANAGE,
            Action.ROLE_GRANT,
            Action.SECURITY_MANAGE,
            Action.CASE_ACCEPT,
            Action.CASE_WORK,
            Action.CASE_DELIVER,
            Action.CALENDAR_EDIT,
            Action.NOTIFY_MANAGE,
        }
        assert [action for action in changing if can(user, action)] == []


def test_a_superuser_flag_is_the_system_administrator_and_no_more(world):
    from onewindow.testing.factories import UserFactory

    root = UserFactory(is_superuser=True)
    root.save()
    assert can(root, Action.ORG_MANAGE) is True
    assert can(root, Action.AUDIT_TRAIL_VIEW) is False
    assert can(root, Action.ROLE_GRANT) is False
    assert can(root, Action.SECURITY_MANAGE) is False


def test_item_scope_is_its_department(world):
    item = create_item(department=world["dept_a"], publish=False)
    assert item.permission_scope() == TargetScope(department_ids=frozenset({world["dept_a"].pk}))
