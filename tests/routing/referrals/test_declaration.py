"""The declaration confirmed on check-your-answers is kept on the sent form (who, when,
the wording's version), shown to the provider and in the subject access export."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from routing.referrals import declaration
from routing.referrals import operations as ops
from routing.referrals.subject_access import OTHER_PERSON, subject_access
from services.errors import InvalidInput
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import actor, complete_draft

SENT = datetime(2026, 12, 1, 10, 4)


def test_it_keeps_who_declared_when_and_the_wordings_version(db: Session, cast: Cast) -> None:
    service = make_service(db, cast.provider, needs=("MHW",))
    draft = complete_draft(db, cast, {"MHW": service})
    with pytest.raises(InvalidInput):
        ops.refer_family(db, draft, draft.send_key, actor(cast.staff), SENT, declared=False)
    assert draft.declared_at is None and draft.declared == ""
    ops.refer_family(db, draft, draft.send_key, actor(cast.staff), SENT, declared=True)
    db.expire_all()
    assert (draft.declared_by_id, draft.declared_by_name, draft.declared_at,
            draft.declaration_version) == (cast.staff.id, cast.staff.name, SENT,
                                           declaration.CURRENT)
    assert draft.declared == (f"Declared by {cast.staff.name} (Castle Hill Primary School) "
                              "on 1 December 2026 at 10:04")
    assert draft.declaration_wording == ops.DECLARATION
    # A repeated send (a double click, later) keeps the first declaration.
    ops.refer_family(db, draft, draft.send_key, actor(cast.dsl), SENT.replace(hour=11),
                     declared=True)
    assert (draft.declared_by_id, draft.declared_at) == (cast.staff.id, SENT)


def test_it_words_an_older_version_as_it_was_and_an_unknown_one_as_nothing() -> None:
    assert declaration.wording(declaration.CURRENT).startswith("I confirm that")
    assert declaration.wording(None) == declaration.wording(999) == ""


def test_it_puts_the_declaration_in_the_subject_access_export(db: Session, cast: Cast
                                                              ) -> None:
    service = make_service(db, cast.provider, needs=("MHW",))
    draft = complete_draft(db, cast, {"MHW": service})
    ops.refer_family(db, draft, draft.send_key, actor(cast.staff), SENT, declared=True)
    assert draft.child_id is not None
    document = subject_access(db, draft.child_id, SENT).as_json()
    forms = next(s for s in document["sections"] if s["title"].startswith("Referral forms"))
    (form,) = forms["items"]
    assert form["Declaration confirmed"] == "2026-12-01 10:04"
    assert form["Declaration version"] == str(declaration.CURRENT)
    assert form["Declaration"] == ops.DECLARATION
    # The referrer is another person: marked for redaction before release.
    assert form["Declaration confirmed by"] == {"value": cast.staff.name,
                                                "redact_before_release": OTHER_PERSON}


def test_it_shows_the_provider_who_declared_and_when(app: Flask, db: Session, cast: Cast
                                                     ) -> None:
    service = make_service(db, cast.provider, needs=("MHW",))
    draft = complete_draft(db, cast, {"MHW": service})
    (referral,) = ops.refer_family(db, draft, draft.send_key, actor(cast.staff), SENT,
                                   declared=True)
    db.commit()
    client = app.test_client()
    login(client, cast.manager)
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert (f"Declared by {cast.staff.name} (Castle Hill Primary School) on 1 December 2026 "
            "at 10:04.") in page
    assert ops.DECLARATION in page
