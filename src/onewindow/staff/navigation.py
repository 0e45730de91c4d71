"""The staff navigation: which workstations exist and who sees which.

Each app registers its workstations from its ``AppConfig.ready()``::

    from onewindow.staff.navigation import register_workstation

    register_workstation(
        key="cases.intake",
        label=_("Intake"),
        url_name="cases_staff:intake",
        action=Action.CASE_ACCEPT,
        order=10,
        description=_("Read the ID card, check the papers, accept."),
    )

The staff layout shows the workstations a user may open as the navigation bar, and the staff
home as cards. Who sees an entry is decided by ``org.permissions`` (``action``: the user may
do it somewhere) or by a ``visible(user)`` predicate for anything more particular. Showing an
entry grants nothing: every page still checks its own permission.

A *tool* is a small form shown in the staff bar of every staff page (the case-number box of
``cases``); an app registers it with ``register_tool``. The staff app imports no other app: the
apps come to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.functional import Promise

from onewindow.org.permissions import Action, can

Predicate = Callable[[Any], bool]


def _may_see(user: Any, action: Action | None, visible: Predicate | None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if visible is not None:
        return bool(visible(user))
    return action is not None and can(user, action)


def _check_who(key: str, action: Action | None, visible: Predicate | None) -> None:
    if (action is None) == (visible is None):
        raise ImproperlyConfigured(f"Staff entry {key!r}: give exactly one of action= or visible=.")


@dataclass(frozen=True)
class Workstation:
    """One entry of the staff navigation and one card on the staff home."""

    key: str
    label: str | Promise
    url_name: str
    action: Action | None = None
    visible: Predicate | None = None
    order: int = 100
    description: str | Promise = ""

    def is_visible_to(self, user: Any) -> bool:
        return _may_see(user, self.action, self.visible)

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class Tool:
    """A small form in the staff bar; ``template`` is included with the page's context."""

    key: str
    template: str
    action: Action | None = None
    visible: Predicate | None = None
    order: int = 100

    def is_visible_to(self, user: Any) -> bool:
        return _may_see(user, self.action, self.visible)


class Registry:
    """Workstations and tools by key. Registering the same entry twice is harmless (``ready()``
    may run more than once); two different entries under one key are a configuration error."""

    def __init__(self) -> None:
        self._workstations: dict[str, Workstation] = {}
        self._tools: dict[str, Tool] = {}

    def add_workstation(self, entry: Workstation) -> Workstation:
        _check_who(entry.key, entry.action, entry.visible)
        known = self._workstations.get(entry.key)
        if known is not None and known != entry:
            raise ImproperlyConfigured(f"Staff workstation {entry.key!r} is registered twice.")
        self._workstations[entry.key] = entry
        return entry

    def add_tool(self, tool: Tool) -> Tool:
        _check_who(tool.key, tool.action, tool.visible)
        known = self._tools.get(tool.key)
        if known is not None and known != tool:
            raise ImproperlyConfigured(f"Staff tool {tool.key!r} is registered twice.")
        self._tools[tool.key] = tool
        return tool

    def workstations(self) -> list[Workstation]:
        return sorted(self._workstations.values(), key=lambda w: (w.order, w.key))

    def tools(self) -> list[Tool]:
        return sorted(self._tools.values(), key=lambda t: (t.order, t.key))

    def workstations_for(self, user: Any) -> list[Workstation]:
        """The workstations ``user`` may open, in navigation order."""
        return [w for w in self.workstations() if w.is_visible_to(user)]

    def tools_for(self, user: Any) -> list[Tool]:
        return [t for t in self.tools() if t.is_visible_to(user)]


registry = Registry()


def register_workstation(
    *,
    key: str,
    label: str | Promise,
    url_name: str,
    action: Action | None = None,
    visible: Predicate | None = None,
    order: int = 100,
    description: str | Promise = "",
) -> Workstation:
    """Add a workstation to the staff navigation and home. ``key`` is ``"<app>.<name>"``;
    ``url_name`` is reversed without arguments; give ``action`` or ``visible``, not both."""
    return registry.add_workstation(
        Workstation(
            key=key,
            label=label,
            url_name=url_name,
            action=action,
            visible=visible,
            order=order,
            description=description,
        )
    )


def register_tool(
    *,
    key: str,
    template: str,
    action: Action | None = None,
    visible: Predicate | None = None,
    order: int = 100,
) -> Tool:
    """Add a small form (a template) to the staff bar of every staff page."""
    return registry.add_tool(
        Tool(key=key, template=template, action=action, visible=visible, order=order)
    )


def workstations_for(user: Any) -> list[Workstation]:
    """The registered workstations ``user`` may open, in navigation order."""
    return registry.workstations_for(user)


def tools_for(user: Any) -> list[Tool]:
    return registry.tools_for(user)


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str
    url: str
    current: bool


def navigation_for(user: Any, path: str) -> list[NavLink]:
    """The navigation bar for ``user`` on the page at ``path``: an entry is current when the
    page is its workstation or lies under it (``/staff/cases/intake/desk/`` under intake)."""
    entries = [(w, w.url) for w in workstations_for(user)]
    under = [(len(url), w.key) for w, url in entries if path.startswith(url)]
    current = max(under)[1] if under else None
    return [NavLink(w.key, str(w.label), url, w.key == current) for w, url in entries]
