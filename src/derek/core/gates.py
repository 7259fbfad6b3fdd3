"""Publication and serving gates: other domains say why a dataset may not be published yet, or why a
resource's file may not be served to the public now, without the catalog importing them.

A gate is a function `(session, dataset_id) -> list of reasons in plain words`; the catalog asks every gate
when a dataset is about to become public (created published, or changed to published) and refuses with the
reasons. The personal-data guard (`quality`) is one: a resource holding valid IINs blocks publication until
the column is removed or a reviewer records a lawful basis.

A serving gate is a function `(session, resource_id) -> a reason in plain words, or ""`; the catalog's
downloads and the DataStore's reads ask every one before serving a resource's current file or table to
someone who may not edit it. The personal-data guard holds back a new file of a public dataset until its
check has passed.
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


ServingGate = Callable[[Session, str], str]
_SERVING: dict[str, ServingGate] = {}


def serving_gate(name: str) -> Callable[[ServingGate], ServingGate]:
    def decorator(fn: ServingGate) -> ServingGate:
        _SERVING[name] = fn
        return fn

    return decorator


def reason_not_to_serve(session: Session, resource_id: str) -> str:
    """The first gate's reason not to serve the resource's current content ("": it may be served)."""
    for gate in _SERVING.values():
        reason = gate(session, resource_id)
        if reason:
            return reason
    return ""
