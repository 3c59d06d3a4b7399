"""Our own OpenAPI 3.0 document for the ORUK API, built in code from our operations.

Response bodies point to the published ORUK 3.0 schemas by URL; nothing is
copied from the specification.
"""

from __future__ import annotations

from typing import Any

from services.oruk.query import DEFAULT_PER_PAGE, MAX_PER_PAGE

ORUK_SCHEMA = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"

_PARAMETERS: dict[str, tuple[str, dict[str, Any]]] = {
    "search": ("Words that must all appear in the service's name, description, "
               "organisation or needs (case-insensitive).", {"type": "string"}),
    "page": ("Page number, from 1.", {"type": "integer", "minimum": 1, "default": 1}),
    "per_page": (f"Results per page; more than {MAX_PER_PAGE} gives {MAX_PER_PAGE} (the "
                 "X-Per-Page-Maximum header says so).",
                 {"type": "integer", "minimum": 1, "default": DEFAULT_PER_PAGE}),
    "taxonomy_term_id": ("Services with this need, or a narrower one: a taxonomy term id or "
                         "a need code such as MHW; several, comma-separated, mean any of them.",
                         {"type": "string"}),
    "modified_after": ("Services changed after this date-time (ISO 8601, UTC unless it says).",
                       {"type": "string", "format": "date-time"}),
    "taxonomy_id": ("Services with any term of this taxonomy.", {"type": "string"}),
    "minimum_age": ("Services whose youngest age is at least this.",
                    {"type": "number", "minimum": 0, "maximum": 150}),
    "maximum_age": ("Services whose oldest age is at most this.",
                    {"type": "number", "minimum": 0, "maximum": 150}),
    "day": ("Services running on this weekday (Monday or MO).", {"type": "string"}),
    "start_time": ("Services opening at or after this time (HH:MM).",
                   {"type": "string", "example": "09:00"}),
    "end_time": ("Services closing at or before this time (HH:MM).",
                 {"type": "string", "example": "17:00"}),
    "postcode": ("A postcode in Great Britain: only services whose service area covers it.",
                 {"type": "string", "example": "BL1 1SE"}),
    "proximity": ("With postcode: only services with a venue or school hub within this many "
                  "metres, nearest first.", {"type": "number", "minimum": 0}),
}
_FILTERS = ["search", "page", "per_page", "taxonomy_term_id", "taxonomy_id", "minimum_age",
            "maximum_age", "start_time", "end_time", "day", "postcode", "proximity",
            "modified_after"]


def _page_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"allOf": [{"$ref": "#/components/schemas/Page"}],
            "properties": {"contents": {"type": "array", "items": item}}}


def _get(operation_id: str, summary: str, schema: dict[str, Any],
         parameters: list[str] | None = None, by_id: bool = False) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": summary, "content": {"application/json": {"schema": schema}}},
    }
    if parameters:
        responses["400"] = {"$ref": "#/components/responses/BadRequest"}
    if by_id:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    operation: dict[str, Any] = {"operationId": operation_id, "summary": summary,
                                 "responses": responses}
    params: list[dict[str, Any]] = [
        {"$ref": f"#/components/parameters/{name}"} for name in parameters or []
    ]
    if by_id:
        params.append({"name": "id", "in": "path", "required": True,
                       "schema": {"type": "string"}})
    if params:
        operation["parameters"] = params
    return {"get": operation}


def build_openapi(server_url: str) -> dict[str, Any]:
    """The OpenAPI 3.0.3 document of our ORUK API, served from ``server_url``."""
    ref = {"$ref": ORUK_SCHEMA + "compiled/service.json"}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Family Hub Open Referral UK API",
            "version": "3.0",
            "description": (
                "A public, read-only Open Referral UK 3.0 (HSDS-UK-3.0) API for the Family Hub "
                "service directory. No sign-in. Besides the ORUK fields, services carry "
                "`eligibility_description`, `phones` and language `name`/`code` (HSDS 3.0), "
                "`service_capacity` (HSDS 3.1: units `places` and `waitlist`) and a "
                "`family_hub` object (delivery modes, referral route, capacity detail, kinds "
                "of help, who it is for, level of need). "
                "Identifiers are stable UUIDs. Contact person names are never published. "
                "Response schemas: Open Referral UK (https://openreferraluk.org/), "
                "CC BY-SA 4.0."
            ),
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/": {"get": {
                "operationId": "getAPIMetaInformation", "summary": "About this API",
                "responses": {"200": {"description": "About this API", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Info"}}}}},
            }},
            "/services": _get("getPaginatedListOfServices", "A page of services",
                              _page_of({"$ref": ORUK_SCHEMA + "compiled/service_list.json"}),
                              _FILTERS),
            "/services/{id}": _get("getFullyNestedServiceById", "A fully nested service",
                                   ref, by_id=True),
            "/service_at_locations": _get(
                "getPaginatedListOfServiceAtLocation", "A page of services at locations",
                _page_of({"$ref": ORUK_SCHEMA + "compiled/service_at_location_list.json"}),
                _FILTERS),
            "/service_at_locations/{id}": _get(
                "getServiceAtLocationWithNestedDataById", "A service at a location",
                {"$ref": ORUK_SCHEMA + "compiled/service_at_location_list.json"}, by_id=True),
            "/taxonomies": _get("getPaginatedListOfTaxonomies", "A page of taxonomies",
                                _page_of({"$ref": ORUK_SCHEMA + "taxonomy.json"}),
                                ["page", "per_page"]),
            "/taxonomies/{id}": _get("getTaxonomyById", "A taxonomy with its terms",
                                     {"$ref": ORUK_SCHEMA + "taxonomy.json"}, by_id=True),
            "/taxonomy_terms": _get("getPaginatedListOfTaxonomyTerms", "A page of needs",
                                    _page_of({"$ref": ORUK_SCHEMA + "taxonomy_term.json"}),
                                    ["page", "per_page"]),
            "/taxonomy_terms/{id}": _get("getTaxonomyTermById", "A need",
                                         {"$ref": ORUK_SCHEMA + "taxonomy_term.json"},
                                         by_id=True),
        },
        "components": {
            "parameters": {
                name: {"name": name, "in": "query", "required": False, "description": text,
                       "schema": schema}
                for name, (text, schema) in _PARAMETERS.items()
            },
            "schemas": {
                "Info": {"type": "object", "required": ["version", "profile", "openapi_url"],
                         "properties": {"version": {"type": "string"},
                                        "profile": {"type": "string", "format": "uri"},
                                        "openapi_url": {"type": "string", "format": "uri"}}},
                "Page": {"type": "object", "properties": {
                    "total_items": {"type": "integer"}, "total_pages": {"type": "integer"},
                    "page_number": {"type": "integer"},
                    "size": {"type": "integer", "description": "Items on this page."},
                    "first_page": {"type": "boolean"}, "last_page": {"type": "boolean"},
                    "empty": {"type": "boolean"}}},
                "Error": {"type": "object", "required": ["status", "error", "message"],
                          "properties": {"status": {"type": "integer"},
                                         "error": {"type": "string"},
                                         "message": {"type": "string"},
                                         "parameter": {"type": "string"}}},
            },
            "responses": {
                "BadRequest": {"description": "A parameter is not valid", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "NotFound": {"description": "No published record has this id", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        },
    }


def describe_operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Each GET operation as ``{path, summary, parameters}``, references resolved (for docs)."""
    shared = document["components"]["parameters"]
    described = []
    for path, item in document["paths"].items():
        operation = item["get"]
        parameters = [
            shared[parameter["$ref"].rsplit("/", 1)[-1]] if "$ref" in parameter else parameter
            for parameter in operation.get("parameters", [])
        ]
        described.append({"path": path, "summary": operation["summary"],
                          "parameters": parameters})
    return described
