"""Correcting a child's identity details on the child's page: a new version, never an
overwrite without history."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.audit import audit
from routing.referrals.children import ChildDetails, clean_details
from routing.referrals.identity import (
    IDENTITY_FIELDS,
    REASON_MAX,
    ChildIdentityVersion,
    IdentitySource,
    changed_fields,
    details_of,
    record_version,
)
from routing.referrals.lifecycle import Actor
from routing.referrals.models import Child
from services.errors import InvalidInput
from services.schools import School

# Where a correction comes from, as its versions say.
CORRECTION_PAGE = "Correct the child's details page"


@dataclass(frozen=True)
class IdentityCorrection:
    """Details as typed on the correction page, and why they are corrected."""

    details: ChildDetails
    school_id: int | None
    reason: str


def correct_identity(
    session: Session,
    child: Child,
    correction: IdentityCorrection,
    actor: Actor,
    now: datetime,
    school_choices: Collection[int] | None,
) -> ChildIdentityVersion:
    """Correct the child's identity details; the new version.

    ``school_choices``: the schools this user may name as the child's (None: any, for
    the coordinator); the child's own school may always stay. Raises InvalidInput keyed
    by field for invalid details, no reason, a school not theirs to choose, a UPN or
    NHS number already on another record (which is never named), a merged record, or
    nothing changed.
    """
    if child.merged_at is not None:
        raise InvalidInput({"form": "This record was merged into another: correct that one"})
    errors: dict[str, str] = {}
    clean = correction.details
    try:
        clean = clean_details(correction.details, now.date())
    except InvalidInput as invalid:
        errors.update(invalid.errors)
    reason = correction.reason.strip()
    if not reason:
        errors["reason"] = "Enter why the details are being corrected"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"Enter {REASON_MAX:,} characters or fewer"
    school_id = correction.school_id or child.school_id
    if school_id != child.school_id and (
        (school_choices is not None and school_id not in school_choices)
        or session.get(School, school_id) is None
    ):
        errors["school_id"] = "Choose a school from the list"
    for name, value in (("upn", clean.upn), ("nhs_number", clean.nhs_number)):
        if name in errors or not value:
            continue
        column = Child.__table__.c[name]
        held = session.execute(select(Child.id).where(column == value, Child.id != child.id)
                               ).scalar()
        if held is not None:
            errors[name] = ("This number is on another child's record. If they are the same "
                            "child, ask your safeguarding lead or the hub coordinator to "
                            "merge the two records")
    if errors:
        raise InvalidInput(errors)
    after = {
        "first_name": clean.first_name, "last_name": clean.last_name,
        "date_of_birth": clean.date_of_birth, "home_postcode": clean.home_postcode,
        "upn": clean.upn or None, "nhs_number": clean.nhs_number or None,
        "school_id": school_id,
    }
    changed = changed_fields(details_of(child), after)
    if not changed:
        raise InvalidInput({"form": "Nothing has changed. Change a detail, or go back."})
    for name in changed:
        setattr(child, name, after[name])
    version = record_version(session, child, IdentitySource.CORRECTION, actor, now,
                             source_ref=CORRECTION_PAGE, reason=reason)
    audit(session, actor, "child_identity_corrected", now, child.id,
          subject_type="child_identity_version", subject_id=version.id,
          detail=", ".join(IDENTITY_FIELDS[name] for name in changed))
    return version
