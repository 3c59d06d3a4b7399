"""Showing a refused operation's errors beside the fields they concern."""

from __future__ import annotations

from flask_wtf import FlaskForm

from hub.unit_of_work import session
from services.errors import InvalidInput


def refuse(error: InvalidInput) -> dict[str, str]:
    """Undo the refused operation's partial writes; its messages keyed by field.

    Call it before reloading anything to show the page again: the rollback
    expires every loaded object.
    """
    session().rollback()
    return dict(error.errors)


def show_on_form(form: FlaskForm, error: InvalidInput) -> None:
    """``refuse``, then put each message beside its field; a message for a field the
    form does not have (or for no field) goes above the form instead of being lost."""
    for name, message in refuse(error).items():
        field = form._fields.get(name) if name else None
        if field is not None:
            field.errors = [message]
        else:
            form.form_errors.append(message)
