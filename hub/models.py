"""Imports every model so that SQLAlchemy's metadata (and Alembic) sees all tables."""

from routing.gazetteer.models import GazetteerDistrict, GazetteerPostcode
from routing.leads.models import LeadEvent, LeadPractitioner
from routing.referrals import family_models  # noqa: F401  (the family record's tables)
from routing.referrals import models as referral_models  # noqa: F401  (referral tables)
from routing.referrals.audit import AuditEvent
from routing.referrals.earlier import DetailsRequest
from routing.referrals.identity import ChildIdentityVersion
from routing.referrals.link_delivery import LinkSend
from routing.referrals.merge import ChildMerge
from routing.referrals.outbox import OutboxMessage
from routing.safeguarding.cme_models import (
    AttendanceImport,
    AttendanceRecord,
    CaseAction,
    MissingEducationCase,
)
from routing.safeguarding.models import SafeguardingEvent, SafeguardingItem
from services.accounts.models import LoginAttempt, User
from services.listings import Capacity, Service, ServiceNeed, ServiceSchool
from services.locations import Location
from services.organisations import Organisation
from services.schools import School
from services.taxonomy import Need
from services.triage import NeedKeywordRule
from services.version import DirectoryVersion

__all__ = [
    "AttendanceImport",
    "AttendanceRecord",
    "AuditEvent",
    "Capacity",
    "CaseAction",
    "ChildIdentityVersion",
    "ChildMerge",
    "DetailsRequest",
    "DirectoryVersion",
    "GazetteerDistrict",
    "GazetteerPostcode",
    "LeadEvent",
    "LeadPractitioner",
    "LinkSend",
    "Location",
    "LoginAttempt",
    "MissingEducationCase",
    "Need",
    "NeedKeywordRule",
    "Organisation",
    "OutboxMessage",
    "SafeguardingEvent",
    "SafeguardingItem",
    "School",
    "Service",
    "ServiceNeed",
    "ServiceSchool",
    "User",
]
