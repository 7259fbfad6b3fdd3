"""Harvesting: mirroring other portals' public catalogs (CKAN first) as local datasets with provenance."""
