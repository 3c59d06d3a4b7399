"""Shared set-up for the security tests.

* ``strict_app``: the app as production runs it (CSRF on), on the test database.
* ``sign_in``: log in through the real form, CSRF token and all.
* ``build_world``: one object of every kind a URL can name, so that every
  route in ``app.url_map`` can be visited with real parameters.
* ``urls_for``: the URLs for one rule, filled from the world (or None).
* ``PageParser``: the forms, scripts and inline handlers of an HTML page.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import product
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from stdnum.gb import upn
from werkzeug.routing import IntegerConverter, Rule

from hub import create_app
from hub.extensions import csrf
from hub.settings import settings_of
from routing.referrals import operations as ops
from routing.referrals.answers import STEPS
from routing.referrals.merge import merge_children
from routing.referrals.models import Child
from routing.safeguarding import cme
from routing.safeguarding.attendance import COLUMNS, import_attendance
from routing.safeguarding.operations import item_for_draft
from services.accounts.models import User
from services.db import utcnow
from services.oruk import ids
from tests.factories import PASSWORD, Cast, make_service, next_code
from tests.routing.referrals.helpers import actor, complete_draft, issue_link, sent_referral

IGNORED_METHODS = {"HEAD", "OPTIONS"}
CSRF_INPUT = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def strict_app(app: Flask, **overrides: Any) -> Flask:
    """A second app on the same database with CSRF protection on, as in production."""
    return create_app(settings_of(app).replace(wtf_csrf_enabled=True, **overrides))


def csrf_token_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no csrf_token field on the page"
    return match.group(1) or match.group(2)


def sign_in(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    """Log in through the real form, with the token the page gave us."""
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": user.email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if response.headers["Location"].endswith("/login/code"):
        token = csrf_token_from(client.get("/login/code").get_data(as_text=True))
        response = client.post("/login/code", data={
            "code": next_code(client, user), "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]


def is_csrf_exempt(app: Flask, rule: Rule) -> bool:
    """Whether Flask-WTF skips the CSRF check for this rule's view."""
    blueprint = rule.endpoint.rpartition(".")[0] or None
    if blueprint and app.blueprints.get(blueprint) in csrf._exempt_blueprints:
        return True
    view = app.view_functions[rule.endpoint]
    return f"{view.__module__}.{view.__name__}" in csrf._exempt_views


def methods(rule: Rule) -> set[str]:
    return set(rule.methods or ()) - IGNORED_METHODS


# --- One object of every kind -------------------------------------------------------


@dataclass
class World:
    cast: Cast
    # URL argument name -> value(s); a list is visited once per value.
    params: dict[str, Any] = field(default_factory=dict)
    # endpoint -> {argument: value(s)}; wins over ``params`` for that endpoint.
    by_endpoint: dict[str, dict[str, Any]] = field(default_factory=dict)
    progress_token: str = ""


def build_world(db: Session, cast: Cast) -> World:
    """A service with a live referral, drafts in every state, a child and a progress link."""
    service = make_service(db, cast.provider, needs=("MHW",), hubs=(cast.school,))
    make_service(db, cast.other_provider, needs=("MHW",))
    requested = make_service(db, cast.other_provider, needs=("MHW",), hubs=(cast.school,),
                             hubs_requested=True)  # waiting for the school's agreement
    now = utcnow()
    referral = sent_referral(db, cast, service, now=now)
    draft = complete_draft(db, cast, {"MHW": service}, now=now)
    stopped = ops.start_request(db, secrets.token_hex(8), cast.staff.id, cast.school.id, now)
    ops.stop_for_safeguarding(db, stopped, actor(cast.staff), now)
    item = item_for_draft(db, stopped)
    assert item is not None
    _, token = issue_link(db, referral.child_id, cast.staff, now)
    # Another record (to compare for a merge), and one merged into the child's.
    other = sent_referral(db, cast, service, now=now)
    merged = sent_referral(db, cast, service, now=now)
    survivor, gone = db.get(Child, referral.child_id), db.get(Child, merged.child_id)
    assert survivor is not None and gone is not None
    merge = merge_children(db, survivor, gone, {}, "Same child", actor(cast.coordinator), now,
                           None)
    case, _ = cme.open_case_from_item(db, item, actor(cast.dsl), now)
    pupil = upn.calc_check_digit("350202600011") + "350202600011"
    imported = import_attendance(
        db, (",".join(COLUMNS) + f"\n{pupil},Amy,Shaw,2016-05-01,{cast.school.urn},100,0,"
             "20,Autumn 1\n").encode(), "a.csv", actor(cast.dsl), None, now).attendance_import
    db.commit()
    assert referral.request_id is not None and service.location is not None
    service_uuid = str(service.uuid)
    world = World(cast=cast, progress_token=token)
    world.params = {
        "service_id": service.id,
        "school_id": cast.school.id,
        "organisation_id": cast.provider.id,
        "user_id": cast.staff.id,
        "code": "MHW",
        "referral_id": referral.id,
        "child_id": referral.child_id,
        "request_id": draft.id,
        "link_id": requested.hubs[0].id,
        "item_id": item.id,
        "other_id": other.child_id,
        "merge_id": merge.id,
        "case_id": case.id,
        "import_id": imported.id,
        "record_id": imported.records[0].id,
        "carer_id": _carer_of(db, referral.child_id),
        "step": list(STEPS),
        "action": ["accept", "withdraw"],
        "token": [token, "not-a-real-token"],
        "filename": "css/hub.css",
        "_rest": "no-such-operation",
    }
    world.by_endpoint = {
        "referrals.sent": {"request_id": referral.request_id},
        "referrals.stopped": {"request_id": stopped.id},
        "oruk.service": {"service_id": service_uuid},
        "oruk.service_at_location": {
            "sal_id": ids.service_at_location_id(
                service_uuid, ids.venue_location_id(service.location.id)
            )
        },
        "oruk.taxonomy": {"taxonomy_id": ids.taxonomy_id()},
        "oruk.taxonomy_term": {"term_id": ids.term_id("MHW")},
    }
    return world


def _carer_of(db: Session, child_id: int) -> int:
    """A parent or carer on the child's family record (made when the form was sent)."""
    from sqlalchemy import select

    from routing.referrals.family import family_of
    from routing.referrals.family_models import Carer

    family = family_of(db, child_id)
    assert family is not None
    return int(db.execute(select(Carer.id).where(Carer.family_id == family.id)).scalars().first())


def urls_for(app: Flask, rule: Rule, world: World) -> list[str] | None:
    """Every URL for ``rule`` built from the world, or None if an argument is unknown."""
    chosen: dict[str, list[Any]] = {}
    for name in sorted(rule.arguments):
        value = world.by_endpoint.get(rule.endpoint, {}).get(name, world.params.get(name))
        if value is None:
            return None
        values = value if isinstance(value, list) else [value]
        if isinstance(rule._converters.get(name), IntegerConverter):
            values = [v for v in values if isinstance(v, int)]
        if not values:
            return None
        chosen[name] = values
    adapter = app.url_map.bind("localhost")
    names = list(chosen)
    return [
        adapter.build(rule.endpoint, dict(zip(names, combo, strict=True)),
                      method=next(iter(methods(rule))))
        for combo in product(*(chosen[n] for n in names))
    ]


# --- Reading pages --------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    inputs: list[str] = field(default_factory=list)


@dataclass
class Script:
    src: str | None
    nonce: str | None
    inline: bool


class PageParser(HTMLParser):
    """Collects forms (with their field names), scripts and inline event handlers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.scripts: list[Script] = []
        self.handlers: list[str] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._script: Script | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: (v or "") for k, v in attrs}
        self.handlers.extend(f"<{tag} {k}=...>" for k in attr if k.startswith("on"))
        if tag == "form":
            self._form = Form(attr.get("method", "get").lower(), attr.get("action", ""))
            self.forms.append(self._form)
        elif tag in ("input", "select", "textarea", "button") and self._form and attr.get("name"):
            self._form.inputs.append(attr["name"])
        elif tag == "script":
            self._script = Script(attr.get("src"), attr.get("nonce"), inline=False)
            self.scripts.append(self._script)
        elif tag in ("a", "link") and attr.get("href"):
            self.links.append(attr["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None and self._script.src is None and data.strip():
            self._script.inline = True


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def iter_rules(app: Flask, method: str) -> Iterator[Rule]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if method in methods(rule):
            yield rule
