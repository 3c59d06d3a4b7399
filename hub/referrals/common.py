"""What every referral page module shares: the blueprint, roles and helpers."""

from __future__ import annotations

from flask import Blueprint

from hub.auth.models import Role

bp = Blueprint("referrals", __name__, url_prefix="/referrals")

SCHOOL_ROLES = (Role.SCHOOL_STAFF, Role.SAFEGUARDING_LEAD)
PROVIDER_ROLES = (Role.PROVIDER_MANAGER, Role.PROVIDER_WORKER)
ALL_ROLES = (*SCHOOL_ROLES, *PROVIDER_ROLES, Role.COORDINATOR)
