"""A bulk load that fails half-way leaves nothing behind, even the batches its COPY thread
(PostgreSQL) still held when the load's transaction rolled back: rolled back, the connection is
in autocommit again, and a batch stored then would be committed at once."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.utils import timezone

from onewindow.applicants.models import Person
from onewindow.demo import bulk


class Planned(RuntimeError):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_load_failing_while_batches_wait_for_the_copy_thread_commits_none_of_them(
    monkeypatch: Any,
) -> None:
    released = threading.Event()
    original = bulk._Writer._copy

    def held_copy(self: bulk._Writer, raw: Any, statement: str, rows: list[tuple]) -> None:
        # The batch waits until the test lets it go or the load is aborted, whichever first
        # (a safety bound only: the assertion below does not depend on it).
        deadline = time.monotonic() + 30
        while not released.is_set() and not getattr(self, "_aborted", False):
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        original(self, raw, statement, rows)

    def fail(*args: Any, **kwargs: Any) -> int:
        raise Planned("the plan of the organisations failed")

    monkeypatch.setattr(bulk._Writer, "_copy", held_copy)
    monkeypatch.setattr(bulk, "_write_organisations", fail)
    writer = bulk._Writer()
    now = timezone.now()
    with pytest.raises(Planned):
        bulk._write_all(
            writer,
            seed=3,
            persons=50,
            organisations=5,
            cases=10,
            city=None,  # type: ignore[arg-type]
            today=now.date(),
            now=now,
            calendar=None,  # type: ignore[arg-type]
            say=bulk._Progress(None, False),
        )
    released.set()
    for thread in threading.enumerate():
        if thread.name == "bulk-copy":
            thread.join(timeout=60)
    assert Person.objects.count() == 0
