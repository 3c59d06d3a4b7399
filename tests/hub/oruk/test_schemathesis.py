"""Property-based conformance: schemathesis drives every operation of the (patched) spec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.factories import Cast
from tests.services.oruk.directory import PREFIX, make_directory
from tests.services.oruk.spec import PREFIXES, patched_openapi, require_spec

MAX_EXAMPLES = 12


def write_patched_spec(folder: Path) -> Path:
    """The patched spec in ``folder``, its remote schema $refs pointing at the local files.

    The copy is CC BY-SA 4.0 like its source and says so in ``info.x-attribution``.
    """
    text = json.dumps(patched_openapi())
    for prefix, local in PREFIXES.items():
        text = text.replace(prefix, local.as_uri() + "/")
    document = json.loads(text)
    document["servers"] = [{"url": PREFIX}]
    path = folder / "openapi30.patched.json"
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def test_it_gives_schemathesis_no_server_error_and_only_conformant_responses(
        app: Flask, db: Session, cast: Cast, tmp_path: Path) -> None:
    require_spec()
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    make_directory(db, cast)
    spec_path = write_patched_spec(tmp_path)
    assert "CC BY-SA 4.0" in spec_path.read_text(encoding="utf-8")
    schema = schemathesis.openapi.from_path(str(spec_path))
    schema.app = app
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9
    statuses: dict[str, set[int]] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: object) -> None:
            response = case.call_and_validate(  # type: ignore[attr-defined]
                checks=[not_a_server_error, response_schema_conformance])
            statuses.setdefault(case.operation.path,  # type: ignore[attr-defined]
                                set()).add(response.status_code)

        check()
    # The list operations really answered (not only 400s): their 200s were validated.
    for path in ("/", "/services", "/service_at_locations", "/taxonomies", "/taxonomy_terms"):
        assert 200 in statuses[path], (path, statuses[path])
