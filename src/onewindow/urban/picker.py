"""The category picker of the report pages: every active subclass with its major class, and
its name in pinyin (full and initials) so "blj" or "baolu" finds 暴露垃圾 on a phone keyboard.
One query; the phone's service worker keeps the list for offline use."""

from __future__ import annotations

from typing import Any

from pypinyin import Style, lazy_pinyin

from onewindow.urban.models import Category


def pinyin_of(text: str) -> tuple[str, str]:
    """(full pinyin without tones, initials), lower case, no spaces: 暴露垃圾 → baolulaji, bllj."""
    syllables = lazy_pinyin(text, errors="ignore")
    initials = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(syllables).lower(), "".join(initials).lower()


def categories_for_report() -> list[dict[str, Any]]:
    """The active subclasses (of an active major class), by code."""
    rows = (
        Category.objects.filter(is_active=True, parent__isnull=False, parent__is_active=True)
        .select_related("parent")
        .order_by("code")
    )
    out = []
    for category in rows:
        assert category.parent is not None
        full, initials = pinyin_of(category.name)
        out.append(
            {
                "code": category.code,
                "name": category.name,
                "kind": category.kind,
                "major": category.parent.name,
                "major_code": category.parent.code,
                "keywords": category.keywords,
                "pinyin": full,
                "initials": initials,
            }
        )
    return out
