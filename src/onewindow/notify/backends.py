"""Message gateways. A backend has the shape of an SMS gateway client::

    class Backend:
        def send(self, phone: str, text: str) -> str:  # the gateway's message id
            ...

and raises any exception when the gateway refuses or cannot be reached. Chosen by the setting
``NOTIFY_BACKEND`` (a dotted path; default ``LogBackend``). A real gateway (a carrier or cloud
SMS service) is one small class with this method.
"""

from __future__ import annotations

import logging
import uuid
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from onewindow.core.crypto import mask_phone

DEFAULT_BACKEND = "onewindow.notify.backends.LogBackend"
logger = logging.getLogger("onewindow.notify")


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> str: ...


class LogBackend:
    """Writes each message to the log (masked phone) instead of sending it: the embedded and
    development default."""

    def send(self, phone: str, text: str) -> str:
        message_id = f"log-{uuid.uuid4().hex}"
        logger.info("SMS to %s [%s]: %s", mask_phone(phone), message_id, text)
        return message_id


class MemoryBackend:
    """Keeps sent messages in ``MemoryBackend.outbox`` (phone, text, id): for tests and demos."""

    outbox: list[tuple[str, str, str]] = []

    def send(self, phone: str, text: str) -> str:
        message_id = f"mem-{len(MemoryBackend.outbox) + 1}"
        MemoryBackend.outbox.append((phone, text, message_id))
        return message_id


def get_backend() -> SmsBackend:
    backend_class = import_string(getattr(settings, "NOTIFY_BACKEND", DEFAULT_BACKEND))
    backend: SmsBackend = backend_class()
    return backend
