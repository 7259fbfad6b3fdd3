"""What other domains use of quality: a dataset's stored figures (CKAN package dicts show them as extras)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from derek.core.db import utcnow
from derek.quality import freshness
from derek.quality.models import DatasetQuality

# the extras a CKAN package dict carries; the portal computes them, so a client cannot set them
EXTRA_KEYS = ("quality_score", "quality_rating", "openness_stars", "freshness", "freshness_due")


def extras_of(session: Session, dataset_id: str) -> dict[str, str]:
    """The dataset's stored score, rating, stars and freshness as text; nothing before its first score."""
    row = session.get(DatasetQuality, dataset_id)
    if row is None or row.computed_at is None:
        return {}
    extras = {
        "quality_score": f"{row.points}/405",
        "quality_rating": row.rating,
        "openness_stars": str(row.stars),
        "freshness": freshness.state_at(row.due_at, row.due_soon_at, utcnow()),
    }
    if row.due_at is not None:
        extras["freshness_due"] = row.due_at.date().isoformat()
    return extras
