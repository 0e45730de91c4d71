"""The online application form of an item: checking its definition and the answers to it.

Pure functions, no database. A form is a list of field definitions — ``FormField`` rows while
the catalogue edits them, plain dicts (``field_as_dict``) once a published version carries them
in its snapshot. Two checks live here so that they are written once:

- ``form_field_errors`` / ``form_fields_check``: is a field definition sound (key, kind,
  choices, bounds, prefill)? Run by the model's ``clean``, the admin inline, the item rules
  and the workbook import.
- ``answers_clean``: do the answers a person submitted fit the fields of the version they apply
  under? Run by the online application on every save and on submission; returns the
  normalised answers or raises ``ValidationFailed`` with one error per field.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.codes import CHOICE_FORM_FIELD_KINDS, FormFieldKind, FormPrefill
from onewindow.core.errors import ErrorList
from onewindow.core.identifiers import check_mobile, check_resident_id, check_uscc
from onewindow.core.validation import has_control_characters

KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,31}")
MAX_FIELDS = 100
MAX_CHOICES = 100
CHOICE_VALUE_MAX_LENGTH = 64
CHOICE_LABEL_MAX_LENGTH = 128
# Kinds typed as free text, with their default and largest maximum length.
TEXT_KINDS = {
    FormFieldKind.TEXT: (200, 2000),
    FormFieldKind.TEXTAREA: (2000, 10000),
    FormFieldKind.ADDRESS: (255, 1000),
}
# Whole numbers stay within what every database and JSON reader holds exactly.
INTEGER_LIMIT = 10**12
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)
INTEGER_RE = re.compile(r"[+-]?[0-9]{1,13}")
TRUE_TEXTS = frozenset({"true", "on", "1", "yes"})
FALSE_TEXTS = frozenset({"false", "off", "0", "no"})
# A pre-filled value lands only in a field of the kind that checks (and, for personal data,
# encrypts) it: an ID number is never copied into a plain text field.
PREFILL_KINDS = {
    FormPrefill.PERSON_NAME: {FormFieldKind.TEXT},
    FormPrefill.PERSON_ID_NUMBER: {FormFieldKind.ID_NUMBER},
    FormPrefill.PERSON_PHONE: {FormFieldKind.PHONE},
    FormPrefill.PERSON_ADDRESS: {FormFieldKind.ADDRESS},
    FormPrefill.ORGANISATION_NAME: {FormFieldKind.TEXT},
    FormPrefill.ORGANISATION_USCC: {FormFieldKind.USCC},
    FormPrefill.ORGANISATION_ADDRESS: {FormFieldKind.ADDRESS},
    FormPrefill.ORGANISATION_LEGAL_REP: {FormFieldKind.TEXT},
}
BLANKS = " \t\r\n\u3000"
# How many unknown answer keys are reported: the rest of a flood adds nothing.
MAX_UNKNOWN_REPORTED = 10

FIELD_DICT_KEYS = (
    "order",
    "key",
    "label",
    "label_en",
    "kind",
    "required",
    "choices",
    "max_length",
    "min_value",
    "max_value",
    "prefill",
    "help_text",
    "help_text_en",
)


def field_as_dict(field: Any) -> dict[str, Any]:
    """A field definition as the plain dict a version snapshot carries."""
    data = {name: getattr(field, name) for name in FIELD_DICT_KEYS}
    data["choices"] = [
        {
            "value": str(choice.get("value", "")),
            "label": str(choice.get("label", "")),
            "label_en": str(choice.get("label_en", "")),
        }
        for choice in (field.choices or [])
    ]
    return data


# --- the definition -------------------------------------------------------------------------


def _text_ok(errors: ErrorList, field: str, value: Any, *, max_length: int) -> None:
    if not isinstance(value, str):
        errors.add(field, "invalid_type", _("This must be text."))
        return
    if has_control_characters(value):
        errors.add(
            field,
            "control_characters",
            _("This must not contain control characters (such as a NUL byte); retype it."),
        )
    elif len(value) > max_length:
        errors.add(
            field,
            "too_long",
            _("At most %(max_length)s characters are allowed."),
            max_length=max_length,
        )


def _choices_errors(errors: ErrorList, prefix: str, choices: Any) -> None:
    if not isinstance(choices, list) or not choices:
        errors.add(
            f"{prefix}choices",
            "choices_required",
            _("A choice field needs its list of choices (value and label)."),
        )
        return
    if len(choices) > MAX_CHOICES:
        errors.add(
            f"{prefix}choices",
            "too_many_choices",
            _("A field offers at most %(count)s choices."),
            count=MAX_CHOICES,
        )
        return
    seen: set[str] = set()
    for index, choice in enumerate(choices):
        where = f"{prefix}choices[{index}]"
        if not isinstance(choice, dict) or set(choice) - {"value", "label", "label_en"}:
            errors.add(
                where,
                "invalid_choice",
                _('Each choice is {"value": …, "label": …, "label_en": …} and nothing else.'),
            )
            continue
        value, label = choice.get("value"), choice.get("label")
        if not isinstance(value, str) or not value.strip():
            errors.add(f"{where}.value", "required", _("Each choice needs a value."))
        else:
            _text_ok(errors, f"{where}.value", value, max_length=CHOICE_VALUE_MAX_LENGTH)
            if value in seen:
                errors.add(
                    f"{where}.value",
                    "duplicate",
                    _("The choice %(value)s is listed twice."),
                    value=value[:CHOICE_VALUE_MAX_LENGTH],
                )
            seen.add(value)
        if not isinstance(label, str) or not label.strip():
            errors.add(f"{where}.label", "required", _("Each choice needs a label."))
        else:
            _text_ok(errors, f"{where}.label", label, max_length=CHOICE_LABEL_MAX_LENGTH)
        if choice.get("label_en") not in (None, ""):
            _text_ok(
                errors, f"{where}.label_en", choice["label_en"], max_length=CHOICE_LABEL_MAX_LENGTH
            )


def _integer_or_none(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def form_field_errors(field: Any, *, prefix: str = "") -> ErrorList:
    """Every problem of one field definition (a ``FormField`` or anything with its attributes);
    ``prefix`` (``form_fields[2].``) locates it in a list."""
    errors = ErrorList()
    key = field.key if isinstance(field.key, str) else ""
    if not KEY_RE.fullmatch(key):
        errors.add(
            f"{prefix}key",
            "invalid_key",
            _(
                "The field key has 1 to 32 lower-case letters, digits or _, "
                "and starts with a letter (e.g. shop_name)."
            ),
        )
    label = field.label
    if not isinstance(label, str) or not label.strip():
        errors.add(f"{prefix}label", "required", _("The field needs a label."))
    else:
        _text_ok(errors, f"{prefix}label", label, max_length=128)
    for name, limit in (("label_en", 255), ("help_text", 500), ("help_text_en", 1000)):
        value = getattr(field, name)
        if value not in (None, ""):
            _text_ok(errors, f"{prefix}{name}", value, max_length=limit)

    kind = field.kind
    if kind not in FormFieldKind.values:
        errors.add(
            f"{prefix}kind",
            "invalid_kind",
            _("Unknown kind of field; use one of: %(kinds)s."),
            kinds=", ".join(FormFieldKind.values),
        )
        return errors
    if kind in CHOICE_FORM_FIELD_KINDS:
        _choices_errors(errors, prefix, field.choices)
    elif field.choices:
        errors.add(
            f"{prefix}choices",
            "choices_not_allowed",
            _("Only a choice field has choices; remove them or change the kind."),
        )

    if field.max_length is not None:
        if kind not in TEXT_KINDS:
            errors.add(
                f"{prefix}max_length",
                "max_length_not_allowed",
                _("Only a text or address field has a maximum length."),
            )
        elif not _integer_or_none(field.max_length) or not (
            1 <= field.max_length <= TEXT_KINDS[kind][1]
        ):
            errors.add(
                f"{prefix}max_length",
                "out_of_range",
                _("The maximum length is between 1 and %(limit)s characters."),
                limit=TEXT_KINDS[kind][1],
            )
    bounds = (field.min_value, field.max_value)
    if bounds != (None, None):
        if kind != FormFieldKind.INTEGER:
            errors.add(
                f"{prefix}min_value",
                "bounds_not_allowed",
                _("Only a whole-number field has a minimum and a maximum."),
            )
        elif not all(_integer_or_none(b) for b in bounds) or any(
            b is not None and abs(b) > INTEGER_LIMIT for b in bounds
        ):
            errors.add(
                f"{prefix}min_value",
                "out_of_range",
                _("Minimum and maximum are whole numbers from -%(limit)s to %(limit)s."),
                limit=INTEGER_LIMIT,
            )
        elif None not in bounds and field.min_value > field.max_value:
            errors.add(
                f"{prefix}max_value",
                "min_over_max",
                _("The minimum is larger than the maximum."),
            )

    prefill = field.prefill or ""
    if prefill not in FormPrefill.values:
        errors.add(f"{prefix}prefill", "invalid_prefill", _("Unknown source for pre-filling."))
    elif prefill and kind not in PREFILL_KINDS[FormPrefill(prefill)]:
        errors.add(
            f"{prefix}prefill",
            "prefill_kind_mismatch",
            _("%(source)s can only pre-fill a field of the kind %(kinds)s."),
            source=FormPrefill(prefill).label,
            kinds=", ".join(
                str(FormFieldKind(k).label) for k in PREFILL_KINDS[FormPrefill(prefill)]
            ),
        )
    if not isinstance(field.required, bool):
        errors.add(f"{prefix}required", "invalid_type", _("Say whether the field is required."))
    return errors


def form_fields_check(fields: Sequence[Any]) -> ErrorList:
    """Every problem of a whole form: each field, and keys and orders unique."""
    errors = ErrorList()
    if len(fields) > MAX_FIELDS:
        errors.add(
            "form_fields",
            "too_many_fields",
            _("An online form has at most %(count)s fields."),
            count=MAX_FIELDS,
        )
    keys: set[str] = set()
    orders: set[int] = set()
    for index, field in enumerate(fields):
        prefix = f"form_fields[{index}]."
        errors.extend(form_field_errors(field, prefix=prefix))
        if isinstance(field.key, str) and field.key in keys:
            errors.add(
                f"{prefix}key",
                "duplicate",
                _("The field key %(key)s is used twice in the form."),
                key=field.key[:32],
            )
        keys.add(field.key)
        if field.order in orders:
            errors.add(f"{prefix}order", "duplicate", _("Two form fields have the same number."))
        orders.add(field.order)
    return errors


# --- the answers ----------------------------------------------------------------------------


class _Refused(Exception):
    """One answer refused: the field's single error."""

    def __init__(self, code: str, message: str | Promise, **params: Any) -> None:
        super().__init__(code)
        self.code, self.message, self.params = code, message, params


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        # Only plain blanks: a value of control characters alone is refused, not ignored.
        return not value.strip(BLANKS)
    if isinstance(value, list | tuple):
        return not value
    return False


def _text(value: Any, *, max_length: int, multiline: bool) -> str:
    if not isinstance(value, str):
        raise _Refused("invalid_type", _("This answer must be text."))
    if has_control_characters(value, multiline=multiline):
        raise _Refused(
            "control_characters",
            _("This must not contain control characters (such as a NUL byte); retype it.")
            if not multiline
            else _(
                "This must not contain control characters other than tabs and line breaks; "
                "retype it."
            ),
        )
    text = value.strip()
    if len(text) > max_length:
        raise _Refused(
            "too_long", _("At most %(max_length)s characters are allowed."), max_length=max_length
        )
    return text


def _integer(value: Any, field: Mapping[str, Any]) -> int:
    if isinstance(value, bool):
        raise _Refused("invalid_integer", _("Enter a whole number."))
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if not INTEGER_RE.fullmatch(text):
            raise _Refused("invalid_integer", _("Enter a whole number."))
        number = int(text)
    else:
        raise _Refused("invalid_integer", _("Enter a whole number."))
    low = field.get("min_value")
    high = field.get("max_value")
    low = -INTEGER_LIMIT if low is None else low
    high = INTEGER_LIMIT if high is None else high
    if not low <= number <= high:
        raise _Refused(
            "out_of_range", _("Enter a number from %(low)s to %(high)s."), low=low, high=high
        )
    return number


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        raise _Refused("invalid_date", _("Enter a date as YYYY-MM-DD."))
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise _Refused("invalid_date", _("This date does not exist.")) from exc
    else:
        raise _Refused("invalid_date", _("Enter a date as YYYY-MM-DD."))
    if not DATE_MIN <= day <= DATE_MAX:
        raise _Refused(
            "out_of_range",
            _("Give a date between %(first)s and %(last)s (YYYY-MM-DD)."),
            first=DATE_MIN.isoformat(),
            last=DATE_MAX.isoformat(),
        )
    return day.isoformat()


def _choice_values(field: Mapping[str, Any]) -> list[str]:
    return [str(choice.get("value", "")) for choice in field.get("choices") or []]


def _choice(value: Any, field: Mapping[str, Any]) -> str:
    if not isinstance(value, str) or value not in _choice_values(field):
        raise _Refused("invalid_choice", _("Choose one of the offered answers."))
    return value


def _multichoice(value: Any, field: Mapping[str, Any]) -> list[str]:
    allowed = _choice_values(field)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise _Refused("invalid_choice", _("Choose among the offered answers."))
    if len(value) > MAX_CHOICES or set(value) - set(allowed):
        raise _Refused("invalid_choice", _("Choose among the offered answers."))
    # In the form's order, each once: the same choices always store the same way.
    return [choice for choice in allowed if choice in set(value)]


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_TEXTS | FALSE_TEXTS:
        return value.strip().lower() in TRUE_TEXTS
    raise _Refused("invalid_boolean", _("Answer yes or no."))


def _checked_number(check: Any, argument: str, value: Any) -> str:
    """An identifier checked by the shared check of ``core.identifiers`` (its first error)."""
    if not isinstance(value, str):
        raise _Refused("invalid_type", _("This answer must be text."))
    if has_control_characters(value):
        raise _Refused(
            "control_characters",
            _("This must not contain control characters (such as a NUL byte); retype it."),
        )
    problems = ErrorList()
    result: str = check(problems, field="answer", **{argument: value})
    if problems:
        first = problems[0]
        raise _Refused(first.code, first.message, **first.params)
    return result


def _answer(field: Mapping[str, Any], value: Any) -> Any:
    kind = field.get("kind")
    if kind in TEXT_KINDS:
        default, _limit = TEXT_KINDS[FormFieldKind(kind)]
        return _text(
            value,
            max_length=field.get("max_length") or default,
            multiline=kind == FormFieldKind.TEXTAREA,
        )
    if kind == FormFieldKind.INTEGER:
        return _integer(value, field)
    if kind == FormFieldKind.DATE:
        return _date(value)
    if kind == FormFieldKind.CHOICE:
        return _choice(value, field)
    if kind == FormFieldKind.MULTICHOICE:
        return _multichoice(value, field)
    if kind == FormFieldKind.BOOLEAN:
        return _boolean(value)
    if kind == FormFieldKind.PHONE:
        return _checked_number(check_mobile, "phone", value)
    if kind == FormFieldKind.ID_NUMBER:
        return _checked_number(check_resident_id, "id_number", value)
    if kind == FormFieldKind.USCC:
        return _checked_number(check_uscc, "uscc", value)
    # A kind this code does not know (a newer snapshot): refuse rather than store unchecked.
    raise _Refused("unknown_kind", _("This field cannot be answered here."))


def answers_clean(
    fields: list[dict[str, Any]], data: Mapping[str, Any], *, partial: bool = False
) -> dict[str, Any]:
    """The answers ``data`` checked against the form ``fields`` (dicts of a version snapshot).

    Returns the normalised answers, keyed by field key in the form's order: text stripped, an
    ``int`` for a whole number, an ISO date string, a list (in the form's order) for several
    choices, a ``bool`` for yes/no, the canonical number for a phone, ID number or USCC.
    Empty answers are left out. ``partial`` (a draft) skips the required check only; every
    answer given is still checked. A required yes/no field must be answered yes (a
    declaration the applicant ticks).

    Raises ``ValidationFailed`` (code ``answers_invalid``) with one error per field, named by
    the field key (``answers`` for keys the form does not have); nothing is returned then.
    """
    errors = ErrorList()
    if not isinstance(data, Mapping):
        errors.add("answers", "invalid_type", _("The answers must be a set of named values."))
        errors.raise_if_any(_("The form is not filled in correctly."), code="answers_invalid")
    known = {field.get("key") for field in fields}
    unknown = [key for key in data if key not in known]
    for key in unknown[:MAX_UNKNOWN_REPORTED]:
        errors.add(
            "answers",
            "unknown_field",
            _("The form has no field %(key)s."),
            key=str(key)[:40],
        )
    cleaned: dict[str, Any] = {}
    for field in sorted(fields, key=lambda f: f.get("order") or 0):
        key = field["key"]
        value = data.get(key)
        required = bool(field.get("required")) and not partial
        if _is_empty(value):
            if required:
                errors.add(key, "required", _("Fill in this field."))
            continue
        try:
            answer = _answer(field, value)
        except _Refused as refused:
            errors.add(key, refused.code, refused.message, **refused.params)
            continue
        if answer == "" or answer == []:
            if required:
                errors.add(key, "required", _("Fill in this field."))
            continue
        if field.get("kind") == FormFieldKind.BOOLEAN and answer is False and required:
            errors.add(key, "must_be_ticked", _("Tick this box to go on."))
            continue
        cleaned[key] = answer
    errors.raise_if_any(_("The form is not filled in correctly."), code="answers_invalid")
    return cleaned
