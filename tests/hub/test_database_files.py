"""The SQLite database and its WAL files are readable by their owner only: they hold
children's names, and other users of the machine must not read them."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import text

from hub import create_app
from hub.extensions import db
from tests.conftest import _base_config


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_it_creates_the_database_and_its_wal_files_private(tmp_path: Path) -> None:
    path = tmp_path / "instance" / "family_hub.db"
    app = create_app(_base_config(f"sqlite:///{path}"))
    with app.app_context():
        db.session.execute(text("CREATE TABLE t (x INTEGER)"))
        db.session.execute(text("INSERT INTO t VALUES (1)"))
        db.session.commit()
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        assert all(f.exists() for f in files)
        assert [_mode(f) for f in files] == [0o600, 0o600, 0o600]
        db.engine.dispose()


def test_it_makes_an_existing_readable_database_private(tmp_path: Path) -> None:
    path = tmp_path / "family_hub.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    create_app(_base_config(f"sqlite:///{path}"))
    assert _mode(path) == 0o600
