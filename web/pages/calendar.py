"""My calendar: subscribe a phone or desktop calendar to one's accompaniments, a case, or
(admins) the office; revoke a subscription. The feed link holds a secret token that is shown
once, on the page answering the creation, with a QR code to scan from a laptop screen."""

from __future__ import annotations

import html
from typing import Any

import segno
from litestar import Request, get, post
from litestar.params import FromPath
from markupsafe import Markup

from calendars import subscriptions as subs
from legal_tracker.cases import cases as case_svc
from legal_tracker.common import PageRequest
from legal_tracker.organisation.service import list_offices
from web.forms import Form, attempt
from web.i18n import gettext_ as _
from web.render import page, see_other
from web.session import CurrentMe, Me


def qr_svg(url: str, title: str) -> Markup:
    """The URL as an inline SVG QR code (no image request, no inline style: CSP-clean)."""
    svg = segno.make(url, error="m").svg_inline(scale=1, omitsize=True, title=title, border=4)
    # segno writes the SVG (the title escaped); nothing of it comes from a person.
    label = html.escape(title, quote=True)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S704


async def _context(me: Me, form: Form, created: Any = None) -> dict[str, Any]:
    mine = (await subs.list_subscriptions(me.actor, PageRequest(200, 0))).items
    cases = (await case_svc.list_cases(me.actor, PageRequest(200, 0))).items
    offices: list[dict[str, Any]] = []
    if me.actor.is_admin:
        offices = [o for o in (await list_offices(me.actor, PageRequest(200, 0))).items
                   if me.actor.is_org_admin or o["id"] == me.actor.office_id]
    context: dict[str, Any] = {
        "title": "My calendar", "form": form, "subscriptions": mine,
        "case_options": [(str(c["id"]), c["reference"]) for c in cases],
        "office_options": [(str(o["id"]), o["name"]) for o in offices], "created": None,
    }
    if created is not None:
        context["created"] = {"url": created.url, "webcal_url": created.webcal_url,
                              "name": created.row["name"],
                              "qr": qr_svg(created.url, _("QR code of the calendar link"))}
    return context


@get("/app/calendar", name="calendar")
async def calendar_page(request: Request, me: CurrentMe) -> Any:
    return page(request, "calendar.html", **await _context(me, Form({"scope": "staff"})))


@post("/app/calendar")
async def subscribe(request: Request, me: CurrentMe) -> Any:
    form = await Form.from_request(request)
    scope = form.choice("scope", subs.SCOPES, required=True)
    privacy = form.choice("privacy", subs.PRIVACY_LEVELS) or "standard"
    target: int | None = me.staff_id
    if scope == "case":
        target = form.integer("case_id")
        if target is None:
            form.add("case_id", _("Choose a case"))
    elif scope == "office":
        target = form.integer("office_id")
        if target is None:
            form.add("office_id", _("Choose an office"))
    created = None
    if not form.errors and scope and target is not None:
        chosen = target
        created = await attempt(form, lambda: subs.create_subscription(
            me.actor, request.app.state.settings.public_url, scope, chosen, privacy))
        if form.errors.get("target_id"):
            form.add("case_id" if scope == "case" else "office_id", form.errors.pop("target_id"))
    status = form.status if created is None else 201
    return page(request, "calendar.html", status=status, **await _context(me, form, created))


@post("/app/calendar/{subscription_id:int}/revoke")
async def revoke(request: Request, me: CurrentMe, subscription_id: FromPath[int]) -> Any:
    await subs.revoke_subscription(me.actor, subscription_id)
    return see_other("/app/calendar?done=revoked")


HANDLERS = [calendar_page, subscribe, revoke]
