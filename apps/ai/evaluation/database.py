"""The evaluation's own database, so that it never touches an operator's data: the configured database's name
with "_evaluation", created and migrated as Django creates a test database, kept between runs (keepdb: the
seeded history is reused), recreated on request. Every connection to the configured database is pointed at it."""

from __future__ import annotations

from django.db import connections
from django.test.utils import setup_databases

EVALUATION_SUFFIX = "_evaluation"


def evaluation_database(*, rebuild: bool = False) -> str:
    """Switch to the evaluation database (create or migrate it as needed; `rebuild`: drop it first); its name."""
    configured = connections["default"].settings_dict["NAME"]
    name = f"{configured}{EVALUATION_SUFFIX}"
    aliases = {alias for alias in connections if connections[alias].settings_dict["NAME"] == configured}
    for alias in aliases:
        connections[alias].settings_dict.setdefault("TEST", {})["NAME"] = name
    # `aliases` is only tested for membership (django-stubs types it a mapping)
    setup_databases(verbosity=0, interactive=False, keepdb=not rebuild, aliases=dict.fromkeys(aliases),
                    serialized_aliases=set())
    return name
