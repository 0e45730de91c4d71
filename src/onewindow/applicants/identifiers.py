"""Normalising, checking and masking what applicants type in: ID numbers, phones, addresses.

Pure functions (no database). Each ``check_*`` appends bilingual ``FieldError``s to an
``ErrorList`` and returns the canonical value (or ``""`` when invalid), so a service can collect
every problem of a form before refusing it.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum import numdb
from stdnum.cn import ric
from stdnum.cn import uscc as stdnum_uscc

from onewindow.applicants.models import Gender, IdType
from onewindow.core import crypto
from onewindow.core.errors import ErrorList

RESIDENT_ID_LENGTH = 18
RESIDENT_ID_RE = re.compile(r"[0-9]{17}[0-9X]")
MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
# Subscriber numbers of fixed lines have 7 or 8 digits and do not start with 0 or 1.
SUBSCRIBER_RE = re.compile(r"[2-9][0-9]{6,7}")
OTHER_DOCUMENT_RE = {
    IdType.PASSPORT: re.compile(r"[A-Z0-9]{5,17}"),
    IdType.HK_MACAU_PERMIT: re.compile(r"[HM][0-9]{8}([0-9]{2})?"),
    IdType.TAIWAN_PERMIT: re.compile(r"[0-9]{8}([0-9]{2})?"),
}
OTHER_DOCUMENT_MESSAGE = {
    IdType.PASSPORT: _("A passport number has 5 to 17 letters or digits."),
    IdType.HK_MACAU_PERMIT: _(
        "A permit number for Hong Kong and Macao residents is H or M followed by 8 or 10 digits."
    ),
    IdType.TAIWAN_PERMIT: _("A permit number for Taiwan residents has 8 or 10 digits."),
}
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
NAME_MAX_LENGTH = 64
ADDRESS_MAX_LENGTH = 255
ADDRESS_VISIBLE_CHARS = 6
ORGANISATION_NAME_MAX_LENGTH = 255


@dataclass(frozen=True)
class ResidentIdFacts:
    """What a valid resident ID number says about its holder."""

    birth_date: datetime.date
    gender: str
    region_code: str


def normalise_document_number(value: str) -> str:
    """Full-width to half-width, no spaces or separators, upper case (a final x becomes X)."""
    return crypto.normalise_identifier(value)


def resident_id_facts(number: str) -> ResidentIdFacts:
    """Birth date, gender (17th digit odd = male) and region for a *valid* resident ID."""
    return ResidentIdFacts(
        birth_date=ric.get_birth_date(number),
        gender=Gender.MALE if int(number[16]) % 2 else Gender.FEMALE,
        region_code=number[:6],
    )


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


def _resident_id_error_code(number: str) -> str | None:
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


def check_document_number(
    errors: ErrorList, *, id_type: str, id_number: str, field: str = "id_number"
) -> str:
    """The canonical document number, or ``""`` after adding the problems to ``errors``."""
    if id_type not in IdType.values:
        errors.add("id_type", "invalid_choice", _("Unknown identity document type."))
        return ""
    number = normalise_document_number(id_number)
    if not number:
        errors.add(field, "required", _("Enter the identity document number."))
        return ""
    if id_type == IdType.RESIDENT_ID:
        code = _resident_id_error_code(number)
        if code is not None:
            errors.add(field, code, RESIDENT_ID_MESSAGE[code])
            return ""
        return number
    if not (number.isascii() and OTHER_DOCUMENT_RE[IdType(id_type)].fullmatch(number)):
        errors.add(field, "invalid_format", OTHER_DOCUMENT_MESSAGE[IdType(id_type)])
        return ""
    return number


def mask_document_number(*, id_type: str, number: str) -> str:
    """Resident IDs show region and last 4 (``440103********123X``); shorter documents show
    their first character and last 3, enough for a clerk to tell two people apart."""
    if id_type == IdType.RESIDENT_ID:
        return crypto.mask_id_number(number)
    text = normalise_document_number(number)
    if len(text) < 8:
        return "*" * len(text)
    return text[:1] + "*" * (len(text) - 4) + text[-3:]


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


def mask_address(value: str) -> str:
    """The first 6 characters (city and district, as a rule) and an ellipsis; a short address
    shows only its first half so that it is never shown whole."""
    if not value:
        return ""
    visible = min(ADDRESS_VISIBLE_CHARS, len(value) // 2)
    return value[:visible] + "…"


def check_text(
    errors: ErrorList,
    *,
    field: str,
    value: str,
    max_length: int,
    required_message: str | Promise | None = None,
) -> str:
    """Strip; refuse when too long, or empty while ``required_message`` is given."""
    text = (value or "").strip()
    if not text and required_message is not None:
        errors.add(field, "required", required_message)
    if len(text) > max_length:
        errors.add(
            field,
            "too_long",
            _("At most %(max_length)s characters are allowed."),
            max_length=max_length,
        )
    return text


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


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Full years of age on ``day``."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


class AgeBand(models.TextChoices):
    """What a window may see of a person's age: the bands services are granted by (minors;
    working age; the elderly from 60; the advanced age allowance from 80). A band never
    narrows the birth date that a resident ID's mask hides the way an exact age would."""

    MINOR = "0-17", _("Under 18")
    ADULT = "18-59", _("18 to 59")
    ELDERLY = "60-79", _("60 to 79")
    ADVANCED = "80+", _("80 and over")


def age_band(birth_date: datetime.date, day: datetime.date) -> AgeBand:
    """The band of the age on ``day``."""
    age = age_on(birth_date, day)
    if age < 18:
        return AgeBand.MINOR
    if age < 60:
        return AgeBand.ADULT
    if age < 80:
        return AgeBand.ELDERLY
    return AgeBand.ADVANCED


def mask_name(name: str) -> str:
    """A person's name with only the first and (from three characters) the last shown:
    陈* , 陈*文, 欧**明."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
