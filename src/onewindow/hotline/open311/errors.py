"""The one refusal of the Open311 face: an HTTP status and the spec's error array
(``[{code, description}]``), each description "中文 / English"."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise

from onewindow.core.errors import bilingual


def both(message: str | Promise, **params: Any) -> str:
    text = bilingual(message, **params)
    return f"{text['zh']} / {text['en']}"


class Open311Error(Exception):
    def __init__(self, status: int, descriptions: list[str], *, reason: str = "") -> None:
        super().__init__(status, descriptions)
        self.status = status
        self.descriptions = descriptions
        # A short code for the audit trail ("unknown_key", "too_many" …).
        self.reason = reason

    @classmethod
    def of(cls, status: int, message: str | Promise, *, reason: str = "", **params: Any):
        return cls(status, [both(message, **params)], reason=reason)
