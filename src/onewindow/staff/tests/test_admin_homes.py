"""The security administrator's and the auditor's homes link to their pages in the admin."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from onewindow.org.models import Role
from onewindow.testing.factories import staff_with_role

ADMIN_ENTRIES = {
    "staff.accounts": "/admin/auth/user/",
    "staff.enrolment_codes": "/admin/staff/enrolmentcode/",
    "staff.second_factor_devices": "/admin/staff/stafftotpdevice/",
    "staff.audit_trail": "/admin/core/auditlog/",
}


def tiles(html: str) -> dict[str, str]:
    found = re.findall(r'<a class="staff-tile" href="([^"]+)" data-workstation="([^"]+)"', html)
    return {key: url for url, key in found}


@pytest.mark.parametrize(
    ("role", "keys"),
    [
        (
            Role.SECURITY_ADMIN,
            ["staff.accounts", "staff.enrolment_codes", "staff.second_factor_devices"],
        ),
        (Role.AUDITOR, ["staff.audit_trail"]),
        (Role.ADMIN, []),
    ],
)
def test_each_home_links_to_the_admin_pages_of_its_role(db, role, keys):
    user = staff_with_role(role)
    browser = Client()
    browser.force_login(user)
    home = browser.get("/staff/")
    assert home.status_code == 200
    shown = {k: v for k, v in tiles(home.content.decode()).items() if k in ADMIN_ENTRIES}
    assert shown == {key: ADMIN_ENTRIES[key] for key in keys}
    for url in shown.values():
        assert browser.get(url).status_code == 200
    if keys:
        assert "您的账号未分配窗口、部门或监察角色" not in home.content.decode()


def test_a_clerk_sees_none_of_them(staff):
    browser = Client()
    browser.force_login(staff["intake_clerk"])
    assert not set(tiles(browser.get("/staff/").content.decode())) & set(ADMIN_ENTRIES)
