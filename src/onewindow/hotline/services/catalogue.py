"""Writing the dispatch catalogue (派单目录) from data: two levels of categories, each
subcategory with its keywords, whether it is a functional department's matter, and its units —
``"street"`` standing for the office of the street where the matter is (one rule per street).

``dispatch_catalogue_write`` checks the whole input first and refuses it whole with located
problems ("group 2, category 0203: …"); nothing is written then. Writing again updates the
categories by code and replaces their rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList
from onewindow.hotline.codes import UnitKind
from onewindow.hotline.models import DispatchCategory, DispatchRule, HandlingUnit
from onewindow.hotline.services.common import text
from onewindow.org.models import Department
from onewindow.org.permissions import Action, require
from onewindow.workflow.clock import office_hours_errors

STREET = "street"


def handling_units_write(
    *, functional: list[Department], street_offices: Mapping[Any, Department]
) -> int:
    """Say what kind of unit each department is (functional, or the office of its street)."""
    count = 0
    for department in functional:
        HandlingUnit.objects.update_or_create(
            department=department, defaults={"kind": UnitKind.FUNCTIONAL, "region": None}
        )
        count += 1
    for region, office in street_offices.items():
        HandlingUnit.objects.update_or_create(
            department=office, defaults={"kind": UnitKind.STREET, "region": region}
        )
        count += 1
    return count


def handling_unit_set(
    *,
    department: Department,
    kind: str,
    region: Any = None,
    office_hours: list[list[str]] | None = None,
    actor: Any = None,
) -> HandlingUnit:
    """Say what kind of unit one department is, the street it serves and its own office hours
    (pairs of "HH:MM", checked by the clock's ``office_hours_errors``; none: the platform's).
    ``actor`` None: the platform (the demo); else it needs ``Action.HOTLINE_MANAGE``."""
    if actor is not None:
        require(actor, Action.HOTLINE_MANAGE)
    hours = [list(pair) for pair in office_hours or []]
    errors = office_hours_errors(hours)
    if kind not in UnitKind.values:
        errors.add("kind", "invalid", _("Not a kind of handling unit."))
    errors.raise_if_any(_("The handling unit is not valid; nothing was changed."))
    unit, _created = HandlingUnit.objects.update_or_create(
        department=department, defaults={"kind": kind, "region": region, "office_hours": hours}
    )
    audit_record(actor=actor, action="hotline.handling_unit_set", obj=unit)
    return unit


def _unit(
    errors: ErrorList, where: str, key: Any, units: Mapping[str, Department], *, street_ok: bool
) -> str | Department | None:
    if key == STREET and street_ok:
        return STREET
    if isinstance(key, str) and key in units:
        return units[key]
    errors.add(where, "unknown_unit", _("%(where)s: no unit %(key)s."), where=where, key=str(key))
    return None


def dispatch_catalogue_write(
    *,
    actor: Any,
    groups: list[dict[str, Any]],
    units: Mapping[str, Department],
    street_offices: Mapping[Any, Department],
) -> int:
    """Write ``groups`` (``[{code, name, category: [{code, name, keywords, functional, lead,
    assists}]}]``); ``units`` maps the keys named to departments; ``street_offices`` each
    street region to its office. ``actor`` None: the platform (the demo); else an
    administrator. Returns the number of subcategories."""
    if actor is not None:
        require(actor, Action.HOTLINE_MANAGE)
    errors = ErrorList()
    seen: set[str] = set()
    plan: list[dict[str, Any]] = []
    for g_index, group in enumerate(groups, start=1):
        where = f"group {g_index}"
        code = text(errors, f"{where}.code", group.get("code"), max_length=16, multiline=False)
        name = text(errors, f"{where}.name", group.get("name"), max_length=64, multiline=False)
        if code in seen:
            errors.add(
                where, "duplicate", _("%(where)s: code %(code)s twice."), where=where, code=code
            )
        seen.add(code)
        children: list[dict[str, Any]] = []
        for entry in group.get("category") or []:
            c_where = f"{where}, category {entry.get('code', '?')}"
            c_code = text(
                errors, f"{c_where}.code", entry.get("code"), max_length=16, multiline=False
            )
            if c_code in seen:
                errors.add(
                    c_where,
                    "duplicate",
                    _("%(where)s: code %(code)s twice."),
                    where=c_where,
                    code=c_code,
                )
            seen.add(c_code)
            functional = bool(entry.get("functional", False))
            lead = _unit(
                errors, f"{c_where}.lead", entry.get("lead"), units, street_ok=not functional
            )
            if functional and entry.get("lead") == STREET:
                errors.add(
                    c_where,
                    "street_for_functional",
                    _(
                        "%(where)s: a functional department's matter cannot have the street "
                        "office as its lead."
                    ),
                    where=c_where,
                )
            assists = [
                _unit(errors, f"{c_where}.assists", key, units, street_ok=True)
                for key in entry.get("assists") or []
            ]
            children.append(
                {
                    "code": c_code,
                    "name": text(
                        errors, f"{c_where}.name", entry.get("name"), max_length=64, multiline=False
                    ),
                    "keywords": text(
                        errors,
                        f"{c_where}.keywords",
                        entry.get("keywords", ""),
                        required=False,
                        max_length=255,
                        multiline=False,
                    ),
                    "functional": functional,
                    "lead": lead,
                    "assists": assists,
                }
            )
        plan.append({"code": code, "name": name, "children": children})
    errors.raise_if_any(_("The dispatch catalogue is not loaded; nothing was changed."))
    count = 0
    with transaction.atomic():
        for group in plan:
            parent, _created = DispatchCategory.objects.update_or_create(
                code=group["code"], defaults={"name": group["name"], "parent": None}
            )
            for child in group["children"]:
                category, _created = DispatchCategory.objects.update_or_create(
                    code=child["code"],
                    defaults={
                        "name": child["name"],
                        "parent": parent,
                        "keywords": child["keywords"],
                        "functional": child["functional"],
                        "is_active": True,
                    },
                )
                DispatchRule.objects.filter(category=category).delete()
                _rules_write(category, child["lead"], child["assists"], street_offices)
                count += 1
        if actor is not None:
            audit_record(
                actor=actor, action="hotline.catalogue_write", detail={"categories": count}
            )
    return count


def _rules_write(
    category: DispatchCategory,
    lead: Any,
    assists: list[Any],
    street_offices: Mapping[Any, Department],
) -> None:
    street_in = lead == STREET or STREET in assists
    fixed = [a for a in assists if a != STREET]
    if not street_in:
        rule = DispatchRule.objects.create(category=category, lead=lead)
        rule.assists.set(fixed)
        return
    for region, office in street_offices.items():
        rule = DispatchRule.objects.create(
            category=category, region=region, lead=office if lead == STREET else lead
        )
        rule.assists.set([*fixed, *([office] if STREET in assists else [])])


__all__ = ["dispatch_catalogue_write", "handling_unit_set", "handling_units_write"]
