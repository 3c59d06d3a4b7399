"""Page fragments rendered once per directory version and reused.

The needs checkboxes are the largest part of the search and referral forms (about
sixty needs, each with its own label, id and disclosure) and the same for every
user: they vary only with the taxonomy, which changes only with a new directory
version, and with which needs are ticked. Rendering them once per combination
takes a few milliseconds off every search.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from markupsafe import Markup

from hub.caches import directory_snapshot

MAX_FRAGMENTS = 512  # per version; far more than the combinations people tick
NEEDS_HINT = "Choose one or more. Open a need to be more specific."


def needs_tree_html(
    name: str,
    id: str,
    chosen: Iterable[str] | None,
    legend: str,
    error: str | None = None,
    hint: str = NEEDS_HINT,
) -> Markup:
    """The needs checkboxes (``search/_needs.html``) with ``chosen`` ticked.

    Holds no user data beyond which codes are ticked, so one copy serves everyone.
    """
    lookups = directory_snapshot().lookups
    ticked = tuple(sorted({str(code) for code in chosen or ()}))
    key = ("needs_tree", name, id, ticked, legend, error, hint)
    cached = lookups.fragments.get(key)
    if isinstance(cached, Markup):
        return cached
    macro = current_app.jinja_env.get_template("search/_needs.html").module.needs_tree  # type: ignore[attr-defined]
    # An autoescaping template's macro returns Markup: it is kept as it came.
    html = macro(name, id, list(ticked), lookups.needs, legend, error, hint)
    if not isinstance(html, Markup):
        raise TypeError("the needs macro must come from an autoescaping template")
    if len(lookups.fragments) >= MAX_FRAGMENTS:
        lookups.fragments.clear()
    lookups.fragments[key] = html
    return html
