"""Staff accounts of every role the shell knows, and a clean sign-in counter per test."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from onewindow.org.models import CentreLevel, Role, Window, WindowKind
from onewindow.testing.factories import (
    CentreFactory,
    DepartmentFactory,
    StreetFactory,
    UserFactory,
)
from onewindow.testing.factories import staff_with_role as _staff_with_role

PASSWORD = "pass-1234-word"  # UserFactory's


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def centre(db) -> Any:
    centre = CentreFactory(
        level=CentreLevel.STREET_CENTRE, region=StreetFactory(), name="测试街道中心"
    )
    Window.objects.create(centre=centre, number="01", kind=WindowKind.INTAKE)
    return centre


@pytest.fixture
def department(db) -> Any:
    return DepartmentFactory(name="区住房和建设局")


@pytest.fixture
def staff(centre, department) -> dict[str, Any]:
    """One account per role, each with the scope its role needs; ``nobody`` holds no role."""
    nobody = UserFactory()
    nobody.save()
    return {
        "intake_clerk": _staff_with_role(Role.INTAKE_CLERK, centre=centre),
        "output_clerk": _staff_with_role(Role.OUTPUT_CLERK, centre=centre),
        "approver": _staff_with_role(Role.DEPT_APPROVER, department=department),
        "lead": _staff_with_role(Role.DEPT_LEAD, department=department),
        "manager": _staff_with_role(Role.CENTRE_MANAGER, centre=centre),
        "auditor": _staff_with_role(Role.AUDITOR),
        "admin": _staff_with_role(Role.ADMIN),
        "nobody": nobody,
    }
