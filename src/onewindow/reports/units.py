"""The unit (单位) a report is made for: whose figures the user's scope covers."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from onewindow.org.models import Department, ServiceCentre
from onewindow.org.permissions import Action, Scope, grants_for


def _local(name: str, name_en: str) -> str:
    if (translation.get_language() or "").startswith("en") and name_en:
        return name_en
    return name


def scope_unit(user: Any, action: Action) -> str:
    """The centres and departments of the user's grants for ``action``, by name ("全市" for a
    city-wide grant); two queries at most."""
    grants = grants_for(user, action)
    if any(grant.scope is Scope.ALL for grant in grants):
        return gettext("Whole city")
    centre_ids = {g.centre_id for g in grants if g.scope is Scope.CENTRE and g.centre_id}
    department_ids = {
        g.department_id for g in grants if g.scope is Scope.DEPARTMENT and g.department_id
    }
    names = []
    if centre_ids:
        names += [
            _local(name, name_en)
            for name, name_en in ServiceCentre.objects.filter(pk__in=centre_ids)
            .order_by("code")
            .values_list("name", "name_en")
        ]
    if department_ids:
        names += [
            _local(name, name_en)
            for name, name_en in Department.objects.filter(pk__in=department_ids)
            .order_by("name")
            .values_list("name", "name_en")
        ]
    return gettext(", ").join(names)
