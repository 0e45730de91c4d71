"""Seeding the knowledge base from the item catalogue and ``data/duties.toml`` (called by
``services.knowledge_seed``, inside its transaction).

- one ``answer`` article per published item of the basic directory (one per ``basic_code``:
  an item all 22 street offices implement is one article, not 22), from its plain-language
  guide; source key ``item-guide:<basic code>``; its department is the implementing one, or
  none (city-wide) when several departments implement it;
- one ``answer`` article per FAQ of that item (question → title, answer → body); source key
  ``item-faq:<faq id>``;
- one ``duty`` article per entry of ``data/duties.toml`` whose department exists; source key
  ``duty:<key>``.

Seeded articles are published at once (they repeat what the catalogue publishes) with a
review date. Seeding again creates nothing for what exists: an article whose generated text
is unchanged is left alone; one whose source changed gets a new version — unless a person
revised it meanwhile (their text wins) or it was retired. A fixed number of queries per batch.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable

from django.db.models import Prefetch, QuerySet

from onewindow.catalog.codes import ItemStatus
from onewindow.catalog.models import ItemFAQ, ServiceItem
from onewindow.catalog.selectors import item_list_public
from onewindow.core.validation import has_control_characters
from onewindow.knowledge.codes import ArticleKind, ArticleState, article_code
from onewindow.knowledge.errors import DutiesFileError
from onewindow.knowledge.models import (
    BODY_MAX,
    KEYWORDS_MAX,
    TITLE_MAX,
    Article,
    ArticleVersion,
)
from onewindow.knowledge.numbering import next_code_number, next_review
from onewindow.knowledge.search import index_fields
from onewindow.org.models import Department

DUTIES_FILE = "duties.toml"
# The articles are Chinese content, like the catalogue guides they repeat (not page labels):
# the same text whatever language the seeding runs in.
GUIDE_LABELS = (
    ("guide_you_get", "能拿到什么"),
    ("guide_who", "谁可以办"),
    ("guide_bring", "要带什么"),
    ("guide_how_long", "要多久"),
    ("guide_how_much", "收费吗"),
)
HANDLED_BY = "办理部门"
HANDLED_BY_MANY = "办理部门：%(first)s等%(count)s个部门"
ABOUT = "相关事项"
NOTE_FROM_CATALOGUE = "由事项目录导入"
NOTE_UPDATED = "随事项目录更新"
NOTE_FROM_DUTIES = "由部门职责清单导入"
BATCH_SIZE = 500


@dataclass(frozen=True)
class Duty:
    key: str
    department: str
    title: str
    keywords: str
    body: str


def duties_load(directory: Traversable | None = None) -> list[Duty]:
    """The entries of ``data/duties.toml``, checked (errors name the file and the entry)."""
    folder = directory if directory is not None else resources.files("onewindow.knowledge") / "data"
    try:
        values = tomllib.loads((folder / DUTIES_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DutiesFileError(f"{DUTIES_FILE}: the file is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise DutiesFileError(f"{DUTIES_FILE}: this is not valid TOML: {exc}") from exc
    duties: list[Duty] = []
    seen: set[str] = set()
    limits = {"key": 32, "department": 128, "title": TITLE_MAX, "keywords": KEYWORDS_MAX}
    for index, entry in enumerate(values.get("duty", []), start=1):
        where = f"{DUTIES_FILE}, duty {index}"
        if not isinstance(entry, dict) or set(entry) != {*limits, "body"}:
            raise DutiesFileError(f"{where}: keys key, department, title, keywords, body")
        for name, value in entry.items():
            if not isinstance(value, str) or not value.strip():
                raise DutiesFileError(f"{where}: {name} must be a non-empty text")
            if has_control_characters(value, multiline=name == "body"):
                raise DutiesFileError(f"{where}: {name} holds a control character")
            if len(value) > limits.get(name, BODY_MAX):
                raise DutiesFileError(f"{where}: {name} is too long")
        if entry["key"] in seen:
            raise DutiesFileError(f"{where}: the key {entry['key']!r} twice")
        seen.add(entry["key"])
        duties.append(Duty(**{name: value.strip() for name, value in entry.items()}))
    return duties


@dataclass
class _Planned:
    source_key: str
    kind: str
    title: str
    keywords: str
    body: str
    department_id: int | None
    item_id: int | None


def _guide_body(item: ServiceItem, departments: list[Department]) -> str:
    lines = [item.guide_summary.strip()]
    for name, label in GUIDE_LABELS:
        value = getattr(item, name).strip()
        if value:
            lines.append(f"{label}：{value}")
    if len(departments) == 1:
        lines.append(f"{HANDLED_BY}：{departments[0].name}")
    else:
        lines.append(HANDLED_BY_MANY % {"first": departments[0].name, "count": len(departments)})
    return "\n".join(line for line in lines if line)[:BODY_MAX]


def _from_items(items: QuerySet[ServiceItem]) -> list[_Planned]:
    rows = (
        items.select_related("department")
        .prefetch_related(Prefetch("faqs", queryset=ItemFAQ.objects.order_by("order", "id")))
        .order_by("basic_code", "implementation_code", "pk")
    )
    by_code: dict[str, list[ServiceItem]] = {}
    for item in rows:
        by_code.setdefault(item.basic_code, []).append(item)
    planned: list[_Planned] = []
    for code, implementations in by_code.items():
        first = implementations[0]
        departments = list({i.department_id: i.department for i in implementations}.values())
        department_id = first.department_id if len(departments) == 1 else None
        if not first.guide_summary.strip():
            continue  # no plain-language guide: nothing to read out
        keywords = first.keywords[:KEYWORDS_MAX]
        planned.append(
            _Planned(
                source_key=f"item-guide:{code}",
                kind=ArticleKind.ANSWER,
                title=first.name[:TITLE_MAX],
                keywords=keywords,
                body=_guide_body(first, departments),
                department_id=department_id,
                item_id=first.pk,
            )
        )
        for faq in first.faqs.all():
            planned.append(
                _Planned(
                    source_key=f"item-faq:{faq.pk}",
                    kind=ArticleKind.ANSWER,
                    title=faq.question.strip()[:TITLE_MAX],
                    # Not the item's keywords: the answer to one question must not rank
                    # with the item's whole guide for every word of it.
                    keywords="",
                    body=f"{faq.answer.strip()}\n{ABOUT}：{first.name}"[:BODY_MAX],
                    department_id=department_id,
                    item_id=first.pk,
                )
            )
    return planned


def _from_duties(duties: Iterable[Duty], skipped: list[str]) -> list[_Planned]:
    duties = list(duties)
    departments = dict(
        Department.objects.filter(name__in=[d.department for d in duties]).values_list("name", "pk")
    )
    planned = []
    for duty in duties:
        department_id = departments.get(duty.department)
        if department_id is None:
            skipped.append(duty.key)
            continue
        planned.append(
            _Planned(
                source_key=f"duty:{duty.key}",
                kind=ArticleKind.DUTY,
                title=duty.title,
                keywords=duty.keywords,
                body=duty.body,
                department_id=department_id,
                item_id=None,
            )
        )
    return planned


@dataclass
class SeedResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)  # duty keys whose department is missing


def seed_run(
    *, items: QuerySet[ServiceItem] | None, today: dt.date, now: dt.datetime
) -> SeedResult:
    result = SeedResult()
    source = items if items is not None else item_list_public()
    # Only published items are the catalogue's word; a draft is not read out to callers.
    planned = _from_items(source.filter(status=ItemStatus.PUBLISHED))
    planned += _from_duties(duties_load(), result.skipped)
    existing = {
        article.source_key: article
        for article in Article.objects.filter(
            source_key__in=[p.source_key for p in planned]
        ).select_related("current_version")
    }
    new = [p for p in planned if p.source_key not in existing]
    for plan in planned:
        article = existing.get(plan.source_key)
        if article is None:
            continue
        version = article.current_version
        if (
            version is None
            or article.state == ArticleState.RETIRED
            or version.changed_by_id is not None  # a person's text wins
            or (version.title, version.keywords, version.body)
            == (plan.title, plan.keywords, plan.body)
        ):
            result.unchanged += 1
            continue
        added = ArticleVersion.objects.create(
            article=article,
            number=version.number + 1,
            title=plan.title,
            keywords=plan.keywords,
            body=plan.body,
            changed_at=now,
            note=NOTE_UPDATED,
        )
        article.current_version = added
        article.title, article.keywords = plan.title, plan.keywords
        for name, value in index_fields(
            title=plan.title, keywords=plan.keywords, body=plan.body
        ).items():
            setattr(article, name, value)
        article.save()
        result.updated += 1
    if new:
        start = next_code_number()
        due = next_review(today)
        for offset in range(0, len(new), BATCH_SIZE):
            batch = new[offset : offset + BATCH_SIZE]
            articles = Article.objects.bulk_create(
                [
                    Article(
                        code=article_code(start + offset + index),
                        kind=plan.kind,
                        title=plan.title,
                        keywords=plan.keywords,
                        department_id=plan.department_id,
                        item_id=plan.item_id,
                        source_key=plan.source_key,
                        review_due=due,
                        state=ArticleState.PUBLISHED,
                        published_at=now,
                        **index_fields(title=plan.title, keywords=plan.keywords, body=plan.body),
                    )
                    for index, plan in enumerate(batch)
                ]
            )
            if any(article.pk is None for article in articles):
                # A backend that returns no keys from a bulk insert: read them back.
                keys = dict(
                    Article.objects.filter(
                        source_key__in=[p.source_key for p in batch]
                    ).values_list("source_key", "pk")
                )
                for article in articles:
                    article.pk = keys[article.source_key]
            versions = ArticleVersion.objects.bulk_create(
                [
                    ArticleVersion(
                        article_id=article.pk,
                        number=1,
                        title=plan.title,
                        keywords=plan.keywords,
                        body=plan.body,
                        changed_at=now,
                        note=NOTE_FROM_CATALOGUE if plan.item_id else NOTE_FROM_DUTIES,
                    )
                    for article, plan in zip(articles, batch, strict=True)
                ]
            )
            if any(version.pk is None for version in versions):
                ids = dict(
                    ArticleVersion.objects.filter(
                        article_id__in=[a.pk for a in articles], number=1
                    ).values_list("article_id", "pk")
                )
            else:
                ids = {version.article_id: version.pk for version in versions}
            for article in articles:
                article.current_version_id = ids[article.pk]
            Article.objects.bulk_update(articles, ["current_version"], batch_size=BATCH_SIZE)
        result.created = len(new)
    return result
