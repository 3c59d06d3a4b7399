"""A NUL character anywhere in a query string or a posted form is refused with 400.

Nobody types one; PostgreSQL text cannot hold one, so it would otherwise fail in the
first query that saves or looks up the value (a server error), and SQLite would
store it. Checked once here rather than in every form. Uploaded files are not text
fields and are not checked.
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.datastructures import MultiDict


def _has_nul(values: MultiDict[str, str]) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def _refuse_nul() -> None:
    if _has_nul(request.args) or (request.method != "GET" and _has_nul(request.form)):
        abort(400, description="The request has a character that cannot be text (NUL).")


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul)
