"""Kinds of help, audiences and levels of need in Open Referral terms, both ways.

We publish each service's kinds of help and audiences as ``attributes`` whose
taxonomy terms belong to two taxonomies of ours ("Family Hub kind of help",
"Family Hub help for"), each kind term naming in ``code`` the ORUK 1.0
``deliverable_type`` it corresponds to, and all three in our ``family_hub``
extension. An import reads them back from our terms or extension, and from other
feeds' ORUK 1.0 ``deliverable_type`` field or terms named as HSDS/ORUK service
or deliverable types ("Advice", "Assessment", "Counselling", ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from routing.engine.help import AUDIENCES, KINDS, LEVELS
from services.oruk import ids

KIND_TAXONOMY = "Family Hub kind of help"
AUDIENCE_TAXONOMY = "Family Hub help for"
# ORUK 1.0 ``deliverable_type`` (and the service types feeds name the same way) to our
# kinds; "Permission" has no kind of ours.
FROM_DELIVERABLE: dict[str, str] = {
    "advice": "advice", "information": "advice", "assessment": "assessment",
    "counselling": "treatment", "therapy": "treatment", "treatment": "treatment",
    "training": "course", "course": "course", "equipment": "practical",
    "financial support": "practical", "support": "support", "peer support": "peer_support",
    "activities": "activities", "activity": "activities",
}
# Our kinds to the ORUK 1.0 ``deliverable_type`` published with them (None: none fits).
TO_DELIVERABLE: dict[str, str | None] = {
    "assessment": "Assessment", "treatment": "Counselling", "support": None, "course": "Training",
    "peer_support": None, "advice": "Advice", "activities": None, "practical": "Financial Support",
}


def _term(taxonomy: str, code: str, label: str, deliverable: str | None = None) -> dict[str, Any]:
    return {"id": ids.derive("term", taxonomy, code), "name": label,
            "description": f"{taxonomy}: {label}", "taxonomy": taxonomy, "term": code,
            "code": deliverable or code}


def attributes(service_uuid: str, kinds: Iterable[str], audiences: Iterable[str]
               ) -> list[dict[str, Any]]:
    """The ``attributes`` entries of a service's kinds of help and audiences."""
    out = []
    terms = [(KIND_TAXONOMY, k, KINDS[k], TO_DELIVERABLE.get(k)) for k in kinds if k in KINDS]
    terms += [(AUDIENCE_TAXONOMY, a, AUDIENCES[a], None) for a in audiences if a in AUDIENCES]
    for taxonomy, code, label, deliverable in terms:
        term = _term(taxonomy, code, label, deliverable)
        out.append({"id": ids.derive("attribute", service_uuid, taxonomy, code),
                    "link_id": service_uuid, "link_type": "service", "link_entity": "service",
                    "taxonomy_term_id": term["id"], "taxonomy_term": term})
    return out


def extension(kinds: Iterable[str], audiences: Iterable[str], level: str) -> dict[str, Any]:
    """Our ``family_hub`` extension's fields for them (empty ones left out)."""
    data: dict[str, Any] = {"kinds_of_help": list(kinds), "help_for": list(audiences),
                            "level_of_need": level}
    return {key: value for key, value in data.items() if value}


def is_help_term(term: Mapping[str, Any]) -> bool:
    """Whether a taxonomy term is one of ours for kinds or audiences, or a service or
    deliverable type (so an import does not report it as an unmapped need)."""
    taxonomy = str(term.get("taxonomy") or "").casefold()
    return (taxonomy in (KIND_TAXONOMY.casefold(), AUDIENCE_TAXONOMY.casefold())
            or "deliverable" in taxonomy or "service type" in taxonomy
            or taxonomy.replace("_", " ") in ("service type", "deliverable type"))


def read(record: Mapping[str, Any]) -> tuple[list[str], list[str], str]:
    """(kinds, audiences, level) of a feed record; empty where it does not say."""
    kinds: set[str] = set()
    audiences: set[str] = set()
    extension_ = record.get("family_hub")
    ours = extension_ if isinstance(extension_, dict) else {}
    kinds.update(k for k in ours.get("kinds_of_help") or () if k in KINDS)
    audiences.update(a for a in ours.get("help_for") or () if a in AUDIENCES)
    level = ours.get("level_of_need") if ours.get("level_of_need") in LEVELS else ""
    deliverable = record.get("deliverable_type")
    if isinstance(deliverable, str) and deliverable.strip().casefold() in FROM_DELIVERABLE:
        kinds.add(FROM_DELIVERABLE[deliverable.strip().casefold()])
    for attribute in record.get("attributes") or ():
        term = attribute.get("taxonomy_term") if isinstance(attribute, dict) else None
        if not isinstance(term, dict) or not is_help_term(term):
            continue
        taxonomy = str(term.get("taxonomy") or "").casefold()
        code = str(term.get("term") or "").strip()
        name = str(term.get("name") or "").strip().casefold()
        if taxonomy == AUDIENCE_TAXONOMY.casefold():
            if code in AUDIENCES:
                audiences.add(code)
        elif code in KINDS:
            kinds.add(code)
        elif name in FROM_DELIVERABLE:
            kinds.add(FROM_DELIVERABLE[name])
    return ([k for k in KINDS if k in kinds], [a for a in AUDIENCES if a in audiences],
            str(level))
