"""Reading the demo city's data files (``demo/data/*.toml``), with errors that say where.

The files are edited by people who set up a demo of their own district, so every read is
checked: a missing key, a wrong type, an unknown code or reference and a misspelt key are
refused with a ``DemoDataError`` that names the file, the entry and the key, e.g.
``subjects.toml, subject no. 12 (企业投资项目核准), key "item_type": "licence" is not one of:
licensing, penalty, …``. Nothing falls back to a default silently, except the optional keys
each loader documents.
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Collection
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, TypeVar

DATA_DIR: Traversable = resources.files("onewindow.demo") / "data"

E = TypeVar("E", bound=enum.Enum)


class DemoDataError(ValueError):
    """A demo data file is missing, is not TOML, or holds a value the demo cannot use."""

    def __init__(self, file: str, where: str, problem: str) -> None:
        self.file = file
        self.where = where
        self.problem = problem
        super().__init__(f"{file}, {where}: {problem}" if where else f"{file}: {problem}")


def read_data_file(name: str, directory: Traversable = DATA_DIR) -> Entry:
    """The top-level table of the TOML file ``name`` in ``directory``."""
    try:
        text = (directory / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DemoDataError(name, "", f"the file is missing (looked in {directory})") from None
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DemoDataError(name, "", f"this is not valid TOML: {exc}") from exc
    return Entry(values, file=name, where="")


def code_names(choices: type[enum.Enum]) -> list[str]:
    """How the data files spell the members of a code enum: ``ItemType.OTHER_POWER`` →
    ``other_power`` (stable English names instead of the national code numbers)."""
    return [name.lower() for name in choices.__members__]


class Entry:
    """One table of a data file. Each getter checks the type; ``finish`` refuses unknown keys.

    Getters take ``default=None`` to mean "required"; pass a default to make a key optional.
    """

    def __init__(self, values: dict[str, Any], *, file: str, where: str) -> None:
        self._values = values
        self._asked: list[str] = []
        self.file = file
        self.where = where

    def has(self, key: str) -> bool:
        """Whether the optional ``key`` is there (it counts as a known key)."""
        self._asked.append(key)
        return key in self._values

    def error(self, key: str | None, problem: str) -> DemoDataError:
        parts = [self.where] if self.where else []
        if key is not None:
            parts.append(f'key "{key}"')
        return DemoDataError(self.file, ", ".join(parts), problem)

    def _get(self, key: str, default: Any, kind: type | tuple[type, ...], what: str) -> Any:
        self._asked.append(key)
        if key not in self._values:
            if default is None:
                raise self.error(key, "this key is missing")
            return default
        value = self._values[key]
        # TOML booleans are not numbers here, although Python's bool is an int.
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            raise self.error(key, f"expected {what}, found {_describe(value)}")
        return value

    def text(self, key: str, default: str | None = None, *, one_of: Collection[str] = ()) -> str:
        value: str = self._get(key, default, str, "text in quotes")
        if one_of and value not in one_of:
            raise self.error(key, _not_one_of(value, one_of))
        return value

    def integer(self, key: str, default: int | None = None) -> int:
        value: int = self._get(key, default, int, "a whole number")
        if value < 0:
            raise self.error(key, f"expected 0 or more, found {value}")
        return value

    def flag(self, key: str, default: bool | None = None) -> bool:
        value: bool = self._get(key, default, bool, "true or false")
        return value

    def texts(
        self,
        key: str,
        default: tuple[str, ...] | None = None,
        *,
        one_of: Collection[str] = (),
    ) -> tuple[str, ...]:
        values = self._get(key, default, (list, tuple), "a list of texts in quotes")
        for value in values:
            if not isinstance(value, str):
                raise self.error(key, f"expected a list of texts, found {_describe(value)}")
            if one_of and value not in one_of:
                raise self.error(key, _not_one_of(value, one_of))
        return tuple(values)

    def code(self, key: str, choices: type[E], default: E | None = None) -> E:
        """A code value written as its lower-case member name (see ``code_names``)."""
        if default is not None and key not in self._values:
            self._asked.append(key)
            return default
        return choices[self.text(key, one_of=code_names(choices)).upper()]

    def codes(
        self, key: str, choices: type[E], default: tuple[E, ...] | None = None
    ) -> tuple[E, ...]:
        if default is not None and key not in self._values:
            self._asked.append(key)
            return default
        names = self.texts(key, one_of=code_names(choices))
        return tuple(choices[name.upper()] for name in names)

    def table(self, key: str) -> Entry:
        values = self._get(key, None, dict, f"a table [{key}]")
        where = f"{self.where}, [{key}]" if self.where else f"[{key}]"
        return Entry(values, file=self.file, where=where)

    def tables(self, key: str, *, required: bool = False) -> list[Entry]:
        """The tables of ``[[key]]``, in file order; each names itself "key no. N (name)"."""
        values = self._get(key, None if required else [], list, f"tables [[{key}]]")
        entries = []
        for number, value in enumerate(values, start=1):
            label = f"{key} no. {number}"
            if isinstance(value, dict):
                name = value.get("key") or value.get("code") or value.get("name")
                if isinstance(name, str) and name:
                    label += f" ({name})"
            where = f"{self.where}, {label}" if self.where else label
            if not isinstance(value, dict):
                raise DemoDataError(self.file, where, f"expected a table, found {_describe(value)}")
            entries.append(Entry(value, file=self.file, where=where))
        return entries

    def finish(self) -> None:
        """Refuse keys no getter asked for: most often a misspelt optional key."""
        unknown = [key for key in self._values if key not in self._asked]
        if unknown:
            known = ", ".join(sorted(set(self._asked)))
            raise self.error(unknown[0], f"unknown key; the known keys here are: {known}")


def unique(entries: list[Entry], values: list[str], key: str) -> None:
    """Refuse a value of ``key`` that a previous entry already has."""
    seen: set[str] = set()
    for entry, value in zip(entries, values, strict=True):
        if value in seen:
            raise entry.error(key, f'"{value}" is used by an earlier entry already')
        seen.add(value)


def _not_one_of(value: str, choices: Collection[str]) -> str:
    return f'"{value}" is not one of: {", ".join(choices)}'


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return f'the text "{value}"'
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__
