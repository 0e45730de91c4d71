"""Staff writes to the catalogue over HTTP (session sign-in): publishing a draft item."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.security import django_auth

from onewindow.catalog.api.schemas import ItemDetail, item_detail
from onewindow.catalog.selectors import item_list_visible
from onewindow.catalog.services import item_publish
from onewindow.core.errors import NotFoundOrForbidden
from onewindow.core.openapi import ErrorOut
from onewindow.core.validation import RecordId
from onewindow.org.permissions import Action, require

router = Router(auth=django_auth)


@router.post(
    "/items/{item_id}/publish",
    response={200: ItemDetail, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Publish a draft item (staff)",
)
def items_publish(request: HttpRequest, item_id: RecordId) -> dict[str, Any]:
    item = item_list_visible(request.user).filter(pk=item_id).first()
    if item is None:
        raise NotFoundOrForbidden()
    require(request.user, Action.CATALOG_EDIT, item)
    item_publish(item=item, actor=request.user)
    item.refresh_from_db()
    return item_detail(item)
