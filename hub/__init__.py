"""The Family Hub web app. Build it with ``create_app``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g, render_template
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from hub import config as config_module
from hub import database, models  # noqa: F401  (connection settings; every table)
from hub.extensions import csrf, db, login_manager, migrate


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment, with ``config`` overriding it (tests do this).

    Raises hub.config.ConfigError when production settings are missing.
    """
    app = Flask(
        __name__,
        template_folder=str(config_module.PROJECT_ROOT / "templates"),
        instance_path=str(config_module.PROJECT_ROOT / "instance"),
    )
    overrides = dict(config or {})
    app.config.update(config_module.from_environment(secret=overrides.get("SECRET_KEY")))
    app.config.update(overrides)
    if "SQLALCHEMY_DATABASE_URI" in overrides:
        uri = config_module.normalise_database_url(overrides["SQLALCHEMY_DATABASE_URI"])
        app.config["SQLALCHEMY_DATABASE_URI"] = uri
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = overrides.get(
            "SQLALCHEMY_ENGINE_OPTIONS", config_module.engine_options(uri)
        )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        config_module.DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(config_module.PROJECT_ROOT / "templates")),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    _init_extensions(app)
    app.before_request(_fresh_request_globals)
    _register_blueprints(app)
    _register_error_pages(app)
    _register_commands(app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return app


def _init_extensions(app: Flask) -> None:
    from hub import security, templating
    from hub.auth import session

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(config_module.PROJECT_ROOT / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    session.init_app(app)
    security.init_app(app)
    templating.init_app(app)


def _fresh_request_globals() -> None:
    """Drop per-request values from ``g``.

    ``g`` lives in the app context, which a test or a CLI task may hold open
    across several requests; a signed-in user or a CSP nonce must never carry
    over from one request to the next.
    """
    for key in ("_login_user", "csp_nonce", "directory_lookups", "service_url_base",
                "school_ids_by_organisation"):
        g.pop(key, None)


def _register_blueprints(app: Flask) -> None:
    from hub.admin.routes import bp as admin_bp
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
        referrals_bp, progress_bp, notifications_bp,
    ):
        app.register_blueprint(blueprint)
    csrf.exempt(oruk_bp)  # read-only GET API, no cookies needed


def _register_error_pages(app: Flask) -> None:
    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(
            code, lambda error, code=code: (render_template(f"errors/{code}.html"), code)
        )


def _register_commands(app: Flask) -> None:
    from hub.cli import register

    register(app)
