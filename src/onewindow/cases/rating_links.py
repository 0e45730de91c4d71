"""Where the case flow shows a way to rate (好差评) — the SMS of a completed case, the receipt's
second QR code, the progress page, the citizen's "my cases" — without importing ``ratings``
(which sits above ``cases`` and ``citizens``, ``.importlinter``).

``ratings`` registers one provider in its ``AppConfig.ready()``; the lower apps call
``rating_link``. A provider takes the case, the channel (``"sms"``, ``"qr"``, ``"progress"``,
``"account"``) and optional keywords (``event``: the case event a visit is about; ``company_id``:
the company an account acts for) and returns an absolute or site-relative address, or ``""``
when the case cannot be rated there (not completed, rated already, period over). Without a
provider every link is ``""`` and the pages show nothing. A link never carries the query code
nor any personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Provider = Callable[..., str]

_providers: list[Provider] = []


def register_rating_link(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def rating_link(*, case: Any, channel: str, **context: Any) -> str:
    """The first non-empty address a registered provider gives, or ``""``."""
    for provider in _providers:
        link = provider(case=case, channel=channel, **context)
        if link:
            return str(link)
    return ""
