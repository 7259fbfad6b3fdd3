"""Interoperability: the CKAN-compatible Action API, and later DCAT-AP, schema.org and harvesting."""
