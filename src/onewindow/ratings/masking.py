"""Masking the personal numbers a member of staff or a rater may have typed into free text that
is shown to others (a published fix, a comment on "my ratings"): a mainland mobile number, an
18-digit resident ID number and a landline become ``***``. Names cannot be found this way: the
forms ask not to write any."""

from __future__ import annotations

import re

MASK = "***"
_NUMBERS = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"\d{17}[\dXx]"  # an 18-digit resident ID number
    r"|1[3-9]\d(?:[-\s]?\d{4}){2}"  # a mainland mobile number (138 0013 8000 too)
    r"|(?:\(0\d{2,3}\)|0\d{2,3})[-\s]?\d{7,8}(?:-\d{1,6})?"  # a landline with its area code
    r"|\d{7,8}"  # a landline without it
    r")(?![0-9A-Za-z])"
)


def mask_personal(text: str) -> str:
    """``text`` with every mobile, resident ID and landline number replaced by ``***``."""
    return _NUMBERS.sub(MASK, text or "")


__all__ = ["MASK", "mask_personal"]
