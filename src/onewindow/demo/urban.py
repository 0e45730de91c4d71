"""The demo district's grid categories (``data/grid_categories.toml``) and the units that
handle them: a sanitation station (环卫站) in every street, with its own office hours, and the
district's comprehensive enforcement team (综合行政执法队), each a department (made through
the org services, with an approver and a lead to sign in as) and a hotline handling unit.

The categories go through ``urban.services.categories.categories_write_from_data``: the same
check as the categories workbook, so a wrong edit of the data file is refused whole, located."""

from __future__ import annotations

import random
import tomllib
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from onewindow.demo import city
from onewindow.demo.datafiles import DATA_DIR
from onewindow.demo.planning import government_uscc, street_code, street_office_key
from onewindow.hotline.codes import UnitKind
from onewindow.hotline.services.catalogue import handling_unit_set
from onewindow.org.codes import Role
from onewindow.org.models import Department, Region
from onewindow.org.services import department_create, staff_create
from onewindow.urban.services.categories import categories_write_from_data

DATA_FILE = "grid_categories.toml"
SANITATION, STREET, TEAM = "sanitation", "street", "team"
TEAM_KEY = "zfd"
CENTRE_KEY = "zhzx"


def sanitation_key(index: int) -> str:
    return f"hw{index:02d}"


def load_grid_categories(directory: Any = DATA_DIR) -> dict[str, Any]:
    return tomllib.loads((directory / DATA_FILE).read_text(encoding="utf-8"))


def _new_units(
    departments: dict[str, Department], regions: dict[str, Region], office_hours: list[Any]
) -> tuple[dict[int, Department], Department, Department]:
    """The sanitation stations (by street number) and the enforcement team, with their
    handling units; codes from their own seed, none already taken."""
    rng = random.Random("2026:grid-units")
    taken = {d.uscc for d in departments.values()}

    def uscc() -> str:
        while True:
            code = government_uscc(rng)
            if code not in taken:
                taken.add(code)
                return code

    district = regions[city.DISTRICT_CODE]
    stations: dict[int, Department] = {}
    for index, street in enumerate(city.STREETS, start=1):
        region = regions[street_code(index)]
        station = department_create(
            name=f"{city.DISTRICT_NAME}{street.name}街道环卫站",
            short_name=f"{street.name}环卫站",
            name_en=f"{street.name_en} Sanitation Station",
            uscc=uscc(),
            region=region,
            phone=city.HOTLINE,
        )
        handling_unit_set(
            department=station, kind=UnitKind.STREET, region=region, office_hours=office_hours
        )
        stations[index] = station
    team = department_create(
        name=f"{city.DISTRICT_NAME}综合行政执法队",
        short_name="区综合执法队",
        name_en=f"{city.DISTRICT_NAME_EN} Comprehensive Law Enforcement Team",
        uscc=uscc(),
        region=district,
        phone=city.HOTLINE,
    )
    handling_unit_set(department=team, kind=UnitKind.ENFORCEMENT)
    centre = department_create(
        name=settings.URBAN_COMMAND_CENTRE,
        short_name="区网格指挥中心",
        name_en=f"{city.DISTRICT_NAME_EN} Urban Management Command Centre",
        uscc=uscc(),
        region=district,
        phone=city.HOTLINE,
    )
    handling_unit_set(department=centre, kind=UnitKind.FUNCTIONAL)
    return stations, team, centre


def grid_departments() -> dict[str, Department]:
    """The enforcement team and the command centre by their demo keys (after
    ``write_grid_catalogue``), for the staff plan's department scopes."""
    names = {
        TEAM_KEY: f"{city.DISTRICT_NAME}综合行政执法队",
        CENTRE_KEY: settings.URBAN_COMMAND_CENTRE,
    }
    found = {d.name: d for d in Department.objects.filter(name__in=names.values())}
    return {key: found[name] for key, name in names.items() if name in found}


def _staff(units: dict[str, Department], password: str) -> int:
    """An approver and a lead for each new unit (``approver_hw01`` …, ``approver_zfd``)."""
    ids = []
    for key, department in units.items():
        for prefix, role, title in (
            ("approver", Role.DEPT_APPROVER, "承办人"),
            ("lead", Role.DEPT_LEAD, "负责人"),
        ):
            user = staff_create(
                username=f"{prefix}_{key}",
                password=None,
                full_name=f"{department.short_name}{title}",
                roles=[{"role": role, "department": department}],
            )
            ids.append(user.pk)
    get_user_model().objects.filter(pk__in=ids).update(password=make_password(password))
    return len(ids)


def grid_categories_data(
    data: dict[str, Any],
    *,
    departments: dict[str, Department],
    stations: dict[int, Department],
    team: Department,
) -> dict[str, Any]:
    """The data file's categories as the rows of the categories workbook: a unit key becomes
    its department's name, "sanitation" and "street" one row per street."""
    offices = {
        index: departments[street_office_key(index)] for index in range(1, len(city.STREETS) + 1)
    }
    rows: dict[str, list[dict[str, Any]]] = {
        "majors": [],
        "subclasses": [],
        "units": [],
        "stages": [],
    }
    for major in data.get("major", []):
        rows["majors"].append({k: major.get(k) for k in ("kind", "code", "name")})
        letter = "C" if major.get("kind") == "部件" else "E"
        for entry in major.get("subclass", []):
            code = f"{letter}{entry.get('code')}"
            rows["subclasses"].append(
                {
                    "kind": major.get("kind"),
                    "code": entry.get("code"),
                    "name": entry.get("name"),
                    "filing_condition": entry.get("filing"),
                    "closing_condition": entry.get("closing"),
                    "keywords": entry.get("keywords", ""),
                    "enforcement": entry.get("enforcement", False),
                }
            )
            for order, key in enumerate(entry.get("units", []), start=1):
                per_street = {SANITATION: stations, STREET: offices}.get(key)
                if per_street is not None:
                    rows["units"] += [
                        {
                            "category": code,
                            "street": street_code(index),
                            "department": unit.name,
                            "order": order,
                        }
                        for index, unit in sorted(per_street.items())
                    ]
                    continue
                unit = team if key == TEAM else departments.get(key)
                rows["units"].append(
                    {
                        "category": code,
                        "department": unit.name if unit else f"<{key}>",
                        "order": order,
                    }
                )
            for order, (name, limit, unit_name) in enumerate(entry.get("stages", []), start=1):
                rows["stages"].append(
                    {
                        "category": code,
                        "order": order,
                        "name": name,
                        "limit": limit,
                        "unit": unit_name,
                    }
                )
    return rows


def write_grid_catalogue(
    departments: dict[str, Department], regions: dict[str, Region], *, password: str
) -> int:
    """The grid units, their staff and the grid categories; returns the number of
    subclasses. Raises ``ValidationFailed`` (located) for a wrong data file."""
    data = load_grid_categories()
    hours = data.get("office_hours", {}).get(SANITATION, [])
    stations, team, centre = _new_units(departments, regions, hours)
    _staff(
        {
            **{sanitation_key(i): s for i, s in stations.items()},
            TEAM_KEY: team,
            CENTRE_KEY: centre,
        },
        password,
    )
    rows = grid_categories_data(data, departments=departments, stations=stations, team=team)
    return categories_write_from_data(actor=None, data=rows).subclasses
