"""``flask oruk export`` and ``flask oruk import``."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from tests.factories import Cast
from tests.services.oruk.directory import make_directory


def test_it_exports_and_imports_through_the_cli(
        app: Flask, db: Session, cast: Cast, tmp_path: Path) -> None:
    make_directory(db, cast)
    runner = app.test_cli_runner()
    out = tmp_path / "out.json"
    result = runner.invoke(args=["oruk", "export", "-o", str(out), "--tabular",
                                 str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    assert "3 services" in result.output
    # Our own services are never taken over: the feed's records become new services.
    result = runner.invoke(args=["oruk", "import", str(out)])
    assert result.exit_code == 0, result.output
    assert "created 3, updated 0, unchanged 0, withdrawn 0, skipped 0" in result.output
    result = runner.invoke(args=["oruk", "import", str(out)])
    assert result.exit_code == 0, result.output
    assert "created 0, updated 0, unchanged 3, withdrawn 0, skipped 0" in result.output
    result = runner.invoke(args=["oruk", "import", str(tmp_path / "missing.json")])
    assert result.exit_code != 0
