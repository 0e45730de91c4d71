"""A test-only URL configuration: the site's URLs plus pages that fail on purpose.

Never part of the production URLs; tests select it with ``@pytest.mark.urls``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from onewindow.config import urls as site
from onewindow.core.errors import NotFoundOrForbidden, PermissionDenied
from onewindow.org.permissions import Action, require
from onewindow.staff.decorators import staff_page

handler403 = site.handler403
handler404 = site.handler404


class Crash(Exception):
    pass


def crash(request: HttpRequest) -> HttpResponse:
    raise Crash("a test-only failure")


@staff_page
def missing(request: HttpRequest) -> HttpResponse:
    raise NotFoundOrForbidden()  # nothing by that name: no refusal audited yet


@staff_page
def missing_django(request: HttpRequest) -> HttpResponse:
    raise Http404


@staff_page
def not_yours(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.AUDIT_VIEW, hide=True)  # audits the refusal itself
    return HttpResponse("yours")


@staff_page
def forbidden(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.AUDIT_VIEW)  # audits the refusal itself
    return HttpResponse("allowed")


@staff_page
def forbidden_unaudited(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied()


@staff_page
def forbidden_django(request: HttpRequest) -> HttpResponse:
    raise DjangoPermissionDenied


urlpatterns = [
    path("test-only/crash/", crash),
    path("staff/test-only/missing/", missing),
    path("staff/test-only/missing-django/", missing_django),
    path("staff/test-only/not-yours/", not_yours),
    path("staff/test-only/forbidden/", forbidden),
    path("staff/test-only/forbidden-unaudited/", forbidden_unaudited),
    path("staff/test-only/forbidden-django/", forbidden_django),
    *site.urlpatterns,
]
