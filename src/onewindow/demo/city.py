"""Fixed data of the demo city: the district, its hall, streets, departments, topics, names.

The data lives in ``data/city.toml``, ``data/topics.toml`` and ``data/names.toml`` (plain data
written for OneWindow); this module reads it once, on import, into the constants below. Street
names are the real streets of Liwan district (荔湾区); their division codes and every community
name are demo values, not the official statistical codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources.abc import Traversable

from onewindow.catalog.codes import Audience
from onewindow.demo.datafiles import DATA_DIR, read_data_file, unique


@dataclass(frozen=True, slots=True)
class StreetSpec:
    name: str  # without the suffix 街道
    name_en: str
    communities: tuple[str, ...]  # places the communities of this street are named after


@dataclass(frozen=True, slots=True)
class DepartmentSpec:
    key: str  # short pinyin key, used in demo usernames (approver_<key>, lead_<key>)
    name: str
    short_name: str
    name_en: str


@dataclass(frozen=True, slots=True)
class TopicSpec:
    code: str
    name: str
    name_en: str
    audience: str  # catalog.codes.Audience value
    description: str


@dataclass(frozen=True, slots=True)
class CityData:
    district_code: str
    district_name: str
    district_name_en: str
    city_name: str
    hall_name: str
    hall_name_en: str
    hall_address: str
    opening_hours: str
    hotline: str
    streets: tuple[StreetSpec, ...]
    departments: tuple[DepartmentSpec, ...]
    topics: tuple[TopicSpec, ...]
    surnames: tuple[str, ...]
    given_name_characters: tuple[str, ...]


def load_city(directory: Traversable = DATA_DIR) -> CityData:
    """Read city.toml, topics.toml and names.toml from ``directory``."""
    root = read_data_file("city.toml", directory)
    district = root.table("district")
    code = district.text("code")
    if not (len(code) == 12 and code.isdigit() and code.endswith("000000")):
        raise district.error("code", f'"{code}" is not a 12-digit district code ending in 000000')
    hall = root.table("hall")

    street_entries = root.tables("street", required=True)
    streets = []
    for entry in street_entries:
        streets.append(
            StreetSpec(entry.text("name"), entry.text("name_en"), entry.texts("communities"))
        )
        entry.finish()
    unique(street_entries, [s.name for s in streets], "name")

    department_entries = root.tables("department", required=True)
    departments = []
    for entry in department_entries:
        departments.append(
            DepartmentSpec(
                entry.text("key"),
                entry.text("name"),
                entry.text("short_name"),
                entry.text("name_en"),
            )
        )
        entry.finish()
    unique(department_entries, [d.key for d in departments], "key")

    topics_root = read_data_file("topics.toml", directory)
    topic_entries = topics_root.tables("topic", required=True)
    topics = []
    for entry in topic_entries:
        topics.append(
            TopicSpec(
                entry.text("code"),
                entry.text("name"),
                entry.text("name_en"),
                entry.text("audience", one_of=Audience.values),
                entry.text("description"),
            )
        )
        entry.finish()
    unique(topic_entries, [t.code for t in topics], "code")
    topics_root.finish()

    names = read_data_file("names.toml", directory)
    surnames = names.texts("surnames")
    given = names.texts("given_name_characters")
    names.finish()

    result = CityData(
        district_code=code,
        district_name=district.text("name"),
        district_name_en=district.text("name_en"),
        city_name=district.text("city"),
        hall_name=hall.text("name"),
        hall_name_en=hall.text("name_en"),
        hall_address=hall.text("address"),
        opening_hours=hall.text("opening_hours"),
        hotline=hall.text("hotline"),
        streets=tuple(streets),
        departments=tuple(departments),
        topics=tuple(topics),
        surnames=surnames,
        given_name_characters=given,
    )
    district.finish()
    hall.finish()
    root.finish()
    return result


CITY = load_city()

DISTRICT_CODE = CITY.district_code
DISTRICT_NAME = CITY.district_name
DISTRICT_NAME_EN = CITY.district_name_en
CITY_NAME = CITY.city_name
HALL_NAME = CITY.hall_name
HALL_NAME_EN = CITY.hall_name_en
HALL_ADDRESS = CITY.hall_address
OPENING_HOURS = CITY.opening_hours
HOTLINE = CITY.hotline
# The streets in code order: 440103001000, 440103002000, …
STREETS = CITY.streets
# District departments whose items the district hall accepts.
DEPARTMENTS = CITY.departments
# Life events: a citizen picks what happened to them, never which department handles it.
TOPICS = CITY.topics
SURNAMES = CITY.surnames
GIVEN_NAME_CHARACTERS = CITY.given_name_characters
