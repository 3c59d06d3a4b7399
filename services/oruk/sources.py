"""Read ORUK feeds into one shape: ORUK 3.0 fully nested service dicts.

Accepts a live ORUK 3.0 or ORUK 1.0 API (following its pages), a saved JSON file
(a page, a list, one service, or our own export) and an HSDS tabular data
package (a folder of CSV files). ORUK 1.0 records are converted on the way in.
"""

from __future__ import annotations

import csv
import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import ijson
import orjson

# A feed of 100,000 services at 100 a page is 1,000 pages; more is a server that never ends.
MAX_PAGES = 2_000
PER_PAGE = 100
# No page or document of a feed is bigger than this, compressed or not.
MAX_BYTES = 50 * 1024 * 1024
TIMEOUT_SECONDS = 30.0
# Waits before each retry of a 5xx answer or a network error.
RETRY_DELAYS: tuple[float, ...] = (1.0, 3.0, 9.0)
Fetch = Callable[[str], Any]


class SourceError(ValueError):
    """The source cannot be read (to the end); the message says why."""


class NotFound(SourceError):
    """The server answered 404 for this address."""


@dataclass
class Feed:
    """A source's records, read lazily, and what reading them found.

    ``complete`` is False when the reader could not be sure it saw every record
    (a server ignoring ``page``, the page limit), so nothing is withdrawn.
    ``skipped`` names records the reader could not fetch (a 404 detail page).
    """

    records: Iterable[dict[str, Any]]
    complete: bool = True
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _read_limited(response: Any, url: str) -> bytes:
    body: bytes = response.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise SourceError(f"{url} is larger than {MAX_BYTES // (1024 * 1024)} MB")
    encoding = (response.headers.get("Content-Encoding") or "").lower()
    if encoding in ("gzip", "x-gzip") or body[:2] == b"\x1f\x8b":
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        body = decompressor.decompress(body, MAX_BYTES + 1)
        if len(body) > MAX_BYTES or decompressor.unconsumed_tail:
            raise SourceError(f"{url} is larger than {MAX_BYTES // (1024 * 1024)} MB "
                              "uncompressed")
    return body


class _Retryable(SourceError):
    """A 5xx answer or a network error: worth another try."""


def _get_json(request: urllib.request.Request, url: str, timeout: float) -> Any:
    try:
        # Scheme checked by fetch_json (http/https only); called only by the operator's import.
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310
            return json.loads(_read_limited(response, url).decode("utf-8"))
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise NotFound(f"{url} answered 404 Not Found") from error
        kind = _Retryable if error.code >= 500 else SourceError
        raise kind(f"Could not read {url}: HTTP {error.code}") from error
    except (ValueError, zlib.error) as error:
        raise SourceError(f"Could not read {url}: {error}") from error
    except OSError as error:
        raise _Retryable(f"Could not read {url}: {error}") from error


def fetch_json(url: str, timeout: float = TIMEOUT_SECONDS) -> Any:
    """GET ``url`` as JSON (gzip accepted), retrying 5xx answers and network errors
    after each of RETRY_DELAYS. Raises NotFound for a 404, SourceError otherwise."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise SourceError(f"Not an http(s) address: {url}")
    request = urllib.request.Request(url, headers={  # noqa: S310
        "Accept": "application/json", "Accept-Encoding": "gzip",
        "User-Agent": "family-hub-oruk-import"})
    for delay in RETRY_DELAYS:
        try:
            return _get_json(request, url, timeout)
        except _Retryable:
            time.sleep(delay)
    try:
        return _get_json(request, url, timeout)
    except _Retryable as error:
        raise SourceError(f"{error} (after {len(RETRY_DELAYS) + 1} attempts)") from error


def _page_items(page: Any) -> tuple[list[Any], bool]:
    """A page's items and whether it is the last page (ORUK 3.0 or 1.0 shape)."""
    if isinstance(page, list):
        return page, True
    if not isinstance(page, dict):
        raise SourceError("A page of the feed is not a JSON object")
    items = page.get("contents", page.get("content"))
    if not isinstance(items, list):
        raise SourceError("A page of the feed has no contents")
    last = page.get("last_page", page.get("last"))
    number = page.get("page_number", page.get("number"))
    total = page.get("total_pages", page.get("totalPages"))
    if last is None and isinstance(number, int) and isinstance(total, int):
        last = number >= total
    return items, bool(last) or not items


def _with_query(url: str, **params: object) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query.update({key: str(value) for key, value in params.items()})
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def read_feed(url: str, fetch: Fetch = fetch_json, modified_after: str | None = None) -> Feed:
    """Every service of a live feed, page by page, fully nested.

    Reading raises SourceError (the import is then rolled back) except for a 404
    detail page, which skips that record. A page that repeats an earlier one (a
    server ignoring ``page``) or the page limit ends the reading, incomplete.
    With ``modified_after`` (ISO 8601) only services changed since are asked
    for: the feed is incomplete by design, so nothing is withdrawn.
    """
    feed = Feed(records=[], complete=modified_after is None)
    extra = {"modified_after": modified_after} if modified_after else {}
    feed.records = _feed_records(url, fetch, feed, extra)
    return feed


def _feed_records(url: str, fetch: Fetch, feed: Feed,
                  extra: dict[str, str]) -> Iterator[dict[str, Any]]:
    base = url.rstrip("/")
    services_url = base if base.endswith("/services") else base + "/services"
    api_base = services_url[: -len("/services")]
    pages_seen: set[str] = set()
    for number in range(1, MAX_PAGES + 1):
        items, last = _page_items(fetch(_with_query(services_url, page=number,
                                                    per_page=PER_PAGE, **extra)))
        signature = hashlib.sha256(json.dumps(items, sort_keys=True, default=str)
                                   .encode()).hexdigest()
        if items and signature in pages_seen:
            feed.complete = False
            feed.warnings.append(f"page {number} repeats an earlier page (the server seems to "
                                 "ignore 'page'); reading stopped and nothing was withdrawn")
            return
        pages_seen.add(signature)
        for item in items:
            if not isinstance(item, dict):
                continue
            if "id" in item and not _is_nested(item):
                ref = str(item["id"])
                try:
                    detail = fetch(f"{api_base}/services/{urllib.parse.quote(ref)}")
                except NotFound:
                    feed.skipped.append((f"{ref} {str(item.get('name') or '')[:80]!r}",
                                         "its detail page answered 404 Not Found"))
                    continue
                if isinstance(detail, dict):
                    item = detail
            yield normalise(item)
        if last:
            return
    feed.complete = False
    feed.warnings.append(f"stopped after {MAX_PAGES} pages; nothing was withdrawn")


def _is_nested(item: dict[str, Any]) -> bool:
    return any(key in item for key in ("service_at_locations", "attributes", "schedules",
                                       "service_taxonomys", "regular_schedules"))


# The top-level keys a saved feed file lists its services under (our export, an ORUK page).
LIST_KEYS = ("services", "contents", "content")


def read_json_file(path: Path) -> Iterator[dict[str, Any]]:
    """Every service in a saved JSON file (a list, an export or a page of services, or
    one service), streamed record by record: a big file is never held whole. Raises
    SourceError, also part way through for a file that is not JSON to its end."""
    try:
        prefix = _items_prefix(path)
        if prefix is None:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not (isinstance(data, dict) and "name" in data):
                raise SourceError(f"{path.name} holds no services")
            yield normalise(data)
            return
        with path.open("rb") as handle:
            for item in ijson.items(handle, prefix):
                if isinstance(item, dict):
                    yield normalise(_plain_numbers(item))
    except SourceError:
        raise
    except (OSError, ValueError, ijson.JSONError) as error:
        raise SourceError(f"Could not read {path}: {error}") from error


def _items_prefix(path: Path) -> str | None:
    """Where the file's services are, as an ijson prefix: ``item`` for a top-level list,
    ``services.item`` (or ``contents``, ``content``) for a wrapper; None for an object
    without such a list (one service). Reads the file only as far as the list."""
    depth = 0
    with path.open("rb") as handle:
        for prefix, event, _value in ijson.parse(handle):
            if event == "start_array" and (depth == 0 or (depth == 1 and prefix in LIST_KEYS)):
                return f"{prefix}.item" if depth else "item"
            if event in ("start_map", "start_array"):
                depth += 1
            elif event in ("end_map", "end_array"):
                depth -= 1
            if depth == 0:
                break
    return None


def _plain_numbers(value: Any) -> Any:
    """``value`` with ijson's Decimals as floats, as ``json.loads`` gives them (``1e999``
    is infinity, which cleaning reports rather than the parser refusing the file)."""
    try:
        # Most records hold no fractional number: orjson refuses a Decimal, and is much
        # faster at finding there is none than walking the record.
        orjson.dumps(value)
    except TypeError:
        pass
    else:
        return value
    return _decimals_to_floats(value)


def _decimals_to_floats(value: Any) -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list, Decimal)):
                value[key] = _decimals_to_floats(item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, (dict, list, Decimal)):
                value[index] = _decimals_to_floats(item)
    elif isinstance(value, Decimal):
        return float(value)
    return value


def normalise(record: dict[str, Any]) -> dict[str, Any]:
    """An ORUK 1.0 service converted to the ORUK 3.0 shape; ORUK 3.0 passes through."""
    if not any(key in record for key in ("service_taxonomys", "eligibilitys",
                                         "regular_schedules", "physical_addresses")):
        return record
    converted = dict(record)
    ages = [e for e in record.get("eligibilitys") or [] if isinstance(e, dict)]
    if ages:
        converted.setdefault("minimum_age", ages[0].get("minimum_age"))
        converted.setdefault("maximum_age", ages[0].get("maximum_age"))
        converted.setdefault("eligibility_description", ages[0].get("eligibility") or "")
    converted["attributes"] = [
        {"taxonomy_term": {"id": (link.get("taxonomy") or {}).get("id"),
                           "name": (link.get("taxonomy") or {}).get("name", ""),
                           "taxonomy": (link.get("taxonomy") or {}).get("vocabulary", "")}}
        for link in record.get("service_taxonomys") or [] if isinstance(link, dict)
    ]
    converted["languages"] = [
        {"name": lang.get("language")} for lang in record.get("languages") or []
        if isinstance(lang, dict) and lang.get("language")
    ]
    phones = [phone.get("number") for contact in record.get("contacts") or []
              if isinstance(contact, dict) for phone in contact.get("phones") or []
              if isinstance(phone, dict) and phone.get("number")]
    converted["phones"] = [{"number": number} for number in phones]
    converted["contacts"] = []
    sals = []
    for sal in record.get("service_at_locations") or []:
        location = dict((sal or {}).get("location") or {})
        addresses = location.get("physical_addresses") or []
        location["addresses"] = [
            {"address_1": a.get("address_1", ""), "city": a.get("city", ""),
             "postal_code": a.get("postal_code", "")}
            for a in addresses if isinstance(a, dict)
        ]
        sals.append({"id": (sal or {}).get("id"), "location": location})
    converted["service_at_locations"] = sals
    schedules = [s for s in record.get("regular_schedules") or [] if isinstance(s, dict)]
    converted["schedules"] = [
        {"byday": s.get("byday") or s.get("weekday") or "", "opens_at": s.get("opens_at"),
         "closes_at": s.get("closes_at"), "description": s.get("description") or ""}
        for s in schedules
    ]
    return converted


# --- tabular data package ---------------------------------------------------------------------


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    path = folder / name
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [{k: (v or "") for k, v in row.items() if k} for row in csv.DictReader(handle)]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _clean(row: dict[str, str]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if value != ""}


def read_tabular(folder: Path) -> Iterator[dict[str, Any]]:
    """Every service of an HSDS tabular data package, nested. Raises SourceError."""
    if not (folder / "services.csv").is_file():
        raise SourceError(f"{folder} has no services.csv")
    organisations = {r["id"]: _clean(r) for r in _rows(folder, "organizations.csv")}
    terms = {r["id"]: _clean(r) for r in _rows(folder, "taxonomy_terms.csv")}
    addresses: dict[str, list[dict[str, Any]]] = {}
    for row in _rows(folder, "addresses.csv"):
        addresses.setdefault(row.get("location_id", ""), []).append(_clean(row))
    locations = {}
    for row in _rows(folder, "locations.csv"):
        location: dict[str, Any] = _clean(row)
        for key in ("latitude", "longitude"):
            if key in location:
                location[key] = _number(location[key])
        location["addresses"] = addresses.get(row["id"], [])
        locations[row["id"]] = location

    def grouped(name: str, key: str) -> dict[str, list[dict[str, Any]]]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in _rows(folder, name):
            groups.setdefault(row.get(key, ""), []).append(_clean(row))
        return groups

    sals = grouped("service_at_location.csv", "service_id")
    attributes = grouped("attributes.csv", "link_id")
    schedules = grouped("schedules.csv", "service_id")
    sal_schedules = grouped("schedules.csv", "service_at_location_id")
    phones = grouped("phones.csv", "service_id")
    languages = grouped("languages.csv", "service_id")
    areas = grouped("service_areas.csv", "service_id")
    costs = grouped("cost_options.csv", "service_id")
    extras = {r["service_id"]: r for r in _rows(folder, "family_hub.csv")}
    for row in _rows(folder, "services.csv"):
        record: dict[str, Any] = _clean(row)
        service_id = row.get("id", "")
        for key in ("minimum_age", "maximum_age"):
            if key in record:
                record[key] = _number(record[key])
        if row.get("organization_id") in organisations:
            record["organization"] = organisations[row["organization_id"]]
        record["attributes"] = [
            {**a, "taxonomy_term": terms.get(a.get("taxonomy_term_id", ""), {})}
            for a in attributes.get(service_id, [])
        ]
        record["service_at_locations"] = [
            {**sal, "location": locations.get(sal.get("location_id", ""), {})}
            for sal in sals.get(service_id, [])
        ]
        record["schedules"] = list(schedules.get(service_id, [])) + [
            s for sal in sals.get(service_id, []) for s in sal_schedules.get(sal.get("id", ""), [])
        ]
        record["phones"] = phones.get(service_id, [])
        record["languages"] = languages.get(service_id, [])
        record["service_areas"] = areas.get(service_id, [])
        record["cost_options"] = costs.get(service_id, [])
        if service_id in extras:
            record["family_hub"] = _family_hub_row(extras[service_id])
        yield record


def _family_hub_row(row: dict[str, str]) -> dict[str, Any]:
    capacity = None
    if row.get("accepting"):
        wait = row.get("typical_wait_days", "")
        capacity = {
            "accepting": row["accepting"].lower() == "true",
            "free_places": int(row.get("free_places") or 0),
            "waitlist_length": int(row.get("waitlist_length") or 0),
            "typical_wait_days": int(wait) if wait.isdecimal() else None,
            "updated": row.get("capacity_updated") or None,
        }
    return {"delivery_modes": [m for m in row.get("delivery_modes", "").split(";") if m],
            "referral_route": row.get("referral_route") or None, "capacity": capacity,
            "kinds_of_help": [k for k in row.get("kinds_of_help", "").split(";") if k],
            "help_for": [a for a in row.get("help_for", "").split(";") if a],
            "level_of_need": row.get("level_of_need") or ""}


def read_source(source: str, fetch: Fetch = fetch_json,
                modified_after: str | None = None) -> Feed:
    """Services from a URL, a JSON file or a CSV package folder (``modified_after``
    asks a URL for changed services only). Raises SourceError."""
    if source.startswith(("http://", "https://")):
        return read_feed(source, fetch, modified_after)
    if modified_after:
        raise SourceError("--modified-after needs a feed URL")
    path = Path(source)
    if path.is_dir():
        return Feed(records=read_tabular(path))
    if path.is_file():
        return Feed(records=read_json_file(path))
    raise SourceError(f"{source} is not a URL, a JSON file or a folder of CSV files")
