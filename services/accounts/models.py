"""User accounts. Each user belongs to exactly one organisation and has one role."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import Base, enum_column, utcnow
from services.organisations import Organisation


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    SCHOOL_STAFF = "school_staff"
    SAFEGUARDING_LEAD = "safeguarding_lead"
    PROVIDER_MANAGER = "provider_manager"
    PROVIDER_WORKER = "provider_worker"
    # Employed by an organisation to coordinate support for the children they lead for
    # (see routing/leads): sees only those children, never the directory's admin.
    LINK_WORKER = "link_worker"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_school(self) -> bool:
        return self in SCHOOL_ROLES

    @property
    def is_provider(self) -> bool:
        return self in PROVIDER_STAFF_ROLES


# Staff of a school: they search the directory and refer children.
SCHOOL_ROLES = (Role.SCHOOL_STAFF, Role.SAFEGUARDING_LEAD)
# Staff of an organisation that provides services: they answer referrals.
PROVIDER_STAFF_ROLES = (Role.PROVIDER_MANAGER, Role.PROVIDER_WORKER)
# Who may keep listings and capacity current: provider staff for their own
# organisation's services, the coordinator for any.
DIRECTORY_EDITOR_ROLES = (*PROVIDER_STAFF_ROLES, Role.COORDINATOR)

# Who may be a child's lead practitioner: staff at the child's school, a hub worker
# (coordinator) or a link worker (routing/leads/access rules).
LEAD_ROLES = (Role.SCHOOL_STAFF, Role.SAFEGUARDING_LEAD, Role.COORDINATOR, Role.LINK_WORKER)

# Roles that see safeguarding data, so must sign in with a second factor.
TWO_FACTOR_ROLES = (Role.COORDINATOR, Role.SAFEGUARDING_LEAD)

ROLE_LABELS = {
    Role.COORDINATOR: "Hub coordinator",
    Role.SCHOOL_STAFF: "School staff",
    Role.SAFEGUARDING_LEAD: "Designated safeguarding lead",
    Role.PROVIDER_MANAGER: "Provider manager",
    Role.PROVIDER_WORKER: "Provider worker",
    Role.LINK_WORKER: "Link worker",
}


def _new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, 30))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the Flask-Login id: changing it on log-out makes every copy of
    # the old session cookie useless, which a signed cookie alone cannot do.
    session_token: Mapped[str] = mapped_column(String(64), default=_new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Set when a coordinator chose the password: the person must replace it at their
    # next sign-in, so that only they know it and the audit's "who" means them.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="0")
    password_changed_at: Mapped[datetime | None]
    # Base32 TOTP secret once a second factor is enrolled (None before).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last 30-second step a code was accepted for: a code is good once only.
    totp_last_step: Mapped[int | None]
    # Data protection officer: reads the audit and answers subject access requests.
    is_dpo: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    organisation: Mapped[Organisation] = relationship()

    @property
    def two_factor_required(self) -> bool:
        """Coordinators, safeguarding leads and the DPO see safeguarding data: they must
        sign in with a second factor. Everyone else may."""
        return self.is_dpo or self.role in TWO_FACTOR_ROLES

    @property
    def two_factor_enrolled(self) -> bool:
        return self.totp_secret is not None

    # Flask-Login protocol, written out so the id carries the session token.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Invalidate every session cookie issued to this user."""
        self.session_token = _new_session_token()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class LoginAttempt(Base):
    """Failed log-ins, counted per account and per address to rate-limit guessing.

    Kept in the database so the limit holds across every gunicorn worker.
    """

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A hash, not the address: the table is for counting, not for reading.
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class RecoveryCode(Base):
    """A single-use code that stands in for the authenticator; only its SHA-256 is kept
    (the codes are random, so a fast hash is enough)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class PasswordResetToken(Base):
    """A "forgot password" link: only the SHA-256 of its token is kept; single use."""

    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]
