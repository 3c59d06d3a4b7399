"""The public, read-only ORUK 3.0 API, mounted at ``/api/oruk/v3``. Views stay thin."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from hub.caches import directory_snapshot
from hub.links import absolute_url
from hub.oruk import API_PREFIX
from hub.unit_of_work import session
from services.oruk import models as _models  # noqa: F401  (the oruk_source table)
from services.oruk import operations
from services.oruk.listing import ListingView, build_listing_view, patch_listing_view
from services.oruk.openapi import build_openapi, describe_operations
from services.oruk.query import MAX_PER_PAGE, QueryError

bp = Blueprint("oruk", __name__, url_prefix=API_PREFIX)
# Every path answers with and without a trailing slash (no redirect: clients of
# an API rarely follow one, and a redirect carries no CORS header).
SLASHES = {"strict_slashes": False}



def _view() -> ListingView:
    """The listing view of the directory's current version (built once per version,
    patched with capacity changes)."""
    return directory_snapshot(session()).view(build_listing_view, patch_listing_view)


def _error(status: int, error: str, message: str, **extra: str) -> tuple[Response, int]:
    return jsonify({"status": status, "error": error, "message": message, **extra}), status


@bp.errorhandler(QueryError)
def _bad_query(error: QueryError) -> tuple[Response, int]:
    return _error(400, "Bad Request", str(error), parameter=error.parameter)


@bp.errorhandler(operations.NotFound)
def _not_found(_error_: operations.NotFound) -> tuple[Response, int]:
    return _error(404, "Not Found", "No published record has this id")


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[Response, int]:
    status = error.code or 500
    return _error(status, error.name, error.description or error.name)


@bp.after_request
def _public_headers(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    # Preflights may ask for any header: the API is public and reads no credentials.
    response.headers["Access-Control-Allow-Headers"] = request.headers.get(
        "Access-Control-Request-Headers", "Accept, Content-Type")
    response.headers["Access-Control-Max-Age"] = "86400"
    response.headers["X-Per-Page-Maximum"] = str(MAX_PER_PAGE)
    if response.mimetype == "application/json":
        response.headers["Cache-Control"] = "public, max-age=60"
    return response


def _json(data: Any) -> Response:
    return jsonify(data)


def _absolute(endpoint: str) -> str:
    return absolute_url(endpoint)


@bp.get("/", **SLASHES)
def info() -> Response:
    return _json(operations.api_info(_absolute("oruk.openapi")))


@bp.get("/openapi.json", **SLASHES)
def openapi() -> Response:
    return _json(build_openapi(_absolute("oruk.info").rstrip("/")))


@bp.get("/docs", **SLASHES)
def docs() -> str:
    document = build_openapi(_absolute("oruk.info").rstrip("/"))
    return render_template("oruk/docs.html", document=document,
                           operations=describe_operations(document),
                           openapi_url=_absolute("oruk.openapi"))


@bp.get("/services", **SLASHES)
def services() -> Response:
    return _json(operations.list_services(session(), _view(), request.args))


@bp.get("/services/<service_id>", **SLASHES)
def service(service_id: str) -> Response:
    return _json(operations.get_service(session(), _view(), service_id))


@bp.get("/service_at_locations", **SLASHES)
def service_at_locations() -> Response:
    return _json(operations.list_service_at_locations(session(), _view(), request.args))


@bp.get("/service_at_locations/<sal_id>", **SLASHES)
def service_at_location(sal_id: str) -> Response:
    return _json(operations.get_service_at_location(session(), _view(), sal_id))


@bp.get("/taxonomies", **SLASHES)
def taxonomies() -> Response:
    return _json(operations.list_taxonomies(session(), request.args))


@bp.get("/taxonomies/<taxonomy_id>", **SLASHES)
def taxonomy(taxonomy_id: str) -> Response:
    return _json(operations.get_taxonomy(session(), taxonomy_id))


@bp.get("/taxonomy_terms", **SLASHES)
def taxonomy_terms() -> Response:
    return _json(operations.list_taxonomy_terms(session(), request.args))


@bp.get("/taxonomy_terms/<term_id>", **SLASHES)
def taxonomy_term(term_id: str) -> Response:
    return _json(operations.get_taxonomy_term(session(), term_id))


@bp.route("/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(_rest: str) -> tuple[Response, int]:
    return _error(404, "Not Found", "There is no such operation in this API")
