"""三员分立 in the admin: the system administrator runs accounts but cannot read the audit trail
or grant roles; the security administrator grants roles (never their own) but reads no trail;
the auditor reads the trail and everything else and changes nothing."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory

from onewindow.core.audit import audit_record
from onewindow.core.models import AuditLog
from onewindow.org.models import Role, RoleAssignment
from onewindow.testing.factories import CentreFactory, UserFactory, staff_with_role

pytestmark = pytest.mark.django_db


def bare_superuser():
    """``createsuperuser``'s account: the flag and no role."""
    user = UserFactory(is_superuser=True)
    user.save()
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def entry():
    return audit_record(actor=None, action="test.something", object_type="test.thing")


@pytest.mark.parametrize(
    "make",
    [
        lambda: staff_with_role(Role.ADMIN),  # the factory makes it a superuser as well
        bare_superuser,
        lambda: staff_with_role(Role.SECURITY_ADMIN),
    ],
    ids=["system_admin_superuser", "bare_superuser", "security_admin"],
)
def test_the_audit_trail_refuses_both_administrators_with_an_audited_403(entry, make):
    user = make()
    client = client_for(user)
    pages = [
        "/admin/core/auditlog/",
        f"/admin/core/auditlog/{entry.pk}/change/",
        f"/admin/core/auditlog/{entry.pk}/history/",
    ]
    for page in pages:
        assert client.get(page).status_code == 403, page
    refusals = AuditLog.objects.filter(actor=user, action="denied:audit.trail").order_by("id")
    assert [(r.allowed, r.object_type, r.detail["path"]) for r in refusals] == [
        (False, "core.auditlog", page) for page in pages
    ]
    index = client.get("/admin/").content.decode()
    assert "/admin/core/auditlog/" not in index


def test_the_auditor_reads_the_trail(entry):
    client = client_for(staff_with_role(Role.AUDITOR))
    listing = client.get("/admin/core/auditlog/")
    assert listing.status_code == 200
    assert "test.something" in listing.content.decode()


@pytest.mark.parametrize("role", [Role.AUDITOR])
def test_the_auditor_may_add_change_or_delete_nothing_in_the_admin(role, rf: RequestFactory):
    request = rf.get("/admin/")
    request.user = staff_with_role(role)
    changing = []
    for model, model_admin in admin.site._registry.items():
        for name in ("add", "change", "delete"):
            if getattr(model_admin, f"has_{name}_permission")(request):
                changing.append(f"{model._meta.label_lower}.{name}")
    assert changing == []


def test_every_admin_answers_a_bare_superuser_through_the_matrix(rf: RequestFactory):
    """The superuser flag is the system administrator and no more: no admin grants it more
    than the matrix gives the system administrator."""
    request = rf.get("/admin/")
    request.user = bare_superuser()
    system_admin = rf.get("/admin/")
    system_admin.user = staff_with_role(Role.ADMIN)
    system_admin.user.is_superuser = False
    system_admin.user.save()
    for model, model_admin in admin.site._registry.items():
        for name in ("view", "add", "change", "delete"):
            check = getattr(model_admin, f"has_{name}_permission")
            assert check(request) == check(system_admin), (model._meta.label_lower, name)


def role_form(user, rows, *, total=None, initial=0):
    """The admin change form of ``user`` with the role inline rows given."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "role_assignments-TOTAL_FORMS": str(total if total is not None else len(rows)),
        "role_assignments-INITIAL_FORMS": str(initial),
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"role_assignments-{index}-{key}"] = value
        data[f"role_assignments-{index}-user"] = str(user.pk)
    return data


def test_the_security_administrator_grants_a_role_audited(db):
    security = staff_with_role(Role.SECURITY_ADMIN)
    target = staff_with_role(Role.HOTLINE_AGENT)
    existing = target.role_assignments.get()
    client = client_for(security)
    data = role_form(
        target,
        [{"id": str(existing.pk), "role": Role.HOTLINE_AGENT}, {"role": Role.AUDITOR}],
        initial=1,
    )
    # The account fields are read-only for the security administrator: only roles move.
    data["first_name"] = "改名"
    response = client.post(f"/admin/auth/user/{target.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(target.role_assignments.values_list("role", flat=True)) == [
        Role.AUDITOR,
        Role.HOTLINE_AGENT,
    ]
    target.refresh_from_db()
    assert target.first_name == "测试用户"
    grant = AuditLog.objects.get(action="org.role_grant")
    assert (grant.actor_id, grant.object_id, grant.detail["role"]) == (
        security.pk,
        str(target.pk),
        Role.AUDITOR,
    )
    # Now the auditor's account: its password is the security administrator's to set (an
    # ordinary account's is not: test_account_takeover).
    assert client.get(f"/admin/auth/user/{target.pk}/password/").status_code == 200


def test_the_security_administrator_cannot_grant_roles_to_themselves(db):
    security = staff_with_role(Role.SECURITY_ADMIN)
    client = client_for(security)
    existing = security.role_assignments.get()
    data = role_form(
        security,
        [{"id": str(existing.pk), "role": Role.SECURITY_ADMIN}, {"role": Role.AUDITOR}],
        initial=1,
    )
    client.post(f"/admin/auth/user/{security.pk}/change/", data)
    assert list(security.role_assignments.values_list("role", flat=True)) == [Role.SECURITY_ADMIN]


def test_one_account_cannot_be_given_two_of_the_three_duties_in_the_admin(db):
    security = staff_with_role(Role.SECURITY_ADMIN)
    target = staff_with_role(Role.ADMIN)
    existing = target.role_assignments.get()
    data = role_form(
        target, [{"id": str(existing.pk), "role": Role.ADMIN}, {"role": Role.AUDITOR}], initial=1
    )
    response = client_for(security).post(f"/admin/auth/user/{target.pk}/change/", data)
    assert response.status_code == 200
    assert "必须由三个不同的人担任" in response.content.decode()
    assert list(target.role_assignments.values_list("role", flat=True)) == [Role.ADMIN]


def test_the_system_administrator_edits_accounts_but_grants_no_role(db):
    system = staff_with_role(Role.ADMIN)
    system.is_superuser = False
    system.save()
    target = staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())
    existing = target.role_assignments.get()
    data = role_form(
        target,
        [
            {"id": str(existing.pk), "role": Role.INTAKE_CLERK, "centre": str(existing.centre_id)},
            {"role": Role.AUDITOR},
        ],
        initial=1,
    )
    data["first_name"] = "新名字"
    response = client_for(system).post(f"/admin/auth/user/{target.pk}/change/", data)
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.first_name == "新名字"
    assert list(target.role_assignments.values_list("role", flat=True)) == [Role.INTAKE_CLERK]
    assert not RoleAssignment.objects.filter(role=Role.AUDITOR).exists()
    page = client_for(system).get(f"/admin/auth/user/{target.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="groups"' not in page


def test_the_auditor_sees_accounts_read_only(db):
    auditor = staff_with_role(Role.AUDITOR)
    target = get_user_model().objects.exclude(pk=auditor.pk).first() or UserFactory()
    client = client_for(auditor)
    page = client.get(f"/admin/auth/user/{target.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/auth/user/{target.pk}/change/", {}).status_code == 403
