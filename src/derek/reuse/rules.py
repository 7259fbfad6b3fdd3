"""A jurisdiction's rules for reuse, from the `[reuse]` table of its profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from derek.config import Profile

_KNOWN_KEYS = frozenset(
    {
        "moderators",
        "grace_days",
        "dead_after",
        "new_account_days",
        "burst_supports",
        "shared_address",
        "stop_words",
    }
)


@dataclass(frozen=True)
class ReuseRules:
    moderators: str  # slug of the organization whose admins and editors moderate ("" : sysadmins only)
    grace_days: int  # a dead use case leaves the default list this many days after it died
    dead_after: int  # failed checks in a row (timeouts, 5xx) before a use case is dead; 404/410 at once
    new_account_days: int  # the anomaly report's "new account": younger than this many days
    burst_supports: int  # the anomaly report flags an idea with this many supports from new accounts in a day
    shared_address: int  # ... and an address this many accounts supported one idea from
    stop_words: dict[str, frozenset[str]]  # extra words the survey word cloud leaves out, per language


def _parse(code: str, raw: dict[str, Any]) -> ReuseRules:
    unknown = set(raw) - _KNOWN_KEYS
    if unknown:
        raise ValueError(f"profile {code}: unknown keys in [reuse]: {', '.join(sorted(unknown))}")
    numbers = {
        key: int(raw.get(key, default))
        for key, default in (
            ("grace_days", 30),
            ("dead_after", 2),
            ("new_account_days", 7),
            ("burst_supports", 10),
            ("shared_address", 3),
        )
    }
    if numbers["grace_days"] < 0 or any(numbers[k] < 1 for k in numbers if k != "grace_days"):
        raise ValueError(f"profile {code}: [reuse] numbers must be positive (grace_days may be 0)")
    stop = raw.get("stop_words", {})
    if not isinstance(stop, dict):
        raise ValueError(f"profile {code}: [reuse] stop_words must be a table of word lists per language")
    return ReuseRules(
        moderators=str(raw.get("moderators", "")),
        stop_words={str(lang): frozenset(str(w).lower() for w in words) for lang, words in stop.items()},
        **numbers,
    )


def rules_for(profile: Profile) -> ReuseRules:
    return _parse(profile.code, profile.raw.get("reuse", {}))
