"""``{% load staff_shell %}``: the staff bar, computed from the navigation registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse

from onewindow.staff.navigation import NavLink, Tool, navigation_for, tools_for

register = template.Library()


@dataclass(frozen=True)
class StaffBar:
    home_url: str
    home_current: bool
    links: list[NavLink]
    tools: list[Tool]


@register.simple_tag(takes_context=True)
def staff_bar(context: Any) -> StaffBar:
    """The staff bar for the signed-in user of this page: home, their workstations, tools."""
    request = context.get("request")
    user = getattr(request, "user", None)
    path = getattr(request, "path", "")
    home = reverse("staff:home")
    return StaffBar(
        home_url=home,
        home_current=path == home,
        links=navigation_for(user, path),
        tools=tools_for(user),
    )
