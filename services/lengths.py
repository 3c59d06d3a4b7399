"""Every text column's longest value, enforced when a value is set on a model.

``String(n)`` columns are capped at ``n``; unbounded ``Text`` columns at the figure
in TEXT_LIMITS (each the same as, or more than, the form that fills it). SQLite
enforces no length and PostgreSQL fails the whole request on an over-long value,
so a value that is too long is refused here, as InvalidInput keyed by the field,
on both databases alike. A test checks that every Text column has a limit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Enum, String, event
from sqlalchemy.orm import Mapped, Mapper, MapperProperty

from services.errors import InvalidInput

TEXT_LIMITS: dict[str, int] = {
    # The provider form's limits (hub/providers/forms.py; imports cut to the same).
    "service.description": 5000,
    "service.eligibility": 2000,
    "service.opening_times": 1000,
    "need.description": 2000,
    # The coordinator's keywords that suggest a need on the triage page.
    "need_keyword_rule.keywords": 2000,
    # What providers and schools write on a referral.
    "referral.decline_text": 5000,
    "referral.information_request": 5000,
    "referral.next_step": 5000,
    "referral_event.reason": 5000,
    # What a school and its safeguarding lead write (routing/safeguarding/operations.py).
    "safeguarding_item.last_known_address": 5000,
    "safeguarding_item.details": 5000,
    "safeguarding_item.decision_note": 5000,
    "safeguarding_item.front_door_outcome": 5000,
    "safeguarding_event.note": 5000,
    # Why a lead practitioner's role ended or was handed over (routing/leads/operations.py).
    "lead_practitioner.end_reason": 5000,
    "lead_event.note": 5000,
    # Why a child's identity was corrected, or two records merged or unmerged
    # (routing/referrals/identity.py REASON_MAX).
    "child_identity_version.reason": 1000,
    "child_merge.reason": 1000,
    "child_merge.undo_reason": 1000,
    # The children missing education register (routing/safeguarding/cme.py).
    "cme_case.last_known_address": 5000,
    "cme_action.note": 5000,
    # A new school's request for an earlier school's referrals, and the lead's answer
    # (routing/referrals/earlier.py).
    "details_request.reason": 5000,
    "details_request.decision_reason": 5000,
    # A parent's or carer's details (routing/referrals/family.py: the form's limits).
    "carer.address": 1000,
    "carer.access_needs": 2000,
    "carer.contact_notes": 2000,
    "carer.do_not_contact_reason": 2000,
    # Why two children were linked as brothers or sisters, or unlinked
    # (routing/referrals/family.py SIBLING_REASON_MAX).
    "sibling_link.reason": 2000,
    "sibling_link.unlink_reason": 2000,
    # The referral form's answers (kept as JSON on the draft, so limited here, not by a
    # column): each form field refuses more, with a character count, and the referral
    # pages show the whole answer.
    "referral_form.first_name": 100,
    "referral_form.last_name": 100,
    "referral_form.family_wants": 5000,
    "referral_form.resources": 2000,
    "referral_form.strengths": 5000,
    "referral_form.strategies": 5000,
    "referral_form.avoid": 5000,
    "referral_form.to_self_mitigation": 5000,
    "referral_form.to_others_mitigation": 5000,
    "referral_form.from_others_mitigation": 5000,
    "referral_form.agreed_by": 200,
    "referral_form.times": 1000,
    # The contact step: which person (an index) and the referrer's own phone number.
    "referral_form.person": 20,
    "referral_form.referrer_phone": 40,
}

FORM_PREFIX = "referral_form."


def form_limit(name: str) -> int | None:
    """The longest answer the referral form's field ``name`` takes (None: not free text)."""
    return TEXT_LIMITS.get(FORM_PREFIX + name)


def form_limits() -> dict[str, int]:
    """Every referral form field's limit, by field name (for the form's character counts)."""
    return {key[len(FORM_PREFIX):]: limit for key, limit in TEXT_LIMITS.items()
            if key.startswith(FORM_PREFIX)}


def limit_of(table: str, column: Any) -> int | None:
    """The longest value ``column`` of ``table`` takes (None: not a text column)."""
    kind = column.type
    if isinstance(kind, Enum) or not isinstance(kind, String):
        return None
    if kind.length:
        return int(kind.length)
    return TEXT_LIMITS.get(f"{table}.{column.name}")


def _checker(key: str, limit: int) -> Any:
    def check(target: Any, value: Any, old: Any, initiator: Any) -> Any:
        if isinstance(value, str) and len(value) > limit:
            raise InvalidInput({key: f"Enter {limit:,} characters or fewer"})
        return value

    return check


@event.listens_for(Mapper, "mapper_configured")
def _enforce_lengths(mapper: Mapper[Any], cls: type) -> None:
    prop: MapperProperty[Any]
    for prop in mapper.column_attrs:
        columns = getattr(prop, "columns", [])
        if len(columns) != 1 or columns[0].table is not mapper.local_table:
            continue
        limit = limit_of(mapper.local_table.name, columns[0])
        if limit is not None:
            attribute: Mapped[Any] = getattr(cls, prop.key)
            event.listen(attribute, "set", _checker(prop.key, limit), retval=True)
