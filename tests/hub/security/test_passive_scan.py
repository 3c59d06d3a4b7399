"""The passive rules of an OWASP ZAP baseline scan, applied to every GET route.

Routes come from ``app.url_map``, so a page another engineer adds later is
scanned too; its URL arguments are filled from objects the test creates. The
app is built as production runs it: CSRF on, session cookie Secure, HTTPS.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.factories import PASSWORD, Cast
from tests.hub.security.support import (
    World,
    build_world,
    csrf_token_from,
    iter_rules,
    parse,
    sign_in,
    strict_app,
    urls_for,
)

# GET routes the scan cannot visit, with the reason. Keep this short: a route
# here is a route nobody scans. Prefer teaching ``build_world`` the argument.
UNVISITED_GET_ROUTES: dict[str, str] = {}
MAX_UNVISITED = 3

ROLES = ["anonymous", "coordinator", "staff", "dsl", "other_staff", "manager", "worker",
         "other_manager"]

# The only places an anonymous visitor may get a 200 with content.
PUBLIC_PREFIXES = ("/login", "/static/", "/api/", "/progress/", "/password/")

UNSAFE_SCRIPT_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"}
# Form fields that carry personal data and so must never travel in a query string.
PERSONAL_FIELDS = ("postcode", "dob", "birth", "name", "email", "nhs", "upn", "password")


@dataclass
class Hit:
    url: str
    status: int
    rule: str

    def __str__(self) -> str:
        return f"{self.url} [{self.status}]: {self.rule}"


def _csp(response: TestResponse) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0].lower(), words[1:])
    return directives


def _check_headers(response: TestResponse, signed_in: bool, secure: bool) -> list[str]:
    problems = []
    headers = response.headers
    path = response.request.path
    if response.status_code >= 500:
        problems.append("server error")
    csp = _csp(response)
    if not csp:
        problems.append("no Content-Security-Policy (ZAP 10038)")
    else:
        script_src = csp.get("script-src", csp.get("default-src"))
        if script_src is None:
            problems.append("CSP has neither script-src nor default-src (ZAP 10055)")
        elif unsafe := UNSAFE_SCRIPT_SOURCES.intersection(s.lower() for s in script_src):
            problems.append(f"CSP script-src allows {sorted(unsafe)} (ZAP 10055)")
        if csp.get("object-src", csp.get("default-src")) != ["'none'"]:
            problems.append("CSP object-src is not 'none' (ZAP 10055)")
    if headers.get("X-Content-Type-Options", "").lower() != "nosniff":
        problems.append("X-Content-Type-Options is not nosniff (ZAP 10021)")
    if "X-Frame-Options" not in headers and "frame-ancestors" not in csp:
        problems.append("neither X-Frame-Options nor frame-ancestors (ZAP 10020)")
    referrer = headers.get("Referrer-Policy", "").lower()
    if not referrer or referrer in ("unsafe-url", "no-referrer-when-downgrade"):
        problems.append(f"weak or missing Referrer-Policy {referrer!r}")
    if "X-Powered-By" in headers:
        problems.append("X-Powered-By leaks the stack (ZAP 10037)")
    server = headers.get("Server")
    if server and not server.startswith("Werkzeug/"):
        problems.append(f"Server header leaks {server!r} (ZAP 10036)")
    cache = headers.get("Cache-Control", "")
    if signed_in and not path.startswith("/static/") and "no-store" not in cache:
        problems.append(f"Cache-Control {cache!r} lacks no-store for a signed-in user (ZAP 10015)")
    if secure and "Strict-Transport-Security" not in headers:
        problems.append("no Strict-Transport-Security with secure cookies (ZAP 10035)")
    for cookie in headers.getlist("Set-Cookie"):
        flags = {f.strip().split("=")[0].lower(): f for f in cookie.split(";")[1:]}
        name = cookie.split("=", 1)[0]
        if flags.get("max-age", "").strip().lower() == "max-age=0":
            continue  # a deletion (Flask-Login clears remember_token); ZAP skips expired cookies
        if "httponly" not in flags:
            problems.append(f"cookie {name} without HttpOnly (ZAP 10010)")
        if flags.get("samesite", "").split("=")[-1].strip().lower() not in ("lax", "strict"):
            problems.append(f"cookie {name} without SameSite=Lax/Strict (ZAP 10054)")
        if secure and "secure" not in flags:
            problems.append(f"cookie {name} without Secure (ZAP 10011)")
    return problems


def _check_html(response: TestResponse) -> list[str]:
    problems = []
    html = response.get_data(as_text=True)
    if "Traceback (most recent call last)" in html or "Werkzeug Debugger" in html:
        problems.append("a stack trace in the page (ZAP 90022)")
    nonce = next(
        (s.removeprefix("'nonce-").rstrip("'") for s in _csp(response).get("script-src", [])
         if s.startswith("'nonce-")),
        None,
    )
    page = parse(html)
    for script in page.scripts:
        if script.src is not None:
            if not script.src.startswith("/") or script.src.startswith("//"):
                problems.append(f"script from another origin {script.src} (ZAP 10017)")
        elif script.inline and (nonce is None or script.nonce != nonce):
            problems.append("inline script without this response's CSP nonce")
    problems.extend(f"inline event handler {h}, blocked by CSP" for h in page.handlers)
    for form in page.forms:
        if form.method == "post" and "csrf_token" not in form.inputs:
            problems.append(f"POST form to {form.action or 'self'!r} has no CSRF token (ZAP 10202)")
        if form.method == "get":
            personal = [n for n in form.inputs if any(p in n.lower() for p in PERSONAL_FIELDS)]
            if personal:
                problems.append(f"GET form sends personal fields {personal} in the URL")
    problems.extend(
        f"link puts a postcode in a URL: {link}" for link in page.links if "postcode=" in link
    )
    return problems


def _scan(app: Flask, client: FlaskClient, world: World, role: str) -> list[Hit]:
    signed_in = role != "anonymous"
    secure = bool(app.config["SESSION_COOKIE_SECURE"])
    hits: list[Hit] = []
    for rule in iter_rules(app, "GET"):
        if rule.endpoint in UNVISITED_GET_ROUTES:
            continue
        for url in urls_for(app, rule, world) or []:
            response = client.get(url)
            problems = _check_headers(response, signed_in, secure)
            if response.mimetype == "text/html":
                problems += _check_html(response)
            body = response.get_data().strip()
            if (not signed_in and response.status_code == 200 and body
                    and not url.startswith(PUBLIC_PREFIXES)):
                problems.append("an anonymous visitor gets a 200 with content")
            hits += [Hit(url, response.status_code, p) for p in problems]
    return hits


@pytest.fixture
def world(db: Session, cast: Cast) -> World:
    return build_world(db, cast)


@pytest.fixture
def production_like(app: Flask) -> Flask:
    """CSRF on and the session cookie Secure, as production runs."""
    return strict_app(app, session_cookie_secure=True)


def test_it_every_get_route_can_be_visited_with_test_data(app: Flask, world: World) -> None:
    unfilled = sorted(
        rule.endpoint for rule in iter_rules(app, "GET")
        if urls_for(app, rule, world) is None and rule.endpoint not in UNVISITED_GET_ROUTES
    )
    assert not unfilled, (
        f"teach build_world the arguments of {unfilled} (or list them in UNVISITED_GET_ROUTES)"
    )


def test_it_the_list_of_unvisited_routes_stays_small_and_current(app: Flask, world: World) -> None:
    assert len(UNVISITED_GET_ROUTES) <= MAX_UNVISITED
    endpoints = {rule.endpoint: rule for rule in iter_rules(app, "GET")}
    stale = [e for e in UNVISITED_GET_ROUTES
             if e not in endpoints or urls_for(app, endpoints[e], world) is not None]
    assert not stale, f"remove {stale} from UNVISITED_GET_ROUTES: they can be visited now"


@pytest.mark.parametrize("role", ROLES)
def test_it_every_get_route_passes_the_zap_baseline_rules(
    production_like: Flask, world: World, role: str
) -> None:
    client = production_like.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    if role != "anonymous":
        sign_in(client, getattr(world.cast, role))
    hits = _scan(production_like, client, world, role)
    assert not hits, f"{len(hits)} findings as {role}:\n" + "\n".join(map(str, hits))


def test_it_the_session_cookie_is_secure_http_only_and_same_site(
    production_like: Flask, cast: Cast
) -> None:
    client = production_like.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={
        "email": cast.staff.email, "password": PASSWORD, "csrf_token": csrf_token_from(page),
    })
    assert response.status_code == 302
    name = production_like.config["SESSION_COOKIE_NAME"]
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    flags = {f.strip().lower() for f in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite=lax"} <= flags
    assert "Strict-Transport-Security" in response.headers
