"""Message gateways, one per channel. A backend has the shape of a gateway client::

    class Backend:
        def send(self, recipient: str, text: str) -> str:  # the gateway's message id
            ...

and raises any exception when the gateway refuses or cannot be reached. For SMS the recipient
is a mobile number and the setting ``NOTIFY_BACKEND`` (a dotted path; default ``LogBackend``)
chooses the class; a real gateway (a carrier or cloud SMS service) is one small class with
this method.

Adding a channel (email, a webhook to a department system): a value in ``models.Channel``, an
entry in ``CHANNELS`` below (its setting, default backend and how to mask its recipient for
screens), and a backend class. Nothing else in notify changes.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from onewindow.core.crypto import mask_phone
from onewindow.notify.models import Channel

DEFAULT_BACKEND = "onewindow.notify.backends.LogBackend"
logger = logging.getLogger("onewindow.notify")


class Backend(Protocol):
    def send(self, recipient: str, text: str, *, shown: str) -> str:
        """Send ``text`` to ``recipient``; the gateway's message id. ``shown`` is the text as a
        log line or a screen may show it (the recipient's secrets masked)."""
        ...


@dataclass(frozen=True)
class ChannelSpec:
    setting: str  # the setting holding the backend's dotted path
    default_backend: str
    mask: Callable[[str], str]  # the recipient as screens may show it


CHANNELS: dict[str, ChannelSpec] = {
    Channel.SMS: ChannelSpec(
        setting="NOTIFY_BACKEND", default_backend=DEFAULT_BACKEND, mask=mask_phone
    ),
}


class LogBackend:
    """Writes each message to the log (masked phone) instead of sending it: the embedded and
    development default."""

    def send(self, recipient: str, text: str, *, shown: str) -> str:
        message_id = f"log-{uuid.uuid4().hex}"
        # The masked copy: a log is no place for the recipient's query code.
        logger.info("SMS to %s [%s]: %s", mask_phone(recipient), message_id, shown)
        return message_id


class MemoryBackend:
    """Keeps sent messages in ``MemoryBackend.outbox`` (recipient, text, id): for tests and
    demos."""

    outbox: list[tuple[str, str, str]] = []

    def send(self, recipient: str, text: str, *, shown: str) -> str:
        message_id = f"mem-{len(MemoryBackend.outbox) + 1}"
        MemoryBackend.outbox.append((recipient, text, message_id))
        return message_id


def get_backend(channel: str = Channel.SMS) -> Backend:
    spec = CHANNELS[channel]
    backend_class = import_string(getattr(settings, spec.setting, spec.default_backend))
    backend: Backend = backend_class()
    return backend
