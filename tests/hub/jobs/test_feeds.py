"""One import run (``hub.jobs.feeds.import_source``): it reads every record before
taking a write lock, so providers' capacity saves go on meanwhile."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from hub.extensions import db as handle
from hub.jobs.feeds import import_source
from services.capacity_ops import update_capacity
from services.listings import Service
from services.oruk import sources
from services.oruk.models import OrukSource
from services.version import bump_version
from tests.factories import Cast, make_service


def record(n: int) -> dict[str, Any]:
    return {"id": f"feed-{n}", "name": f"Feed service {n}", "status": "active",
            "organization": {"id": "org-1", "name": "Feed organisation"},
            "attributes": [{"taxonomy_term": {"code": "MHW"}}]}


def feed_with(monkeypatch: pytest.MonkeyPatch, count: int,
              meanwhile: Callable[[], None]) -> None:
    """The import reads ``count`` records; ``meanwhile`` runs after it read the first."""

    def records() -> Iterator[dict[str, Any]]:
        for n in range(count):
            yield record(n)
            if n == 0:
                meanwhile()

    monkeypatch.setattr(sources, "read_source",
                        lambda source, modified_after=None: sources.Feed(records=records()))


def save_without_waiting(work: Callable[[Session], None]) -> None:
    """Run ``work`` on a connection of its own and commit, refusing to wait on any lock
    (SQLite's busy timeout 0, PostgreSQL's lock timeout as short as it goes)."""
    with Session(handle.engine) as other:
        if other.get_bind().dialect.name == "sqlite":
            other.execute(text("PRAGMA busy_timeout=0"))
        else:
            other.execute(text("SET lock_timeout = 1"))
        work(other)
        other.commit()


def test_it_lets_a_capacity_save_through_while_it_reads(
        app: Flask, db: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    provided = make_service(db)
    db.commit()
    saved: list[int] = []

    def capacity_save(other: Session) -> None:
        service = other.get(Service, provided.id)
        assert service is not None
        update_capacity(other, service, accepting=True, free_places=7, waitlist_length=0,
                        typical_wait_days=None, user_id=None, user_name="provider")
        saved.append(7)

    feed_with(monkeypatch, 3, lambda: save_without_waiting(capacity_save))
    report = import_source("feed.json", "feed")
    assert saved == [7]
    assert (report.created, report.skipped) == (3, [])
    db.expire_all()
    assert provided.capacity is not None and provided.capacity.free_places == 7
    assert len(db.execute(select(OrukSource).where(OrukSource.source == "feed")).all()) == 3


def test_it_compares_again_when_the_directory_changed_while_it_read(
        app: Flask, db: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    feed_with(monkeypatch, 2, lambda: None)
    assert import_source("feed.json", "feed").created == 2
    first = db.execute(select(OrukSource.service_id).where(
        OrukSource.source_ref == "feed-0")).scalar_one()

    def rename(other: Session) -> None:
        other.execute(update(Service).where(Service.id == first).values(name="Renamed here"))
        bump_version(other)

    # A third record to create: the import writes, so it takes the lock after reading.
    feed_with(monkeypatch, 3, lambda: save_without_waiting(rename))
    report = import_source("feed.json", "feed")
    # Read before the rename, compared again after it: the feed's name is put back.
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    db.expire_all()
    assert db.get(Service, first).name == "Feed service 0"  # type: ignore[union-attr]


def test_it_takes_no_lock_when_nothing_changed(
        app: Flask, db: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    feed_with(monkeypatch, 2, lambda: None)
    assert import_source("feed.json", "feed").created == 2
    first = db.execute(select(OrukSource.service_id).where(
        OrukSource.source_ref == "feed-0")).scalar_one()

    def rename(other: Session) -> None:
        other.execute(update(Service).where(Service.id == first).values(name="Renamed here"))
        bump_version(other)

    feed_with(monkeypatch, 2, lambda: save_without_waiting(rename))
    report = import_source("feed.json", "feed")
    db.expire_all()
    renamed = db.get(Service, first)
    assert renamed is not None
    if db.get_bind().dialect.name == "sqlite":
        # One snapshot, read before the rename: everything it read was unchanged, so the
        # import wrote nothing, took no write lock and, as if it ran first, leaves the
        # rename alone.
        assert (report.updated, report.unchanged) == (0, 2)
        assert renamed.name == "Renamed here"
    else:
        # PostgreSQL reads what is committed: the rename is seen and the feed's name
        # put back.
        assert (report.updated, report.unchanged) == (1, 1)
        assert renamed.name == "Feed service 0"


def test_it_writes_nothing_on_a_dry_run_nor_holds_a_lock(
        app: Flask, db: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    provided = make_service(db)
    db.commit()

    def capacity_save(other: Session) -> None:
        service = other.get(Service, provided.id)
        assert service is not None
        update_capacity(other, service, accepting=False, free_places=0, waitlist_length=2,
                        typical_wait_days=None, user_id=None, user_name="provider")

    feed_with(monkeypatch, 2, lambda: save_without_waiting(capacity_save))
    report = import_source("feed.json", "feed", dry_run=True)
    assert report.created == 2
    assert db.execute(select(OrukSource)).first() is None
    db.expire_all()
    assert provided.capacity is not None and provided.capacity.waitlist_length == 2
