"""The directory search page."""

from __future__ import annotations

import secrets

from flask import Blueprint, render_template
from flask_login import login_required
from jinja2.utils import htmlsafe_json_dumps

from hub.caches import directory_snapshot, known_places, online_geocoder
from hub.form_errors import show_on_form
from hub.search import operations
from hub.search.forms import SearchForm
from hub.search.presenters import map_points
from hub.unit_of_work import session
from services.errors import InvalidInput

bp = Blueprint("search", __name__)


@bp.route("/", methods=["GET"])
@login_required
def home() -> str:
    return index()


@bp.route("/search", methods=["GET", "POST"])
@login_required
def index() -> str:
    # Nothing is written before the search: the position read with the user stands.
    snapshot = directory_snapshot(session(), fresh_from_sign_in=True)
    lookups = snapshot.lookups
    form = SearchForm()
    form.school_id.choices = list(lookups.school_choices)
    form.needs.choices = list(lookups.need_choices)
    outcome = None
    if form.validate_on_submit():
        criteria = operations.SearchCriteria(
            need_codes=tuple(form.needs.data or ()),
            postcode=(form.postcode.data or "").strip() or None,
            school_id=int(form.school_id.data) if form.school_id.data else None,
            age=form.age.data,
            radius_miles=float(form.radius.data) if form.radius.data else None,
            mode=form.mode.data or None,
            accepting_only=bool(form.accepting_only.data),
            severity=form.severity.data or "",
            urgent=form.urgency.data == "urgent",
            kinds=frozenset({form.kind.data}) if form.kind.data else frozenset(),
            help_for=form.help_for.data or "",
            expand=form.more.data or None,
        )
        try:
            outcome = operations.search_services(
                session(), snapshot.index(), criteria, online_geocoder(), known_places()
            )
        except InvalidInput as error:
            show_on_form(form, error)
    points = map_points(outcome) if outcome else []
    return render_template(
        "search/index.html",
        form=form,
        outcome=outcome,
        map_json=htmlsafe_json_dumps(points),
        # A fresh key per results page: "Refer" twice from it makes one draft.
        start_key=secrets.token_urlsafe(24),
    )
