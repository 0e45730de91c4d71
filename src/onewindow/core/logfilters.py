"""Logging filters for Django's own loggers.

``django.request`` writes every 4xx answer as a WARNING, worded like an exception
("Forbidden: /staff/cases/output/"), and with the exception's traceback when a view raised
Django's ``PermissionDenied``. A refusal (403) or a "not found" (404) is the platform working as
meant and already has its audit row (``RefusalAuditMiddleware``, the staff pages, the API), so it
is logged as one line at INFO: ``refused 403 GET /path``. Other answers are untouched (a 5xx
keeps its level and traceback).

``escape_for_log`` is the one escaping of client-chosen text on log lines (here, and the access
line of ``core.requestid``).
"""

from __future__ import annotations

import logging

REFUSED_STATUSES = frozenset({403, 404})


def escape_for_log(value: object, limit: int = 500) -> str:
    """Text a client chose (a path, a header) as it may go on one log line: every line break,
    control and non-ASCII character written as a Python escape (``\\n``, ``\\x1b``,
    ``\\u4e00``), so that nothing the client sends can start a forged line; at most ``limit``
    characters."""
    return str(value).encode("unicode_escape").decode("ascii")[:limit]


class RefusalsAtInfo(logging.Filter):
    """One INFO line, no traceback, for a 403 or 404 of ``django.request``; dropped when the
    logger is not enabled for INFO (``LOG_LEVEL=WARNING``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status not in REFUSED_STATUSES or record.levelno != logging.WARNING:
            return True
        if not logging.getLogger(record.name).isEnabledFor(logging.INFO):
            return False
        request = getattr(record, "request", None)
        method = str(getattr(request, "method", "") or "-")
        path = str(getattr(request, "path", "") or "-")
        record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        # No line break or control character from the client on the line.
        record.msg, record.args = (
            "refused %s %s %s",
            (status, escape_for_log(method, 32), escape_for_log(path)),
        )
        return True
