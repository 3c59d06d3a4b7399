"""What every referral page module shares: the blueprint and helpers."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("referrals", __name__, url_prefix="/referrals")

