"""Checks of the identifiers people type in: resident ID numbers, unified social credit codes
and mainland phone numbers.

Pure functions (no database, no app), so every app checks a number the same way: the
applicants' register, the citizens' accounts and the catalogue's online forms. Each
``check_*`` appends a bilingual ``FieldError`` to an ``ErrorList`` and returns the canonical
value (or ``""`` when invalid), so a caller can collect every problem of a form at once.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum import numdb
from stdnum.cn import ric
from stdnum.cn import uscc as stdnum_uscc

from onewindow.core import crypto
from onewindow.core.errors import ErrorList

RESIDENT_ID_LENGTH = 18
RESIDENT_ID_RE = re.compile(r"[0-9]{17}[0-9X]")
MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
# Subscriber numbers of fixed lines have 7 or 8 digits and do not start with 0 or 1.
SUBSCRIBER_RE = re.compile(r"[2-9][0-9]{6,7}")
RESIDENT_ID_MESSAGE = {
    "invalid_length": _("The resident ID number must have 18 characters."),
    "invalid_format": _("The resident ID number must be 17 digits followed by a digit or X."),
    "invalid_checksum": _("The resident ID number is not valid (check digit)."),
    "invalid_birth_date": _("The resident ID number does not contain a possible birth date."),
    "invalid_region": _("The resident ID number does not start with a known region code."),
}
USCC_MESSAGE = {
    "invalid_length": _("A unified social credit code has 18 characters."),
    "invalid_format": _(
        "A unified social credit code is 8 digits followed by 10 digits or capital letters "
        "(no I, O, S, V, Z)."
    ),
    "invalid_checksum": _("The unified social credit code is not valid (check character)."),
}
MOBILE_MESSAGE = _("Enter a mainland mobile number: 11 digits starting with 1.")


def normalise_document_number(value: str) -> str:
    """Full-width to half-width, no spaces or separators, upper case (a final x becomes X)."""
    return crypto.normalise_identifier(value)


def resident_id_region_known(code: str) -> bool:
    """Is ``code`` a county-level division code in python-stdnum's table, in any period?

    A resident ID's region is where the holder was registered when the number was given,
    not where they were born: Liwan's 440103 exists since 1983, yet people born there in 1950
    carry it. ``stdnum.cn.ric.validate`` refuses a code created after the birth year, which
    would turn away every elderly applicant of such a district; so the region is checked here
    against every period of the table instead.
    """
    results = numdb.get("cn/loc").info(code)
    return any("county" in properties for _, properties in results)


def resident_id_error_code(number: str) -> str | None:
    """Why a (normalised) resident ID number is not valid — a key of ``RESIDENT_ID_MESSAGE`` —
    or ``None`` when it is."""
    if len(number) != RESIDENT_ID_LENGTH:
        return "invalid_length"
    if not RESIDENT_ID_RE.fullmatch(number):
        return "invalid_format"
    try:
        ric.validate(number)
    except stdnum_errors.InvalidChecksum:
        return "invalid_checksum"
    except stdnum_errors.InvalidComponent:
        # Birth date first, then the region (see ``resident_id_region_known``).
        try:
            ric.get_birth_date(number)
        except stdnum_errors.InvalidComponent:
            return "invalid_birth_date"
        if not resident_id_region_known(number[:6]):
            return "invalid_region"
    except stdnum_errors.ValidationError:
        return "invalid_format"
    if ric.get_birth_date(number) > timezone.localdate():
        return "invalid_birth_date"
    return None


def check_resident_id(errors: ErrorList, *, id_number: str, field: str = "id_number") -> str:
    """The canonical resident ID number, or ``""`` after adding the problem to ``errors``."""
    number = normalise_document_number(id_number)
    if not number:
        errors.add(field, "required", _("Enter the identity document number."))
        return ""
    code = resident_id_error_code(number)
    if code is not None:
        errors.add(field, code, RESIDENT_ID_MESSAGE[code])
        return ""
    return number


def normalise_phone(value: str) -> str | None:
    """``13800138000`` for a mobile, ``020-81234567`` for a fixed line; ``None`` if neither.

    Accepts full-width digits, spaces, hyphens, brackets and a +86 / 0086 prefix. Area codes
    010 and 02x have 3 digits, every other area code 4 — that is how the national plan is laid
    out, so the split does not depend on how the number was typed.
    """
    text = unicodedata.normalize("NFKC", value or "")
    text = re.sub(r"[\s()\-]", "", text)
    text = re.sub(r"^(\+86|0086)", "", text)
    if not text.isascii() or not text.isdigit():
        return None
    if MOBILE_RE.fullmatch(text):
        return text
    if text.startswith("0") and len(text) > 3:
        area_length = 3 if text[1] in "12" else 4
        area, subscriber = text[:area_length], text[area_length:]
        if SUBSCRIBER_RE.fullmatch(subscriber):
            return f"{area}-{subscriber}"
    return None


def check_phone(errors: ErrorList, *, phone: str, field: str = "phone") -> str:
    """The canonical phone, ``""`` when none was given or after adding the problem."""
    if not (phone or "").strip():
        return ""
    canonical = normalise_phone(phone)
    if canonical is None:
        errors.add(
            field,
            "invalid_phone",
            _(
                "Enter a mainland mobile number (11 digits starting with 1) or a fixed-line "
                "number with its area code."
            ),
        )
        return ""
    return canonical


def check_mobile(errors: ErrorList, *, phone: str, field: str = "phone") -> str:
    """The 11-digit mainland mobile number, or ``""`` after adding the problem."""
    canonical = normalise_phone(phone or "")
    if canonical is None or not MOBILE_RE.fullmatch(canonical):
        errors.add(field, "invalid_mobile", MOBILE_MESSAGE)
        return ""
    return canonical


def check_uscc(errors: ErrorList, *, uscc: str, field: str = "uscc") -> str:
    """The canonical unified social credit code, or ``""`` after adding the problem."""
    number = normalise_document_number(uscc)
    if not number:
        errors.add(field, "required", _("Enter the unified social credit code."))
        return ""
    if not number.isascii():
        errors.add(field, "invalid_format", USCC_MESSAGE["invalid_format"])
        return ""
    try:
        return str(stdnum_uscc.validate(number))
    except stdnum_errors.InvalidLength:
        code = "invalid_length"
    except stdnum_errors.InvalidChecksum:
        code = "invalid_checksum"
    except stdnum_errors.ValidationError:
        code = "invalid_format"
    errors.add(field, code, USCC_MESSAGE[code])
    return ""
