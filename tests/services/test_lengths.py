"""Every text column has a longest value, refused on both databases alike (SQLite
would keep any length; PostgreSQL would fail the request), and every form field that
fills one says how long it may be."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

import hub
from services.db import Base
from services.errors import InvalidInput
from services.lengths import limit_of
from services.organisations import Organisation
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import complete_draft


def test_it_knows_the_longest_value_of_every_text_column() -> None:
    missing = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if type(column.type).__name__ in ("Text", "String", "Unicode", "UnicodeText")
        and limit_of(table.name, column) is None
    ]
    assert missing == []


def test_it_refuses_an_over_long_value_on_a_model() -> None:
    with pytest.raises(InvalidInput) as refused:
        Organisation(name="x" * 201)
    assert refused.value.errors == {"name": "Enter 200 characters or fewer"}
    assert Organisation(name="x" * 200).name == "x" * 200


def _forms() -> list[type[FlaskForm]]:
    found = []
    for info in pkgutil.walk_packages(hub.__path__, "hub."):
        # Sign-in forms belong to the accounts work (issue 14, its own branch).
        if not info.name.endswith(".forms") or info.name.startswith("hub.auth"):
            continue
        module = importlib.import_module(info.name)
        found += [c for _, c in inspect.getmembers(module, inspect.isclass)
                  if issubclass(c, FlaskForm) and c.__module__ == module.__name__]
    return found


def test_it_every_text_field_of_every_form_has_a_length() -> None:
    forms = _forms()
    assert len(forms) >= 6
    unbounded = []
    for form in forms:
        for name, field in vars(form).items():
            kind = getattr(field, "field_class", None)
            if kind is None or not issubclass(kind, (StringField, TextAreaField)):
                continue
            validators = field.kwargs.get("validators") or []
            if not any(isinstance(v, Length) and v.max and v.max > 0 for v in validators):
                unbounded.append(f"{form.__name__}.{name}")
    assert unbounded == []


def test_it_refuses_an_over_long_name_on_the_referral_form(
    app: Flask, db: Session, client: FlaskClient, cast: Cast
) -> None:
    service = make_service(db, cast.provider)
    draft = complete_draft(db, cast, {"MHW": service})
    db.commit()
    login(client, cast.staff)
    response = client.post(f"/referrals/drafts/{draft.id}/child", data={
        "first_name": "A" * 300, "last_name": "Khan", "dob-day": "14", "dob-month": "3",
        "dob-year": "2015", "home_postcode": "BL1 1SE",
        "attendance_concern": "no", "missing_education": "no"})
    assert response.status_code == 400
    assert "characters or fewer" in response.get_data(as_text=True)


def test_it_refuses_an_over_long_decline_reason(
    app: Flask, db: Session, client: FlaskClient, cast: Cast
) -> None:
    from tests.routing.referrals.helpers import sent_referral

    referral = sent_referral(db, cast, make_service(db, cast.provider), opened=True)
    db.commit()
    login(client, cast.manager)
    response = client.post(f"/referrals/{referral.id}/decline",
                           data={"reason_code": "other", "reason": "x" * 5001})
    assert response.status_code == 400
    assert "5,000 characters or fewer" in response.get_data(as_text=True)
