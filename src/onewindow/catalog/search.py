"""Chinese full-text search over the catalogue.

PLACEHOLDER to be replaced by the search work: the public interface is
``search_document_rebuild(*, item)`` and ``item_search(query, *, limit, items)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from onewindow.catalog.models import SearchDocument, ServiceItem


@dataclass(frozen=True)
class SearchHit:
    item: ServiceItem
    score: float


def search_document_rebuild(*, item: ServiceItem) -> SearchDocument:
    document, _ = SearchDocument.objects.update_or_create(
        item=item, defaults={"name_terms": item.name, "keyword_terms": item.keywords}
    )
    return document


def item_search(
    query: str, *, limit: int = 20, items: QuerySet[ServiceItem] | None = None
) -> list[SearchHit]:
    """Items matching ``query`` best first; ``items`` restricts the candidates (default:
    published items)."""
    from onewindow.catalog.selectors import item_list_public

    base = items if items is not None else item_list_public()
    found = base.filter(Q(name__icontains=query) | Q(keywords__icontains=query))[:limit]
    return [SearchHit(item=item, score=1.0) for item in found]
