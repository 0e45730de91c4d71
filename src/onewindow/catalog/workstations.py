"""The catalogue's entry in the staff shell: the workbook page, for whoever may import or
export. Called once from ``CatalogConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action, can
from onewindow.staff.navigation import register_workstation


def may_use_workbook(user: Any) -> bool:
    return can(user, Action.CATALOG_IMPORT) or can(user, Action.CATALOG_EXPORT)


def register() -> None:
    register_workstation(
        key="catalog.workbook",
        label=_("Catalogue workbook"),
        url_name="catalog_manage:index",
        visible=may_use_workbook,
        order=60,
        description=_("The catalogue as an Excel workbook: export, template, import."),
    )
