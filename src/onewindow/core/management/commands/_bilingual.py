"""Command output in zh-Hans and English, one line each."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise

from onewindow.core.errors import bilingual


def both(message: str | Promise, **params: Any) -> str:
    text = bilingual(message, **params)
    return f"{text['zh']}\n{text['en']}"
