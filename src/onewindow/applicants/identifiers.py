"""Normalising, checking and masking what applicants type in: ID numbers, phones, addresses.

Pure functions (no database). Each ``check_*`` appends bilingual ``FieldError``s to an
``ErrorList`` and returns the canonical value (or ``""`` when invalid), so a service can collect
every problem of a form before refusing it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric

from onewindow.applicants.models import Gender, IdType
from onewindow.core import crypto
from onewindow.core.errors import ErrorList

# The number checks themselves live in core, where every app can reach them; re-exported here
# for the applicants' callers.
from onewindow.core.identifiers import (  # noqa: F401
    MOBILE_RE,
    RESIDENT_ID_LENGTH,
    RESIDENT_ID_MESSAGE,
    RESIDENT_ID_RE,
    SUBSCRIBER_RE,
    USCC_MESSAGE,
    check_phone,
    check_uscc,
    normalise_document_number,
    normalise_phone,
    resident_id_error_code,
    resident_id_region_known,
)

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


def resident_id_facts(number: str) -> ResidentIdFacts:
    """Birth date, gender (17th digit odd = male) and region for a *valid* resident ID."""
    return ResidentIdFacts(
        birth_date=ric.get_birth_date(number),
        gender=Gender.MALE if int(number[16]) % 2 else Gender.FEMALE,
        region_code=number[:6],
    )


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
        code = resident_id_error_code(number)
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
