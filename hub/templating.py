"""Template filters and the navigation shared by every page."""

from __future__ import annotations

from collections.abc import Hashable, MutableMapping
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, request, url_for
from flask_login import current_user
from markupsafe import Markup

from hub import page_names
from hub.date_input import wrong_boxes
from hub.request_cache import per_request
from hub.settings import settings_of
from hub.stated_facts import ages_text, cost_text, languages_text, modes_text, stated_facts
from routing.engine.reasons import ago as _ago_in_days
from routing.engine.reasons import miles
from services.accounts.models import LEAD_ROLES, Role
from services.db import utcnow

# The routing engine's score parts, as the "Why this rank" tables name them.
SCORE_PART_LABELS = {
    "at_school": "At the child's school",
    "distance": "Distance",
    "capacity": "Places",
    "wait": "Typical wait",
    "freshness": "How recent",
    "continuity": "Already helping",
    "specificity": "Specialist or general",
    "kind": "Kind of help",
    "audience": "Who it is for",
    "severity": "Level of need",
    "urgency": "Needs help now",
    "unstated": "Not stated",
}


def days_ago(elapsed: timedelta) -> str:
    return _ago_in_days(elapsed.total_seconds() / 86400)


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """'today', 'yesterday', '3 days ago', '5 weeks ago': the same words as the
    routing engine's reasons, so a badge and a reason never disagree."""
    if moment is None:
        return "never"
    return days_ago((now or utcnow()) - moment)


def govuk_date(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return f"{moment.day} {moment:%B %Y}"


def govuk_datetime(moment: datetime | None) -> str:
    if moment is None:
        return ""
    hour = moment.strftime("%I").lstrip("0")
    return f"{moment.day} {moment:%B %Y} at {hour}:{moment:%M}{moment:%p}".lower().replace(
        moment.strftime("%B").lower(), moment.strftime("%B")
    )


def need_name(code: str) -> str:
    """The display name of a need code, from this worker's copy for the directory
    version (names change only with a version bump)."""
    from hub.caches import directory_snapshot

    return directory_snapshot().lookups.need_names.get(code, code)


def service_url(service_id: int) -> str:
    """The service page's URL: ``url_for`` once a request, as result lists link
    dozens of services and building each URL from the rule map is slow."""
    base = per_request(
        "service_url_base", lambda: url_for("directory.service", service_id=0).removesuffix("0")
    )
    return f"{base}{service_id}"


def score_part_label(name: str) -> str:
    """The "Why this rank" table's name for a score part (its own name if unknown)."""
    return SCORE_PART_LABELS.get(name, name)


def mode_label(value: str) -> str:
    from services.listings import DELIVERY_MODE_LABELS, DeliveryMode

    try:
        return DELIVERY_MODE_LABELS[DeliveryMode(value)]
    except ValueError:
        return value


# The rendered menus of an app: a handful (roles, the DPO flag, the page's section).
MAX_MENUS = 256


def _navigation_items(role: Role, is_dpo: bool) -> list[tuple[str, str, str]]:
    """(text, href, path prefix) of each menu item for a role."""
    items = [("Find services", url_for("search.index"), "/search")]
    if role is not Role.LINK_WORKER:
        items.append((page_names.REFERRAL_INBOX if role.is_provider else page_names.REFERRALS,
                      url_for("referrals.dashboard"), "/referrals"))
    if role in LEAD_ROLES:
        items.append(("My caseload", url_for("leads.index"), "/caseload"))
    if role.is_school:
        items.append(("Safeguarding", url_for("safeguarding.queue"), "/safeguarding"))
    if role.value in ("coordinator", "safeguarding_lead"):
        items.append((page_names.STUCK, url_for("referrals.stuck"), "/referrals/stuck"))
        items.append(("Missing education", url_for("missing_education.register"),
                      "/missing-education"))
    if role.value == "safeguarding_lead":
        items.append((page_names.EARLIER_REFERRALS, url_for("referrals.details_requests"),
                      "/referrals/details-requests"))
    if role.is_provider:
        items.append((page_names.OUR_SERVICES, url_for("providers.services"), "/provider"))
    if role.is_school or role.value == "coordinator":
        items.append(("Hub requests", url_for("hub_requests.index"), "/hub-requests"))
    if role.value == "coordinator":
        items.append((page_names.MESSAGES, url_for("notifications.outbox"), "/notifications"))
        items.append(("Manage", url_for("admin.index"), "/admin"))
    if is_dpo:
        items.append(("Audit", url_for("audit.index"), "/audit"))
        items.append(("Due for deletion", url_for("audit.retention_due"), "/audit/retention"))
        items.append(("Erase a record", url_for("audit.erasure_start"), "/audit/erasure"))
    return items


def kept_html(store: MutableMapping[Any, Any], key: Hashable, limit: int, template: str,
              macro_name: str, *args: Any) -> Markup:
    """``store[key]``, or the macro ``macro_name`` of ``template`` called with ``args``,
    kept under ``key`` (the store is emptied first once it holds ``limit`` entries).

    Raises TypeError if the macro does not return Markup: only an autoescaping
    template's output may be kept and reused as safe HTML.
    """
    html = store.get(key)
    if isinstance(html, Markup):
        return html
    macro = getattr(current_app.jinja_env.get_template(template).module, macro_name)
    html = macro(*args)
    if not isinstance(html, Markup):
        raise TypeError(f"{template}'s {macro_name} must come from an autoescaping template")
    if len(store) >= limit:
        store.clear()
    store[key] = html
    return html


def navigation_html() -> Markup:
    """The menu for the signed-in user's role, this page's section marked (empty when
    signed out).

    It holds nothing but the role's links, so each (role, DPO or not, section) is
    rendered once per app and kept: every signed-in page draws it.
    """
    if not current_user.is_authenticated:
        return Markup()
    menus: dict[tuple[object, ...], Any] = current_app.extensions.setdefault(
        "family_hub_menus", {})
    role_key = (current_user.role, bool(current_user.is_dpo), request.script_root)
    items = menus.get(role_key)
    if items is None:
        items = _navigation_items(current_user.role, bool(current_user.is_dpo))
    # The longest matching prefix wins, so /referrals/stuck is not also "Referrals".
    active = max(
        (prefix for _, _, prefix in items if request.path.startswith(prefix)),
        key=len,
        default=None,
    )
    menus[role_key] = items
    return kept_html(menus, (role_key, active), MAX_MENUS, "macros/navigation.html",
                     "navigation", [{"text": text, "href": href, "active": prefix == active}
                                    for text, href, prefix in items])


def init_app(app: Flask) -> None:
    app.jinja_env.filters["miles"] = miles
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["govuk_date"] = govuk_date
    app.jinja_env.filters["govuk_datetime"] = govuk_datetime
    app.jinja_env.filters["need_name"] = need_name
    app.jinja_env.filters["mode_label"] = mode_label

    from hub.fragments import (
        needs_tree_html,
        score_rows_html,
        select_html,
        service_summary_html,
    )

    app.jinja_env.globals["needs_tree_html"] = needs_tree_html
    app.jinja_env.globals["service_summary_html"] = service_summary_html
    app.jinja_env.globals["select_html"] = select_html
    app.jinja_env.globals["score_rows_html"] = score_rows_html
    app.jinja_env.filters["score_part_label"] = score_part_label
    app.jinja_env.globals["service_url"] = service_url
    app.jinja_env.globals["stated_facts"] = stated_facts
    app.jinja_env.filters["ages_text"] = ages_text
    app.jinja_env.filters["cost_text"] = cost_text
    app.jinja_env.filters["modes_text"] = modes_text
    app.jinja_env.filters["languages_text"] = languages_text
    app.jinja_env.globals["settings"] = settings_of(app)

    app.jinja_env.globals["navigation_html"] = navigation_html
    app.jinja_env.globals["service_name"] = "Family Hub"
    app.jinja_env.globals["stuck_page_title"] = page_names.STUCK
    app.jinja_env.globals["page_names"] = page_names
    app.jinja_env.globals["date_wrong_boxes"] = wrong_boxes
