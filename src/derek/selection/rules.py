"""A jurisdiction's rules for choosing what to open, from the `[selection]` table of its profile."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from derek.config import Profile

_KNOWN_KEYS = frozenset(
    {"commission", "list_owner", "code_prefix", "remind_days", "weights", "act", "thresholds", "law"}
)
DEFAULT_WEIGHTS = {"support": 1, "request": 3, "search": 1, "consultation": 5}
# demand index needed for a demand score of 1, 2 and 3 (of 3) in the assessment's suggestion
DEFAULT_THRESHOLDS = (1, 10, 25)


@dataclass(frozen=True)
class SelectionRules:
    law: dict[str, str]  # the law or procedure the process follows, per language, shown on the overview
    commission: str  # slug of the organization whose members form the Commission
    list_owner: str  # slug of the organization whose admins and editors draft and approve the list
    code_prefix: str  # list item codes: "OD-0007"
    remind_days: tuple[int, ...]  # remind the responsible organization this many days before a due date
    weights: dict[str, int]  # the demand index: points per piece of evidence of each kind
    thresholds: tuple[int, int, int]
    act: dict[str, str]  # the kind of act approving the list, per language ("Government decree")


def _per_language(value: Any) -> dict[str, str]:
    """A text given once (the same in every language) or as a table per language."""
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return {"en": str(value)} if value else {}


def _parse(code: str, raw: dict[str, Any]) -> SelectionRules:
    unknown = set(raw) - _KNOWN_KEYS
    if unknown:
        raise ValueError(f"profile {code}: unknown keys in [selection]: {', '.join(sorted(unknown))}")
    commission = str(raw.get("commission", "commission"))
    weights = {**DEFAULT_WEIGHTS, **{str(k): int(v) for k, v in raw.get("weights", {}).items()}}
    if any(w < 0 for w in weights.values()):
        raise ValueError(f"profile {code}: [selection.weights] must not be negative")
    thresholds = tuple(int(t) for t in raw.get("thresholds", DEFAULT_THRESHOLDS))
    if len(thresholds) != 3 or list(thresholds) != sorted(thresholds):
        raise ValueError(f"profile {code}: [selection] thresholds must be three rising numbers")
    prefix = str(raw.get("code_prefix", "OD"))
    if not re.fullmatch(r"[A-Z][A-Z0-9]{0,9}", prefix):
        raise ValueError(f"profile {code}: [selection] code_prefix must be 1-10 capital letters or digits")
    remind = tuple(sorted({int(d) for d in raw.get("remind_days", (30, 7))}, reverse=True))
    if any(d < 0 for d in remind):
        raise ValueError(f"profile {code}: [selection] remind_days must not be negative")
    return SelectionRules(
        law=_per_language(raw.get("law", "")),
        commission=commission,
        list_owner=str(raw.get("list_owner", commission)),
        code_prefix=prefix,
        remind_days=remind,
        weights=weights,
        thresholds=(thresholds[0], thresholds[1], thresholds[2]),
        act=_per_language(raw.get("act", {"en": "Approving act"})),
    )


def rules_for(profile: Profile) -> SelectionRules:
    """The profile's selection rules (parsed anew: a dozen keys)."""
    return _parse(profile.code, profile.raw.get("selection", {}))
