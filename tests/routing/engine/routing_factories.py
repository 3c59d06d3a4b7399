"""Small factories for routing records: plain data, sensible defaults."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from routing.engine import (
    DirectorySnapshot,
    FamilyQuery,
    HubRecord,
    NeedRequest,
    ServiceRecord,
)

NOW = datetime(2025, 3, 10, 12, 0)
NEED_PARENTS: dict[str, str | None] = {
    "MHW": None,
    "MHW.ANX": "MHW",
    "MHW.DEP": "MHW",
    "SEND": None,
    "SEND.ASD": "SEND",
    "SEND.SPL": "SEND",
    "PAR": None,
    "PAR.EY": "PAR",
}
# A 10 km square council around the origin of our toy map.
SQUARE = "POLYGON ((0 0, 10000 0, 10000 10000, 0 10000, 0 0))"
OTHER_SQUARE = "POLYGON ((20000 0, 30000 0, 30000 10000, 20000 10000, 20000 0))"


def hub(school_id: int = 1, name: str = "Castle Hill Primary", at: tuple[float, float] = (
        5000.0, 5000.0), days: tuple[str, ...] = ("Tuesday",)) -> HubRecord:
    return HubRecord(school_id, name, at[0], at[1], days)


def service(id: int = 1, **overrides: Any) -> ServiceRecord:
    values: dict[str, Any] = {
        "id": id,
        "name": f"Service {id}",
        "organisation_id": 100 + id,
        "organisation_name": f"Organisation {id}",
        "need_codes": frozenset({"MHW.ANX"}),
        "min_age": 0,
        "max_age": 18,
        "delivery_modes": frozenset({"venue"}),
        "languages": frozenset({"English"}),
        "takes_system_referrals": True,
        "accepting": True,
        "free_places": 3,
        "waitlist_length": 0,
        "typical_wait_days": 14,
        "measured_wait_days": None,
        "capacity_updated_at": datetime(2025, 3, 8, 12, 0),
        "venue": (5000.0, 5000.0),
        "hubs": (),
        "area_wkt": None,
        "area_name": "",
    }
    values.update(overrides)
    return ServiceRecord(**values)


def snapshot(*services: ServiceRecord, version: int = 1) -> DirectorySnapshot:
    return DirectorySnapshot(version, tuple(services), NEED_PARENTS, NOW)


def query(*codes: str, **overrides: Any) -> FamilyQuery:
    values: dict[str, Any] = {
        "needs": tuple(NeedRequest(c) for c in (codes or ("MHW.ANX",))),
        "now": NOW,
        "home": (5000.0, 5000.0),
    }
    values.update(overrides)
    return FamilyQuery(**values)
