"""The audit page's filter offers the code's list of actions
(routing/referrals/audit_actions.py) and never reads the audit table to build it."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from routing.referrals.audit import audit
from routing.referrals.audit_actions import ACTIONS
from routing.referrals.lifecycle import Actor
from tests.factories import Cast, login


def test_it_builds_the_filter_without_reading_the_audit_table(
    app: Flask, db: Session, cast: Cast
) -> None:
    cast.coordinator.is_dpo = True
    audit(db, Actor(None, "Someone", None, ""), "capacity_changed: service 3",
          datetime(2026, 3, 2))
    db.commit()
    client = app.test_client()
    login(client, cast.coordinator)
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        page = client.get("/audit").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert not [s for s in statements if "DISTINCT" in s.upper() and "audit_event" in s]
    options = page.split('id="action"', 1)[1].split("</select>", 1)[0]
    assert options.count("<option") == len(ACTIONS) + 1  # and "Any"
    assert 'value="sibling_unlinked">sibling unlinked<' in options
    assert 'value="capacity_changed">capacity changed<' in options
