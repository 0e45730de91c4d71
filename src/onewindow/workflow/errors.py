"""The two refusals of the mover. An aggregate may subclass them for its own wording."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError


class TransitionNotAllowed(ApplicationError):
    """The table has no such move from the current state (409: reload and look again)."""

    def __init__(self, *, action: str, state: str):
        super().__init__(
            message=_("It is %(state)s now; it cannot %(action)s. Reload the page."),
            code="transition_not_allowed",
            status=409,
            params={"state": state, "action": action},
        )


class StaleRevision(ApplicationError):
    """The caller saw an older revision than the one stored (409: someone acted first)."""

    def __init__(self) -> None:
        super().__init__(
            message=_(
                "Someone else changed this while you were looking at it. Reload the page and "
                "check before you act again."
            ),
            code="stale",
            status=409,
        )
