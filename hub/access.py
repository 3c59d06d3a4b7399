"""Who may do what. Views load objects through these helpers, which 404 or 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from services.accounts.models import Role, User
from services.listings import Service

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Decorator: signed in and holding one of ``roles`` (403 otherwise)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def can_edit_service(user: User, service: Service) -> bool:
    """Provider managers edit their own organisation's services; coordinators edit all."""
    if user.role == Role.COORDINATOR:
        return True
    return user.role == Role.PROVIDER_MANAGER and service.organisation_id == user.organisation_id


def can_update_capacity(user: User, service: Service) -> bool:
    """Any provider user of the owning organisation may update capacity."""
    if user.role == Role.COORDINATOR:
        return True
    return user.role.is_provider and service.organisation_id == user.organisation_id


def me() -> User:
    """The signed-in user as a model instance (not the proxy)."""
    return current_user._get_current_object()  # type: ignore[no-any-return,unused-ignore]
