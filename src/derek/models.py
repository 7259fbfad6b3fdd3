"""Imports every domain's tables so that metadata and migrations see them all."""

from derek.catalog import models as catalog_models  # noqa: F401
from derek.core import accounts, audit, jobs, mail  # noqa: F401
from derek.datastore import models as datastore_models  # noqa: F401
from derek.harvest import models as harvest_models  # noqa: F401
from derek.info_requests import models as info_requests_models  # noqa: F401
from derek.quality import models as quality_models  # noqa: F401
from derek.reuse import models as reuse_models  # noqa: F401
from derek.selection import models as selection_models  # noqa: F401
