"""What the audit trail's readers see: labels of action codes and traceable names of objects.

Core imports no app: each app that writes audit rows may have an ``audit_labels`` module, found
through the app registry (like ``admin`` modules), with any of

- ``ACTION_LABELS`` — a human label per audit action code (``staff.sign_in``);
- ``PERMISSION_LABELS`` — a label per permission action (``case.deliver``), for refusals:
  ``denied:case.deliver`` reads "拒绝：<label>" (``Refused: <label>``);
- ``OBJECT_DESCRIBERS`` — per ``object_type``, a function that names many objects at once from
  their stored ids (one query for a whole page of rows, never one per row).

An unknown code shows as itself; a row whose object type has no describer (or whose object is
gone) shows its stored ``object_repr``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

DENIED_PREFIX = "denied:"
MODULE = "audit_labels"

# A describer takes object ids (strings, as stored) and answers a name for those it knows.
Describer = Callable[[list[str]], Mapping[str, str]]


@dataclass
class Registry:
    actions: dict[str, str | Promise] = field(default_factory=dict)
    permissions: dict[str, str | Promise] = field(default_factory=dict)
    describers: dict[str, Describer] = field(default_factory=dict)


@functools.cache
def registry() -> Registry:
    """Every installed app's ``audit_labels``, read once (after the apps are ready)."""
    found = Registry()
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, MODULE):
            continue
        module = import_module(f"{config.name}.{MODULE}")
        found.actions.update(getattr(module, "ACTION_LABELS", {}))
        found.permissions.update(getattr(module, "PERMISSION_LABELS", {}))
        found.describers.update(getattr(module, "OBJECT_DESCRIBERS", {}))
    return found


def action_label(code: str) -> str:
    """The label of an audit action code in the current language, or the code itself."""
    if code.startswith(DENIED_PREFIX):
        refused = code[len(DENIED_PREFIX) :]
        label = registry().permissions.get(refused) or registry().actions.get(refused)
        return gettext("Refused: %(action)s") % {"action": str(label) if label else refused}
    label = registry().actions.get(code)
    return str(label) if label else code


def action_choices(codes: Iterable[str]) -> list[tuple[str, str]]:
    """``(code, label)`` for a filter, by label."""
    return sorted(((code, action_label(code)) for code in codes), key=lambda pair: pair[1])


def describe_objects(rows: Iterable[Any]) -> None:
    """Set ``trace_repr`` on each audit row: its describer's name, else its ``object_repr``.

    One call of each describer for all the rows of its object type (a page of the list)."""
    rows = list(rows)
    describers = registry().describers
    wanted: dict[str, set[str]] = {}
    for row in rows:
        if row.object_type in describers and row.object_id:
            wanted.setdefault(row.object_type, set()).add(row.object_id)
    names = {
        object_type: describers[object_type](sorted(ids)) for object_type, ids in wanted.items()
    }
    for row in rows:
        row.trace_repr = names.get(row.object_type, {}).get(row.object_id) or row.object_repr


# Core's own rows (the audit middleware's refusals, the admin's sign-out).
ACTION_LABELS = {
    "admin.sign_out": _("Signed out of the admin"),
}
PERMISSION_LABELS = {
    "unauthenticated": _("not signed in"),
    "forbidden": _("page not allowed"),
    "not_found": _("missing or not yours"),
}
