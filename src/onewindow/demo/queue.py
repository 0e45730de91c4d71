"""The demo centres' service groups and booking rules (``data/hall.toml``), for the
appointments and the queue of ``onewindow.hall``. A few hundred rows, written in bulk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib.resources.abc import Traversable

from onewindow.demo.datafiles import DATA_DIR, Entry, read_data_file
from onewindow.hall.models import OpeningPeriod, ServiceGroup
from onewindow.org.models import CentreLevel, ServiceCentre, Window, WindowKind


@dataclass(frozen=True)
class GroupSpec:
    letter: str
    name: str
    name_en: str
    bookable: bool
    windows: tuple[str, ...] = ()  # numbers (the hall)
    window_kind: str = ""  # a kind (every street centre)


@dataclass(frozen=True)
class QueuePlan:
    slot_minutes: int
    capacity: int
    periods: tuple[tuple[dt.time, dt.time], ...]
    hall: tuple[GroupSpec, ...]
    street: tuple[GroupSpec, ...]


def _time(entry: Entry, key: str, text: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise entry.error(key, f"expected a time as HH:MM, found {text!r}") from None


def _group(entry: Entry, *, street: bool) -> GroupSpec:
    spec = GroupSpec(
        letter=entry.text("letter"),
        name=entry.text("name"),
        name_en=entry.text("name_en"),
        bookable=entry.flag("bookable", True),
        windows=() if street else entry.texts("windows"),
        window_kind=entry.text("window_kind", one_of=("intake", "output")) if street else "",
    )
    entry.finish()
    return spec


def load_queue_plan(directory: Traversable = DATA_DIR) -> QueuePlan:
    root = read_data_file("hall.toml", directory)
    rules = root.table("rules")
    periods = []
    for text in rules.texts("periods"):
        starts_text, _dash, ends_text = text.partition("-")
        starts, ends = _time(rules, "periods", starts_text), _time(rules, "periods", ends_text)
        if ends <= starts:
            raise rules.error("periods", f"{text} ends before it starts")
        periods.append((starts, ends))
    plan = QueuePlan(
        slot_minutes=rules.integer("slot_minutes"),
        capacity=rules.integer("capacity"),
        periods=tuple(periods),
        hall=tuple(_group(e, street=False) for e in root.tables("hall", required=True)),
        street=tuple(_group(e, street=True) for e in root.tables("street", required=True)),
    )
    rules.finish()
    root.finish()
    return plan


QUEUE = load_queue_plan()


def write_service_groups(centres: dict[str, ServiceCentre], *, hall_code: str) -> int:
    """The groups of the district hall and of every street centre, with their windows and
    opening periods; returns how many groups."""
    windows: dict[int, list[Window]] = {}
    for window in Window.objects.filter(centre__in=list(centres.values())).order_by("number"):
        windows.setdefault(window.centre_id, []).append(window)
    planned: list[tuple[ServiceGroup, list[Window]]] = []
    for code, centre in centres.items():
        if code == hall_code:
            specs = QUEUE.hall
        elif centre.level == CentreLevel.STREET_CENTRE:
            specs = QUEUE.street
        else:
            continue
        own = windows.get(centre.pk, [])
        for order, spec in enumerate(specs):
            if spec.window_kind:
                kind = WindowKind.INTAKE if spec.window_kind == "intake" else WindowKind.OUTPUT
                serving = [w for w in own if w.kind == kind]
            else:
                serving = [w for w in own if w.number in spec.windows]
            group = ServiceGroup(
                centre=centre,
                letter=spec.letter,
                name=spec.name,
                name_en=spec.name_en,
                bookable=spec.bookable,
                slot_minutes=QUEUE.slot_minutes,
                capacity=QUEUE.capacity,
                order=order,
            )
            planned.append((group, serving))
    groups = ServiceGroup.objects.bulk_create([group for group, _w in planned])
    through = ServiceGroup.windows.through
    through.objects.bulk_create(
        [
            through(servicegroup_id=group.pk, window_id=window.pk)
            for group, serving in zip(groups, [w for _g, w in planned], strict=True)
            for window in serving
        ]
    )
    OpeningPeriod.objects.bulk_create(
        [
            OpeningPeriod(group=group, weekday=weekday, starts=starts, ends=ends)
            for group in groups
            for weekday in range(7)
            for starts, ends in QUEUE.periods
        ]
    )
    return len(groups)
