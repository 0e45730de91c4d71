"""Every permission check of the platform, in one place.

``RULES`` says, for each action, which roles may perform it and over which data scope:

- ``ALL``: anywhere in the city;
- ``DEPARTMENT``: on things that belong to the department of the role assignment;
- ``CENTRE``: on things of the assignment's centre (a manager of the district hall sees every
  centre of the district);
- ``REGION``: on things located in the assignment's region or below it.

A target object tells what it belongs to through ``permission_scope() -> TargetScope``.
Pages, the admin and the API call ``can`` / ``require`` / ``scope_queryset``; nothing else
decides who may do what. The matrix is tested exhaustively in ``org/tests/test_permissions.py``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet

from onewindow.core.audit import audit_record
from onewindow.core.errors import NotFoundOrForbidden, PermissionDenied
from onewindow.org.codes import CentreLevel


class Scope(enum.Enum):
    ALL = "all"
    DEPARTMENT = "department"
    CENTRE = "centre"
    REGION = "region"


class Action(enum.StrEnum):
    CATALOG_VIEW_DRAFT = "catalog.view_draft"
    CATALOG_EDIT = "catalog.edit"
    CATALOG_IMPORT = "catalog.import"
    CATALOG_EXPORT = "catalog.export"
    ORG_VIEW = "org.view"
    ORG_MANAGE = "org.manage"
    STAFF_MANAGE = "staff.manage"
    # Grant and withdraw roles (and the superuser flag): the security administrator only.
    ROLE_GRANT = "role.grant"
    # Security settings of accounts: reset a lost second-factor device.
    SECURITY_MANAGE = "security.manage"
    # Masked records, read-only, in the admin (applicants): administrators and auditors.
    AUDIT_VIEW = "audit.view"
    # The audit trail itself (core.AuditLog): the auditor only, never whoever grants roles or
    # runs the system.
    AUDIT_TRAIL_VIEW = "audit.trail"
    CASE_ACCEPT = "case.accept"
    CASE_VIEW = "case.view"
    CASE_WORK = "case.work"
    CASE_DELIVER = "case.deliver"
    CASE_SUPERVISE = "case.supervise"
    # A case's electronic papers (scans of ID cards, registers): add one at the window; open
    # one (every open audited).
    CASE_PAPER_ADD = "case.paper_add"
    CASE_PAPER_VIEW = "case.paper_view"
    CALENDAR_EDIT = "calendar.edit"
    PERSON_READ = "person.read"
    NOTIFY_MANAGE = "notify.manage"
    # Appointments and the queue (hall): a window clerk calls and serves the centre's tickets;
    # a phone agent (or the centre's staff) books a slot for a caller; the centre manager keeps
    # the groups and booking rules and reads the queue's figures.
    HALL_SERVE = "hall.serve"
    HALL_BOOK_FOR_CALLER = "hall.book_for_caller"
    HALL_MANAGE = "hall.manage"
    # Ratings (好差评): read the ratings of a scope (never who gave them, outside the
    # rectification's call-back); work a bad rating's rectification (call back, fix, explain);
    # appeal a rating as the rated staff (the service checks the appellant is rated in it); the
    # centre manager reviews appeals.
    RATING_VIEW = "rating.view"
    RATING_REPORT = "rating.report"
    RECTIFY_WORK = "rating.rectify"
    RATING_APPEAL = "rating.appeal"
    RATING_APPEAL_REVIEW = "rating.appeal_review"
    # Assessment: read the monthly tables, rankings and dashboards of a scope; set the score
    # weights and confirm the service star and the model window.
    ASSESS_VIEW = "assess.view"
    ASSESS_MANAGE = "assess.manage"
    # The 12345 hotline: read work orders (a unit: the orders it holds or held); take calls,
    # accept, answer from the knowledge base, call back (the agents); dispatch, merge, split;
    # sign for, handle, reply, return, ask for an extension (the unit); approve extensions,
    # remind and supervise (the hotline centre); keep the dispatch catalogue, the time-limit
    # rules and the Open311 keys (the administrator).
    HOTLINE_VIEW = "hotline.view"
    HOTLINE_TAKE = "hotline.take"
    HOTLINE_DISPATCH = "hotline.dispatch"
    HOTLINE_HANDLE = "hotline.handle"
    HOTLINE_SUPERVISE = "hotline.supervise"
    HOTLINE_MANAGE = "hotline.manage"
    # The hotline's knowledge base (知识库): read published articles; read drafts and retired
    # ones; write, publish, retire and confirm the review of articles.
    KNOWLEDGE_VIEW = "knowledge.view"
    KNOWLEDGE_VIEW_DRAFT = "knowledge.view_draft"
    KNOWLEDGE_EDIT = "knowledge.edit"
    # Grid management (城市网格化管理): read grids and grid cases (a unit: the cases it holds; a
    # grid worker: those of their street); report, verify and check on site (the grid
    # worker); file, refuse, close, approve extensions and parking, void (the supervision
    # centre's 值班长); dispatch (the command centre's 派遣员); handle, feed back, return, ask
    # (the unit); keep grids and categories (the administrator).
    GRID_VIEW = "grid.view"
    GRID_MANAGE = "grid.manage"
    URBAN_VIEW = "urban.view"
    URBAN_REPORT = "urban.report"
    URBAN_VERIFY = "urban.verify"
    URBAN_FILE = "urban.file"
    URBAN_DISPATCH = "urban.dispatch"
    URBAN_HANDLE = "urban.handle"
    URBAN_MANAGE = "urban.manage"
    # Comprehensive enforcement (综合执法): read tasks and records; inspect, notify,
    # re-inspect (the officers); decide a penalty (the team's lead).
    ENFORCEMENT_VIEW = "enforcement.view"
    ENFORCEMENT_WORK = "enforcement.work"
    ENFORCEMENT_DECIDE = "enforcement.decide"


# Role values are the strings of ``onewindow.org.codes.Role``.
INTAKE, OUTPUT, APPROVER, LEAD = "intake_clerk", "output_clerk", "dept_approver", "dept_lead"
MANAGER, HOTLINE, GRID, AUDITOR, ADMIN, SECURITY = (
    "centre_manager",
    "hotline_agent",
    "grid_worker",
    "auditor",
    "admin",
    "security_admin",
)
CHIEF, DISPATCHER, OFFICER = "grid_chief", "grid_dispatcher", "enforcement_officer"
ALL_ROLES = (
    INTAKE,
    OUTPUT,
    APPROVER,
    LEAD,
    MANAGER,
    HOTLINE,
    GRID,
    CHIEF,
    DISPATCHER,
    OFFICER,
    AUDITOR,
    ADMIN,
    SECURITY,
)

RULES: dict[Action, dict[str, Scope]] = {
    # Drafts and cancelled items: the people who maintain or audit the catalogue, and the
    # window and hotline staff who must answer citizens about items not yet published.
    Action.CATALOG_VIEW_DRAFT: {
        ADMIN: Scope.ALL,
        AUDITOR: Scope.ALL,
        MANAGER: Scope.ALL,
        LEAD: Scope.DEPARTMENT,
        APPROVER: Scope.DEPARTMENT,
    },
    Action.CATALOG_EDIT: {ADMIN: Scope.ALL, LEAD: Scope.DEPARTMENT},
    Action.CATALOG_IMPORT: {ADMIN: Scope.ALL},
    Action.CATALOG_EXPORT: {
        ADMIN: Scope.ALL,
        AUDITOR: Scope.ALL,
        MANAGER: Scope.ALL,
        LEAD: Scope.DEPARTMENT,
    },
    Action.ORG_VIEW: {role: Scope.ALL for role in ALL_ROLES},
    Action.ORG_MANAGE: {ADMIN: Scope.ALL},
    Action.STAFF_MANAGE: {ADMIN: Scope.ALL, MANAGER: Scope.CENTRE},
    # 三员分立: granting roles, running the system and reading the trail are three people's
    # work; ``test_no_role_both_grants_roles_and_reads_the_audit_trail`` keeps it so.
    Action.ROLE_GRANT: {SECURITY: Scope.ALL},
    Action.SECURITY_MANAGE: {SECURITY: Scope.ALL},
    Action.AUDIT_VIEW: {ADMIN: Scope.ALL, AUDITOR: Scope.ALL},
    Action.AUDIT_TRAIL_VIEW: {AUDITOR: Scope.ALL},
    # Any intake window accepts for its own centre (which items: the item's 通办范围).
    Action.CASE_ACCEPT: {INTAKE: Scope.CENTRE},
    # A case is seen by the centre that accepted it and by every department working on it.
    Action.CASE_VIEW: {
        INTAKE: Scope.CENTRE,
        OUTPUT: Scope.CENTRE,
        MANAGER: Scope.CENTRE,
        APPROVER: Scope.DEPARTMENT,
        LEAD: Scope.DEPARTMENT,
        AUDITOR: Scope.ALL,
        ADMIN: Scope.ALL,
    },
    Action.CASE_WORK: {APPROVER: Scope.DEPARTMENT, LEAD: Scope.DEPARTMENT},
    Action.CASE_DELIVER: {OUTPUT: Scope.CENTRE, INTAKE: Scope.CENTRE},
    Action.CASE_SUPERVISE: {
        MANAGER: Scope.CENTRE,
        LEAD: Scope.DEPARTMENT,
        ADMIN: Scope.ALL,
        AUDITOR: Scope.ALL,
    },
    # The window that accepted the case (or its output centre) scans the papers in; the centre
    # and every department with a step on the case — each department of a joint review —
    # open them. Not the system administrator nor the auditor (三员分立: they see cases, not
    # the applicant's scanned papers, which are personal data).
    Action.CASE_PAPER_ADD: {INTAKE: Scope.CENTRE},
    Action.CASE_PAPER_VIEW: {
        INTAKE: Scope.CENTRE,
        OUTPUT: Scope.CENTRE,
        MANAGER: Scope.CENTRE,
        APPROVER: Scope.DEPARTMENT,
        LEAD: Scope.DEPARTMENT,
    },
    Action.CALENDAR_EDIT: {MANAGER: Scope.ALL, ADMIN: Scope.ALL},
    # Look up, reveal and pre-fill a person's data (each read audited by applicants services).
    # Administrators and auditors see masked data only.
    Action.PERSON_READ: {
        role: Scope.ALL for role in (INTAKE, OUTPUT, APPROVER, LEAD, MANAGER, HOTLINE)
    },
    # The outbox: see failed messages and dead letters (masked recipients), send them again.
    Action.NOTIFY_MANAGE: {ADMIN: Scope.ALL},
    Action.HALL_SERVE: {INTAKE: Scope.CENTRE, OUTPUT: Scope.CENTRE},
    Action.HALL_BOOK_FOR_CALLER: {
        HOTLINE: Scope.ALL,
        INTAKE: Scope.CENTRE,
        MANAGER: Scope.CENTRE,
    },
    Action.HALL_MANAGE: {MANAGER: Scope.CENTRE, ADMIN: Scope.ALL},
    Action.RATING_VIEW: {
        MANAGER: Scope.CENTRE,
        LEAD: Scope.DEPARTMENT,
        AUDITOR: Scope.ALL,
        ADMIN: Scope.ALL,
    },
    # Marking ratings as reported to the province writes: the administrator's, not the
    # auditor's (三员分立).
    Action.RATING_REPORT: {ADMIN: Scope.ALL},
    # A rating's rectification belongs to its department and its centre: the department's lead
    # works it, and so does the centre manager (a window clerk's attitude is the centre's).
    Action.RECTIFY_WORK: {LEAD: Scope.DEPARTMENT, MANAGER: Scope.CENTRE},
    Action.RATING_APPEAL: {
        INTAKE: Scope.CENTRE,
        OUTPUT: Scope.CENTRE,
        APPROVER: Scope.DEPARTMENT,
        LEAD: Scope.DEPARTMENT,
    },
    Action.RATING_APPEAL_REVIEW: {MANAGER: Scope.CENTRE},
    # The tables are a centre's, a street's or the district's (a department's figures are its
    # rows there): the centre's managers, the auditor and the administrator read them.
    Action.ASSESS_VIEW: {MANAGER: Scope.CENTRE, AUDITOR: Scope.ALL, ADMIN: Scope.ALL},
    Action.ASSESS_MANAGE: {MANAGER: Scope.CENTRE},
    # A work order belongs to the units it is (or was, while they held it) dispatched to, and
    # to the hotline centre, which is city-wide.
    Action.HOTLINE_VIEW: {
        HOTLINE: Scope.ALL,
        APPROVER: Scope.DEPARTMENT,
        LEAD: Scope.DEPARTMENT,
        AUDITOR: Scope.ALL,
        ADMIN: Scope.ALL,
    },
    Action.HOTLINE_TAKE: {HOTLINE: Scope.ALL},
    Action.HOTLINE_DISPATCH: {HOTLINE: Scope.ALL},
    Action.HOTLINE_HANDLE: {APPROVER: Scope.DEPARTMENT, LEAD: Scope.DEPARTMENT},
    Action.HOTLINE_SUPERVISE: {HOTLINE: Scope.ALL},
    Action.HOTLINE_MANAGE: {ADMIN: Scope.ALL},
    # 共建共享: every published article is read city-wide by those who answer citizens or
    # keep the articles; a department keeps (writes, publishes, retires) its own articles and
    # reads its own drafts; articles of no department (laws) are the administrator's.
    Action.KNOWLEDGE_VIEW: {
        HOTLINE: Scope.ALL,
        MANAGER: Scope.ALL,
        LEAD: Scope.ALL,
        APPROVER: Scope.ALL,
        AUDITOR: Scope.ALL,
        ADMIN: Scope.ALL,
    },
    Action.KNOWLEDGE_VIEW_DRAFT: {
        LEAD: Scope.DEPARTMENT,
        APPROVER: Scope.DEPARTMENT,
        AUDITOR: Scope.ALL,
        ADMIN: Scope.ALL,
    },
    Action.KNOWLEDGE_EDIT: {ADMIN: Scope.ALL, LEAD: Scope.DEPARTMENT},
    Action.GRID_VIEW: {
        GRID: Scope.REGION,
        CHIEF: Scope.ALL,
        DISPATCHER: Scope.ALL,
        MANAGER: Scope.ALL,
        AUDITOR: Scope.ALL,
        ADMIN: Scope.ALL,
    },
    Action.GRID_MANAGE: {ADMIN: Scope.ALL},
    # A grid case belongs to the community it is in (its grid workers: their region) and to
    # the unit it is dispatched to; the two centres are district-wide.
    Action.URBAN_VIEW: {
        GRID: Scope.REGION,
        CHIEF: Scope.ALL,
        DISPATCHER: Scope.ALL,
        APPROVER: Scope.DEPARTMENT,
        LEAD: Scope.DEPARTMENT,
        OFFICER: Scope.DEPARTMENT,
        MANAGER: Scope.ALL,
        AUDITOR: Scope.ALL,
        ADMIN: Scope.ALL,
    },
    Action.URBAN_REPORT: {GRID: Scope.REGION},
    # On site: the grid's worker; the 值班长 may verify or check by video (视频核查).
    Action.URBAN_VERIFY: {GRID: Scope.REGION, CHIEF: Scope.ALL},
    Action.URBAN_FILE: {CHIEF: Scope.ALL},
    Action.URBAN_DISPATCH: {DISPATCHER: Scope.ALL},
    Action.URBAN_HANDLE: {
        APPROVER: Scope.DEPARTMENT,
        LEAD: Scope.DEPARTMENT,
        OFFICER: Scope.DEPARTMENT,
    },
    Action.URBAN_MANAGE: {ADMIN: Scope.ALL},
    Action.ENFORCEMENT_VIEW: {
        OFFICER: Scope.DEPARTMENT,
        LEAD: Scope.DEPARTMENT,
        CHIEF: Scope.ALL,
        AUDITOR: Scope.ALL,
        ADMIN: Scope.ALL,
    },
    Action.ENFORCEMENT_WORK: {OFFICER: Scope.DEPARTMENT},
    Action.ENFORCEMENT_DECIDE: {LEAD: Scope.DEPARTMENT},
}


@dataclass(frozen=True)
class TargetScope:
    """What a target object belongs to, for scope checks."""

    department_ids: frozenset[int] = field(default_factory=frozenset)
    centre_id: int | None = None
    region_code: str | None = None
    # Further centres the object also belongs to (a case's chosen output centre).
    other_centre_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Grant:
    role: str
    scope: Scope
    department_id: int | None
    centre_id: int | None
    centre_region_prefix: str | None
    centre_is_district_hall: bool
    region_prefix: str | None


def grants_for(user: Any, action: Action) -> list[Grant]:
    """The role assignments of ``user`` that give ``action``, with their scopes."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    allowed = RULES[action]
    cache_name = "_onewindow_assignments"
    assignments = getattr(user, cache_name, None)
    if assignments is None:
        # Through the app registry: the models module imports ``TargetScope`` from here.
        role_assignment = apps.get_model("org", "RoleAssignment")

        assignments = []
        for ra in role_assignment._default_manager.filter(user=user).select_related(
            "centre__region", "region"
        ):
            assignments.append(
                (
                    ra.role,
                    ra.department_id,
                    ra.centre_id,
                    ra.centre.region.prefix if ra.centre else None,
                    bool(ra.centre and ra.centre.level == CentreLevel.DISTRICT_HALL),
                    ra.region.prefix if ra.region else None,
                )
            )
        # The superuser flag (``createsuperuser``) stands for the system administrator and for
        # nothing more: it grants no role, opens no audit trail (三员分立).
        if user.is_superuser and not any(a[0] == ADMIN for a in assignments):
            assignments.append((ADMIN, None, None, None, False, None))
        setattr(user, cache_name, assignments)
    return [
        Grant(role, allowed[role], dept, centre, centre_prefix, is_hall, region_prefix)
        for role, dept, centre, centre_prefix, is_hall, region_prefix in assignments
        if role in allowed
    ]


def _grant_covers(grant: Grant, target: TargetScope) -> bool:
    if grant.scope is Scope.ALL:
        return True
    if grant.scope is Scope.DEPARTMENT:
        return grant.department_id is not None and grant.department_id in target.department_ids
    if grant.scope is Scope.CENTRE:
        if target.centre_id is not None and target.centre_id == grant.centre_id:
            return True
        if grant.centre_id is not None and grant.centre_id in target.other_centre_ids:
            return True
        # A district hall's manager oversees every centre of the district.
        return bool(
            grant.role == MANAGER
            and grant.centre_is_district_hall
            and grant.centre_region_prefix
            and target.region_code
            and target.region_code.startswith(grant.centre_region_prefix)
        )
    if grant.scope is Scope.REGION:
        return bool(
            grant.region_prefix
            and target.region_code
            and target.region_code.startswith(grant.region_prefix)
        )
    return False


def target_scope(target: Any) -> TargetScope:
    if target is None:
        return TargetScope()
    if isinstance(target, TargetScope):
        return target
    scope = getattr(target, "permission_scope", None)
    if scope is None:
        # A record that belongs to no department, centre or region (an audit row, a topic, an
        # item version): only city-wide grants cover it.
        return TargetScope()
    result: TargetScope = scope()
    return result


def can(user: Any, action: Action, target: Any = None) -> bool:
    """May ``user`` do ``action``? With ``target=None``: on anything at all (menus, lists)."""
    grants = grants_for(user, action)
    if target is None:
        return bool(grants)
    scope = target_scope(target)
    return any(_grant_covers(grant, scope) for grant in grants)


def require(user: Any, action: Action, target: Any = None, *, hide: bool = False) -> None:
    """Raise unless allowed; every refusal is written to the audit log.

    ``hide=True`` answers "not found" instead of "forbidden", for objects whose existence a
    user outside the scope must not learn.
    """
    if can(user, action, target):
        return
    audit_record(
        actor=user,
        action=f"denied:{action}",
        obj=target if hasattr(target, "_meta") else None,
        allowed=False,
    )
    if hide:
        raise NotFoundOrForbidden()
    raise PermissionDenied()


def scope_queryset(
    user: Any,
    action: Action,
    queryset: QuerySet[Any],
    *,
    department_path: str | None = None,
    centre_path: str | None = None,
    region_code_path: str | None = None,
) -> QuerySet[Any]:
    """Filter ``queryset`` to the rows ``user`` may ``action``.

    The paths name how a row reaches its department id, centre id and region code, e.g.
    ``department_path="department_id"``; a scope whose path is not given grants nothing.
    """
    grants = grants_for(user, action)
    if not grants:
        return queryset.none()
    condition = Q(pk__in=[])
    for grant in grants:
        if grant.scope is Scope.ALL:
            return queryset
        if grant.scope is Scope.DEPARTMENT and department_path:
            condition |= Q(**{department_path: grant.department_id})
        elif grant.scope is Scope.CENTRE:
            if centre_path:
                condition |= Q(**{centre_path: grant.centre_id})
            if grant.role == MANAGER and grant.centre_is_district_hall and region_code_path:
                condition |= Q(**{f"{region_code_path}__startswith": grant.centre_region_prefix})
        elif grant.scope is Scope.REGION and region_code_path:
            condition |= Q(**{f"{region_code_path}__startswith": grant.region_prefix})
    scoped = queryset.filter(condition)
    paths = [path for path in (department_path, centre_path, region_code_path) if path]
    if any(path_crosses_to_many(queryset.model, path) for path in paths):
        # A row reached through several related rows would come back once for each of them.
        return scoped.distinct()
    return scoped


def path_crosses_to_many(model: Any, path: str) -> bool:
    """Whether the lookup ``path`` from ``model`` walks a many-to-many or reverse foreign key
    relation (so that filtering on it can repeat a row). Forward foreign keys and one-to-one
    relations are to-one: a filter through them keeps every row at most once, and
    ``scope_queryset`` needs no ``DISTINCT`` (which costs a sort of every column at scale).
    A part that names no field (a lookup such as ``startswith``) ends the walk."""
    from django.core.exceptions import FieldDoesNotExist

    current = model
    for part in path.split("__"):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if not field.is_relation:
            return False
        if field.many_to_many or field.one_to_many or field.related_model is None:
            return True  # (a generic relation: no model to walk on, so assume the worst)
        current = field.related_model
    return False
