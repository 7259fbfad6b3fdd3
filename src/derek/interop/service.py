"""What other domains use of interoperability: reading DCAT graphs into the catalog's own shapes.

Harvesting (a DCAT catalog as a source) reads remote graphs with the same parser `derek import` uses; it
reaches it here, as domains meet only through each other's service, schemas or package.
"""

from __future__ import annotations

from derek.interop.dcat_import import (
    FORMATS_BY_SUFFIX,
    DatasetData,
    DistributionData,
    language_code,
    last_segment,
    parse_catalog,
)

__all__ = [
    "FORMATS_BY_SUFFIX",
    "DatasetData",
    "DistributionData",
    "language_code",
    "last_segment",
    "parse_catalog",
]
