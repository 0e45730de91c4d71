"""System checks of the staff settings: a misspelt role in ``STAFF_SECOND_FACTOR_ROLES`` would
silently let that role sign in with a password alone, so the server refuses to start."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error

from onewindow.org.codes import Role


def second_factor_roles_are_known(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    unknown = sorted(set(getattr(settings, "STAFF_SECOND_FACTOR_ROLES", [])) - set(Role.values))
    if not unknown:
        return []
    return [
        Error(
            f"STAFF_SECOND_FACTOR_ROLES names unknown roles: {', '.join(unknown)} "
            "/ STAFF_SECOND_FACTOR_ROLES 中有不存在的角色",
            hint=f"Known roles: {', '.join(Role.values)}",
            id="onewindow.staff.E001",
        )
    ]
