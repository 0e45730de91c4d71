"""Names in the page's language: the catalogue's names are Chinese (``name``) with an optional
English one (``name_en``, on items, topics, departments, centres and regions). English pages
(``/en/…``) show the English name when it is filled in, the Chinese one otherwise.

Plain functions, so selectors and views of other apps may use them; the template filters
(``onewindow_ui``: ``local_name``, ``local_text``, ``case_item_name``, ``step_name``) call them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.utils import translation

from onewindow.catalog.codes import StepKind


def english_active() -> bool:
    return (translation.get_language() or "").startswith("en")


def local_text(name: Any, name_en: Any) -> str:
    """``name_en`` on English pages when it is filled in, ``name`` otherwise."""
    if english_active() and name_en:
        return str(name_en)
    return "" if name is None else str(name)


@lru_cache(maxsize=1)
def standard_step_names() -> dict[str, str]:
    """The Chinese name the standard process gives each step kind (``rules.default_steps``)."""
    from onewindow.catalog.rules import default_steps

    class _Standard:
        case_type = ""

    return {str(step["kind"]): step["name"] for step in default_steps(_Standard())}


def step_text(kind: str, name: str) -> str:
    """A step's (or case task's) name as the page shows it. The stored name is Chinese (copied
    from the item's process); on English pages a name that is the standard Chinese name of its
    kind (受理, 审查, 审批, 办结, 送达: ``rules.default_steps``) shows as the kind's translated
    label ("Review"); any other name — an item's own wording — as stored."""
    if english_active() and kind in StepKind.values and standard_step_names().get(kind) == name:
        return str(StepKind(kind).label)
    return name
