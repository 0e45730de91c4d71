"""The refusals of ratings and rectifications: each says what to do next (``core.errors``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError
from onewindow.ratings.events import RECTIFICATION_EVENTS
from onewindow.workflow.errors import StaleRevision
from onewindow.workflow.errors import TransitionNotAllowed as _KernelNotAllowed


class RectificationNotAllowed(_KernelNotAllowed):
    def __init__(self, *, action: str, state: str):
        super().__init__(action=action, state=state)
        self.message = _(
            "The rectification is %(state)s; it cannot %(action)s now. Reload the page."
        )
        self.params = {"state": state, "action": RECTIFICATION_EVENTS.verb(action)}


class StaleRectification(StaleRevision):
    def __init__(self) -> None:
        super().__init__()
        self.message = _(
            "This rectification was changed meanwhile by someone else. Reload the page and check "
            "before you act again."
        )


class AlreadyRated(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_(
                "This has already been rated: one rating per visit, one per case. Thank you."
            ),
            code="already_rated",
            status=409,
        )


class RatingClosed(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_(
                "The time to rate this has passed. If something went wrong, call 12345 or tell "
                "the centre."
            ),
            code="rating_closed",
            status=409,
        )


class NotRateableYet(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_(
                "This cannot be rated yet: a case is rated online once it is completed, a "
                "visit right after it. Please come back then."
            ),
            code="not_rateable",
            status=409,
        )


class PadNotFound(ApplicationError):
    """A rating pad's link that is unknown or revoked (the one answer for both)."""

    def __init__(self) -> None:
        super().__init__(
            message=_(
                "This rating pad is not paired with a window (its link is unknown or was "
                "revoked). Ask the centre to pair it again."
            ),
            code="pad_not_found",
            status=404,
        )


class AppealedOnce(ApplicationError):
    """A second appeal of one rectification (one appeal each: after a rejection, no more)."""

    def __init__(self) -> None:
        super().__init__(
            message=_(
                "This rating was appealed once already and the appeal was rejected: a rating "
                "is appealed only once. The department resolves it."
            ),
            code="appealed_once",
            status=409,
        )
