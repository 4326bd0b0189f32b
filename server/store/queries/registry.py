"""Former home of the registry's queries, now split by resource: ``addresses``, ``houses``,
``persons``, ``residences``, ``units`` and the shared ``filters`` (decision 0014).
Kept only so that code written against the old module still imports; new code imports
the resource's own module."""

from server.store.queries.addresses import *  # noqa: F403
from server.store.queries.filters import *  # noqa: F403
from server.store.queries.filters import MAX_RADIUS_M  # noqa: F401
from server.store.queries.houses import *  # noqa: F403
from server.store.queries.persons import *  # noqa: F403
from server.store.queries.residences import *  # noqa: F403
from server.store.queries.units import *  # noqa: F403
