"""The Family Hub web app. Build it with ``create_app``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from hub import converters, database, error_pages, models  # noqa: F401  (connection settings; every table)
from hub.extensions import csrf, db, login_manager, migrate
from hub.settings import PROJECT_ROOT, Settings


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
    database.prepare_sqlite_file(settings.database_url)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    converters.init_app(app.url_map.converters)
    if settings.trusted_proxies:
        # Behind N proxies, the client's address and scheme are the Nth from the
        # right of X-Forwarded-For/-Proto; without this every request would have
        # the proxy's address (one lock-out for everyone). Never the Host header.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies,
            x_host=0, x_port=0, x_prefix=0)
    _init_extensions(app)
    _register_blueprints(app)
    error_pages.init_app(app)
    from hub.commands import register

    register(app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return app


def _init_extensions(app: Flask) -> None:
    from hub import (
        audit_changes,
        postgres,
        request_cache,
        request_text,
        security,
        templating,
        unit_of_work,
    )
    from hub.auth import session
    from hub.jobs import queue

    db.init_app(app)
    with app.app_context():
        postgres.init_engine(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    request_text.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    request_cache.init_app(app)
    unit_of_work.init_app(app)
    queue.init_app(app)
    session.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    audit_changes.init()


def _register_blueprints(app: Flask) -> None:
    from hub.admin.routes import bp as admin_bp
    from hub.audit import (  # noqa: F401  (routes on the audit blueprint)
        erasure_routes,
        retention_routes,
        subject_access_routes,
    )
    from hub.audit.routes import bp as audit_bp
    from hub.auth.account_routes import bp as account_bp
    from hub.auth.routes import bp as auth_bp
    from hub.directory.routes import bp as directory_bp
    from hub.hub_requests.routes import bp as hub_requests_bp
    from hub.leads.routes import bp as leads_bp
    from hub.missing_education.routes import bp as missing_education_bp
    from hub.notifications.routes import bp as notifications_bp
    from hub.oruk.routes import bp as oruk_bp
    from hub.progress.routes import bp as progress_bp
    from hub.providers.routes import bp as providers_bp
    from hub.referrals.routes import bp as referrals_bp
    from hub.safeguarding.routes import bp as safeguarding_bp
    from hub.search.routes import bp as search_bp
    from hub.triage.routes import bp as triage_bp

    for blueprint in (
        auth_bp, search_bp, directory_bp, providers_bp, admin_bp, oruk_bp,
        referrals_bp, progress_bp, notifications_bp, hub_requests_bp, safeguarding_bp,
        account_bp, audit_bp, triage_bp, leads_bp, missing_education_bp,
    ):
        app.register_blueprint(blueprint)
    csrf.exempt(oruk_bp)  # read-only GET API, no cookies needed
