"""Creating, listing and revoking calendar subscriptions, and resolving a feed token.

Who may subscribe to what:

* ``staff`` — the hearings a member of staff accompanies: one's own, or (admins) anyone's in
  their office;
* ``case`` — every hearing and deadline of a case the caller may see;
* ``office`` — every hearing of an office: admins of that office only.

The owner's right is checked again on every fetch: a token whose owner was deactivated or
unassigned from the case stops working at once, as if it never existed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from calendars.tables import CalendarSubscription
from legal_tracker import audit, db
from legal_tracker.access import Actor, office_visible
from legal_tracker.cases.cases import fetch_case
from legal_tracker.common import PageRequest, check_id, page_of, utcnow
from legal_tracker.crypto import token_digest
from legal_tracker.errors import Forbidden, Invalid, NotFound
from legal_tracker.organisation.tables import Office, Staff

SCOPES = ("staff", "case", "office")
PRIVACY_LEVELS = ("standard", "minimal")


def feed_urls(public_url: str, token: str) -> tuple[str, str]:
    url = f"{public_url.rstrip('/')}/calendars/{token}.ics"
    webcal = "webcal://" + url.split("://", 1)[1]
    return url, webcal


async def _check_target(actor: Actor, scope: str, target_id: int) -> str:
    """Raises unless ``actor`` may subscribe to the target; returns a display name."""
    if scope == "staff":
        check_id("staff", target_id)
        staff = await Staff.select(Staff.id, Staff.name, Staff.office, Staff.active).where(
            Staff.id == target_id).first()
        if staff is None or not office_visible(actor, staff["office"]):
            raise NotFound("staff")
        if target_id != actor.staff_id and not actor.is_admin:
            raise Forbidden("you may subscribe to your own accompaniments only")
        return "My court accompaniments" if target_id == actor.staff_id else "Court accompaniments"
    if scope == "case":
        case = await fetch_case(actor, target_id)
        return f"Hearings {case['reference']}"
    check_id("office", target_id)
    office = await Office.select(Office.id, Office.name).where(Office.id == target_id).first()
    if office is None or not office_visible(actor, target_id):
        raise NotFound("office")
    if not actor.is_admin:
        raise Forbidden("only an admin may subscribe to a whole office's hearings")
    return f"Hearings {office['name']}"


@dataclass(frozen=True, slots=True)
class CreatedSubscription:
    row: dict[str, Any]
    url: str
    webcal_url: str


async def create_subscription(actor: Actor, public_url: str, scope: str, target_id: int,
                              privacy: str = "standard") -> CreatedSubscription:
    if scope not in SCOPES:
        raise Invalid("scope", f"must be one of {', '.join(SCOPES)}")
    if privacy not in PRIVACY_LEVELS:
        raise Invalid("privacy", f"must be one of {', '.join(PRIVACY_LEVELS)}")
    name = await _check_target(actor, scope, target_id)
    token = secrets.token_urlsafe(32)  # 256 bits
    now = utcnow()
    async with db.transaction():
        rows = await CalendarSubscription.insert(CalendarSubscription(
            owner=actor.staff_id, scope=scope, target_id=target_id, privacy=privacy,
            token_hash=token_digest(token), name=name, created_at=now,
        )).returning(CalendarSubscription.id)
        sub_id = rows[0]["id"]
        await audit.record(actor.staff_id, "create", "calendar_subscription", sub_id,
                           office_id=actor.office_id,
                           detail={"scope": scope, "target_id": target_id})
    url, webcal = feed_urls(public_url, token)
    return CreatedSubscription(await _get(sub_id), url, webcal)


async def _get(sub_id: int) -> dict[str, Any]:
    row = await CalendarSubscription.select(
        *[c for c in CalendarSubscription.all_columns() if c._meta.name != "token_hash"]
    ).where(CalendarSubscription.id == sub_id).first()
    if row is None:
        raise NotFound("calendar subscription")
    return row


def _visible(actor: Actor) -> Any:
    query = CalendarSubscription.select(
        *[c for c in CalendarSubscription.all_columns() if c._meta.name != "token_hash"]
    )
    if actor.is_org_admin:
        return query
    if actor.is_admin:
        return query.where(CalendarSubscription.owner.office == actor.office_id)
    return query.where(CalendarSubscription.owner == actor.staff_id)


async def list_subscriptions(actor: Actor, page: PageRequest, include_revoked: bool = False) -> Any:
    page = page.clamp()
    query = _visible(actor).order_by(CalendarSubscription.id)
    if not include_revoked:
        query = query.where(CalendarSubscription.revoked_at.is_null())
    rows = await query.limit(page.limit + 1).offset(page.offset)
    return page_of(rows, page)


async def revoke_subscription(actor: Actor, sub_id: int) -> None:
    check_id("calendar subscription", sub_id)
    row = await _visible(actor).where(CalendarSubscription.id == sub_id).first()
    if row is None:
        raise NotFound("calendar subscription")
    async with db.transaction():
        await CalendarSubscription.update({CalendarSubscription.revoked_at: utcnow()}).where(
            (CalendarSubscription.id == sub_id) & CalendarSubscription.revoked_at.is_null())
        await audit.record(actor.staff_id, "revoke", "calendar_subscription", sub_id,
                           office_id=actor.office_id)


@dataclass(frozen=True, slots=True)
class FeedRequest:
    """A live subscription, resolved from its token, with its owner as they are now."""

    id: int
    scope: str
    target_id: int
    privacy: str
    name: str
    owner: Actor
    # The ETag last served and when that content was first served (for Last-Modified).
    feed_etag: str | None = None
    feed_modified_at: datetime | None = None
    # The token's digest (a key no two subscriptions share, in any database) and the change
    # counter read with it (m0655): what lets an unchanged feed skip its state query.
    token_hash: str | None = None
    generation: int | None = None


async def resolve_token(token: str) -> FeedRequest:
    if not token or len(token) > 100:
        raise NotFound("calendar")
    # Calendar clients poll this constantly: one plain query on the fast read path.
    digest = token_digest(token)
    rows = await db.fast_read(
        "SELECT s.id, s.scope, s.target_id, s.privacy, s.name, s.revoked_at, o.id AS owner_id, "
        "o.role AS owner_role, o.office AS owner_office, o.active AS owner_active, "
        "o.name AS owner_name, s.feed_etag, s.feed_modified_at, "
        "(SELECT g.n FROM feed_generation g WHERE g.id = 1) AS generation "
        "FROM calendar_subscription s JOIN staff o ON o.id = s.owner "
        "WHERE s.token_hash = ?", digest)
    row = rows[0] if rows else None
    if row is None or row["revoked_at"] is not None or not row["owner_active"]:
        raise NotFound("calendar")
    owner = Actor(row["owner_id"], row["owner_role"], row["owner_office"], row["owner_name"])
    # One's own accompaniments need no further check: the owner is active (above). Anything
    # else is re-checked against the owner's rights as they are now.
    if not (row["scope"] == "staff" and row["target_id"] == owner.staff_id):
        try:
            await _check_target(owner, row["scope"], row["target_id"])
        except (NotFound, Forbidden):
            raise NotFound("calendar") from None
    modified = row["feed_modified_at"]
    if isinstance(modified, str):
        modified = datetime.fromisoformat(modified)
    if modified is not None and modified.tzinfo is None:
        modified = modified.replace(tzinfo=UTC)
    return FeedRequest(row["id"], row["scope"], row["target_id"], row["privacy"], row["name"],
                       owner, row["feed_etag"], modified, digest, row["generation"])
