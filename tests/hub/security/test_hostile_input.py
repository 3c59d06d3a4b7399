"""No route answers a server error, whatever is sent to it.

Every rule in ``app.url_map`` is visited as each role of the fixed cast and
anonymously, with hostile input: oversize and negative integers, 20-digit years,
100 kB strings, empty and missing fields, non-numbers, non-UTF-8 bytes, wrong
uploads, duplicated fields, and huge ids or hostile words in the URL itself. The
fields come from the forms and links of the pages each role sees (see
``hostile.py``), so a form added later is covered without touching this test.

Speed: a role spoils each field of the forms it is shown one value at a time; the
routes it is not shown a form for get whole-form cases only.
"""

from __future__ import annotations

import re
import traceback
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from hub.converters import IdConverter
from tests.factories import Cast, login
from tests.hub.security.hostile import (
    COMMON_QUERY,
    HUGE_INTEGERS,
    NOT_UTF8,
    QUERY_VALUES,
    Case,
    Discovered,
    cases,
)
from tests.hub.security.support import World, build_world, iter_rules, methods, urls_for

# "dpo" is the coordinator made data protection officer: the audit pages are theirs.
# Roles that are shown the same forms send them different halves of the values (by
# their place in this list): coordinator and dpo, staff and dsl, manager and worker.
# The cast's second school and provider ("other_staff", "other_manager") are shown the
# same forms as "staff" and "manager" again, so they are not visited: this is the
# suite's slowest test, on both databases.
ROLES = ["anonymous", "coordinator", "staff", "dsl", "manager", "worker", "dpo"]
# Signing out ends the visit, so it goes last.
PUBLIC_API = "/api/"
LAST = {"auth.logout"}
HUGE_IDS = (str(10**30), str(2**63), "2147483648")
HOSTILE_WORDS = ("x" * 5_000, quote(NOT_UTF8), HUGE_INTEGERS[0], "..%2F..%2Fetc")


@pytest.fixture
def world(db: Session, cast: Cast) -> World:
    return build_world(db, cast)


def _rules(app: Flask) -> list[Rule]:
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint in LAST, r.rule))
    return [r for r in rules if r.endpoint != "static"]


def _discover(app: Flask, client: FlaskClient, world: World) -> Discovered:
    """The forms and links of every page this client can see, and the API's parameters."""
    found = Discovered()
    for rule in iter_rules(app, "GET"):
        if rule.endpoint in ("static", "auth.logout"):
            continue
        for url in urls_for(app, rule, world) or []:
            response = client.get(url)
            if response.mimetype == "text/html" and response.status_code == 200:
                found.read(url, response.get_data(as_text=True))
    return found


def _api_query_names(client: FlaskClient) -> tuple[str, ...]:
    spec = client.get("/api/oruk/v3/openapi.json").get_json()
    parameters = spec.get("components", {}).get("parameters", {}).values()
    return tuple(sorted({p["name"] for p in parameters if p.get("in") == "query"}))


def _hostile_urls(rule: Rule, world: World, app: Flask) -> list[tuple[str, str]]:
    """(description, URL) with one URL part replaced by something hostile."""
    known = {**world.params, **world.by_endpoint.get(rule.endpoint, {})}
    good = (urls_for(app, rule, world) or [None])[0]
    urls = []
    for name, converter in rule._converters.items():
        values = HUGE_IDS if isinstance(converter, IdConverter) else HOSTILE_WORDS
        for value in values:
            parts = {arg: value if arg == name else _first(known.get(arg, "1"))
                     for arg in rule.arguments}
            url = re.sub(r"<(?:[a-z]+:)?([^>]+)>", lambda m, p=parts: p[m.group(1)],
                         rule.rule)
            if url != good:
                urls.append((f"<{name}>={value[:30]}{'...' if len(value) > 30 else ''}", url))
    return urls


def _first(value: object) -> str:
    return str(value[0] if isinstance(value, list) else value)


def _send(client: FlaskClient, method: str, url: str, case: Case) -> int | None:
    """The response's status, or None when the case means nothing for the method."""
    if method == "GET":
        if case.files or (isinstance(case.data, bytes) and b"=" not in case.data):
            return None  # a GET has no body to upload or to garble
        query = case.data.decode("ascii") if isinstance(case.data, bytes) else case.data
        return client.get(url, query_string=query or None).status_code
    if case.files:
        fields: dict[str, object] = {}
        for name, value in case.data or []:
            fields.setdefault(name, []).append(value)  # type: ignore[union-attr]
        fields.update(case.files)
        return client.open(url, method=method, data=fields,
                           content_type="multipart/form-data").status_code
    body = case.data if isinstance(case.data, bytes) else urlencode(case.data or [])
    return client.open(url, method=method, data=body,
                       content_type=case.content_type
                       or "application/x-www-form-urlencoded").status_code


def _visit(app: Flask, client: FlaskClient, world: World, role: str) -> list[str]:
    found = _discover(app, client, world)
    api_names = _api_query_names(client)
    failures: list[str] = []

    def attempt(method: str, url: str, case: Case, endpoint: str) -> None:
        try:
            status = _send(client, method, url, case)
        except Exception as error:  # every raised error is the finding
            frame = traceback.extract_tb(error.__traceback__)[-1]
            failures.append(f"{method} {url[:120]} ({endpoint}) as {role}, {case.label}: "
                            f"{type(error).__name__}: {str(error)[:200]} "
                            f"at {frame.filename}:{frame.lineno}")
            app.extensions["sqlalchemy"].session.rollback()
            return
        if status is not None and status >= 500:
            failures.append(f"{method} {url[:120]} ({endpoint}) as {role}, {case.label}: "
                            f"{status}")

    for rule in _rules(app):
        for method in sorted(methods(rule)):
            urls = urls_for(app, rule, world) or []
            for url in urls[:2]:
                path = url.split("?")[0]
                fields = found.for_path(path, method)
                thorough = (path, method) in found.fields
                extra: tuple[str, ...] = ()
                if path.startswith(PUBLIC_API) and role != "anonymous":
                    # The API answers everyone alike: the anonymous visit spoils it.
                    attempt(method, url, Case("all fields missing", []), rule.endpoint)
                    continue
                if method == "GET" and path.startswith(PUBLIC_API):
                    extra, thorough = api_names, True
                for case in cases(fields, extra, thorough=thorough, seed=ROLES.index(role)):
                    attempt(method, url, case, rule.endpoint)
                if method == "GET":
                    for label, value in QUERY_VALUES:
                        attempt(method, url, Case(
                            f"every common query name ({', '.join(COMMON_QUERY)}) = {label}",
                            [(n, value) for n in COMMON_QUERY]), rule.endpoint)
            if rule.rule.startswith(PUBLIC_API) and role != "anonymous":
                continue
            for label, url in _hostile_urls(rule, world, app):
                attempt(method, url, Case(f"URL part {label}", []), rule.endpoint)
    return failures


def _sign_in(client: FlaskClient, db: Session, world: World, role: str) -> None:
    if role == "dpo":
        world.cast.coordinator.is_dpo = True
        db.commit()
        role = "coordinator"
    if role != "anonymous":
        login(client, getattr(world.cast, role))


@pytest.mark.parametrize("role", ROLES)
def test_it_never_answers_a_server_error_to_hostile_input(
    app: Flask, db: Session, world: World, role: str
) -> None:
    client = app.test_client()
    _sign_in(client, db, world, role)
    failures = _visit(app, client, world, role)
    assert not failures, (f"{len(failures)} server errors as {role}:\n"
                          + "\n".join(failures[:60]))


def test_it_finds_the_forms_it_spoils(app: Flask, db: Session, world: World) -> None:
    """The discovery is what makes the test thorough: it must see real forms, their
    fields with the values the page sends, uploads and date parts."""
    client = app.test_client()
    _sign_in(client, db, world, "dsl")
    found = _discover(app, client, world)
    assert "file" in found.for_path("/missing-education/attendance", "POST").files
    concern = found.for_path("/safeguarding/concerns/new", "POST")
    assert {"first_name", "dob-year", "details"} <= set(concern.defaults), concern
    assert len(concern.defaults["raise_key"][0]) >= 16  # the page's once-only key is sent
    labels = [case.label for case in cases(concern)]
    assert f"dob-year={'9' * 20} (20-digit year)" in labels
    assert "details=100 kB string" in labels or "details=2**63" in labels
