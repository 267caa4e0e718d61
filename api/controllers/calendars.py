"""Calendar subscriptions (/api, bearer auth) and the feeds themselves (/calendars, token in
the URL: the only credential a calendar client can carry)."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Literal

from litestar import Controller, Request, Response, delete, get, post
from litestar.params import Parameter
from msgspec import Meta, Struct

from api.controllers.common import ACTOR, ERRORS, READ_ERRORS, Limit, Offset, PathId, page
from api.convert import read
from api.schemas import Base, Id, Page
from calendars import subscriptions as subs
from calendars.render import prepare_feed
from legal_tracker import db
from legal_tracker.access import Actor
from legal_tracker.errors import NotFound


class SubscriptionCreate(Base):
    scope: Literal["staff", "case", "office"]
    target_id: Id
    privacy: Literal["standard", "minimal"] = "standard"


class SubscriptionRead(Struct):
    id: int
    scope: str
    target_id: int
    privacy: str
    name: str
    owner_id: int
    created_at: datetime
    revoked_at: datetime | None
    last_fetched_at: datetime | None


class SubscriptionCreated(SubscriptionRead):
    url: str
    webcal_url: str


class SubscriptionList(Page):
    items: list[SubscriptionRead]


def _row(row: dict) -> dict:
    row = dict(row)
    row["owner_id"] = row.pop("owner")
    return row


class CalendarSubscriptionController(Controller):
    path = "/api/calendar-subscriptions"
    tags = ["calendars"]
    dependencies = ACTOR

    @post("/", responses=ERRORS)
    async def create_subscription(self, request: Request, actor: Actor,
                                  data: SubscriptionCreate) -> SubscriptionCreated:
        """The feed URL holds a secret token: it is shown once, here, and never again."""
        created = await subs.create_subscription(
            actor, request.app.state.settings.public_url, data.scope, data.target_id, data.privacy)
        return read(SubscriptionCreated, {**_row(created.row), "url": created.url,
                                          "webcal_url": created.webcal_url})

    @get("/", responses=READ_ERRORS)
    async def list_subscriptions(self, actor: Actor, limit: Limit = 50, offset: Offset = 0,
                                 include_revoked: bool = False) -> SubscriptionList:
        result = await subs.list_subscriptions(actor, page(limit, offset), include_revoked)
        return SubscriptionList(items=[read(SubscriptionRead, _row(r)) for r in result.items],
                                limit=result.limit, offset=result.offset,
                                next_offset=result.next_offset)

    @delete("/{subscription_id:int}", responses=ERRORS)
    async def revoke_subscription(self, actor: Actor, subscription_id: PathId) -> None:
        """Revoking is immediate: the feed URL answers 404 from now on."""
        await subs.revoke_subscription(actor, subscription_id)


Token = Annotated[str, Parameter(max_length=100, description="the feed's secret token + .ics",
                                 pattern=r"^[A-Za-z0-9_-]{20,90}\.ics$")]
ETagMeta = Meta(max_length=200)


@get("/calendars/{filename:str}", tags=["calendars"], include_in_schema=True,
     responses={404: ERRORS[404]}, media_type="text/calendar",
     cache_control=None)
async def calendar_feed(request: Request, filename: Token) -> Response[bytes]:
    """An iCalendar (RFC 5545) feed. No other authentication: the token is the credential.
    Answers 304 to ``If-None-Match`` / ``If-Modified-Since`` when nothing changed."""
    if not filename.endswith(".ics"):
        raise NotFound("calendar")
    token = filename.removesuffix(".ics")
    await request.app.state.feed_limiter.check(subs.token_digest(token))
    feed = await subs.resolve_token(token)
    rendered = await prepare_feed(feed, request.app.state.settings)
    headers = {
        "ETag": rendered.etag,
        "Last-Modified": format_datetime(rendered.last_modified, usegmt=True),
        "Cache-Control": "private, max-age=300",
        "X-Robots-Tag": "noindex",
    }
    if _not_modified(request, rendered.etag, rendered.last_modified):
        return Response(b"", status_code=304, headers=headers)
    async with db.read_transaction():
        body = await rendered.body()
    return Response(body, status_code=200, headers=headers,
                    media_type="text/calendar")


def _not_modified(request: Request, etag: str, last_modified: datetime) -> bool:
    inm = request.headers.get("if-none-match")
    if inm is not None:
        candidates = {tag.strip().removeprefix("W/") for tag in inm.split(",")}
        return etag in candidates or "*" in candidates
    ims = request.headers.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        return since is not None and since.tzinfo is not None and \
            last_modified.replace(microsecond=0) <= since
    return False
