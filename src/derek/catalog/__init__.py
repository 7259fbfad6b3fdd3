"""The catalog: organizations, datasets, resources, themes, keywords, licences and search."""

from derek.catalog import policy as policy  # registers the catalog's actions
