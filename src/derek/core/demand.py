"""Demand evidence: every domain that sees people asking for data says so here, and dataset selection
reads it beside each proposal, without importing those domains.

A source is a function `(session, profile, phrases) -> list[Evidence]`: the pieces of evidence that match
any of the phrases (a proposal's keywords). Information requests add the requests on the topic, the catalog
the searches that found nothing or little, dataset selection the proposal's supports and consultation
records; reuse will add the supports of ideas. Each piece carries a count (how many people or times it
stands for), which the demand index weighs by its kind with the profile's weights.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from derek.config import Profile


@dataclass(frozen=True)
class Evidence:
    kind: str  # "request", "search", "support", "consultation", ...
    title: str  # what was asked, searched or submitted (public words only)
    count: int = 1  # how many people or times this piece stands for
    url: str = ""  # where to read it on the portal
    detail: str = ""  # e.g. the organization asked, the status, "0 datasets found"
    on: date | None = None


# (session, profile, phrases, context) -> evidence; context carries the proposal's id for its own sources
Source = Callable[[Session, "Profile", Sequence[str], dict[str, Any]], list[Evidence]]
_SOURCES: dict[str, Source] = {}


def source(kind: str) -> Callable[[Source], Source]:
    """Register the source of one kind of evidence."""

    def decorator(fn: Source) -> Source:
        _SOURCES[kind] = fn
        return fn

    return decorator


def kinds() -> list[str]:
    return list(_SOURCES)


def gather(
    session: Session, profile: Profile, phrases: Sequence[str], context: dict[str, Any] | None = None
) -> dict[str, list[Evidence]]:
    """Every source's evidence for these phrases, by kind, in the order the sources were registered."""
    return {kind: fn(session, profile, phrases, context or {}) for kind, fn in _SOURCES.items()}
