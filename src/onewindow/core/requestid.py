"""A request id on every log line, and JSON logs (the production profile, ``LOG_FORMAT=json``).

``RequestIdMiddleware`` gives each request an id: the ``X-Request-ID`` of a trusted proxy
(``TRUSTED_PROXIES``, ``core.client``) when it is well formed — 8 to 128 characters of letters,
digits and ``. _ : -`` — otherwise a new random one; an id sent by anyone else is not believed
but noted, escaped, on the access line (``client-request-id=…``, JSON ``client_request_id``).
The id is sent back in the answer's ``X-Request-ID`` header and held in a context variable for
the request's duration; ``RequestIdFilter`` (on the console handler, see ``settings.LOGGING``)
copies it onto every log record as ``request_id`` (``-`` outside a request). A task enqueued
during a request carries the id to the Celery worker in a message header (``core.tasks``,
``core.celery_app``), so the worker's log lines name the same request.

``JsonFormatter`` writes one JSON object a line: time (UTC, ISO 8601), level, logger, message,
request_id, and the exception's traceback when there is one. With ``LOG_REQUESTS=1`` (on by
default with ``LOG_FORMAT=json``) the middleware also logs one line per request to the logger
``onewindow.request``: method, path (escaped by ``core.logfilters.escape_for_log``: a ``%0A`` in
the path cannot forge a line; never the query string, which may carry a query code), status and
duration — except for the health and metrics addresses, polled every few seconds.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from onewindow.core.client import from_trusted_proxy
from onewindow.core.logfilters import escape_for_log

HEADER = "X-Request-ID"
# Also the name of the Celery message header that carries it (core.tasks, core.celery_app).
TASK_HEADER = "onewindow_request_id"
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,128}")
# Polled by load balancers and Prometheus: no access line for them.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "onewindow_request_id", default=None
)
request_logger = logging.getLogger("onewindow.request")


def well_formed(value: str | None) -> bool:
    """True for an id this platform accepts from outside (length and characters checked)."""
    return bool(value) and _WELL_FORMED.fullmatch(value or "") is not None


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request (or task) this code runs for, if any."""
    return _current.get()


@contextlib.contextmanager
def request_id_bound(value: str | None) -> Iterator[str | None]:
    """Hold ``value`` as the current id inside the block (a malformed one is dropped)."""
    token = _current.set(value if well_formed(value) else None)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        incoming = request.headers.get(HEADER)
        # Only a trusted proxy's id is believed: any client could otherwise pick the id under
        # which its lines are logged (and collide with someone else's request).
        honoured = incoming if incoming and well_formed(incoming) else None
        if honoured and not from_trusted_proxy(request):
            honoured = None
        request_id = honoured or new_request_id()
        # What the client sent instead, kept apart (escaped) on the access line.
        client_given = escape_for_log(incoming, 128) if incoming and not honoured else None
        started = time.perf_counter()
        with request_id_bound(request_id):
            response = self.get_response(request)
            response[HEADER] = request_id
            if getattr(settings, "LOG_REQUESTS", False) and request.path not in QUIET_PATHS:
                message = "%s %s %s %.1f ms"
                args: list[object] = [
                    escape_for_log(request.method, 32),
                    escape_for_log(request.path),
                    response.status_code,
                    (time.perf_counter() - started) * 1000,
                ]
                extra = {}
                if client_given is not None:
                    message += " client-request-id=%s"
                    args.append(client_given)
                    extra["client_request_id"] = client_given
                request_logger.info(message, *args, extra=extra)
        return response


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (``-`` when there is none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line; no field of the record beyond those named here is written."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id() or "-",
        }
        client_given = getattr(record, "client_request_id", None)
        if client_given:
            entry["client_request_id"] = client_given
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
