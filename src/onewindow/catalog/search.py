"""Chinese (and English) full-text search over the service-item catalogue (details:
``README-search.md``).

Portable: no database full-text engine. Each item has a ``SearchDocument`` with normalised,
pre-segmented text (``jieba.cut_for_search``) and its pinyin; candidates come from ``icontains``
filters that SQLite and PostgreSQL run alike; ranking is done here in Python (a district has
about a thousand items). Stored fields, space-separated, each phrase first, then its terms:

- ``name_terms``: the name, then the stemmed words of the English name (``english_terms``);
  ``keyword_terms``: the everyday ``keywords``;
- ``body_terms``: the guide (summary, you get, who, bring), department name and short name,
  material names (terms repeat, for term frequency), the department's English name;
- ``pinyin`` / ``initials``: name | keywords | department, words separated by ``'``
  (``jiulou'jiazhuang'dianti``, ``jl'jz'dt``).

Stop words and synonyms are data: ``data/search_words.toml``.

Query: normalised (``text_normalise``), cut with ``jieba.cut``, stop words out (and single
characters when longer words exist). Each word is a *group*: the word, its ``SYNONYMS``, its
shorter ``cut_for_search`` fragments; a latin word also its stem and ``ENGLISH_SYNONYMS``.
Latin-only queries have two readings, scored apart (a candidate keeps its better score): one
pinyin word (spaces ignored), and English words (stemmed, English stop words out). Groups
found in no candidate are ignored.

Order: *tier*, then term score, then shorter name, then implementation code.

- tier 4: the query (with or without stop words) is the name (or the English name); 3: the
  name starts with it (full pinyin from 4 letters, initials from 4 letters across word ends,
  the English name); 2: every query word is literally in the name; 1: every group is in the
  name or keywords (synonyms count); 0: matched elsewhere.
- term score (BM25-like): per group and field, its best member
  ``weight × idf × field weight × match`` (name 10, keywords 6, body 2 × bm25 tf); groups
  averaged, times coverage² (share of groups matched); plus a bonus when the typed phrase
  appears whole. Document frequencies count basic codes, not implementations.
  ``SearchHit.score = 1000 × tier + term score``.

``item_search`` gives one hit per implementation; ``item_search_grouped`` one result per basic
code (an item every street office implements is one result), the chosen region's
implementation first. ``item_filter`` applies the page and API filters.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import jieba
from django.db import transaction
from django.db.models import Avg, Count, Prefetch, Q, QuerySet, TextField, Value
from django.db.models.functions import Length, Replace
from pypinyin import lazy_pinyin

from onewindow.catalog.codes import CaseType
from onewindow.catalog.models import Material, SearchDocument, ServiceItem
from onewindow.org.models import Region

# Longest query text analysed; anything after it is ignored (keeps the work bounded).
MAX_QUERY_CHARS = 64
# At most this many query words take part (the first ones).
MAX_QUERY_GROUPS = 8

# Stop words and synonyms are data: data/search_words.toml (loaded below, after the text
# helpers they use).
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

# Latin words match inside a stored term only from its start and with this many letters.
LATIN_PREFIX_MIN = 4
# Initials this long match the start of a name even across its word boundaries.
INITIALS_PREFIX_MIN = 4
# Implementations listed under one grouped result (the rest are counted).
MAX_GROUP_SHOWN = 60

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


SEARCH_WORDS_FILE = "search_words.toml"


class SearchWordsError(ValueError):
    """``data/search_words.toml`` is missing, is not TOML, or holds something unusable."""


def _word_list(table: dict[str, Any], key: str) -> frozenset[str]:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise SearchWordsError(f"{SEARCH_WORDS_FILE}, [stop_words] {key}: expected a text")
    return frozenset(value.split())


def _synonym_table(values: dict[str, Any], table: str, key_form: Any) -> dict[str, tuple[str, ...]]:
    entries = values.get(table, {})
    if not isinstance(entries, dict):
        raise SearchWordsError(f"{SEARCH_WORDS_FILE}, [{table}]: expected a table")
    synonyms: dict[str, tuple[str, ...]] = {}
    for raw_key, raw_expansions in entries.items():
        where = f"{SEARCH_WORDS_FILE}, [{table}] {raw_key!r}"
        key = key_form(raw_key)
        if not key or " " in key:
            raise SearchWordsError(f"{where}: a key is one word")
        if not isinstance(raw_expansions, list) or not raw_expansions:
            raise SearchWordsError(f"{where}: expected a list of words")
        if not all(isinstance(word, str) and word.strip() for word in raw_expansions):
            raise SearchWordsError(f"{where}: every expansion is a non-empty text")
        expansions = tuple(dict.fromkeys(key_form(word) for word in raw_expansions))
        if key in expansions:
            raise SearchWordsError(f"{where}: a word does not expand to itself")
        if key in synonyms:
            raise SearchWordsError(f"{where}: the same key twice (after stemming)")
        synonyms[key] = expansions
    return synonyms


def english_stem(word: str) -> str:
    """A deliberately simple stemmer for the English names: plurals, -ing and -ed off, a final
    e off (lifts, lifting → lift; licences, licence → licenc; married, marry → marry)."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes", "zes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 4 and word.endswith("ied"):
        word = word[:-3] + "y"
    else:
        for ending in ("ing", "ed"):
            if len(word) > len(ending) + 2 and word.endswith(ending) and not word.endswith("eed"):
                word = word[: -len(ending)]
                if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "lsz":
                    word = word[:-1]  # getting → get, planned → plan; filling stays fill
                break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def _english_key(text: str) -> str:
    return " ".join(english_stem(word) for word in text_normalise(text).split())


def search_words_load(directory: Traversable | None = None) -> dict[str, Any]:
    """Stop words and synonyms from ``data/search_words.toml`` (checked; errors name the
    file, the table and the key)."""
    folder = directory if directory is not None else resources.files("onewindow.catalog") / "data"
    try:
        text = (folder / SEARCH_WORDS_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SearchWordsError(f"{SEARCH_WORDS_FILE}: the file is missing") from None
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SearchWordsError(f"{SEARCH_WORDS_FILE}: this is not valid TOML: {exc}") from exc
    unknown = set(values) - {"stop_words", "synonyms", "english_synonyms"}
    if unknown:
        raise SearchWordsError(f"{SEARCH_WORDS_FILE}: unknown tables {sorted(unknown)}")
    stop_words = values.get("stop_words", {})
    if not isinstance(stop_words, dict) or set(stop_words) - {"chinese", "english"}:
        raise SearchWordsError(f"{SEARCH_WORDS_FILE}, [stop_words]: keys chinese and english")
    return {
        "stop_words": _word_list(stop_words, "chinese"),
        "english_stop_words": _word_list(stop_words, "english"),
        "synonyms": _synonym_table(values, "synonyms", lambda text: text_normalise(text)),
        "english_synonyms": _synonym_table(values, "english_synonyms", _english_key),
    }


_SEARCH_WORDS = search_words_load()
# Words that carry no meaning for finding an item. Applied to queries and documents.
STOP_WORDS: frozenset[str] = _SEARCH_WORDS["stop_words"]
ENGLISH_STOP_WORDS: frozenset[str] = _SEARCH_WORDS["english_stop_words"]
# Everyday words → the words the catalogue uses; expansions listed most likely first (the
# first weighs 0.9, each next one 0.1 less). Chinese keys apply when the query contains them,
# English keys (stemmed) to a whole query word.
SYNONYMS: dict[str, tuple[str, ...]] = _SEARCH_WORDS["synonyms"]
ENGLISH_SYNONYMS: dict[str, tuple[str, ...]] = _SEARCH_WORDS["english_synonyms"]


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


def english_terms(text: str) -> list[str]:
    """The stemmed English words of ``text`` (latin words only, stop words out), in order."""
    terms = []
    for word in text_normalise(text).split():
        if _LATIN_WORD.fullmatch(word) and word not in ENGLISH_STOP_WORDS:
            stem = english_stem(word)
            if stem not in ENGLISH_STOP_WORDS:
                terms.append(stem)
    return terms


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
    # The English name counts as the name: its stemmed words follow the Chinese terms.
    name_terms = list(dict.fromkeys([*_terms([item.name]), *english_terms(item.name_en)]))
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
    ) + english_terms(department.name_en)
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
    spelled: bool = True  # a latin member may match pinyin (not in an English reading)

    @property
    def latin(self) -> bool:
        return _LATIN_WORD.fullmatch(self.text) is not None

    @property
    def pinyin(self) -> bool:
        return self.spelled and self.latin


@dataclass
class _Group:
    """One query word and its alternatives; the group matches when any member does."""

    head: str
    members: list[_Member] = field(default_factory=list)

    def add(self, text: str, weight: float, kind: str, *, spelled: bool = True) -> None:
        for member in self.members:
            if member.text == text:
                if weight > member.weight:
                    member.weight, member.kind = weight, kind
                return
        self.members.append(_Member(text=text, weight=weight, kind=kind, spelled=spelled))


@dataclass
class _Query:
    compact: str  # normalised query without spaces
    core: str  # the query words without stop words, joined
    phrase: str  # the words as typed, single characters included ("" when no bonus applies)
    groups: list[_Group]
    english: str = ""  # an English reading: its stemmed words, space-separated

    @property
    def members(self) -> list[_Member]:
        return [member for group in self.groups for member in group.members]


def _query_words(normalised: str) -> tuple[list[str], str]:
    """The query words (stop words out; single characters out when longer words exist) and
    the phrase they form, single characters included (怎么领养老金 → [养老金], 领养老金).
    English stop words are dropped too."""
    words = []
    for phrase in normalised.split():
        for word in _jieba().cut(phrase):
            word = word.strip()
            if word and word not in STOP_WORDS and word not in ENGLISH_STOP_WORDS:
                words.append(word)
    typed_phrase = "".join(words)
    words = list(dict.fromkeys(words))
    if any(len(word) > 1 for word in words):
        words = [word for word in words if len(word) > 1]
    return words[:MAX_QUERY_GROUPS], typed_phrase


def _english_synonyms_add(group: _Group, *, spelled: bool = True) -> None:
    for index, expansion in enumerate(ENGLISH_SYNONYMS.get(group.head, ())):
        weight = max(SYNONYM_WEIGHT - 0.1 * index, 0.5)
        group.add(expansion, weight, SYNONYM, spelled=spelled)


def _english_reading(normalised: str, compact: str) -> _Query | None:
    """A latin-only query read as English words (stemmed, stop words out, synonyms added)."""
    words = list(dict.fromkeys(english_terms(normalised)))[:MAX_QUERY_GROUPS]
    if not words:
        return None
    groups = []
    for word in words:
        group = _Group(head=word)
        group.add(word, 1.0, WORD, spelled=False)
        _english_synonyms_add(group, spelled=False)
        groups.append(group)
    return _Query(
        compact=compact, core="".join(words), phrase="", groups=groups, english=" ".join(words)
    )


def _query_analyse(query: str) -> list[_Query]:
    """The readings of ``query``: one for Chinese (or mixed) text; for latin letters only,
    pinyin (one word, spaces ignored: "yang lao jin" = "yanglaojin") and English words."""
    normalised = text_normalise(query[: MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS].strip()
    if not normalised:
        return []
    compact = normalised.replace(" ", "")
    if _LATIN_QUERY.fullmatch(normalised):
        pinyin_group = _Group(head=compact)
        pinyin_group.add(compact, 1.0, WORD)
        pinyin = _Query(compact=compact, core=compact, phrase="", groups=[pinyin_group])
        english = _english_reading(normalised, compact)
        return [pinyin, english] if english is not None else [pinyin]
    words, typed_phrase = _query_words(normalised)
    groups = []
    for word in words:
        if _LATIN_WORD.fullmatch(word):
            # A latin word in Chinese text: English (stemmed, with synonyms) or pinyin as typed.
            group = _Group(head=english_stem(word))
            group.add(group.head, 1.0, WORD)
            group.add(word, 1.0, WORD)
            _english_synonyms_add(group)
        else:
            group = _Group(head=word)
            group.add(word, 1.0, WORD)
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
        return []
    core = "".join(words)
    # The typed phrase earns a bonus where it appears whole, unless it is just one query word.
    phrase = typed_phrase if len(typed_phrase) >= 3 and typed_phrase not in words else ""
    return [_Query(compact=compact, core=core, phrase=phrase, groups=groups[:MAX_QUERY_GROUPS])]


# --- for other indexes (the hotline's knowledge base) -----------------------------------


def search_terms(texts: Iterable[str], *, unique: bool = True) -> list[str]:
    """The terms of ``texts`` as a catalogue document stores them: each normalised phrase,
    then its ``jieba.cut_for_search`` terms, stop words out (``unique=False`` keeps repeats,
    for term frequency). For other indexes that search with ``query_groups``."""
    return _terms(texts, unique=unique)


@dataclass(frozen=True)
class QueryTerm:
    text: str
    weight: float  # 1 for the word typed, 0.9 … 0.5 for synonyms, 0.5 for fragments
    kind: str  # WORD, SYNONYM or FRAGMENT


@dataclass(frozen=True)
class QueryGroup:
    """One query word and its alternatives (the word, its synonyms, its fragments)."""

    word: str
    terms: tuple[QueryTerm, ...]


def query_groups(query: str) -> list[QueryGroup]:
    """The query words of ``query`` as the catalogue search reads them (stop words out,
    synonyms and shorter fragments added), for another index built with ``search_terms``.
    A latin-only query gives its English reading (the pinyin reading needs a pinyin index);
    an empty or punctuation-only query gives ``[]``."""
    readings = _query_analyse(query)
    if not readings:
        return []
    reading = readings[-1]
    if not reading.english and _LATIN_QUERY.fullmatch(reading.compact):
        return []  # a pinyin reading only
    return [
        QueryGroup(
            word=group.head,
            terms=tuple(QueryTerm(m.text, m.weight, m.kind) for m in group.members),
        )
        for group in reading.groups
    ]


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
    name_initials: str  # the initials of the whole name, run together (jyzzzsdt)

    @classmethod
    def of(cls, name: str, keywords: str, body: str, pinyin: str, initials: str) -> _ParsedDocument:
        initial_sections = [*initials.split(SECTION_SEPARATOR), "", "", ""][:3]
        return cls(
            name=f" {name} ",
            keywords=f" {keywords} ",
            body=f" {body.replace(' ', '  ')} ",
            body_length=len(body),
            pinyin=[*pinyin.split(SECTION_SEPARATOR), "", "", ""][:3],
            initials=initial_sections,
            name_initials=initial_sections[0].replace(PINYIN_WORD_SEPARATOR, "").replace(" ", ""),
        )

    def spelled(self, section: int, word: str) -> float:
        return max(
            PINYIN_MATCH * _spelled_match(self.pinyin[section], word, whole_words=False),
            INITIALS_MATCH * _spelled_match(self.initials[section], word, whole_words=True),
        )

    def initials_prefix(self, word: str) -> bool:
        """``word`` (4+ letters) starts the initials of the name, wherever its words end:
        jyzzz is 既有住宅增设电梯 (jy'zz'zs'dt). Shorter initials must end where a word does."""
        return len(word) >= INITIALS_PREFIX_MIN and self.name_initials.startswith(word)


@dataclass(frozen=True)
class _Candidate:
    pk: int
    name: str
    code: str
    basic_code: str
    name_en: str
    region_code: str  # of the implementing department
    document: _ParsedDocument


CANDIDATE_COLUMNS = (
    "pk",
    "name",
    "implementation_code",
    "basic_code",
    "name_en",
    "department__region__code",
    *(f"search_document__{name}" for name in TEXT_FIELDS + PINYIN_FIELDS),
)


def _text_match(text: str, word: str, *, latin: bool = False) -> float:
    """1 for a whole term, 0.75 inside a longer one; a latin word matches only a whole term
    or, with 4+ letters, the start of one (lift, pension in pensioner; not "an" in pension)."""
    if word not in text:
        return 0.0
    if f" {word} " in text:
        return 1.0
    if not latin or (len(word) >= LATIN_PREFIX_MIN and f" {word}" in text):
        return SUBSTRING_MATCH
    return 0.0


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
    latin = member.latin
    name = _text_match(document.name, word, latin=latin)
    keywords = _text_match(document.keywords, word, latin=latin)
    frequency = 0.0
    if word in document.body:
        frequency = float(document.body.count(f" {word} ")) or _text_match(
            document.body, word, latin=latin
        )
    if member.pinyin:
        name = max(name, document.spelled(0, word))
        if document.initials_prefix(word):
            name = max(name, INITIALS_MATCH * PINYIN_MATCH)
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


@lru_cache(maxsize=8192)
def _english_name(name_en: str) -> str:
    return " ".join(english_terms(name_en))


def _tier(
    query: _Query, candidate: _Candidate, literal_in_name: bool, all_in_name_or_keywords: bool
) -> int:
    name = _name_compact(candidate.name)
    document = candidate.document
    if query.compact == name or query.core == name:
        return TIER_EXACT
    if len(query.core) >= 2 and name.startswith(query.core):
        return TIER_PREFIX
    if query.english:
        english_name = _english_name(candidate.name_en)
        if query.english == english_name:
            return TIER_EXACT
        if english_name.startswith(f"{query.english} "):
            return TIER_PREFIX
    elif len(query.groups) == 1 and _LATIN_WORD.fullmatch(query.core):
        name_pinyin = document.pinyin[0].replace(PINYIN_WORD_SEPARATOR, "")
        if query.core == name_pinyin:
            return TIER_EXACT
        if len(query.core) >= 4 and name_pinyin.startswith(query.core):
            return TIER_PREFIX
        if document.initials_prefix(query.core):
            return TIER_PREFIX
    if literal_in_name:
        return TIER_ALL_IN_NAME
    if all_in_name_or_keywords:
        return TIER_ALL_IN_NAME_OR_KEYWORDS
    return 0


class _Ranker:
    """Scores candidates against one reading of the query; see the module docstring."""

    def __init__(
        self, query: _Query, candidates: list[_Candidate], total: int, average_body_length: float
    ) -> None:
        self.query = query
        self.average_body_length = average_body_length
        self.matches: dict[tuple[int, str], _MemberMatch] = {}
        # Document frequency counts items, not implementations: an item every street office
        # implements does not make its words look common.
        found: dict[str, set[str]] = {member.text: set() for member in query.members}
        for candidate in candidates:
            for member in query.members:
                key = (candidate.pk, member.text)
                if key not in self.matches:
                    self.matches[key] = _member_match(candidate.document, member)
                    if self.matches[key].found:
                        found[member.text].add(candidate.basic_code)
        frequency = {text: len(codes) for text, codes in found.items()}
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
        if not self.groups:
            return 0.0
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
    readings: list[_Query], candidates: list[_Candidate], total: int, average_body_length: float
) -> list[tuple[float, _Candidate]]:
    """Scored candidates, best first (each scored by its best reading of the query); ties go
    to the shorter name, then the lower code."""
    rankers = [_Ranker(query, candidates, total, average_body_length) for query in readings]
    scored = [
        (max(ranker.score(candidate) for ranker in rankers), candidate) for candidate in candidates
    ]
    scored = [pair for pair in scored if pair[0] > 0]
    scored.sort(key=lambda pair: (-pair[0], len(pair[1].name), pair[1].code, pair[1].pk))
    return scored


def _candidate_filter(readings: list[_Query]) -> Q:
    condition = Q()
    texts = dict.fromkeys(member.text for query in readings for member in query.members)
    pinyin = {member.text for query in readings for member in query.members if member.pinyin}
    for text in texts:
        for field_name in TEXT_FIELDS:
            condition |= Q(**{f"search_document__{field_name}__icontains": text})
        if text in pinyin:
            for alias in PINYIN_ALIASES:
                condition |= Q(**{f"{alias}__icontains": text})
    return condition


def _ranked(
    query: str, items: QuerySet[ServiceItem] | None
) -> tuple[list[tuple[float, _Candidate]], QuerySet[ServiceItem]]:
    """Every matching candidate of ``items`` (default: published items), best first, and the
    queryset to load them from. Two queries: the size of the set, the matching documents."""
    from onewindow.catalog.selectors import item_list_public

    base = items if items is not None else item_list_public()
    readings = _query_analyse(query)
    if not readings:
        return [], base
    stats = base.aggregate(
        total=Count("basic_code", distinct=True),
        body_length=Avg(Length("search_document__body_terms")),
    )
    matching = base
    if any(member.pinyin for reading in readings for member in reading.members):
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
        matching.filter(_candidate_filter(readings))
        .order_by()  # the ranking orders; skip the default join on the department name
        .values_list(*CANDIDATE_COLUMNS)
    )
    candidates = {
        pk: _Candidate(
            pk=pk,
            name=name,
            code=code,
            basic_code=basic_code,
            name_en=name_en or "",
            region_code=region_code or "",
            document=_ParsedDocument.of(*texts),
        )
        for pk, name, code, basic_code, name_en, region_code, *texts in rows
    }
    if not candidates:
        return [], base
    total = stats["total"] or 0
    body_length = float(stats["body_length"] or 0)
    return _rank(readings, list(candidates.values()), total, body_length), base


def item_search(
    query: str, *, limit: int = 20, items: QuerySet[ServiceItem] | None = None
) -> list[SearchHit]:
    """Items matching ``query`` best first; ``items`` restricts the candidates (default:
    published items). Each implementation is its own hit (see ``item_search_grouped``).

    Three queries whatever the catalogue size: one counts the candidate set (for the term
    weights), one reads the search documents of the matching items, one loads the hits (with
    their department).
    An empty or punctuation-only query returns ``[]``.
    """
    if limit <= 0:
        return []
    ranked, base = _ranked(query, items)
    if not ranked:
        return []
    ranked = ranked[:limit]
    # Only the hits are loaded as model instances (with the caller's select/prefetch).
    items_by_pk = base.select_related("department").in_bulk([c.pk for _, c in ranked])
    return [
        SearchHit(item=items_by_pk[candidate.pk], score=score)
        for score, candidate in ranked
        if candidate.pk in items_by_pk
    ]


def item_filter(
    items: QuerySet[ServiceItem],
    *,
    department_id: int | None = None,
    online: bool | None = None,
    instant: bool | None = None,
) -> QuerySet[ServiceItem]:
    """The search filters: one implementing department, can (or cannot) be applied for online
    (可网上办, ``is_online``), is (or is not) an instant item (即办件). ``None`` leaves a
    filter out. Pass the result as ``items`` to a search."""
    if department_id is not None:
        items = items.filter(department_id=department_id)
    if online is not None:
        items = items.filter(is_online=online)
    if instant is not None:
        instant_item = Q(case_type=CaseType.INSTANT)
        items = items.filter(instant_item if instant else ~instant_item)
    return items


@dataclass(frozen=True)
class SearchGroup:
    """One item of the basic directory (基本目录) with the implementations that matched: one
    per implementing department, e.g. one per street office. The implementation of the chosen
    region comes first; the others follow by region code, then implementation code."""

    basic_code: str
    score: float
    implementations: list[ServiceItem]
    count: int  # implementations found (``implementations`` holds at most MAX_GROUP_SHOWN)
    local: bool  # the first implementation is the chosen region's own

    @property
    def item(self) -> ServiceItem:
        return self.implementations[0]

    @property
    def others(self) -> list[ServiceItem]:
        return self.implementations[1:]


def _in_region(region_code: str, prefix: str) -> bool:
    return bool(prefix) and region_code.startswith(prefix)


def item_search_grouped(
    query: str,
    *,
    limit: int = 20,
    items: QuerySet[ServiceItem] | None = None,
    region: Region | None = None,
) -> list[SearchGroup]:
    """Like ``item_search``, but one result per basic code (an item every street office
    implements is one result, not 22), best first, at most ``limit`` of them; within a result
    the implementation of ``region`` (a department inside it, e.g. the chosen street's office)
    comes first. The same three queries whatever the catalogue size."""
    if limit <= 0:
        return []
    ranked, base = _ranked(query, items)
    prefix = region.prefix if region is not None else ""
    groups: dict[str, list[tuple[float, _Candidate]]] = {}
    for score, candidate in ranked:
        members = groups.get(candidate.basic_code)
        if members is None:
            if len(groups) == limit:
                continue
            members = groups[candidate.basic_code] = []
        members.append((score, candidate))
    shown: dict[str, list[_Candidate]] = {}
    for code, members in groups.items():
        ordered = sorted(
            (candidate for _, candidate in members),
            key=lambda c: (not _in_region(c.region_code, prefix), c.region_code, c.code, c.pk),
        )
        shown[code] = ordered[:MAX_GROUP_SHOWN]
    items_by_pk = base.select_related("department").in_bulk(
        [candidate.pk for candidates in shown.values() for candidate in candidates]
    )
    results = []
    for code, members in groups.items():
        implementations = [items_by_pk[c.pk] for c in shown[code] if c.pk in items_by_pk]
        if not implementations:
            continue
        results.append(
            SearchGroup(
                basic_code=code,
                score=members[0][0],
                implementations=implementations,
                count=len(members),
                local=_in_region(shown[code][0].region_code, prefix),
            )
        )
    return results
