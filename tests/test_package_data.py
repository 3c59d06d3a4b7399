"""Every non-Python file under the packages is listed in pyproject.toml's package data, so
a built wheel has it (the demo's TOML, the ORUK mapping JSON, the static assets)."""

from __future__ import annotations

import glob
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("hub", "services", "routing")
# Made by running the code, never shipped.
NOT_SHIPPED = {"__pycache__", ".mypy_cache", ".pytest_cache"}


def _package_data() -> dict[str, list[str]]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        data = tomllib.load(file)
    found: dict[str, list[str]] = data["tool"]["setuptools"].get("package-data", {})
    return found


def _covered(package_data: dict[str, list[str]]) -> set[Path]:
    """The files the globs take, as setuptools reads them: each relative to its package's
    folder, ``**`` recursive."""
    covered: set[Path] = set()
    for package, patterns in package_data.items():
        folders = ([ROOT / p for p in PACKAGES] if package == "*"
                   else [ROOT / package.replace(".", "/")])
        for folder in folders:
            for pattern in patterns:
                covered.update(folder / name for name in glob.glob(
                    pattern, root_dir=folder, recursive=True) if (folder / name).is_file())
    return covered


def _data_files() -> list[Path]:
    return sorted(
        path for package in PACKAGES for path in (ROOT / package).rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc")
        and not NOT_SHIPPED & set(path.relative_to(ROOT).parts))


def test_it_lists_every_non_python_file_of_the_packages_in_package_data() -> None:
    files = _data_files()
    missing = [str(path.relative_to(ROOT)) for path in files
               if path not in _covered(_package_data())]
    assert not missing, f"add these to [tool.setuptools.package-data]: {missing}"


def test_it_finds_the_files_the_app_reads_at_run_time() -> None:
    # The check above is only as good as its list: these must be among the files found.
    names = {str(path.relative_to(ROOT)) for path in _data_files()}
    assert {"services/demo/data/feed_community.toml", "services/demo/data/users.toml",
            "services/demo/data/areas.geojson", "services/oruk/need_keywords.json",
            "services/oruk/vocabularies.json"} <= names
    assert any(name.startswith("hub/static/") for name in names)
    covered = {str(path.relative_to(ROOT)) for path in _covered(_package_data())}
    assert not any(name.endswith(".py") for name in covered)
