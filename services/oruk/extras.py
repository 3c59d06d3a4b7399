"""ORUK fields we do not use but keep, so that what a feed says is published back.

Services keep ``accreditations``, ``assured_date``, ``assurer_email``, ``alert``
and ``funding``; organisations keep ``logo`` and ``uri``. Each value is cleaned
like any other (plain text, dates, emails, web addresses) or dropped with a
warning. Contacts are not kept: they name people.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from services.oruk import cleaning, ids

TEXT_MAX = 2000


def service_extras(record: Mapping[str, Any], warnings: list[str]) -> dict[str, Any] | None:
    """The kept fields of a feed service, cleaned; None when it has none."""
    kept: dict[str, Any] = {}
    for name in ("accreditations", "alert"):
        text = cleaning.plain_text(record.get(name), TEXT_MAX, name, warnings)
        if text:
            kept[name] = text
    assured = record.get("assured_date")
    if isinstance(assured, str) and assured.strip():
        try:
            kept["assured_date"] = date.fromisoformat(assured.strip()[:10]).isoformat()
        except ValueError:
            warnings.append(f"assured_date: not a date, left out: {assured!r:.40}")
    email = cleaning.email(record.get("assurer_email"), "assurer_email", warnings)
    if email:
        kept["assurer_email"] = email
    funding = [cleaning.one_line(item.get("source"), cleaning.NAME_MAX, "funding", warnings)
               for item in record.get("funding") or record.get("fundings") or []
               if isinstance(item, dict)]
    if any(funding):
        kept["funding"] = [source for source in funding if source]
    return kept or None


def organisation_extras(record: Mapping[str, Any], warnings: list[str]) -> dict[str, Any] | None:
    """The kept fields of a feed organisation, cleaned; None when it has none."""
    kept = {name: cleaning.url(record.get(name), name, warnings) for name in ("logo", "uri")}
    kept = {name: value for name, value in kept.items() if value}
    return kept or None


def publish_service_extras(service_uuid: str, extra: Mapping[str, Any] | None,
                           data: dict[str, Any]) -> None:
    """Add a service's kept fields to its published ``data`` (fields we fill win)."""
    for name, value in (extra or {}).items():
        if name == "funding":
            data["funding"] = [{"id": ids.derive("funding", service_uuid, n),
                                "service_id": service_uuid, "source": source}
                               for n, source in enumerate(value)]
        else:
            data.setdefault(name, value)
