"""Logging filters for Django's own loggers.

``django.request`` writes every 4xx answer as a WARNING, worded like an exception
("Forbidden: /staff/cases/output/"), and with the exception's traceback when a view raised
Django's ``PermissionDenied``. A refusal (403) or a "not found" (404) is the platform working as
meant and already has its audit row (``RefusalAuditMiddleware``, the staff pages, the API), so it
is logged as one line at INFO: ``refused 403 GET /path``. Other answers are untouched (a 5xx
keeps its level and traceback).
"""

from __future__ import annotations

import logging

REFUSED_STATUSES = frozenset({403, 404})


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
        # The path as Django escapes it for the log: no line break or control character.
        escaped = path.encode("unicode_escape").decode("ascii")
        record.msg, record.args = "refused %s %s %s", (status, method, escaped)
        return True
