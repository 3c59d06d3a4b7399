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

ROLE_LABELS = {
    Role.COORDINATOR: "Hub coordinator",
    Role.SCHOOL_STAFF: "School staff",
    Role.SAFEGUARDING_LEAD: "Designated safeguarding lead",
    Role.PROVIDER_MANAGER: "Provider manager",
    Role.PROVIDER_WORKER: "Provider worker",
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

    organisation: Mapped[Organisation] = relationship()

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
