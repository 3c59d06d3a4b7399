"""Page fragments rendered once per directory version and reused.

The needs checkboxes are the largest part of the search and referral forms (about
sixty needs, each with its own label, id and disclosure) and the same for every
user: they vary only with the taxonomy, which changes only with a new directory
version, and with which needs are ticked. Rendering them once per combination
takes a few milliseconds off every search.

Each result card's heading, organisation and stated facts (ages, cost, ways of
delivery, languages) likewise change only with a new version (capacity figures,
which change between versions, are not in them): rendered once per service and
version, they take about a third off each card.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask import current_app
from markupsafe import Markup

from hub.caches import directory_snapshot
from hub.templating import kept_html, service_url
from routing.engine import ScorePart, ServiceRecord
from routing.snapshot import DirectoryRead

MAX_FRAGMENTS = 512  # per version; far more than the combinations people tick
# Per version: the services shown in results lately (each about 400 bytes).
MAX_SUMMARIES = 20_000
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
    return kept_html(lookups.fragments, key, MAX_FRAGMENTS, "search/_needs.html", "needs_tree",
                     name, id, list(ticked), lookups.needs, legend, error, hint)


def service_summary_html(service: ServiceRecord) -> Markup:
    """A result card's heading (linked), organisation and stated facts for ``service``:
    the ``service_summary`` macro of ``search/_match.html``, rendered once per service
    for the directory version of this request's snapshot."""
    summaries: dict[tuple[str, int], Markup] = directory_snapshot().view(
        _no_summaries, _same_summaries)
    # The link's base is part of the key, as an app could be served under two roots.
    key = (service_url(0), service.id)
    return kept_html(summaries, key, MAX_SUMMARIES, "search/_match.html", "service_summary",
                     service)


def _no_summaries(_read: DirectoryRead) -> dict[tuple[str, int], Markup]:
    """A version's summaries start empty and are rendered as services are shown."""
    return {}


def _same_summaries(summaries: dict[tuple[str, int], Markup],
                    _changed: Sequence[Any]) -> dict[tuple[str, int], Markup]:
    """Capacity changes leave every summary as it is (none shows a capacity figure)."""
    return summaries


MAX_SELECTS = 1024  # per app: a few fields, each with its chosen option


def select_html(field: Any) -> Markup:
    """A select field without an error (``plain_select`` of ``search/_fields.html``),
    rendered once per app for everything it shows (id, name, label, hint, choices and
    the chosen option) and kept. Only valid options get here: a field whose value is
    not among its choices has an error and is drawn by the full macro."""
    key = ("select", field.id, field.name, field.label.text, field.description,
           tuple(field.choices), str(field.data))
    selects: dict[tuple[object, ...], Markup] = current_app.extensions.setdefault(
        "family_hub_selects", {})
    return kept_html(selects, key, MAX_SELECTS, "search/_fields.html", "plain_select", field)


# Per app: the rows of the score parts shown lately (each about 250 bytes). Most parts
# recur from search to search (a service's places, wait, kind of help); distances vary.
MAX_SCORE_ROWS = 20_000


def score_rows_html(parts: Iterable[ScorePart]) -> Markup:
    """The "Why this rank" table's rows for ``parts`` (``score_row`` of
    ``search/_match.html``), each distinct part rendered once and kept: a row shows
    the part's name, points and reason and nothing else."""
    rows: dict[ScorePart, Markup] = current_app.extensions.setdefault(
        "family_hub_score_rows", {})
    return Markup("").join(
        kept_html(rows, part, MAX_SCORE_ROWS, "search/_match.html", "score_row", part)
        for part in parts)
