"""What a request may carry, checked at the edge — once, for the API and the pages alike.

The API's schemas (django-ninja / pydantic) build their fields from the types here; the pages'
forms use ``TextField`` / ``MultilineTextField``. A value that
breaks a rule is refused with 422 and a bilingual message before any query runs, so a NUL byte
(which PostgreSQL cannot store) or a number beyond a database integer never reaches the
database and never answers 500.

- text: no NUL and no other control character (C0, DEL, C1) nor a Unicode line or paragraph
  separator; ``MultilineText`` also allows tab, line feed and carriage return;
- integers: ``RecordId`` (1 … 10⁹), ``Offset`` (0 … 10⁹), ``Limit`` (1 … 200); in a JSON body
  ``JsonId`` / ``JsonCount`` (0 … 10⁹; narrow it with ``Field(le=…)``) are strict —
  ``true`` or ``"1"`` or ``1.0`` is not a number;
- ``JsonBool``: strict — only ``true`` and ``false``;
- ``Day``: an ISO date (``YYYY-MM-DD``, a string in JSON) between ``DAY_MIN`` and ``DAY_MAX``.

Query and path parameters arrive as text and are converted (``RecordId``, ``Offset``,
``Limit``); a JSON body must already carry the right JSON types (the ``Json*`` types).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator, BeforeValidator, Field, Strict
from pydantic_core import PydanticCustomError

from onewindow.core.errors import ErrorList, bilingual

MAX_ID = 10**9
MAX_OFFSET = 10**9
MAX_LIMIT = 200
DAY_MIN = dt.date(2000, 1, 1)
DAY_MAX = dt.date(2099, 12, 31)

# C0 controls, DEL, C1 controls, and the Unicode line / paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_EXCEPT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")

CONTROL_MESSAGE = _("This must not contain control characters (such as a NUL byte); retype it.")
MULTILINE_CONTROL_MESSAGE = _(
    "This must not contain control characters other than tabs and line breaks; retype it."
)
DAY_MESSAGE = _("Give a date between %(first)s and %(last)s (YYYY-MM-DD).")


def record_id(raw: object) -> int | None:
    """An id typed in a form, a query or an address: ASCII digits only ("²" and "١٢" are
    digits to ``str.isdigit`` but not ids), 1 … ``MAX_ID``; anything else is no id (``None``).

    A path's ``<int:…>`` converter accepts any number of digits, so a view given one checks
    it here too: a number beyond a database integer must answer "not found", never 500.
    """
    text = raw if isinstance(raw, str) else str(raw) if isinstance(raw, int) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    pattern = _CONTROL_EXCEPT_LINES if multiline else _CONTROL
    return bool(pattern.search(value))


def _pydantic_error(code: str, message: Any, **params: Any) -> PydanticCustomError:
    """A pydantic error carrying the platform's (lazy, bilingual) message: the API's
    validation handler renders it in both languages (``field_message``)."""
    english = bilingual(message, **params)["en"]
    return PydanticCustomError(
        code, "{message}", {"message": english, "lazy_message": message, "params": params}
    )


def field_message(problem: dict[str, Any]) -> tuple[Any, dict[str, Any]] | None:
    """The platform's message and its parameters in one of pydantic's error dicts, if a type
    of this module raised it."""
    context = problem.get("ctx") or {}
    if "lazy_message" not in context:
        return None
    return context["lazy_message"], dict(context.get("params") or {})


def _single_line(value: str) -> str:
    if has_control_characters(value):
        raise _pydantic_error("control_characters", CONTROL_MESSAGE)
    return value


def _multi_line(value: str) -> str:
    if has_control_characters(value, multiline=True):
        raise _pydantic_error("control_characters", MULTILINE_CONTROL_MESSAGE)
    return value


def _iso_day(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise _day_error() from None
    else:
        raise _day_error()
    if not DAY_MIN <= day <= DAY_MAX:
        raise _day_error()
    return day


def _day_error() -> PydanticCustomError:
    return _pydantic_error(
        "date_out_of_range", DAY_MESSAGE, first=DAY_MIN.isoformat(), last=DAY_MAX.isoformat()
    )


# Give each field its own ``max_length`` with ``Field(...)`` where it is used.
Text = Annotated[str, AfterValidator(_single_line)]
MultilineText = Annotated[str, AfterValidator(_multi_line)]

RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]

JsonId = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
JsonCount = Annotated[int, Strict(), Field(ge=0, le=MAX_ID)]
JsonBool = Annotated[bool, Strict()]
Day = Annotated[dt.date, BeforeValidator(_iso_day)]


def checked_text(
    errors: ErrorList,
    name: str,
    value: Any,
    *,
    max_length: int,
    required: bool = True,
    multiline: bool = True,
    missing: Any = None,
) -> str:
    """A service's text input, stripped; anything else than text, a control character (a
    line break too, unless ``multiline``), a missing value (``missing``: what to say) or one
    over ``max_length`` adds its problem to ``errors`` (the caller raises them together)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(name, "invalid", _("This must be text."))
        return ""
    value = value.strip()
    if has_control_characters(value, multiline=multiline):
        message = MULTILINE_CONTROL_MESSAGE if multiline else CONTROL_MESSAGE
        errors.add(name, "control_characters", message)
        return ""
    if required and not value:
        errors.add(name, "required", missing or _("Fill this in."))
    if len(value) > max_length:
        errors.add(
            name,
            "too_long",
            _("At most %(max_length)s characters are allowed."),
            max_length=max_length,
        )
    return value


def reject_control_characters(*, multiline: bool = False, **values: str) -> None:
    """Raise ``ValidationFailed`` (422) naming each value that holds a control character (a
    line break too, unless ``multiline``) — for inputs read by hand rather than through a
    schema or a form (a page's query string)."""
    message = MULTILINE_CONTROL_MESSAGE if multiline else CONTROL_MESSAGE
    errors = ErrorList()
    for name, value in values.items():
        if has_control_characters(value, multiline=multiline):
            errors.add(name, "control_characters", message)
    errors.raise_if_any(message, code="control_characters")


# --- pages ----------------------------------------------------------------------------------

# The API checks its own input, answering 422 in its error format (``config/api.py``).
API_PREFIX = "/api/"


# Faces that check their own addresses and answer in their own error format: the JSON API and
# the hotline's Open311 API (the spec's error array).
SELF_CHECKING_PREFIXES = (API_PREFIX, "/open311/")


class ControlCharactersRefusedMiddleware:
    """A page's address or query string with a control character (a NUL byte, which
    PostgreSQL cannot even compare) answers 400 before any view looks anything up: a topic
    code, a case number or a search term read from the address never reaches the database
    with one. Tabs and line breaks in the query string are left to the page's form."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(SELF_CHECKING_PREFIXES) and self._refused(request):
            text = bilingual(CONTROL_MESSAGE)
            context = {"status": 400, "message": {"zh": text["zh"], "en": text["en"]}}
            return render(request, "error.html", context, status=400)
        return self.get_response(request)

    @staticmethod
    def _refused(request: HttpRequest) -> bool:
        if has_control_characters(request.path):
            return True
        return any(
            has_control_characters(key, multiline=True)
            or any(has_control_characters(value, multiline=True) for value in values)
            for key, values in request.GET.lists()
        )


# --- forms of the pages ---------------------------------------------------------------------


def _form_message(message: Any) -> str:
    text = bilingual(message)
    return f"{text['zh']} / {text['en']}"


def validate_single_line(value: str) -> None:
    if isinstance(value, str) and has_control_characters(value):
        raise DjangoValidationError(_form_message(CONTROL_MESSAGE), code="control_characters")


def validate_multi_line(value: str) -> None:
    if isinstance(value, str) and has_control_characters(value, multiline=True):
        raise DjangoValidationError(
            _form_message(MULTILINE_CONTROL_MESSAGE), code="control_characters"
        )


class TextField(forms.CharField):
    """A one-line text field that refuses control characters (a NUL byte, a line break)."""

    default_validators = [validate_single_line]


class MultilineTextField(forms.CharField):
    """A text area's field: line breaks and tabs allowed, other control characters refused."""

    default_validators = [validate_multi_line]


__all__ = [
    "DAY_MAX",
    "DAY_MIN",
    "MAX_ID",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "ControlCharactersRefusedMiddleware",
    "Day",
    "JsonBool",
    "JsonCount",
    "JsonId",
    "Limit",
    "MultilineText",
    "MultilineTextField",
    "Offset",
    "RecordId",
    "Text",
    "TextField",
    "field_message",
    "has_control_characters",
    "reject_control_characters",
]
