"""Which outbox messages belong to a citizen account's "my messages": besides the account, its
person and the person's cases (``selectors.my_messages``), the apps above this one register
what else they write to a citizen about — an online application, a booking — so that the
citizens app imports none of them (``.importlinter``).

A provider takes the account and returns ``{subject_type: [subject ids]}``; it is registered in
the app's ``AppConfig.ready()`` with ``register_message_subjects`` and must cost one query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Provider = Callable[[Any], dict[str, list[str | int]]]

_providers: list[Provider] = []


def register_message_subjects(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def registered_message_subjects(account: Any) -> dict[str, list[str | int]]:
    subjects: dict[str, list[str | int]] = {}
    for provider in _providers:
        for subject_type, ids in provider(account).items():
            subjects.setdefault(subject_type, []).extend(ids)
    return subjects
