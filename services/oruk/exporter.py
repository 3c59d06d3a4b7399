"""Export the whole public directory: ORUK 3.0 JSON and an HSDS tabular data package."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from routing.snapshot import read_directory
from services.db import utcnow
from services.oruk import operations, serialisers
from services.oruk.listing import build_listing_view

EXPORT_FORMAT = "family-hub-oruk-export"

COLUMNS: dict[str, list[str]] = {
    "services.csv": ["id", "organization_id", "name", "description", "url", "email", "status",
                     "fees", "eligibility_description", "minimum_age", "maximum_age",
                     "last_modified"],
    "organizations.csv": ["id", "name", "description", "email", "website"],
    "locations.csv": ["id", "location_type", "name", "description", "latitude", "longitude",
                      "external_identifier", "external_identifier_type"],
    "addresses.csv": ["id", "location_id", "address_1", "city", "state_province",
                      "postal_code", "country", "address_type"],
    "service_at_location.csv": ["id", "service_id", "location_id"],
    "schedules.csv": ["id", "service_id", "service_at_location_id", "freq", "byday",
                      "opens_at", "closes_at", "description"],
    "service_areas.csv": ["id", "service_id", "name", "service_area", "extent", "extent_type"],
    "phones.csv": ["id", "service_id", "number"],
    "languages.csv": ["id", "service_id", "name", "code"],
    "cost_options.csv": ["id", "service_id", "option", "amount"],
    "attributes.csv": ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity"],
    "taxonomies.csv": ["id", "name", "description", "version"],
    "taxonomy_terms.csv": ["id", "code", "name", "description", "parent_id", "taxonomy",
                           "taxonomy_id", "term"],
    "family_hub.csv": ["service_id", "delivery_modes", "referral_route", "accepting",
                       "free_places", "waitlist_length", "typical_wait_days",
                       "capacity_updated", "kinds_of_help", "help_for", "level_of_need"],
}


def export_directory(session: Session) -> dict[str, Any]:
    """Every published service fully nested, in list order, with the taxonomy; JSON-ready."""
    view = build_listing_view(read_directory(session))
    loaded = operations.load_services(session, [row.pk for row in view.rows])
    return {
        "format": EXPORT_FORMAT,
        "version": operations.HSDS_VERSION,
        "exported_at": serialisers.timestamp(utcnow()),
        "taxonomies": [operations.get_taxonomy(session, serialisers.taxonomy()["id"])],
        "services": [serialisers.service_full(loaded[row.pk], row.sites) for row in view.rows],
    }


def write_json(session: Session, path: Path) -> int:
    """Write the export to ``path``; returns how many services."""
    data = export_directory(session)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    return len(data["services"])


def _tables(export: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in COLUMNS}
    organisations: dict[str, dict[str, Any]] = {}
    locations: dict[str, dict[str, Any]] = {}
    for taxonomy in export["taxonomies"]:
        tables["taxonomies.csv"].append(taxonomy)
        tables["taxonomy_terms.csv"].extend(taxonomy.get("taxonomy_terms", []))
    for service in export["services"]:
        tables["services.csv"].append(service)
        organisations[service["organization"]["id"]] = service["organization"]
        for sal in service["service_at_locations"]:
            tables["service_at_location.csv"].append(sal)
            locations[sal["location"]["id"]] = sal["location"]
        for name, key in (("schedules.csv", "schedules"), ("service_areas.csv", "service_areas"),
                          ("phones.csv", "phones"), ("languages.csv", "languages"),
                          ("cost_options.csv", "cost_options"),
                          ("attributes.csv", "attributes")):
            tables[name].extend(service.get(key, []))
        # Kind-of-help and audience terms are not in a published taxonomy's list.
        known = {term["id"] for term in tables["taxonomy_terms.csv"]}
        for attribute in service.get("attributes", []):
            term = attribute.get("taxonomy_term") or {}
            if term.get("id") and term["id"] not in known:
                tables["taxonomy_terms.csv"].append(term)
                known.add(term["id"])
        extras = service.get("family_hub", {})
        capacity = extras.get("capacity") or {}
        tables["family_hub.csv"].append({
            "service_id": service["id"],
            "delivery_modes": ";".join(extras.get("delivery_modes", [])),
            "referral_route": extras.get("referral_route", ""),
            "accepting": "" if not capacity else str(capacity["accepting"]).lower(),
            "free_places": capacity.get("free_places", ""),
            "waitlist_length": capacity.get("waitlist_length", ""),
            "typical_wait_days": capacity.get("typical_wait_days"),
            "capacity_updated": capacity.get("updated", ""),
            "kinds_of_help": ";".join(extras.get("kinds_of_help", [])),
            "help_for": ";".join(extras.get("help_for", [])),
            "level_of_need": extras.get("level_of_need", ""),
        })
    tables["organizations.csv"] = list(organisations.values())
    tables["locations.csv"] = list(locations.values())
    tables["addresses.csv"] = [a for loc in locations.values() for a in loc.get("addresses", [])]
    return tables


def _write_csv(path: Path, columns: list[str], rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: "" if row.get(key) is None else row.get(key)
                             for key in columns})


def write_tabular(session: Session, folder: Path) -> int:
    """Write the export as CSV files and a ``datapackage.json`` in ``folder``; returns services."""
    folder.mkdir(parents=True, exist_ok=True)
    export = export_directory(session)
    tables = _tables(export)
    for name, columns in COLUMNS.items():
        _write_csv(folder / name, columns, tables[name])
    package = {
        "name": "family-hub-directory",
        "title": "Family Hub directory (HSDS tabular form, ORUK 3.0 identifiers)",
        "profile": "tabular-data-package",
        "created": export["exported_at"],
        "resources": [
            {"name": name.removesuffix(".csv"), "path": name, "profile": "tabular-data-resource",
             "format": "csv", "mediatype": "text/csv",
             "schema": {"fields": [{"name": column, "type": "string"} for column in columns]}}
            for name, columns in COLUMNS.items()
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(package, indent=1), encoding="utf-8")
    return len(export["services"])
