"""Chinese full-text search over the catalogue (placeholder: rebuilt by the search work)."""

from __future__ import annotations

from onewindow.catalog.models import SearchDocument, ServiceItem


def search_document_rebuild(*, item: ServiceItem) -> SearchDocument:
    document, _ = SearchDocument.objects.update_or_create(
        item=item, defaults={"name_terms": item.name, "keyword_terms": item.keywords}
    )
    return document
