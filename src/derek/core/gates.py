"""Publication gates: other domains say why a dataset may not be published yet, without the catalog
importing them.

A gate is a function `(session, dataset_id) -> list of reasons in plain words`; the catalog asks every gate
when a dataset is about to become public (created published, or changed to published) and refuses with the
reasons. The personal-data guard (`quality`) is one: a resource holding valid IINs blocks publication until
the column is removed or a reviewer records a lawful basis.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

Gate = Callable[[Session, str], list[str]]
_GATES: dict[str, Gate] = {}


def publication_gate(name: str) -> Callable[[Gate], Gate]:
    def decorator(fn: Gate) -> Gate:
        _GATES[name] = fn
        return fn

    return decorator


def reasons_not_to_publish(session: Session, dataset_id: str) -> list[str]:
    """Every gate's reasons, in the order the gates were registered (empty: it may be published)."""
    reasons: list[str] = []
    for gate in _GATES.values():
        reasons.extend(gate(session, dataset_id))
    return reasons
