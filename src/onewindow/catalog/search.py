"""Chinese full-text search over the service-item catalogue (details: ``README-search.md``).

Portable: no database full-text engine. Each item has a ``SearchDocument`` with normalised,
pre-segmented text (``jieba.cut_for_search``) and its pinyin; candidates come from ``icontains``
filters that SQLite and PostgreSQL run alike; ranking is done here in Python (a district has
about a thousand items). Stored fields, space-separated, each phrase first, then its terms:

- ``name_terms``: the name; ``keyword_terms``: the everyday ``keywords``;
- ``body_terms``: the guide (summary, you get, who, bring), department name and short name,
  material names (terms repeat, for term frequency);
- ``pinyin`` / ``initials``: name | keywords | department, words separated by ``'``
  (``jiulou'jiazhuang'dianti``, ``jl'jz'dt``).

Query: normalised (``text_normalise``), cut with ``jieba.cut``, stop words out (and single
characters when longer words exist). Each word is a *group*: the word, its ``SYNONYMS``, its
shorter ``cut_for_search`` fragments. Latin-only queries are one pinyin word. Groups found in no
candidate are ignored.

Order: *tier*, then term score, then shorter name, then implementation code.

- tier 4: the query (with or without stop words) is the name; 3: the name starts with it;
  2: every query word is literally in the name; 1: every group is in the name or keywords
  (synonyms count); 0: matched elsewhere.
- term score (BM25-like): per group and field, its best member
  ``weight × idf × field weight × match`` (name 10, keywords 6, body 2 × bm25 tf); groups
  averaged, times coverage² (share of groups matched); plus a bonus when the typed phrase
  appears whole. ``SearchHit.score = 1000 × tier + term score``.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jieba
from django.db import transaction
from django.db.models import Avg, Count, Prefetch, Q, QuerySet, TextField, Value
from django.db.models.functions import Length, Replace
from pypinyin import lazy_pinyin

from onewindow.catalog.models import Material, SearchDocument, ServiceItem

# Longest query text analysed; anything after it is ignored (keeps the work bounded).
MAX_QUERY_CHARS = 64
# At most this many query words take part (the first ones).
MAX_QUERY_GROUPS = 8

# Words that carry no meaning for finding an item. Applied to queries and documents.
_STOP_WORDS_TEXT = """
    我 我们 你 您 他 她 想 想要 要 需要 需 怎么 怎样 怎么样 如何 咋 咋办 哪里 哪儿 在哪 去哪
    哪个 哪些 什么 啥 办 办理 办个 的 地 得 了 吗 呢 啊 呀 吧 嘛 去 在 到 和 与 及 或 给 帮 帮我
    一下 一个 个 开个 请问 请 可以 能 能不能 可不可以 该 应该 是 有 还 就 都 也 手续 流程 相关
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

# Everyday words → the words the catalogue uses. Keep it short: item keywords are the main
# bridge; this map only covers words so common that every item would need them otherwise.
# Expansions are listed most likely first (the first weighs 0.9, each next one 0.1 less).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "退休金": ("养老金", "养老保险"),
    "退休工资": ("养老金", "养老保险"),
    "营业执照": ("设立登记",),
    "执照": ("营业执照", "设立登记"),
    "小卖部": ("个体工商户", "食品经营"),
    "开店": ("个体工商户", "食品经营"),
    "看病": ("就医",),
    "外地": ("异地",),
    "生孩子": ("生育",),
    "生小孩": ("生育",),
    "低保": ("最低生活保障",),
    "户口": ("户籍",),
    "残疾证": ("残疾人证",),
    "领证": ("结婚登记",),
}

# Field weights and match strengths of the term score (see the module docstring).
WEIGHT_NAME = 10.0
WEIGHT_KEYWORDS = 6.0
WEIGHT_BODY = 2.0
SUBSTRING_MATCH = 0.75
PINYIN_MATCH = 0.9
INITIALS_MATCH = 0.8
FRAGMENT_WEIGHT = 0.5
SYNONYM_WEIGHT = 0.9
PHRASE_BONUS = 0.5
BM25_K1 = 1.2
BM25_B = 0.75
TIER_GAP = 1000.0

TIER_EXACT = 4
TIER_PREFIX = 3
TIER_ALL_IN_NAME = 2
TIER_ALL_IN_NAME_OR_KEYWORDS = 1

SECTION_SEPARATOR = " | "
PINYIN_WORD_SEPARATOR = "'"
TEXT_FIELDS = ("name_terms", "keyword_terms", "body_terms")
PINYIN_FIELDS = ("pinyin", "initials")
PINYIN_ALIASES = ("search_pinyin_compact", "search_initials_compact")

_HAN_RUN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff]+)")
_LATIN_WORD = re.compile(r"[a-z]+")
_LATIN_QUERY = re.compile(r"[a-z ]+")

_tokenizer: Any = None
_tokenizer_lock = threading.Lock()


@dataclass(frozen=True)
class SearchHit:
    item: ServiceItem
    score: float


# --- text -------------------------------------------------------------------------------


def text_normalise(text: str) -> str:
    """Full-width → half-width (NFKC), lower case, every non-letter non-digit → one space."""
    text = unicodedata.normalize("NFKC", text).lower()
    kept = "".join(ch if unicodedata.category(ch)[0] in "LN" else " " for ch in text)
    return " ".join(kept.split())


def _jieba() -> Any:
    """A private jieba tokenizer, initialised once and quietly (words other code adds to the
    global jieba dictionary cannot change our index)."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def _phrase_terms(phrase: str) -> list[str]:
    """The phrase itself followed by its search terms, stop words left out."""
    terms = [phrase] if phrase not in STOP_WORDS else []
    for token in _jieba().cut_for_search(phrase):
        token = token.strip()
        if token and token != phrase and token not in STOP_WORDS:
            terms.append(token)
    return terms


def _terms(texts: Iterable[str], *, unique: bool = True) -> list[str]:
    terms: list[str] = []
    for text in texts:
        for phrase in text_normalise(text).split():
            terms.extend(_phrase_terms(phrase))
    return list(dict.fromkeys(terms)) if unique else terms


def _word_segments(phrase: str) -> list[str]:
    """The phrase cut into words at which a pinyin match may start: jieba's precise cut, with
    a four-character word split in two when both halves are words (养老保险 → 养老 保险)."""
    tokenizer = _jieba()
    segments: list[str] = []
    for word in tokenizer.cut(phrase):
        if len(word) == 4 and tokenizer.FREQ.get(word[:2]) and tokenizer.FREQ.get(word[2:]):
            segments.extend((word[:2], word[2:]))
        elif word.strip():
            segments.append(word)
    return segments


@lru_cache(maxsize=8192)
def _phrase_pinyin(phrase: str) -> tuple[str, str]:
    """Full pinyin and initials of one normalised phrase, words separated by ``'``
    (旧楼加装电梯 → ``jiulou'jiazhuang'dianti``, ``jl'jz'dt``); non-Chinese runs stay as they
    are."""
    full_words: list[str] = []
    initial_words: list[str] = []
    for segment in _word_segments(phrase):
        full: list[str] = []
        initials: list[str] = []
        for run in _HAN_RUN.split(segment):
            if not run:
                continue
            if _HAN_RUN.fullmatch(run):
                syllables = [syllable.lower() for syllable in lazy_pinyin(run)]
                full.extend(syllables)
                initials.extend(syllable[:1] for syllable in syllables)
            else:
                full.append(run)
                initials.append(run)
        full_words.append("".join(full))
        initial_words.append("".join(initials))
    return PINYIN_WORD_SEPARATOR.join(full_words), PINYIN_WORD_SEPARATOR.join(initial_words)


def _pinyin_sections(sections: Sequence[Sequence[str]]) -> tuple[str, str]:
    full_sections = []
    initial_sections = []
    for phrases in sections:
        pairs = [_phrase_pinyin(phrase) for phrase in dict.fromkeys(phrases)]
        full_sections.append(" ".join(pair[0] for pair in pairs))
        initial_sections.append(" ".join(pair[1] for pair in pairs))
    return SECTION_SEPARATOR.join(full_sections), SECTION_SEPARATOR.join(initial_sections)


# --- indexing ---------------------------------------------------------------------------


def _document_fields(item: ServiceItem, material_names: Sequence[str]) -> dict[str, str]:
    department = item.department
    department_texts = [department.name, department.short_name]
    name_terms = _terms([item.name])
    keyword_terms = _terms([item.keywords])
    body_terms = _terms(
        [
            item.guide_summary,
            item.guide_you_get,
            item.guide_who,
            item.guide_bring,
            *department_texts,
            *material_names,
        ],
        unique=False,
    )
    pinyin, initials = _pinyin_sections(
        [
            text_normalise(item.name).split(),
            text_normalise(item.keywords).split(),
            text_normalise(" ".join(department_texts)).split(),
        ]
    )
    return {
        "name_terms": " ".join(name_terms),
        "keyword_terms": " ".join(keyword_terms),
        "body_terms": " ".join(body_terms),
        "pinyin": pinyin,
        "initials": initials,
    }


def search_document_rebuild(*, item: ServiceItem) -> SearchDocument:
    """Rebuild the search document of one stored item (called by catalogue services inside
    their transaction, after the item's materials are stored)."""
    material_names = list(item.materials.order_by("order", "id").values_list("name", flat=True))
    document, _ = SearchDocument.objects.update_or_create(
        item=item, defaults=_document_fields(item, material_names)
    )
    return document


@transaction.atomic
def search_documents_rebuild_all(
    *, items: QuerySet[ServiceItem] | None = None, batch_size: int = 500
) -> int:
    """Rebuild the search documents of ``items`` (default: every item) in bulk.

    For the demo generator, the importer and the ``rebuild_search`` command: a fixed number of
    queries per batch of ``batch_size`` items, whatever their number. Returns the count.
    """
    source = items if items is not None else ServiceItem.objects.all()
    item_ids = list(dict.fromkeys(source.order_by("pk").values_list("pk", flat=True)))
    materials = Prefetch(
        "materials",
        queryset=Material.objects.only("id", "item_id", "name", "order").order_by("order", "id"),
    )
    for start in range(0, len(item_ids), batch_size):
        batch_ids = item_ids[start : start + batch_size]
        batch = (
            ServiceItem.objects.filter(pk__in=batch_ids)
            .select_related("department")
            .prefetch_related(materials)
        )
        documents = [
            SearchDocument(
                item=item,
                **_document_fields(item, [material.name for material in item.materials.all()]),
            )
            for item in batch
        ]
        SearchDocument.objects.filter(item_id__in=batch_ids).delete()
        SearchDocument.objects.bulk_create(documents, batch_size=batch_size)
    return len(item_ids)


# --- query analysis ---------------------------------------------------------------------

WORD = "word"  # a word the user typed
SYNONYM = "synonym"  # an everyday-word expansion from SYNONYMS
FRAGMENT = "fragment"  # a shorter search term inside a typed word (养老 in 养老金)


@dataclass
class _Member:
    text: str
    weight: float
    kind: str

    @property
    def latin(self) -> bool:
        return _LATIN_WORD.fullmatch(self.text) is not None


@dataclass
class _Group:
    """One query word and its alternatives; the group matches when any member does."""

    head: str
    members: list[_Member] = field(default_factory=list)

    def add(self, text: str, weight: float, kind: str) -> None:
        for member in self.members:
            if member.text == text:
                if weight > member.weight:
                    member.weight, member.kind = weight, kind
                return
        self.members.append(_Member(text=text, weight=weight, kind=kind))


@dataclass
class _Query:
    compact: str  # normalised query without spaces
    core: str  # the query words without stop words, joined
    phrase: str  # the words as typed, single characters included ("" when no bonus applies)
    groups: list[_Group]

    @property
    def members(self) -> list[_Member]:
        return [member for group in self.groups for member in group.members]


def _query_words(normalised: str) -> tuple[list[str], str]:
    """The query words (stop words out; single characters out when longer words exist) and
    the phrase they form, single characters included (怎么领养老金 → [养老金], 领养老金)."""
    if _LATIN_QUERY.fullmatch(normalised):
        # Pinyin typed with or without spaces is one word: "yang lao jin" = "yanglaojin".
        word = normalised.replace(" ", "")
        return [word], word
    words = []
    for phrase in normalised.split():
        for word in _jieba().cut(phrase):
            word = word.strip()
            if word and word not in STOP_WORDS:
                words.append(word)
    typed_phrase = "".join(words)
    words = list(dict.fromkeys(words))
    if any(len(word) > 1 for word in words):
        words = [word for word in words if len(word) > 1]
    return words[:MAX_QUERY_GROUPS], typed_phrase


def _query_analyse(query: str) -> _Query | None:
    normalised = text_normalise(query[: MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS].strip()
    if not normalised:
        return None
    compact = normalised.replace(" ", "")
    words, typed_phrase = _query_words(normalised)
    groups = []
    for word in words:
        group = _Group(head=word)
        group.add(word, 1.0, WORD)
        if not _LATIN_WORD.fullmatch(word):
            for fragment in _phrase_terms(word)[1:]:
                if len(fragment) > 1:
                    group.add(fragment, FRAGMENT_WEIGHT, FRAGMENT)
        groups.append(group)
    for key, expansions in SYNONYMS.items():
        if key not in compact:
            continue
        targets = [group for group in groups if group.head in key or key in group.head]
        if not targets:
            targets = [_Group(head=key)]
            targets[0].add(key, 1.0, WORD)
            groups.append(targets[0])
        for group in targets:
            for index, expansion in enumerate(expansions):
                group.add(expansion, max(SYNONYM_WEIGHT - 0.1 * index, 0.5), SYNONYM)
    if not groups:
        return None
    core = "".join(words)
    # The typed phrase earns a bonus where it appears whole, unless it is just one query word.
    phrase = typed_phrase if len(typed_phrase) >= 3 and typed_phrase not in words else ""
    return _Query(compact=compact, core=core, phrase=phrase, groups=groups[:MAX_QUERY_GROUPS])


# --- ranking ----------------------------------------------------------------------------


def _spelled_match(section: str, word: str, *, whole_words: bool) -> float:
    """How well latin ``word`` matches the pinyin (or initials) phrases of ``section``.

    1 for a whole phrase, 0.9 from the start of a phrase, 0.8 from the start of a later word;
    with ``whole_words`` (initials) the match must also end where a word ends, so "ylj" is
    养老金 but not 养老机构 (yl'jg).
    """
    best = 0.0
    for phrase in section.split():
        segments = phrase.split(PINYIN_WORD_SEPARATOR)
        compact = "".join(segments)
        if compact == word:
            return 1.0
        offsets = [0]
        for segment in segments:
            offsets.append(offsets[-1] + len(segment))
        ends = set(offsets)
        for index, offset in enumerate(offsets[:-1]):
            if not compact.startswith(word, offset):
                continue
            if whole_words and offset + len(word) not in ends:
                continue
            best = max(best, 0.9 if index == 0 else 0.8)
    return best


@dataclass
class _ParsedDocument:
    """The stored fields, padded with spaces so `` word `` finds a whole term (the body's
    spaces doubled so that counting `` word `` counts neighbouring repeats too)."""

    name: str
    keywords: str
    body: str
    body_length: int
    pinyin: list[str]  # sections: name, keywords, department
    initials: list[str]

    @classmethod
    def of(cls, name: str, keywords: str, body: str, pinyin: str, initials: str) -> _ParsedDocument:
        return cls(
            name=f" {name} ",
            keywords=f" {keywords} ",
            body=f" {body.replace(' ', '  ')} ",
            body_length=len(body),
            pinyin=[*pinyin.split(SECTION_SEPARATOR), "", "", ""][:3],
            initials=[*initials.split(SECTION_SEPARATOR), "", "", ""][:3],
        )

    def spelled(self, section: int, word: str) -> float:
        return max(
            PINYIN_MATCH * _spelled_match(self.pinyin[section], word, whole_words=False),
            INITIALS_MATCH * _spelled_match(self.initials[section], word, whole_words=True),
        )


@dataclass(frozen=True)
class _Candidate:
    pk: int
    name: str
    code: str
    document: _ParsedDocument


CANDIDATE_COLUMNS = (
    "pk",
    "name",
    "implementation_code",
    *(f"search_document__{name}" for name in TEXT_FIELDS + PINYIN_FIELDS),
)


def _text_match(text: str, word: str) -> float:
    if word not in text:
        return 0.0
    return 1.0 if f" {word} " in text else SUBSTRING_MATCH


@dataclass(frozen=True)
class _MemberMatch:
    name: float  # 0..1
    keywords: float  # 0..1
    body_frequency: float  # term frequency in the body

    @property
    def found(self) -> bool:
        return bool(self.name or self.keywords or self.body_frequency)


NO_MATCH = _MemberMatch(0.0, 0.0, 0.0)


def _member_match(document: _ParsedDocument, member: _Member) -> _MemberMatch:
    word = member.text
    name = _text_match(document.name, word)
    keywords = _text_match(document.keywords, word)
    frequency = 0.0
    if word in document.body:
        frequency = float(document.body.count(f" {word} ")) or SUBSTRING_MATCH
    if member.latin:
        name = max(name, document.spelled(0, word))
        keywords = max(keywords, document.spelled(1, word))
        if not frequency and document.spelled(2, word):
            frequency = 1.0
    if not (name or keywords or frequency):
        return NO_MATCH
    return _MemberMatch(name=name, keywords=keywords, body_frequency=frequency)


def _bm25(frequency: float, length: int, average_length: float) -> float:
    if not frequency:
        return 0.0
    norm = 1 - BM25_B + BM25_B * (length / average_length if average_length else 1.0)
    return frequency * (BM25_K1 + 1) / (frequency + BM25_K1 * norm)


def _idf(total: int, frequency: int) -> float:
    total = max(total, frequency)
    return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))


@lru_cache(maxsize=8192)
def _name_compact(name: str) -> str:
    return text_normalise(name).replace(" ", "")


def _tier(
    query: _Query, candidate: _Candidate, literal_in_name: bool, all_in_name_or_keywords: bool
) -> int:
    name = _name_compact(candidate.name)
    document = candidate.document
    if query.compact == name or query.core == name:
        return TIER_EXACT
    if len(query.core) >= 2 and name.startswith(query.core):
        return TIER_PREFIX
    if len(query.groups) == 1 and _LATIN_WORD.fullmatch(query.core):
        name_pinyin = document.pinyin[0].replace(PINYIN_WORD_SEPARATOR, "")
        if query.core == name_pinyin:
            return TIER_EXACT
        if len(query.core) >= 4 and name_pinyin.startswith(query.core):
            return TIER_PREFIX
    if literal_in_name:
        return TIER_ALL_IN_NAME
    if all_in_name_or_keywords:
        return TIER_ALL_IN_NAME_OR_KEYWORDS
    return 0


class _Ranker:
    """Scores candidates against an analysed query; see the module docstring."""

    def __init__(
        self, query: _Query, candidates: list[_Candidate], total: int, average_body_length: float
    ) -> None:
        self.query = query
        self.average_body_length = average_body_length
        self.matches: dict[tuple[int, str], _MemberMatch] = {}
        frequency: Counter[str] = Counter()
        for candidate in candidates:
            for member in query.members:
                key = (candidate.pk, member.text)
                if key not in self.matches:
                    self.matches[key] = _member_match(candidate.document, member)
                    frequency[member.text] += self.matches[key].found
        # A query word found in no candidate (a filler word, a typo) is ignored.
        self.groups = [
            group
            for group in query.groups
            if any(frequency[member.text] for member in group.members)
        ]
        self.idf = {member.text: _idf(total, frequency[member.text]) for member in query.members}

    def field_scores(self, candidate: _Candidate, member: _Member) -> tuple[float, float, float]:
        match = self.matches[(candidate.pk, member.text)]
        if not match.found:
            return (0.0, 0.0, 0.0)
        document = candidate.document
        factor = member.weight * self.idf[member.text]
        body = _bm25(match.body_frequency, document.body_length, self.average_body_length)
        return (
            factor * WEIGHT_NAME * match.name,
            factor * WEIGHT_KEYWORDS * match.keywords,
            factor * WEIGHT_BODY * body,
        )

    def phrase_bonus(self, candidate: _Candidate) -> float:
        phrase = self.query.phrase
        if not phrase:
            return 0.0
        document = candidate.document
        if phrase in document.name:
            return PHRASE_BONUS * WEIGHT_NAME
        if phrase in document.keywords:
            return PHRASE_BONUS * WEIGHT_KEYWORDS
        if phrase in document.body:
            return PHRASE_BONUS * WEIGHT_BODY
        return 0.0

    def score(self, candidate: _Candidate) -> float:
        """``1000 × tier + term score``; 0 when nothing matched."""
        group_scores = []
        literal_in_name = True
        all_in_name_or_keywords = True
        for group in self.groups:
            # Each field counts once per query word: its best member in that field.
            best = [0.0, 0.0, 0.0]
            word_in_name = strong_in_name_or_keywords = False
            for member in group.members:
                scores = self.field_scores(candidate, member)
                best = [max(pair) for pair in zip(best, scores, strict=True)]
                if member.kind == WORD and scores[0]:
                    word_in_name = True
                if member.kind != FRAGMENT and (scores[0] or scores[1]):
                    strong_in_name_or_keywords = True
            group_scores.append(sum(best))
            literal_in_name = literal_in_name and word_in_name
            all_in_name_or_keywords = all_in_name_or_keywords and strong_in_name_or_keywords
        matched = sum(1 for score in group_scores if score > 0)
        if not matched:
            return 0.0
        coverage = matched / len(self.groups)
        term_score = coverage**2 * sum(group_scores) / len(self.groups)
        term_score = min(term_score + self.phrase_bonus(candidate), TIER_GAP - 1)
        tier = _tier(self.query, candidate, literal_in_name, all_in_name_or_keywords)
        # One decimal: near-equal scores are ties, which the shorter name wins.
        return round(tier * TIER_GAP + term_score, 1)


def _rank(
    query: _Query, candidates: list[_Candidate], total: int, average_body_length: float
) -> list[tuple[float, _Candidate]]:
    """Scored candidates, best first; ties go to the shorter name, then the lower code."""
    ranker = _Ranker(query, candidates, total, average_body_length)
    if not ranker.groups:
        return []
    scored = [(ranker.score(candidate), candidate) for candidate in candidates]
    scored = [pair for pair in scored if pair[0] > 0]
    scored.sort(key=lambda pair: (-pair[0], len(pair[1].name), pair[1].code, pair[1].pk))
    return scored


def _candidate_filter(query: _Query) -> Q:
    condition = Q()
    for member in query.members:
        for field_name in TEXT_FIELDS:
            condition |= Q(**{f"search_document__{field_name}__icontains": member.text})
        if member.latin:
            for alias in PINYIN_ALIASES:
                condition |= Q(**{f"{alias}__icontains": member.text})
    return condition


def item_search(
    query: str, *, limit: int = 20, items: QuerySet[ServiceItem] | None = None
) -> list[SearchHit]:
    """Items matching ``query`` best first; ``items`` restricts the candidates (default:
    published items).

    Three queries whatever the catalogue size: one counts the candidate set (for the term
    weights), one reads the search documents of the matching items, one loads the hits (with
    their department).
    An empty or punctuation-only query returns ``[]``.
    """
    from onewindow.catalog.selectors import item_list_public

    analysed = _query_analyse(query)
    if analysed is None or limit <= 0:
        return []
    base = items if items is not None else item_list_public()
    stats = base.aggregate(
        total=Count("pk"), body_length=Avg(Length("search_document__body_terms"))
    )
    matching = base
    if any(member.latin for member in analysed.members):
        # Pinyin is stored with word separators; compare it without them.
        matching = matching.alias(
            **{
                alias: Replace(
                    f"search_document__{field_name}",
                    Value(PINYIN_WORD_SEPARATOR),
                    Value(""),
                    output_field=TextField(),
                )
                for alias, field_name in zip(PINYIN_ALIASES, PINYIN_FIELDS, strict=True)
            }
        )
    rows = (
        matching.filter(_candidate_filter(analysed))
        .order_by()  # the ranking orders; skip the default join on the department name
        .values_list(*CANDIDATE_COLUMNS)
    )
    candidates = {
        pk: _Candidate(pk=pk, name=name, code=code, document=_ParsedDocument.of(*texts))
        for pk, name, code, *texts in rows
    }
    if not candidates:
        return []
    total = stats["total"] or 0
    ranked = _rank(analysed, list(candidates.values()), total, float(stats["body_length"] or 0))
    ranked = ranked[:limit]
    # Only the hits are loaded as model instances (with the caller's select/prefetch).
    items_by_pk = base.select_related("department").in_bulk([c.pk for _, c in ranked])
    return [
        SearchHit(item=items_by_pk[candidate.pk], score=score)
        for score, candidate in ranked
        if candidate.pk in items_by_pk
    ]
