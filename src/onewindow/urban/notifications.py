"""Telling a citizen who reported a problem what became of it (filled in by the intake work)."""

from __future__ import annotations

from onewindow.core.tasks import task


@task
def grid_case_event_notify(*, event_id: int) -> None:
    """A public report's reporter is told of the event (their account or phone): nothing is
    sent yet for grid workers' own reports, which have no public reporter."""
