"""The catalog: organizations, datasets, resources, themes, keywords, licences and search."""

from derek.catalog import policy as policy  # registers the catalog's actions
from derek.catalog import search_log as search_log  # the search log, a source of demand evidence
