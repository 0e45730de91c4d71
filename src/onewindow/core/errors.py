"""One error family for the whole platform.

Every error a user can cause carries a stable ``code`` (for programs), a message a clerk can act
on (rendered in Chinese first, English too) and an HTTP status. The API handler turns it into
JSON; pages turn it into a message. Messages are lazy translations written in English in the code
and translated to zh-Hans in ``locale/``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.functional import Promise


def bilingual(message: str | Promise, **params: Any) -> dict[str, str]:
    """Render a (lazy) message in zh-Hans and in English."""
    out = {}
    for key, lang in (("zh", "zh-hans"), ("en", "en")):
        with translation.override(lang):
            text = str(message)
            out[key] = text % params if params else text
    return out


@dataclass
class FieldError:
    """One problem with one field, optionally located in a file (sheet, row, column)."""

    field: str
    code: str
    message: str | Promise
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def as_dict(self) -> dict[str, Any]:
        text = bilingual(self.message, **self.params)
        data: dict[str, Any] = {
            "field": self.field,
            "code": self.code,
            "message": text["zh"],
            "message_en": text["en"],
        }
        for key in ("sheet", "row", "column"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data

    def __str__(self) -> str:
        text = bilingual(self.message, **self.params)
        where = ""
        if self.sheet is not None:
            where = f"[{self.sheet}"
            if self.row is not None:
                where += f" 行/row {self.row}"
            if self.column:
                where += f" 列/column {self.column}"
            where += "] "
        return f"{where}{self.field}: {text['zh']} / {text['en']}"


@dataclass
class ApplicationError(Exception):
    """Base of every error the platform raises on purpose."""

    message: str | Promise
    code: str = "application_error"
    status: int = 400
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    errors: list[FieldError] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        text = bilingual(self.message, **self.params)
        return f"{text['zh']} / {text['en']}"

    def as_dict(self) -> dict[str, Any]:
        text = bilingual(self.message, **self.params)
        return {
            "code": self.code,
            "message": text["zh"],
            "message_en": text["en"],
            "errors": [error.as_dict() for error in self.errors],
        }


class ValidationFailed(ApplicationError):
    def __init__(self, message: str | Promise, errors: list[FieldError], code: str = "invalid"):
        super().__init__(message=message, code=code, status=422, errors=errors)


class NotFoundOrForbidden(ApplicationError):
    """Answered the same for "missing" and "not yours", so a row's existence never leaks."""

    def __init__(self, message: str | Promise | None = None):
        from django.utils.translation import gettext_lazy as _

        super().__init__(
            message=message or _("Not found, or you may not see it."),
            code="not_found",
            status=404,
        )


class PermissionDenied(ApplicationError):
    def __init__(self, message: str | Promise | None = None):
        from django.utils.translation import gettext_lazy as _

        super().__init__(
            message=message or _("You are not allowed to do this."),
            code="forbidden",
            status=403,
        )


class ErrorList(list[FieldError]):
    """Problems collected by a validation pass; empty means valid."""

    def add(self, field_name: str, code: str, message: str | Promise, /, **params: Any) -> None:
        self.append(FieldError(field=field_name, code=code, message=message, params=params))

    def raise_if_any(self, message: str | Promise, code: str = "invalid") -> None:
        if self:
            raise ValidationFailed(message, list(self), code=code)

    def texts(self) -> list[str]:
        """Each problem as one "中文 / English" line."""
        out = []
        for error in self:
            text = bilingual(error.message, **error.params)
            out.append(f"{text['zh']} / {text['en']}")
        return out

    def raise_for_django(self, *, as_list: bool = False) -> None:
        """Raise Django's ValidationError keyed by field, for model ``clean()`` and forms;
        ``as_list`` for formsets, which take a plain list."""
        if not self:
            return
        from django.core.exceptions import ValidationError

        if as_list:
            raise ValidationError(self.texts())
        by_field: dict[str, list[str]] = {}
        for error in self:
            text = bilingual(error.message, **error.params)
            by_field.setdefault(error.field, []).append(f"{text['zh']} / {text['en']}")
        raise ValidationError(by_field)


def validate_model(
    instance: Any, *, message: str | Promise, exclude: list[str] | None = None
) -> None:
    """Run a model's ``full_clean`` and raise ``ValidationFailed`` with one ``FieldError`` per
    problem (the model validators' messages are already translated lazily)."""
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        errors = ErrorList()
        for field_name, problems in exc.message_dict.items():
            for problem in problems:
                errors.append(FieldError(field=field_name, code="invalid", message=problem))
        raise ValidationFailed(message, list(errors)) from exc
