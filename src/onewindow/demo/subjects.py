"""Templates of the generated items: per department, the things it licenses, registers, pays or
serves (subjects), and the ways an application about them can go (actions).

A generated item is one subject × one of its actions, e.g. "药品零售企业经营许可" × "延续" →
"药品零售企业经营许可（延续）" — the way provincial catalogues split one item into business
handling items (业务办理项). The templates are data: ``data/actions.toml``,
``data/subjects.toml`` (district departments) and ``data/street_subjects.toml`` (every street
office), read once on import. ``planning.py`` turns them into rule-abiding items and fills in
limits, online depth and materials with the seeded random generator.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources.abc import Traversable

from onewindow.catalog.codes import ItemType, ServiceObject
from onewindow.demo import city
from onewindow.demo.datafiles import DATA_DIR, Entry, read_data_file, unique

NATURAL, BUSINESS, CONSTRUCTION = "natural", "business", "construction"
THEMES = (NATURAL, BUSINESS, CONSTRUCTION)
# The department of the street subjects: the generator makes one item per street office.
STREET = "street"


@dataclass(frozen=True, slots=True)
class Action:
    pattern: str  # item name, from the subject's name
    name_en: str
    summary: str  # plain-language sentence, from the subject's plain words
    keywords: str
    result: str  # result name, from the subject's result
    item_type: ItemType | None = None  # overrides the subject's item type
    instant: bool = False  # always finished at the window (notification and commitment)


@dataclass(frozen=True, slots=True)
class Fee:
    name: str
    standard: str
    basis: str


@dataclass(frozen=True, slots=True)
class Subject:
    department: str  # key of city.DEPARTMENTS, or STREET
    name: str
    name_en: str
    plain: str  # everyday words for the thing, used in the guide ("" = the name)
    theme: str  # NATURAL / BUSINESS / CONSTRUCTION
    item_type: ItemType
    actions: tuple[str, ...]
    topics: tuple[str, ...]
    materials: tuple[str, ...]  # subject-specific papers, besides form and identity
    basis: str
    result: str
    keywords: str
    instant: bool = False  # may be finished at the window
    summary: str = ""  # plain summary for "single" subjects
    fee: Fee | None = None
    joint: tuple[str, ...] = ()  # department keys
    statutory: int = 0  # statutory limit in working days; 0 = by item type
    community: bool = False  # also accepted at community service points
    objects: tuple[ServiceObject, ...] = ()  # service objects, when not those of the theme


@dataclass(frozen=True, slots=True)
class Templates:
    actions: dict[str, Action]  # in file order: the position is part of the basic code
    subjects: tuple[Subject, ...]
    street_subjects: tuple[Subject, ...]


def load_actions(directory: Traversable = DATA_DIR) -> dict[str, Action]:
    root = read_data_file("actions.toml", directory)
    entries = root.tables("action", required=True)
    keys = [entry.text("key") for entry in entries]
    unique(entries, keys, "key")
    actions = {}
    for key, entry in zip(keys, entries, strict=True):
        item_type = entry.code("item_type", ItemType) if entry.has("item_type") else None
        actions[key] = Action(
            pattern=entry.text("pattern"),
            name_en=entry.text("name_en", ""),
            summary=entry.text("summary", ""),
            keywords=entry.text("keywords", ""),
            result=entry.text("result"),
            item_type=item_type,
            instant=entry.flag("instant", False),
        )
        entry.finish()
    root.finish()
    return actions


def _subject(
    entry: Entry,
    *,
    department: str,
    actions: dict[str, Action],
    departments: list[str],
    topics: list[str],
) -> Subject:
    fee = None
    if entry.has("fee"):
        table = entry.table("fee")
        fee = Fee(table.text("name"), table.text("standard"), table.text("basis"))
        table.finish()
    subject = Subject(
        department=department,
        name=entry.text("name"),
        name_en=entry.text("name_en"),
        plain=entry.text("plain", ""),
        summary=entry.text("summary", ""),
        theme=entry.text("theme", one_of=THEMES),
        objects=entry.codes("objects", ServiceObject, ()),
        item_type=entry.code("item_type", ItemType),
        actions=entry.texts("actions", one_of=list(actions)),
        instant=entry.flag("instant", False),
        community=entry.flag("community", False),
        statutory=entry.integer("statutory_limit", 0),
        topics=entry.texts("topics", one_of=topics),
        joint=entry.texts("joint_departments", (), one_of=departments),
        materials=entry.texts("materials", ()),
        basis=entry.text("basis"),
        result=entry.text("result"),
        keywords=entry.text("keywords"),
        fee=fee,
    )
    if not subject.actions:
        raise entry.error("actions", "a subject needs at least one action")
    entry.finish()
    return subject


def load_templates(
    directory: Traversable = DATA_DIR, *, city_data: city.CityData | None = None
) -> Templates:
    """Read actions.toml, subjects.toml and street_subjects.toml from ``directory``.

    Departments and topics are checked against ``city_data`` (by default the city files of the
    same directory).
    """
    city_data = city_data or city.load_city(directory)
    known = [d.key for d in city_data.departments]
    topics = [t.code for t in city_data.topics]
    actions = load_actions(directory)

    root = read_data_file("subjects.toml", directory)
    district = []
    for entry in root.tables("subject", required=True):
        department = entry.text("department", one_of=known)
        district.append(
            _subject(
                entry, department=department, actions=actions, departments=known, topics=topics
            )
        )
    root.finish()

    root = read_data_file("street_subjects.toml", directory)
    street = [
        _subject(entry, department=STREET, actions=actions, departments=known, topics=topics)
        for entry in root.tables("subject", required=True)
    ]
    root.finish()
    return Templates(actions=actions, subjects=tuple(district), street_subjects=tuple(street))


TEMPLATES = load_templates(city_data=city.CITY)
ACTIONS = TEMPLATES.actions
SUBJECTS = TEMPLATES.subjects
# Items every street office (街道办事处) implements for its own street: the same basic item,
# one implementation per street, as in the national implementation lists.
STREET_SUBJECTS = TEMPLATES.street_subjects
