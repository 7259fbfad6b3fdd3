"""Reuse: use cases linked to the datasets they use and watched for being alive, ideas and dataset
requests with one support per person, and surveys for co-creation sessions."""

from derek.reuse import policy  # noqa: F401  (registers the actions)
