"""Calendar subscriptions (/api, bearer auth) and the feeds themselves (/calendars, token in
the URL: the only credential a calendar client can carry)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated

from litestar import Controller, HttpMethod, Request, Response, delete, get, post, route
from litestar.params import FromQuery, JSONBody, Parameter
from msgspec import Meta

from api.controllers.common import ACTOR, ERRORS, READ_ERRORS, CurrentActor, Limit, Offset, PathId, page
from api.convert import read
from api.schemas.calendars import SubscriptionCreate, SubscriptionCreated, SubscriptionList, SubscriptionRead
from calendars import subscriptions as subs
from calendars.render import last_modified_header, not_modified_since, prepare_feed
from legal_tracker import db
from legal_tracker.crypto import token_digest
from legal_tracker.errors import NotFound


def _row(row: dict) -> dict:
    row = dict(row)
    row["owner_id"] = row.pop("owner")
    return row


class CalendarSubscriptionController(Controller):
    path = "/api/calendar-subscriptions"
    tags = ["calendars"]
    dependencies = ACTOR

    @post("/", responses=ERRORS)
    async def create_subscription(self, request: Request, actor: CurrentActor,
                                  data: JSONBody[SubscriptionCreate]) -> SubscriptionCreated:
        """The feed URL holds a secret token: it is shown once, here, and never again."""
        created = await subs.create_subscription(
            actor, request.app.state.settings.public_url, data.scope, data.target_id, data.privacy)
        return read(SubscriptionCreated, {**_row(created.row), "url": created.url,
                                          "webcal_url": created.webcal_url})

    @get("/", responses=READ_ERRORS)
    async def list_subscriptions(self, actor: CurrentActor, limit: Limit = 50, offset: Offset = 0,
                                 include_revoked: FromQuery[bool] = False) -> SubscriptionList:
        result = await subs.list_subscriptions(actor, page(limit, offset), include_revoked)
        return SubscriptionList(items=[read(SubscriptionRead, _row(r)) for r in result.items],
                                limit=result.limit, offset=result.offset,
                                next_offset=result.next_offset)

    @delete("/{subscription_id:int}", responses=ERRORS)
    async def revoke_subscription(self, actor: CurrentActor, subscription_id: PathId) -> None:
        """Revoking is immediate: the feed URL answers 404 from now on."""
        await subs.revoke_subscription(actor, subscription_id)


Token = Annotated[str, Parameter(max_length=100, description="the feed's secret token + .ics",
                                 pattern=r"^[A-Za-z0-9_-]{20,90}\.ics$")]
ETagMeta = Meta(max_length=200)


@route("/calendars/{filename:str}", http_method=[HttpMethod.GET, HttpMethod.HEAD],
       tags=["calendars"], include_in_schema=True,
       responses={400: ERRORS[400], 404: ERRORS[404]}, media_type="text/calendar",
       cache_control=None)
async def calendar_feed(request: Request, filename: Token) -> Response[bytes]:
    """An iCalendar (RFC 5545) feed. No other authentication: the token is the credential.
    Answers 304 to ``If-None-Match`` / ``If-Modified-Since`` when nothing changed, HEAD like
    GET without the body, and gzip when the client accepts it."""
    if not filename.endswith(".ics"):
        raise NotFound("calendar")
    token = filename.removesuffix(".ics")
    await request.app.state.feed_limiter.check(token_digest(token))
    feed = await subs.resolve_token(token)
    rendered = await prepare_feed(feed, request.app.state.settings)
    now = datetime.now(UTC)
    compress = _accepts_gzip(request.headers.get("accept-encoding"))
    # A strong ETag names one representation: the gzipped bytes get their own.
    etag = rendered.etag[:-1] + '-gz"' if compress else rendered.etag
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(last_modified_header(rendered.last_modified, now),
                                         usegmt=True),
        "Cache-Control": "private, max-age=300",
        "Vary": "Accept-Encoding",
        "X-Robots-Tag": "noindex",
    }
    if _not_modified(request, rendered.etag, rendered.last_modified):
        return Response(b"", status_code=304, headers=headers)
    async with db.read_transaction():
        body = await (rendered.gzipped() if compress else rendered.body())
    if compress:
        headers["Content-Encoding"] = "gzip"
    if request.method == HttpMethod.HEAD:
        headers["Content-Length"] = str(len(body))
        body = b""
    return Response(body, status_code=200, headers=headers, media_type="text/calendar")


def _accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (RFC 9110 12.5.3: ``gzip;q=0`` refuses it)."""
    for item in (accept_encoding or "").split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() in {"gzip", "x-gzip", "*"}:
            q = params.strip().removeprefix("q=").strip() if params.strip().startswith("q=") else "1"
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False


def _not_modified(request: Request, etag: str, last_modified: datetime) -> bool:
    inm = request.headers.get("if-none-match")
    if inm is not None:
        # Either representation's tag (plain or gzip) names the same content.
        candidates = {tag.strip().removeprefix("W/").replace('-gz"', '"') for tag in inm.split(",")}
        return etag in candidates or "*" in candidates
    ims = request.headers.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        return since is not None and since.tzinfo is not None and \
            not_modified_since(last_modified, since)
    return False
