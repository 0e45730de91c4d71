"""Errors of the outbox."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.workflow.errors import TransitionNotAllowed


class NotificationMoveNotAllowed(TransitionNotAllowed):
    """``action``: the verb of the refused move (from the mover), ``state``: the status label."""

    def __init__(self, *, action: str, state: str):
        super().__init__(action=action, state=state)
        self.message = _("The message is %(state)s; it cannot %(action)s now. Reload the page.")
