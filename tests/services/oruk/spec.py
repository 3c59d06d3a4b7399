"""The ORUK 3.0 specification files in /work/shared, as validators for our responses.

Tests that need them skip when the folder is absent. The upstream OpenAPI file
has two known defects; :func:`patched_openapi` fixes them in a copy (the copy
is CC BY-SA 4.0, like the original, and keeps its attribution).
"""

from __future__ import annotations

import copy
import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[4] / "shared" / "oruk"
ORUK = SHARED / "oruk-3.0"
HSDS = SHARED / "hsds-3.0"
OPENAPI = ORUK / "docs" / "extras" / "openapi30.json"
PREFIXES = {
    "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/": ORUK / "schema",
    "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/": HSDS / "schema",
}
OPENAPI_URI = "urn:oruk:openapi30"
ATTRIBUTION = (
    "Patched copy of the Open Referral UK 3.0 OpenAPI file (OpenReferralUK/uk-profile @ "
    "ecdfabf7). Human Services Data Specification UK: an Open Referral UK resource "
    "(https://openreferraluk.org/), built on HSDS: an Open Referral resource "
    "(https://openreferral.org/). Licensed under CC BY-SA 4.0, "
    "https://creativecommons.org/licenses/by-sa/4.0/. Changes: /service_at_locations/{id} "
    "answers the service_at_location schema; start_time and end_time are strings."
)


def require_spec() -> None:
    """Skip the calling test when the shared specification files are not there."""
    if not OPENAPI.is_file():
        pytest.skip(f"ORUK specification files not found at {SHARED}")


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def patched_openapi() -> dict[str, Any]:
    """The upstream openapi30.json with its two known defects fixed."""
    document = copy.deepcopy(load_json(OPENAPI))
    sal = document["paths"]["/service_at_locations/{id}"]["get"]["responses"]["200"]
    sal["content"]["application/json"]["schema"]["$ref"] = (
        "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
        "compiled/service_at_location.json"
    )
    for name in ("start_time", "end_time"):
        document["components"]["parameters"][name]["schema"] = {"type": "string"}
    document["info"]["x-attribution"] = ATTRIBUTION
    document["info"]["license"] = {"name": "CC BY-SA 4.0",
                                   "url": "https://creativecommons.org/licenses/by-sa/4.0/"}
    return document


def _local(uri: str) -> Path:
    for prefix, folder in PREFIXES.items():
        if uri.startswith(prefix):
            return folder / uri[len(prefix):]
    raise LookupError(f"No local copy for {uri}")


@lru_cache(maxsize=1)
def registry() -> Any:
    """A referencing Registry: remote ORUK/HSDS schema URLs served from the local folders."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    def retrieve(uri: str) -> Resource:
        return Resource.from_contents(load_json(_local(uri)), default_specification=DRAFT202012)

    openapi = Resource.from_contents(patched_openapi(), default_specification=DRAFT202012)
    return Registry(retrieve=retrieve).with_resource(OPENAPI_URI, openapi)  # type: ignore[call-arg]


def _pointer(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")


@cache
def validator(path: str) -> Any:
    """A Draft 2020-12 validator (formats checked) for the 200 answer of ``GET path``."""
    from jsonschema import Draft202012Validator

    pointer = (f"{OPENAPI_URI}#/paths/{_pointer(path)}"
               "/get/responses/200/content/application~1json/schema")
    return Draft202012Validator(
        {"$ref": pointer}, registry=registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def assert_valid(path: str, body: Any) -> None:
    """Fail with every schema error when ``body`` does not conform."""
    errors = sorted(validator(path).iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:20]
    )


@lru_cache(maxsize=1)
def upstream_service_validator() -> Any:
    """The compiled ORUK service schema (formats checked): what the official validator
    checks ``/service_at_locations/{id}`` against, as the upstream OpenAPI says."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(
        {"$ref": "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
                 "compiled/service.json"},
        registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
