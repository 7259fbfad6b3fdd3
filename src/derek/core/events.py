"""In-process domain events, so one domain can react to another's change without importing it.

A publisher of an event calls `publish(name, session, **data)` inside its transaction; subscribers run
at once, in the same transaction, and may only add work (for example, queue a job). The catalog, for
instance, announces a resource's new content and the DataStore queues a load, while neither imports
the other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

Subscriber = Callable[..., None]
_SUBSCRIBERS: dict[str, list[Subscriber]] = {}

RESOURCE_CONTENT_CHANGED = "resource.content_changed"  # data: actor, resource_id, format, url_type
DATASET_CHANGED = "catalog.dataset_changed"  # data: dataset_id (its metadata, files, links or state changed)
LINKS_CHANGED = "quality.links_changed"  # data: resource_ids (whose link started or stopped working)
TABLE_WRITTEN = "datastore.table_written"  # data: actor, resource_id (records written through the API)
TABLE_LOADED = "datastore.table_loaded"  # data: actor, resource_id, sha256 (the file the new table holds)


def subscribe(name: str) -> Callable[[Subscriber], Subscriber]:
    def decorator(fn: Subscriber) -> Subscriber:
        if fn not in _SUBSCRIBERS.setdefault(name, []):
            _SUBSCRIBERS[name].append(fn)
        return fn

    return decorator


def publish(name: str, session: Session, **data: Any) -> None:
    for fn in _SUBSCRIBERS.get(name, []):
        fn(session, **data)
