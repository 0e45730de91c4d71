"""The refusals of the knowledge base: each says what to do next (``core.errors``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError


class ArticleNotAllowed(ApplicationError):
    """The article's state does not allow the move (publish a published one, revise a retired
    one)."""

    def __init__(self, *, state_label: Any, verb: Any) -> None:
        super().__init__(
            message=_("The article is %(state)s; it cannot be %(verb)s now. Reload the page."),
            code="article_state",
            status=409,
            params={"state": state_label, "verb": verb},
        )


class StaleArticle(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_(
                "This article was changed meanwhile by someone else. Reload the page, read the "
                "new version and edit again."
            ),
            code="stale_article",
            status=409,
        )


class DutiesFileError(ValueError):
    """``data/duties.toml`` is missing, is not TOML, or holds something unusable."""
