"""The demo's small community feed (data/feed_community.toml), imported through the real
ORUK importer: its records carry no taxonomy, so each service waits on the coordinator's
triage page with its needs not yet assigned, as a real council feed's would."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from services.demo.dataset import DATA
from services.oruk.importer import ImportReport, import_records

FEED_FILE: Path = DATA / "feed_community.toml"


def read_feed() -> tuple[str, list[dict[str, Any]]]:
    """The feed's source name and its records, as the data file holds them."""
    with FEED_FILE.open("rb") as file:
        data = tomllib.load(file)
    return str(data["source"]), list(data["record"])


def add_demo_feed(session: Session, now: datetime) -> ImportReport:
    """Import the feed (does not commit). Importing it again changes nothing: each
    record is known by its source and id."""
    source, records = read_feed()
    return import_records(session, records, source, now=now)
