"""What can be wrong with an uploaded paper: each a bilingual message that says what to do."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import FieldError, ValidationFailed

PAPER_REFUSED = _("This file cannot be kept as a paper; nothing was saved.")

EMPTY = _("The file is empty: scan the paper again and choose the new file.")
TOO_LARGE = _(
    "The file is %(size)s MB; a paper may be at most %(limit)s MB. Scan it at a lower "
    "resolution or split it into several papers."
)
NOT_ALLOWED = _(
    "This file is not a PDF, JPEG or PNG (its content was checked, not its name). Scan the "
    "paper as PDF, JPEG or PNG."
)
NAME_MISMATCH = _(
    "The file is named “%(name)s” but its content is %(actual)s: it is not what its name says. "
    "Choose the right file, or scan the paper again."
)
NAME_MISMATCH_NONE = _(
    "The file is named “%(name)s” but its content is not a PDF, JPEG or PNG: it is not what "
    "its name says. Choose the right file, or scan the paper again."
)
UNREADABLE = _(
    "The file says it is %(kind)s but cannot be read (damaged or cut off). Scan the paper again."
)
PDF_ENCRYPTED = _(
    "The PDF is protected by a password and cannot be shown to the reviewers. Save it without "
    "a password and upload it again."
)
TOO_MANY_PAGES = _(
    "The PDF has %(pages)s pages; a paper may have at most %(limit)s. Split it into several papers."
)
TOO_MANY_PIXELS = _(
    "The image is %(width)s × %(height)s pixels; at most %(limit)s million pixels are kept. "
    "Scan it at a lower resolution."
)


def paper_refused(code: str, message: object, **params: object) -> ValidationFailed:
    """The one error a refused file raises: 422 with the reason under the field ``file``."""
    return ValidationFailed(
        PAPER_REFUSED,
        [FieldError(field="file", code=code, message=message, params=params)],  # type: ignore[arg-type]
        code="paper_refused",
    )
