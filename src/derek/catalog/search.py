"""Catalog search behind one interface: stemmed full text in every language, filters, facets, sorting.

The default engine is the catalog database itself: SQLite FTS5, or PostgreSQL full text (GIN) on the same
stemmed words, so both backends give the same answers. A search server can replace this module later.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import snowballstemmer
from sqlalchemy import ColumnElement, Float, Select, String, false, func, insert, select, text
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.orm import Session

from derek.catalog.models import (
    Dataset,
    DatasetKeyword,
    DatasetRegion,
    DatasetTheme,
    Organization,
    Resource,
    SearchDocument,
)
from derek.catalog.policy import visible_datasets
from derek.core.authz import Actor
from derek.core.errors import Invalid

WORD_RE = re.compile(r"\w+", re.UNICODE)
CYRILLIC_RE = re.compile(r"[а-яёәғқңөұүһі]", re.IGNORECASE)
FACET_FIELDS = ("organization", "theme", "format", "license", "keyword", "frequency", "region")
SORTS = ("relevance", "modified", "title", "name", "created")
MAX_ROWS = 1000
MAX_OFFSET = 2**31 - 1
MAX_FILTER_VALUES = 50


@dataclass(frozen=True)
class ExtraFacet:
    """A facet another domain keeps in its own table (e.g. quality's rating): one value per dataset."""

    title: str  # an English label, translated when shown
    values: Callable[[], tuple[Any, Any]]  # (value expression, its table's dataset_id column), per search
    # a value's label in the reader's language, given their gettext (which also fills {placeholders})
    label: Callable[..., str] = lambda value, _gettext: value
    # what else the cached counts of the public catalog depend on (the other table's state, the time)
    version: Callable[[Session], Hashable] = lambda _session: None


EXTRA_FACETS: dict[str, ExtraFacet] = {}


def register_facet(name: str, facet: ExtraFacet) -> None:
    """Add a facet (and a filter of the same name) kept by another domain."""
    if name in FACET_FIELDS:
        raise ValueError(f"{name!r} is one of the catalog's own facets")
    EXTRA_FACETS[name] = facet


def facet_fields() -> tuple[str, ...]:
    """The catalog's facets, then those other domains registered."""
    return FACET_FIELDS + tuple(EXTRA_FACETS)


@cache
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(language)


def stem_words(text_value: str) -> list[str]:
    """Lowercased words reduced to their stems (Russian rules for Cyrillic, English for Latin)."""
    return [_stem(word) for word in WORD_RE.findall(text_value.lower().replace("ё", "е"))]


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    stemmer = _stemmer("russian") if CYRILLIC_RE.search(word) else _stemmer("english")
    return str(stemmer.stemWord(word))


def document_words(dataset: Dataset, organization: Organization | None) -> str:
    parts: list[str] = [dataset.slug.replace("-", " ").replace("_", " ")]
    parts += [v for v in (dataset.title or {}).values() if v]
    parts += [v for v in (dataset.description or {}).values() if v]
    parts += [k.keyword for k in dataset.keywords]
    if organization is not None:
        parts += [v for v in (organization.title or {}).values() if v]
    return " ".join(stem_words(" ".join(parts)))


def index_dataset(session: Session, dataset: Dataset) -> None:
    words = document_words(dataset, session.get(Organization, dataset.organization_id))
    doc = session.get(SearchDocument, dataset.id)
    if doc is None:
        session.add(SearchDocument(dataset_id=dataset.id, words=words))
    else:
        doc.words = words
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DELETE FROM dataset_fts WHERE dataset_id = :id"), {"id": dataset.id})
        session.execute(
            text("INSERT INTO dataset_fts (dataset_id, words) VALUES (:id, :words)"),
            {"id": dataset.id, "words": words},
        )


def remove_from_index(session: Session, dataset_id: str) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DELETE FROM dataset_fts WHERE dataset_id = :id"), {"id": dataset_id})


@dataclass
class SearchQuery:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    descending: bool | None = None
    lang: str = "en"
    start: int = 0
    rows: int = 20
    facet_fields: Sequence[str] = FACET_FIELDS
    facet_limit: int = 50
    facet_mincount: int = 1
    include_private: bool = True
    include_drafts: bool = False

    def __post_init__(self) -> None:
        # Keep every number within what a database integer holds, whatever a client sends.
        self.start = min(max(self.start, 0), MAX_OFFSET)
        self.rows = min(max(self.rows, 0), MAX_ROWS)
        self.facet_limit = min(self.facet_limit, MAX_OFFSET) if self.facet_limit >= 0 else -1
        self.facet_mincount = min(max(self.facet_mincount, 1), MAX_OFFSET)


@dataclass
class SearchOutcome:
    count: int
    dataset_ids: list[str]
    facets: dict[str, list[tuple[str, int]]]


def _facet_column(name: str) -> tuple[Any, list[type] | None]:
    """The column a facet counts, and the table holding it when it is not on dataset."""
    if name == "organization":
        return Organization.slug, [Organization]
    if name == "theme":
        return DatasetTheme.theme, [DatasetTheme]
    if name == "format":
        return func.upper(Resource.format), [Resource]
    if name == "license":
        return Dataset.license_id, None
    if name == "keyword":
        return DatasetKeyword.keyword, [DatasetKeyword]
    if name == "frequency":
        return Dataset.update_frequency, None
    if name == "region":
        return DatasetRegion.region, [DatasetRegion]
    raise ValueError(f"unknown facet {name!r}: use one of {', '.join(facet_fields())}")


def _join_for(stmt: Select[Any], table: type) -> Select[Any]:
    if table is Organization:
        return stmt.join(Organization, Organization.id == Dataset.organization_id)
    if table is Resource:
        return stmt.join(Resource, (Resource.dataset_id == Dataset.id) & (Resource.state == "active"))
    return stmt.join(table, getattr(table, "dataset_id") == Dataset.id)  # noqa: B009


def _filter_clause(name: str, values: list[str]) -> ColumnElement[bool]:
    """Datasets having every one of the values: one clause per field, whatever the number of values.

    (One subquery per value made PostgreSQL's planning time grow exponentially: 16 + 16 values took 11 s.)
    """
    wanted = list(dict.fromkeys(v.upper() if name == "format" else v for v in values))
    if name in EXTRA_FACETS:  # one value per dataset, as for the single-valued fields below
        if len(wanted) > 1:
            return false()
        value, owner = EXTRA_FACETS[name].values()
        return Dataset.id.in_(select(owner).where(value == wanted[0]))
    single: dict[str, Any] = {
        "name": Dataset.slug,  # one dataset by its URL name (CKAN clients filter with name:<slug>)
        "organization": Dataset.organization_id,
        "license": Dataset.license_id,
        "frequency": Dataset.update_frequency,
    }
    if name in single:
        if len(wanted) > 1:
            return false()  # a dataset has one of each
        if name == "organization":
            return Dataset.organization_id.in_(select(Organization.id).where(Organization.slug == wanted[0]))
        return single[name] == wanted[0]
    linked, owner = _linked_column(name)
    having_all = select(owner).where(linked.in_(wanted))
    if name == "format":
        having_all = having_all.where(Resource.state == "active")
    return Dataset.id.in_(having_all.group_by(owner).having(func.count(func.distinct(linked)) == len(wanted)))


def _linked_column(name: str) -> tuple[Any, Any]:
    """The value column of a filter held outside the dataset table, and that table's dataset_id."""
    if name == "format":
        return func.upper(Resource.format), Resource.dataset_id
    column, _tables = _facet_column(name)
    return column, column.class_.dataset_id


def _fts_terms(q: str) -> list[str]:
    return [w for w in stem_words(q) if w][:32]


_HITS = sql_table("search_hits", sql_column("dataset_id", String), sql_column("rank", Float))


def _collect_hits(session: Session, terms: list[str]) -> None:
    """Match once into a temporary table of (dataset_id, rank) that counting, ordering and every facet reuse.

    Every term must be present; the last one matches as a prefix, for search-as-you-type.
    """
    session.execute(
        text("CREATE TEMP TABLE IF NOT EXISTS search_hits (dataset_id VARCHAR(36) PRIMARY KEY, rank FLOAT)")
    )
    session.execute(text("DELETE FROM search_hits"))
    if session.get_bind().dialect.name == "sqlite":
        expr = " ".join(f'"{t}"' for t in terms[:-1]) + (" " if len(terms) > 1 else "") + f'"{terms[-1]}"*'
        session.execute(
            text(
                "INSERT INTO search_hits (dataset_id, rank) SELECT dataset_id, bm25(dataset_fts)"
                " FROM dataset_fts WHERE dataset_fts MATCH :m"
            ),
            {"m": expr},
        )
        return
    session.execute(
        text(
            "INSERT INTO search_hits (dataset_id, rank)"
            " SELECT dataset_id, -ts_rank(to_tsvector('simple', words), to_tsquery('simple', :q))"
            " FROM dataset_search WHERE to_tsvector('simple', words) @@ to_tsquery('simple', :q)"
        ),
        {"q": " & ".join(terms[:-1] + [terms[-1] + ":*"])},
    )


_MATCHES = sql_table("search_matches", sql_column("dataset_id", String))


def _materialize(session: Session, matching: Select[Any]) -> Select[Any]:
    """Store the ids of the matching datasets in a temporary table and select through it."""
    session.execute(
        text("CREATE TEMP TABLE IF NOT EXISTS search_matches (dataset_id VARCHAR(36) PRIMARY KEY)")
    )
    session.execute(text("DELETE FROM search_matches"))
    session.execute(insert(_MATCHES).from_select(["dataset_id"], matching))
    # "id IN (...)", not a join: SQLite then walks the small matching set and finds datasets by key.
    return select(Dataset.id).where(Dataset.id.in_(select(_MATCHES.c.dataset_id)))


def search(session: Session, actor: Actor, query: SearchQuery) -> SearchOutcome:
    where: list[ColumnElement[bool]] = [
        visible_datasets(actor, include_private=query.include_private, include_drafts=query.include_drafts)
    ]
    given = sum(len(values) for values in query.filters.values())
    if given > MAX_FILTER_VALUES:
        raise Invalid(
            f"The search has {given} filter values: use at most {MAX_FILTER_VALUES}.",
            errors={"filters": [f"At most {MAX_FILTER_VALUES} values in all."]},
        )
    for name, values in query.filters.items():
        if values:
            where.append(_filter_clause(name, values))
    terms = _fts_terms(query.q)
    if terms:
        _collect_hits(session, terms)
        where.append(Dataset.id.in_(select(_HITS.c.dataset_id)))
    base = select(Dataset.id).where(*where)
    if (
        len(where) > 1
    ):  # words or filters: settle the matching set once for the count, the page and every facet
        base = _materialize(session, base)
    ids = _ordered_ids(session, base, terms, query)
    if len(where) == 1 and not actor.sysadmin and not actor.memberships:
        count, facets = _public_overview(session, base, query)
    else:
        count, facets = _count_and_facets(session, base, query)
    return SearchOutcome(count=count, dataset_ids=ids, facets=facets)


Facets = dict[str, list[tuple[str, int]]]
_OVERVIEW_CACHE: dict[tuple[Any, ...], tuple[int, Facets]] = {}


def _count_and_facets(session: Session, base: Select[Any], query: SearchQuery) -> tuple[int, Facets]:
    count = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    return count, {name: _facet(session, name, base, query) for name in query.facet_fields}


def _public_overview(session: Session, base: Select[Any], query: SearchQuery) -> tuple[int, Facets]:
    """Count and facets of the whole public catalog (the landing search everyone sees), kept until it changes.

    Every change to a dataset or its resources moves its `modified` time, and a new dataset adds a row, so
    (rows, latest modified) names the catalog's state; each app process keeps its own copy.
    """
    rows, latest = session.execute(select(func.count(Dataset.id), func.max(Dataset.modified))).one()
    key = (
        str(session.get_bind().engine.url),
        rows,
        latest,
        tuple(query.facet_fields),
        query.facet_limit,
        query.facet_mincount,
        tuple(EXTRA_FACETS[f].version(session) for f in query.facet_fields if f in EXTRA_FACETS),
    )
    cached = _OVERVIEW_CACHE.get(key)
    if cached is None:
        cached = _count_and_facets(session, base, query)
        if len(_OVERVIEW_CACHE) > 64:
            _OVERVIEW_CACHE.clear()
        _OVERVIEW_CACHE[key] = cached
    return cached


def _ordered_ids(session: Session, base: Select[Any], terms: list[str], query: SearchQuery) -> list[str]:
    stmt = base
    sort = query.sort if query.sort in SORTS else "relevance"
    if sort == "relevance" and terms:
        stmt = stmt.join(_HITS, _HITS.c.dataset_id == Dataset.id).order_by(
            _HITS.c.rank, Dataset.modified.desc()
        )
    elif sort == "title":
        title = Dataset.title[query.lang].as_string()
        stmt = stmt.order_by(title.desc() if query.descending else title.asc(), Dataset.slug)
    elif sort == "name":
        stmt = stmt.order_by(Dataset.slug.desc() if query.descending else Dataset.slug.asc())
    elif sort == "created":
        stmt = stmt.order_by(
            Dataset.created_at.asc() if query.descending is False else Dataset.created_at.desc()
        )
    else:
        stmt = stmt.order_by(Dataset.modified.asc() if query.descending is False else Dataset.modified.desc())
    stmt = stmt.order_by(Dataset.id).offset(max(query.start, 0)).limit(max(0, min(query.rows, MAX_ROWS)))
    return list(session.scalars(stmt))


_ON_DATASET = {
    "organization": Dataset.organization_id,
    "license": Dataset.license_id,
    "frequency": Dataset.update_frequency,
}
_LINKED = {"theme": DatasetTheme.theme, "keyword": DatasetKeyword.keyword, "region": DatasetRegion.region}


def _facet(session: Session, name: str, base: Select[Any], query: SearchQuery) -> list[tuple[str, int]]:
    """Counts of matching datasets per value, one GROUP BY over the narrowest table holding the value."""
    n = func.count().label("n")
    if name in _ON_DATASET:
        column: Any = _ON_DATASET[name]
        stmt = base.with_only_columns(column, n).group_by(column)
    elif name in _LINKED:
        column = _LINKED[name]
        owner = column.class_.dataset_id
        stmt = select(column, n).where(owner.in_(base)).group_by(column)
    elif name in EXTRA_FACETS:
        column, owner = EXTRA_FACETS[name].values()
        stmt = select(column, n).where(owner.in_(base)).group_by(column)
    elif name == "format":
        pairs = (
            select(Resource.dataset_id, func.upper(Resource.format).label("value"))
            .where(Resource.state == "active", Resource.format != "", Resource.dataset_id.in_(base))
            .distinct()
            .subquery("pairs")
        )
        column = pairs.c.value
        stmt = select(column, n).group_by(column)
    else:
        raise ValueError(f"unknown facet {name!r}: use one of {', '.join(facet_fields())}")
    stmt = stmt.having(func.count() >= max(query.facet_mincount, 1)).order_by(n.desc(), column)
    if query.facet_limit >= 0:
        stmt = stmt.limit(query.facet_limit)
    counts = [(str(value), int(count)) for value, count in session.execute(stmt) if value not in (None, "")]
    if name == "organization":
        slugs = dict(
            session.execute(
                select(Organization.id, Organization.slug).where(Organization.id.in_([v for v, _ in counts]))
            ).all()
        )
        counts = [(slugs.get(v, v), c) for v, c in counts]
    return counts


def reindex_all(session: Session, dataset_ids: Iterable[str] | None = None) -> int:
    stmt = select(Dataset)
    if dataset_ids is not None:
        stmt = stmt.where(Dataset.id.in_(list(dataset_ids)))
    n = 0
    for dataset in session.scalars(stmt):
        index_dataset(session, dataset)
        n += 1
    return n
