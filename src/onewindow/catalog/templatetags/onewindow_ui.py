"""Small template helpers for the public pages and the site layout.

Loaded as ``{% load onewindow_ui %}``; the library is global, so templates of any app may use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from onewindow.catalog.names import english_active, local_text, step_text

register = template.Library()


@register.filter
def local_name(obj: Any) -> str:
    """``name_en`` on English pages when it is filled in, the Chinese ``name`` otherwise."""
    if obj is None:
        return ""
    name_en = getattr(obj, "name_en", "")
    if english_active() and name_en:
        return str(name_en)
    return str(getattr(obj, "name", obj))


@register.filter(name="local_text")
def local_text_filter(name: Any, name_en: Any) -> str:
    """``{{ row.item_name|local_text:row.item_name_en }}``: ``local_name`` for two plain values
    (rows read with ``values()``): see ``catalog.names.local_text``."""
    return local_text(name, name_en)


@register.filter
def case_item_name(case: Any) -> str:
    """The item name of a case: the name its version recorded (``snapshot["name"]``); on
    English pages the version's ``name_en``, else the item's current ``name_en`` (versions
    published before the English name was filled in), when there is one."""
    snapshot = getattr(getattr(case, "item_version", None), "snapshot", None) or {}
    name = snapshot.get("name") or getattr(case.item, "name", "")
    if not english_active():
        return str(name)
    return str(snapshot.get("name_en") or getattr(case.item, "name_en", "") or name)


@register.simple_tag
def colon() -> str:
    """``{{ label }}{% colon %}{{ value }}``: the full-width colon of Chinese text on Chinese
    pages (名称：值), ": " on English ones."""
    return ": " if english_active() else "："


@register.filter
def step_name(step: Any) -> str:
    """``{{ task|step_name }}`` for a ``CaseTask`` or ``ProcessStep``: see ``step_text``."""
    if step is None:
        return ""
    return step_text(str(getattr(step, "kind", "")), str(getattr(step, "name", "")))


@register.filter
def limit_in(amount: Any, unit: str) -> str:
    """``{{ item.promised_limit|limit_in:item.promised_limit_unit }}`` → "5 working days",
    "1 working day", "5个工作日"."""
    from onewindow.catalog.codes import time_limit_text

    return time_limit_text(amount, str(unit))


@dataclass(frozen=True)
class LanguageLink:
    code: str
    label: str
    url: str
    is_current: bool


@register.simple_tag
def language_links(request: HttpRequest | None) -> list[LanguageLink]:
    """The same page in every configured language (Chinese at ``/``, English under ``/en/``).

    Plain links rather than a POST form: they work without JavaScript or cookies and can be
    bookmarked, and the URL alone decides the language (``prefix_default_language=False``).
    """
    current = translation.get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path() if request is not None else "/"
    return [
        LanguageLink(
            code=code, label=str(label), url=translate_url(path, code), is_current=current == code
        )
        for code, label in settings.LANGUAGES
    ]


@register.simple_tag
def city_name() -> str:
    return str(getattr(settings, "ONEWINDOW_CITY_NAME", "") or "")


# An address in a message the platform wrote (an SMS: "进度：https://…/p/…"): Chinese text puts
# no space before it, so Django's ``urlize`` (which splits on spaces) misses it.
_ADDRESS = re.compile(r"https?://[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]+")


@register.filter(needs_autoescape=True)
def message_links(text: Any, autoescape: bool = True) -> str:
    """``{{ message.text|message_links }}``: the text escaped, each http(s) address in it a link."""
    value = str(text or "")
    out: list[str] = []
    last = 0
    for found in _ADDRESS.finditer(value):
        out.append(conditional_escape(value[last : found.start()]))
        address = found.group(0)
        out.append(format_html('<a href="{}">{}</a>', address, address))
        last = found.end()
    out.append(conditional_escape(value[last:]))
    return mark_safe("".join(str(part) for part in out))  # every part escaped above
