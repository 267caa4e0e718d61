"""The application factory: one lifespan opens and closes the database and the scheduler."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.logging.config import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from api.auth import auth_middleware
from api.bootstrap import bootstrap_application
from api.controllers.accounts import ACCOUNT_CONTROLLERS, AuthController
from api.controllers.audit import AuditController
from api.controllers.calendars import CalendarSubscriptionController, calendar_feed
from api.controllers.cases import CaseController, HearingController
from api.controllers.casework import CASEWORK_CONTROLLERS
from api.controllers.documents import document_routes
from api.controllers.organisation import CourtController, OfficeController, StaffController
from api.controllers.reminders import ReminderController
from api.controllers.roster import roster
from api.controllers.sms_webhooks import SMS_WEBHOOKS
from api.controllers.survivors import ContactController, SurvivorController
from api.controllers.system import health
from api.docs_ui import docs_asset, docs_render_plugins
from api.errors import EXCEPTION_HANDLERS, openapi_router
from api.inputs import ApiRequest, check_query
from api.security import add_security_headers, complete_allow
from calendars.render import warm_up as calendar_warm_up
from legal_tracker import __version__, db
from legal_tracker.key_rotation import check_keys_can_read
from legal_tracker.rate_limit import RateLimiter, make_counter
from legal_tracker.reminders import dispatcher as sms_dispatcher
from legal_tracker.scheduler import start_scheduler
from legal_tracker.settings import Settings, get_settings
from web import csrf_config, template_config, web_router

log = logging.getLogger("legal_tracker")

# Controllers of the /api surface. Each area adds its own here.
API_CONTROLLERS: list[Any] = [
    AuthController, OfficeController, CourtController, StaffController, SurvivorController,
    ContactController, CaseController, HearingController, CalendarSubscriptionController,
    ReminderController, AuditController, *CASEWORK_CONTROLLERS, *ACCOUNT_CONTROLLERS, roster,
]
# Routes outside /api that authenticate in their own way (feed tokens, webhook signatures).
PUBLIC_ROUTES: list[Any] = [health, calendar_feed, *SMS_WEBHOOKS]


def create_app(settings: Settings | None = None, *, manage_database: bool = True) -> Litestar:
    """``manage_database=False`` lets tests and the CLI own the engine themselves."""
    settings = settings or get_settings()
    # Hooks, encrypted columns and tick jobs are registered before the scheduler can start.
    bootstrap_application()
    # One counter for both limits, shared by every app server (the database, or Redis).
    counter = make_counter(settings.redis_url)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if manage_database:
            await db.setup(settings)
            # A key that cannot read the stored data stops the start, with what to do.
            await check_keys_can_read()
        # The SMS gateway is built from the settings once; the dispatcher tick uses it.
        await sms_dispatcher.start(settings)
        if manage_database:
            # Time-zone definitions and the feed machinery, built before the first subscriber
            # polls after a deploy (calendars.render.warm_up).
            await calendar_warm_up()
        scheduler = None
        if settings.scheduler:
            scheduler = start_scheduler()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            await sms_dispatcher.stop()
            await counter.aclose()
            if manage_database:
                await db.teardown()

    cors = CORSConfig(allow_origins=list(settings.cors_origins)) if settings.cors_origins else None
    return Litestar(
        route_handlers=[
            *PUBLIC_ROUTES, AuthController,
            # Everything else under /api needs a bearer token; the schema says so per operation
            # (and not globally, so /health, the feeds, the webhooks and login stay open).
            Router(path="/", route_handlers=[
                *[c for c in API_CONTROLLERS if c is not AuthController],
                # Templates and filings; template uploads get a body limit of their own.
                *document_routes(settings),
            ], security=[{"BearerToken": []}]),
            # The staff web app: pages under /app/ (web/, docs/web.md).
            web_router(settings),
        ],
        template_config=template_config(),
        csrf_config=csrf_config(settings),
        lifespan=[lifespan],
        middleware=[auth_middleware()],
        # JSON bodies and query strings are read strictly (api/inputs.py).
        request_class=ApiRequest,
        before_request=check_query,
        before_send=[add_security_headers, complete_allow],
        exception_handlers=EXCEPTION_HANDLERS,
        state=State({"settings": settings,
                     "login_limiter": RateLimiter(
                         "login", settings.login_rate_per_minute, counter,
                         "too many login attempts from this address"),
                     # Emailed password resets: a handful a minute per address is plenty.
                     "reset_limiter": RateLimiter(
                         "reset", min(settings.login_rate_per_minute, 5), counter,
                         "too many login attempts from this address"),
                     # Calendar clients poll every few minutes at most; hundreds of requests
                     # a minute on one token means a leaked URL being scraped or a broken client.
                     "feed_limiter": RateLimiter(
                         "feed", settings.feed_rate_per_minute, counter,
                         "too many calendar requests for this feed")}),
        request_max_body_size=settings.max_body_bytes,
        cors_config=cors,
        openapi_config=OpenAPIConfig(
            title="Court accompaniment and legal case tracker",
            version=__version__,
            path="/schema",
            # Swagger UI on its packaged files, served by the app: the docs work offline.
            openapi_router=openapi_router("/schema", [docs_asset]),
            render_plugins=docs_render_plugins(),
            components=Components(security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer",
                                              description="token from POST /api/auth/login"),
            }),
        ),
        # httpx logs every outgoing URL at INFO (gateway calls); keep it quiet. Exceptions are
        # logged by api/errors.py without their text, which may carry values.
        logging_config=LoggingConfig(
            root={"level": settings.log_level, "handlers": ["queue_listener"]},
            loggers={"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
            log_exceptions="never",
        ),
        debug=False,
    )


