"""Suggestions from the knowledge base (``GET /api/knowledge/suggest?q=``): the published
articles answering what the agent types, best first, with the version a work order records.

For signed-in staff with ``knowledge.view``, checked before the query is read (401 not signed
in; 403 without the permission, audited as ``denied:knowledge.view``). The text is at most
200 characters without control characters (422 otherwise). Three queries whatever the number
of articles.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.security import SessionAuth

from onewindow.core.audit import audit_record
from onewindow.core.errors import PermissionDenied
from onewindow.core.openapi import ErrorOut
from onewindow.core.validation import RecordId, Text
from onewindow.knowledge.selectors import SUGGEST_LIMIT_MAX, article_suggest
from onewindow.org.permissions import Action, can


class KnowledgeReader(SessionAuth):
    """Session sign-in and ``knowledge.view``: refused (audited 403) before the query."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if not can(user, Action.KNOWLEDGE_VIEW):
            audit_record(
                actor=user,
                action=f"denied:{Action.KNOWLEDGE_VIEW}",
                object_type="knowledge.api",
                object_repr=request.path[:255],
                allowed=False,
                detail={"method": request.method, "path": request.path[:255]},
            )
            raise PermissionDenied()
        return user


router = Router(auth=KnowledgeReader(), tags=["knowledge"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


class SuggestIn(Schema):
    q: Annotated[Text, Field(max_length=200, description="what the agent typed")]
    limit: Annotated[int, Field(ge=1, le=SUGGEST_LIMIT_MAX)] = 5
    department_id: RecordId | None = Field(None, description="only this department's articles")


class SnippetPartOut(Schema):
    text: str
    matched: bool


class ArticleHitOut(Schema):
    article_id: int
    code: str
    title: str
    kind: str
    kind_label: str
    department_short_name: str
    version_id: int = Field(description="the version to record on the work order")
    version_number: int
    snippet: str
    snippet_parts: list[SnippetPartOut]
    score: float


@router.get("/suggest", response={200: list[ArticleHitOut], **ERRORS})
def suggest(request: HttpRequest, params: Query[SuggestIn]) -> Any:
    hits = article_suggest(
        params.q, limit=params.limit, department_id=params.department_id, user=request.user
    )
    return [
        {
            **{
                name: getattr(hit, name)
                for name in ArticleHitOut.model_fields
                if name != "snippet_parts"
            },
            "snippet_parts": [
                {"text": text, "matched": matched} for text, matched in hit.snippet_parts
            ],
        }
        for hit in hits
    ]
