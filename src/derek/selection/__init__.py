"""Choosing what to open: data inventories, proposals and their demand evidence, assessments, the
Commission's review, the unified list of open data and each organization's compliance with it."""

from derek.selection import policy  # noqa: F401  (registers the actions)
