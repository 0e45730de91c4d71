"""The online form as the page's language shows it: a field's label (``label`` on Chinese
pages, ``label_en`` on English ones when it has one) and an answer as the applicant chose it —
a choice by its label, not its stored value; yes or no for a box."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from onewindow.catalog.names import english_active

register = template.Library()


def _local(entry: dict[str, Any], key: str) -> str:
    if english_active() and entry.get(f"{key}_en"):
        return str(entry[f"{key}_en"])
    return str(entry.get(key) or "")


@register.filter
def field_label(field: dict[str, Any]) -> str:
    return _local(field, "label") or str(field.get("key") or "")


@register.filter
def field_help(field: dict[str, Any]) -> str:
    return _local(field, "help_text")


@register.filter
def answer_shown(value: Any, field: dict[str, Any]) -> str:
    """``value`` of ``field`` for the page: choices by their labels (、-separated on Chinese
    pages), a box as 是 / 否, anything else as it is; "" for no answer."""
    if value in ("", None, []):
        return ""
    choices = {str(c.get("value")): c for c in field.get("choices") or []}
    kind = field.get("kind")
    if kind == "boolean":
        return _("Yes") if value is True or value in ("true", "on", "1") else _("No")
    if kind == "choice":
        choice = choices.get(str(value))
        return _local(choice, "label") if choice else str(value)
    if kind == "multichoice" and isinstance(value, list | tuple):
        shown = [_local(choices[str(v)], "label") if str(v) in choices else str(v) for v in value]
        return (", " if english_active() else "、").join(shown)
    return str(value)
