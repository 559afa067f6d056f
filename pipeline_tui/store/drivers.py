"""Keep server drivers out of SQLite runs.

peewee imports psycopg at its own import time whenever the postgres extra is installed, which
costs about 0.1 s: more than the whole of a small command. A SQLite location never needs it, so
hide the drivers before peewee is first imported. Call this before anything imports peewee.
"""

from __future__ import annotations

import sys

SERVER_DRIVERS = ("psycopg", "psycopg2")


def skip_server_drivers(location: str) -> None:
    """Hide psycopg from peewee unless ``location`` is a server URL (``scheme://``)."""
    if "://" in location or "peewee" in sys.modules:
        return
    for driver in SERVER_DRIVERS:
        sys.modules.setdefault(driver, None)  # type: ignore[arg-type]
