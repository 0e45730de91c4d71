"""The audit log in the admin: an auditor opens an entry read-only; a scoped role cannot; actions
show their labels (the raw code kept on the entry's page)."""

import pytest
from django.test import Client
from django.utils import translation

from onewindow.core.audit import audit_record
from onewindow.core.audit_labels import action_label, registry
from onewindow.org.models import Role
from onewindow.org.permissions import Action
from onewindow.testing.factories import CentreFactory, staff_with_role

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_auditor_opens_an_audit_entry_read_only_and_a_clerk_cannot():
    entry = audit_record(actor=None, action="test.something", object_type="test.thing")
    url = f"/admin/core/auditlog/{entry.pk}/change/"
    auditor = client_for(staff_with_role(Role.AUDITOR))
    page = auditor.get(url)
    assert page.status_code == 200
    assert "test.something" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    clerk = client_for(staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory()))
    assert clerk.get(url).status_code == 403


def test_an_entry_shows_its_action_label_and_keeps_the_raw_code():
    entry = audit_record(actor=None, action="staff.sign_in", object_type="staff.user")
    page = client_for(staff_with_role(Role.AUDITOR)).get(f"/admin/core/auditlog/{entry.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<div class="readonly">staff.sign_in</div>' in html
    assert '<div class="readonly">登录</div>' in html


def test_the_list_and_its_filter_show_labels_and_filter_by_the_code():
    audit_record(actor=None, action="staff.sign_in", object_type="staff.user")
    audit_record(actor=None, action="denied:case.deliver", object_type="cases.case", allowed=False)
    auditor = client_for(staff_with_role(Role.AUDITOR))
    html = auditor.get("/admin/core/auditlog/").content.decode()
    assert '<td class="field-action_shown">登录</td>' in html
    assert '<td class="field-action_shown">拒绝：送达办理结果</td>' in html
    assert 'href="?action=staff.sign_in">登录</a>' in html
    page = auditor.get("/admin/core/auditlog/", {"action": "denied:case.deliver"})
    assert [row.action for row in page.context["cl"].result_list] == ["denied:case.deliver"]


def test_labels_fall_back_to_the_code_and_refusals_name_the_permission():
    with translation.override("zh-hans"):
        assert action_label("staff.sign_in") == "登录"
        assert action_label("denied:case.deliver") == "拒绝：送达办理结果"
        assert action_label("denied:staff.sign_in") == "拒绝：登录"
        assert action_label("test.unknown") == "test.unknown"
        assert action_label("denied:test.unknown") == "拒绝：test.unknown"
    with translation.override("en"):
        assert action_label("denied:case.deliver") == "Refused: hand over results"
        assert action_label("cases.task_claim") == "Task claimed"


def test_every_permission_action_has_a_label():
    assert {str(action) for action in Action} <= set(registry().permissions)
