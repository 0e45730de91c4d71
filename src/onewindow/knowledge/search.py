"""Suggesting articles while the agent types: the catalogue's Chinese search stack
(``catalog.search.search_terms`` / ``query_groups``: normalisation, jieba, stop words,
synonyms) over the articles' stored terms, ranked here.

Each article stores ``search_title``, ``search_keywords`` and ``search_body`` (space-separated
terms). A query is read into groups (a word with its synonyms and fragments; the callers'
``FILLER_WORDS`` out); candidates come from one ``icontains`` filter over the three fields;
each candidate scores, per group, its best member ``weight × idf × (10 × title + 6 × keywords
+ 2 × bm25(body))`` (1 for a whole term, 0.75 inside a longer one), groups averaged and
multiplied by coverage².

**Threshold.** A hit must match at least 60 % of the query's groups (``MIN_COVERAGE``: both
words of a two-word query, two of three), counting groups no article contains as unmatched,
and at least one group through the word typed or a synonym, not a fragment only. So a call
about 路灯坏了 (no article speaks of street lights) gets no suggestion rather than whatever
article mentions 坏了: no hit is better than a wrong answer read to a caller.

Three queries whatever the number of articles: the count of the candidate set (for idf and the
average body length), the candidates' terms, the hits with their department and version.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import Length

from onewindow.catalog.search import FRAGMENT, QueryGroup, query_groups, search_terms
from onewindow.knowledge.models import Article

WEIGHT_TITLE = 10.0
WEIGHT_KEYWORDS = 6.0
WEIGHT_BODY = 2.0
SUBSTRING_MATCH = 0.75
BM25_K1 = 1.2
BM25_B = 0.75
MIN_COVERAGE = 0.6
SNIPPET_CHARS = 80
SEARCH_FIELDS = ("search_title", "search_keywords", "search_body")
# What callers say around their matter (on top of the catalogue's stop words): a question, a
# place next to them. Dropped from the query, so that 楼下有人摆摊 is a query about 摆摊 and
# the threshold below is not lowered by them.
FILLER_WORDS = frozenset(
    [
        "怎么办",
        "为什么",
        "怎么回事",
        "有没有",
        "是不是",
        "多久",
        "有人",
        "一直",
        "老是",
        "总是",
        "这里",
        "那里",
        "这边",
        "那边",
        "附近",
        "楼下",
        "楼上",
        "门口",
        "家门口",
        "旁边",
        "对面",
        "现在",
        "今天",
        "昨天",
    ]
)


@dataclass(frozen=True)
class ArticleHit:
    """One suggested article, as the agent sees it (and a work order records)."""

    article_id: int
    code: str
    title: str
    kind: str
    kind_label: str
    department_short_name: str
    version_id: int
    version_number: int
    snippet: str
    # The snippet cut into (text, matched) parts, for highlighting without markup in data.
    snippet_parts: tuple[tuple[str, bool], ...]
    score: float


def _match(text: str, term: str) -> float:
    if term not in text:
        return 0.0
    return 1.0 if f" {term} " in text else SUBSTRING_MATCH


def _idf(total: int, frequency: int) -> float:
    total = max(total, frequency)
    return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))


def _bm25(frequency: int, length: int, average: float) -> float:
    if not frequency:
        return 0.0
    norm = 1 - BM25_B + BM25_B * (length / average if average else 1.0)
    return frequency * (BM25_K1 + 1) / (frequency + BM25_K1 * norm)


@dataclass
class _Candidate:
    pk: int
    title: str
    keywords: str
    body: str
    body_length: int

    @classmethod
    def of(cls, pk: int, title: str, keywords: str, body: str) -> _Candidate:
        return cls(pk, f" {title} ", f" {keywords} ", f" {body.replace(' ', '  ')} ", len(body))


def _score(
    candidate: _Candidate,
    groups: list[QueryGroup],
    idf: dict[str, float],
    average: float,
) -> tuple[float, set[str]]:
    """The candidate's score (0 below the threshold) and the terms it matched."""
    matched_terms: set[str] = set()
    group_scores = []
    strong = False
    for group in groups:
        best = 0.0
        for term in group.terms:
            title = _match(candidate.title, term.text)
            keywords = _match(candidate.keywords, term.text)
            frequency = candidate.body.count(f" {term.text} ")
            if not frequency and term.text in candidate.body:
                frequency = 1
            if not (title or keywords or frequency):
                continue
            matched_terms.add(term.text)
            if term.kind != FRAGMENT:
                strong = True
            value = (
                term.weight
                * idf[term.text]
                * (
                    WEIGHT_TITLE * title
                    + WEIGHT_KEYWORDS * keywords
                    + WEIGHT_BODY * _bm25(frequency, candidate.body_length, average)
                )
            )
            best = max(best, value)
        group_scores.append(best)
    matched = sum(1 for value in group_scores if value > 0)
    coverage = matched / len(groups)
    if not strong or coverage < MIN_COVERAGE:
        return 0.0, set()
    return round(coverage**2 * sum(group_scores) / len(groups), 3), matched_terms


def _snippet(body: str, terms: set[str]) -> tuple[str, tuple[tuple[str, bool], ...]]:
    """About ``SNIPPET_CHARS`` characters of ``body`` around the first matched term, cut
    into parts with the matched terms marked."""
    flat = " ".join(body.split())
    lowered = flat.lower()
    positions = [lowered.find(term) for term in terms if term and lowered.find(term) >= 0]
    start = max(0, min(positions) - SNIPPET_CHARS // 4) if positions else 0
    text = flat[start : start + SNIPPET_CHARS]
    if start > 0:
        text = "…" + text
    if start + SNIPPET_CHARS < len(flat):
        text += "…"
    ordered = sorted((t for t in terms if t), key=len, reverse=True)
    if not ordered:
        return text, ((text, False),)
    pattern = re.compile("|".join(re.escape(term) for term in ordered), re.IGNORECASE)
    parts: list[tuple[str, bool]] = []
    last = 0
    for found in pattern.finditer(text):
        if found.start() > last:
            parts.append((text[last : found.start()], False))
        parts.append((found.group(0), True))
        last = found.end()
    if last < len(text):
        parts.append((text[last:], False))
    return text, tuple(parts)


def _condition(groups: list[QueryGroup]) -> Q:
    condition = Q(pk__in=[])
    for text in dict.fromkeys(term.text for group in groups for term in group.terms):
        for field_name in SEARCH_FIELDS:
            condition |= Q(**{f"{field_name}__icontains": text})
    return condition


def article_search(query: str, *, articles: QuerySet[Article], limit: int = 5) -> list[ArticleHit]:
    """The articles of ``articles`` that answer ``query``, best first, at most ``limit``.

    Three queries whatever the number of articles (none for an empty query). Articles without
    a version are never hits."""
    if limit <= 0:
        return []
    groups = [group for group in query_groups(query) if group.word not in FILLER_WORDS]
    if not groups:
        return []
    articles = articles.filter(current_version__isnull=False)
    rows = list(articles.filter(_condition(groups)).order_by().values_list("pk", *SEARCH_FIELDS))
    if not rows:
        return []
    stats = articles.aggregate(total=Count("pk"), body=Avg(Length("search_body")))
    total = stats["total"] or 0
    average = float(stats["body"] or 0)
    candidates = [_Candidate.of(*row) for row in rows]
    frequency: dict[str, int] = {}
    for group in groups:
        for term in group.terms:
            if term.text not in frequency:
                frequency[term.text] = sum(
                    1
                    for c in candidates
                    if term.text in c.title or term.text in c.keywords or term.text in c.body
                )
    idf = {text: _idf(total, count) for text, count in frequency.items()}
    scored = []
    for candidate in candidates:
        score, terms = _score(candidate, groups, idf, average)
        if score > 0:
            scored.append((score, candidate.pk, terms))
    scored.sort(key=lambda entry: (-entry[0], entry[1]))
    scored = scored[:limit]
    loaded = (
        Article.objects.select_related("department", "current_version")
        .only(
            "code",
            "title",
            "kind",
            "department__short_name",
            "department__name",
            "current_version__id",
            "current_version__number",
            "current_version__body",
            "current_version__title",
        )
        .in_bulk([pk for _, pk, _ in scored])
    )
    hits = []
    for score, pk, terms in scored:
        article = loaded.get(pk)
        if article is None or article.current_version is None:
            continue
        version = article.current_version
        snippet, parts = _snippet(version.body, terms)
        department = article.department
        hits.append(
            ArticleHit(
                article_id=article.pk,
                code=article.code,
                title=version.title,
                kind=article.kind,
                kind_label=str(article.get_kind_display()),
                department_short_name=(
                    (department.short_name or department.name) if department else ""
                ),
                version_id=version.pk,
                version_number=version.number,
                snippet=snippet,
                snippet_parts=parts,
                score=score,
            )
        )
    return hits


def index_fields(*, title: str, keywords: str, body: str) -> dict[str, str]:
    """The stored search terms of one text (``catalog.search.search_terms``)."""
    return {
        "search_title": " ".join(search_terms([title])),
        "search_keywords": " ".join(search_terms([keywords])),
        "search_body": " ".join(search_terms([body], unique=False)),
    }


__all__ = ["ArticleHit", "article_search", "index_fields"]
