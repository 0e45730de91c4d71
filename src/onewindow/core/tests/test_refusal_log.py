"""A refused request (403) or a "not found" (404) is one log line at INFO, without traceback,
and keeps its audit row; a server error keeps its level and traceback (core/logfilters.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from onewindow.config import urls as site
from onewindow.core.logfilters import RefusalsAtInfo
from onewindow.org.models import Role
from onewindow.testing.audit import audit_mark, audit_since
from onewindow.testing.factories import CentreFactory, staff_with_role


def raises_permission_denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("not for you")


def raises_runtime_error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


# The site's URLs (the error pages link to them) plus two that fail on purpose.
handler403 = site.handler403
handler404 = site.handler404
urlpatterns = [
    path("refuse/", raises_permission_denied),
    path("crash/", raises_runtime_error),
    *site.urlpatterns,
]


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def request_log() -> Iterator[Collect]:
    """What ``django.request`` writes (it does not propagate: caplog at the root sees none)."""
    handler = Collect()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def one_line(record: logging.LogRecord) -> str:
    text = logging.Formatter("%(levelname)s %(message)s").format(record)
    assert "\n" not in text
    return text


def test_a_refused_staff_page_is_one_info_line_and_is_audited(client, db, request_log):
    clerk = staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())
    client.force_login(clerk)
    mark = audit_mark()
    assert client.get("/staff/cases/queue/").status_code == 403
    assert [one_line(r) for r in request_log.records] == [
        "INFO refused 403 GET /staff/cases/queue/"
    ]
    assert [r.exc_info for r in request_log.records] == [None]
    refusals = audit_since(mark).filter(allowed=False)
    assert list(refusals.values_list("action", flat=True)) == ["denied:case.work"]


def test_a_missing_case_is_one_info_line_and_is_audited(client, db, request_log):
    clerk = staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())
    client.force_login(clerk)
    mark = audit_mark()
    assert client.get("/staff/cases/4401039999/").status_code == 404
    assert [one_line(r) for r in request_log.records] == [
        "INFO refused 404 GET /staff/cases/4401039999/"
    ]
    assert audit_since(mark).filter(allowed=False, action="denied:not_found").count() == 1


@pytest.mark.urls(__name__)
def test_a_raised_permission_denied_loses_its_traceback_in_the_log(client, db, request_log):
    assert client.get("/refuse/").status_code == 403
    assert [one_line(r) for r in request_log.records] == ["INFO refused 403 GET /refuse/"]
    assert [(r.exc_info, r.exc_text) for r in request_log.records] == [(None, None)]


@pytest.mark.urls(__name__)
def test_a_server_error_keeps_its_level_and_traceback(client, db, request_log):
    client.raise_request_exception = False
    assert client.get("/crash/").status_code == 500
    (record,) = request_log.records
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError


def test_below_info_the_refusal_line_is_dropped():
    logger = logging.getLogger("onewindow.tests.refusal_log")
    logger.setLevel(logging.WARNING)
    record = logger.makeRecord(
        logger.name,
        logging.WARNING,
        __file__,
        1,
        "Forbidden: %s",
        ("/x/",),
        None,
        extra={"status_code": 403},
    )
    assert RefusalsAtInfo().filter(record) is False
    logger.setLevel(logging.INFO)
    assert RefusalsAtInfo().filter(record) is True
    assert (record.levelname, record.getMessage()) == ("INFO", "refused 403 - -")


def test_the_path_in_the_line_has_no_line_break():
    class Request:
        method = "GET"
        path = "/a\nforged line"

    record = logging.getLogger("django.request").makeRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        ("x",),
        None,
        extra={"status_code": 404, "request": Request()},
    )
    RefusalsAtInfo().filter(record)
    assert record.getMessage() == "refused 404 GET /a\\nforged line"
