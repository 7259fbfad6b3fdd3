"""What other domains use of interoperability: DCAT graphs read into the catalog's own shapes, and one
dataset's DCAT-AP graph and check.

Harvesting (a DCAT catalog as a source) reads remote graphs with the same parser `derek import` uses; the
metadata quality score (`quality/mqa.py`) reads the graph data.europa.eu would harvest. They reach them here,
as domains meet only through each other's service, schemas or package.
"""

from __future__ import annotations

from derek.interop.dcat import EU, IANA, graph_of_dataset
from derek.interop.dcat_check import check_dataset, conforms
from derek.interop.dcat_import import (
    FORMATS_BY_SUFFIX,
    DatasetData,
    DistributionData,
    language_code,
    last_segment,
    parse_catalog,
)
from derek.interop.shacl import Violation

__all__ = [
    "EU",
    "FORMATS_BY_SUFFIX",
    "IANA",
    "check_dataset",
    "conforms",
    "graph_of_dataset",
    "DatasetData",
    "DistributionData",
    "language_code",
    "last_segment",
    "parse_catalog",
    "Violation",
]
