"""Panels one domain adds to another domain's pages, so the page's owner does not import it (no cycles).

A page renders a slot with `render_panels(slot, request, **context)`; a domain's adapter module registers a
function for the slot when app.py imports it. Each function decides itself whom it shows anything to, and
returns HTML (a `Markup`), or "" for nothing. Slots:
- `dataset` (context: session, actor, profile, dataset as a `DatasetRead`): the dataset page, its edit
  form and the form that adds its data; the DCAT-AP check (`interop/dcat_check_views.py`) is there, and
  the use cases of the dataset (`reuse/views.py`, on the public page only).
- `organization` (context: session, actor, profile, organization as an `OrganizationRead`): links in the
  organization page's side box (its information requests and Open Dialogue, its quality scorecard, the use
  cases of its data).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from markupsafe import Markup

Panel = Callable[..., str]
_PANELS: dict[str, list[Panel]] = {}


def register(slot: str) -> Callable[[Panel], Panel]:
    def decorator(fn: Panel) -> Panel:
        if fn not in _PANELS.setdefault(slot, []):
            _PANELS[slot].append(fn)
        return fn

    return decorator


def render_panels(slot: str, request: Request, **context: Any) -> Markup:
    """Every panel of the slot for this request, one after the other (empty when none has anything)."""
    return Markup("").join(Markup(fn(request, **context)) for fn in _PANELS.get(slot, []))
