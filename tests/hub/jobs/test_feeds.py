"""One import run (``hub.jobs.feeds.import_source``): providers' capacity saves go on
while it reads and writes (on SQLite new services are staged where no one sees them and
published in one short step), a failure leaves nothing, and two imports of one source
run one after the other."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.extensions import db as handle
from hub.jobs.feeds import import_source
from services.capacity_ops import update_capacity
from services.listings import Service
from services.oruk import importer, sources
from services.oruk.models import OrukSource
from services.oruk.rows import SqliteStage
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


def test_it_lets_a_capacity_save_through_while_it_writes_new_services(
        app: Flask, db: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    # One record a chunk: the first is written (staged on SQLite) before the second is read.
    monkeypatch.setattr(importer, "CHUNK", 1)
    provided = make_service(db)
    db.commit()
    seen: list[int] = []

    def capacity_save(other: Session) -> None:
        # What the import wrote so far is seen by no one else.
        seen.append(len(other.execute(select(OrukSource)).all()))
        service = other.get(Service, provided.id)
        assert service is not None
        update_capacity(other, service, accepting=True, free_places=3, waitlist_length=0,
                        typical_wait_days=None, user_id=None, user_name="provider")

    feed_with(monkeypatch, 3, lambda: save_without_waiting(capacity_save))
    report = import_source("feed.json", "feed")
    assert seen == [0]
    assert (report.created, report.skipped) == (3, [])
    db.expire_all()
    assert provided.capacity is not None and provided.capacity.free_places == 3
    assert len(db.execute(select(OrukSource).where(OrukSource.source == "feed")).all()) == 3


def test_it_leaves_nothing_when_the_feed_fails_after_services_were_written(
        app: Flask, db: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "CHUNK", 1)

    def failing() -> Iterator[dict[str, Any]]:
        yield record(0)
        yield record(1)
        raise sources.SourceError("page 2 answered 500")

    monkeypatch.setattr(sources, "read_source",
                        lambda source, modified_after=None: sources.Feed(records=failing()))
    with pytest.raises(sources.SourceError):
        import_source("feed.json", "feed")
    db.rollback()
    assert db.execute(select(OrukSource)).first() is None
    assert db.execute(select(Service).where(Service.name.like("Feed service%"))).first() is None
    # The next import (on the same pooled connection) starts clean.
    feed_with(monkeypatch, 2, lambda: None)
    assert import_source("feed.json", "feed").created == 2


def test_it_saves_one_by_one_when_the_database_refuses_what_was_staged(
        app: Flask, db: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> None:
        raise IntegrityError("INSERT", {}, Exception("refused"))

    monkeypatch.setattr(SqliteStage, "publish", refuse)
    feed_with(monkeypatch, 3, lambda: None)
    report = import_source("feed.json", "feed")
    assert (report.created, report.skipped, report.organisations_created) == (3, [], 1)
    db.rollback()
    assert len(db.execute(select(OrukSource).where(OrukSource.source == "feed")).all()) == 3


def test_it_runs_two_imports_of_one_source_one_after_the_other(
        app: Flask, db: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def read_source(source: str, modified_after: str | None = None) -> sources.Feed:
        first = not calls
        calls.append(1)

        def records() -> Iterator[dict[str, Any]]:
            for n in range(3):
                yield record(n)
                if n == 0 and first:
                    started.set()
                    release.wait(20)

        return sources.Feed(records=records())

    monkeypatch.setattr(sources, "read_source", read_source)
    reports: dict[str, Any] = {}

    def run(name: str) -> None:
        with app.app_context():
            reports[name] = import_source("feed.json", "feed")

    first = threading.Thread(target=run, args=("first",))
    first.start()
    assert started.wait(20)
    second = threading.Thread(target=run, args=("second",))
    second.start()
    second.join(1.0)
    if db.get_bind().dialect.name == "postgresql":
        # It waits for the first import's lock on the source, then reads what it wrote.
        assert second.is_alive()
    release.set()
    first.join(30)
    second.join(30)
    assert sorted((r.created, r.unchanged, len(r.skipped)) for r in reports.values()) == [
        (0, 3, 0), (3, 0, 0)]
    db.rollback()
    assert len(db.execute(select(OrukSource).where(OrukSource.source == "feed")).all()) == 3
