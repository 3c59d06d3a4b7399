"""The Family Hub web app. Build it with ``create_app``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, render_template
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from hub import database, models  # noqa: F401  (connection settings; every table)
from hub.extensions import csrf, db, login_manager, migrate
from hub.settings import DEFAULT_SQLITE, PROJECT_ROOT, Settings


def create_app(config: Settings | Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment's settings.

    ``config`` is either whole ``Settings`` or overrides keyed by the environment
    variables' names (tests pass ``{"DATABASE_URL": …, "TESTING": True}``).
    Raises hub.settings.ConfigError when production settings are missing or malformed.
    """
    settings = (
        config if isinstance(config, Settings) else Settings.from_environment(overrides=config)
    )
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    from hub import settings as settings_module

    settings_module.init_app(app, settings)
    if settings.database_url.startswith("sqlite:///"):
        DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    _init_extensions(app)
    _register_blueprints(app)
    _register_error_pages(app)
    from hub.commands import register

    register(app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return app


def _init_extensions(app: Flask) -> None:
    from hub import audit_changes, request_cache, security, templating, unit_of_work
    from hub.auth import session

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    request_cache.init_app(app)
    unit_of_work.init_app(app)
    session.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    audit_changes.init()


def _register_blueprints(app: Flask) -> None:
    from hub.admin.routes import bp as admin_bp
    from hub.audit import subject_access_routes  # noqa: F401  (routes on the audit blueprint)
    from hub.audit.routes import bp as audit_bp
    from hub.auth.account_routes import bp as account_bp
    from hub.auth.routes import bp as auth_bp
    from hub.directory.routes import bp as directory_bp
    from hub.notifications.routes import bp as notifications_bp
    from hub.oruk.routes import bp as oruk_bp
    from hub.progress.routes import bp as progress_bp
    from hub.providers.routes import bp as providers_bp
    from hub.referrals.routes import bp as referrals_bp
    from hub.search.routes import bp as search_bp

    for blueprint in (
        auth_bp, search_bp, directory_bp, providers_bp, admin_bp, oruk_bp,
        referrals_bp, progress_bp, notifications_bp, account_bp, audit_bp,
    ):
        app.register_blueprint(blueprint)
    csrf.exempt(oruk_bp)  # read-only GET API, no cookies needed


def _register_error_pages(app: Flask) -> None:
    for code in (400, 404, 405, 413, 429):
        app.register_error_handler(
            code, lambda error, code=code: (render_template(f"errors/{code}.html"), code)
        )
    app.register_error_handler(403, _forbidden)
    app.register_error_handler(500, _server_error)


def _forbidden(error: Exception) -> tuple[str, int]:
    from hub.audit_trail import record_refusal

    record_refusal()  # committed with the 403 response by the request hook
    return render_template("errors/403.html"), 403


def _server_error(error: Exception) -> tuple[str, int]:
    # A failed flush leaves the session unusable until rolled back; the page itself
    # (its header reads the signed-in user) must not fail on it.
    db.session.rollback()
    return render_template("errors/500.html"), 500
