"""Provider callbacks: delivery reports and replies (STOP / START / HELP).

Twilio requests are authenticated with ``X-Twilio-Signature`` computed over the public URL
Twilio called (``LEGAL_TRACKER_PUBLIC_URL`` + path + query) and the form parameters.
Africa's Talking does not sign its callbacks, so their URLs carry ``?secret=`` which must
equal ``LEGAL_TRACKER_AFRICASTALKING_WEBHOOK_SECRET``; with no secret configured they are
refused. Nothing in an answer reveals whether a number is known.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from litestar import Request, Response, post
from litestar.background_tasks import BackgroundTask
from litestar.openapi.datastructures import ResponseSpec

from api.controllers.common import ERRORS
from api.errors import problem
from legal_tracker.reminders import consent, delivery, dispatcher
from legal_tracker.reminders.webhooks import (
    AFRICASTALKING_DELIVERY_PATH,
    AFRICASTALKING_INBOUND_PATH,
    TWILIO_INBOUND_PATH,
    TWILIO_STATUS_PATH,
    parse_africastalking_delivery,
    parse_africastalking_inbound,
    parse_twilio_inbound,
    parse_twilio_status,
    validate_africastalking_secret,
    validate_twilio_signature,
)
from legal_tracker.settings import Settings

log = logging.getLogger("legal_tracker.reminders.webhooks")
TWIML = "application/xml"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def _form(request: Request) -> list[tuple[str, str]]:
    raw = await request.body()
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        return []


def _public_url(request: Request, settings: Settings) -> str:
    query = request.url.query
    return settings.public_url.rstrip("/") + request.url.path + (f"?{query}" if query else "")


async def _twilio_form(request: Request) -> tuple[list[tuple[str, str]] | None, Response | None]:
    settings = _settings(request)
    form = await _form(request)
    if not settings.twilio_auth_token:
        return None, problem(403, "Twilio webhooks are not configured", request=request)
    signature = request.headers.get("x-twilio-signature")
    if not validate_twilio_signature(settings.twilio_auth_token, _public_url(request, settings),
                                     form, signature):
        return None, problem(403, "missing or invalid X-Twilio-Signature", request=request)
    return form, None


def _at_refusal(request: Request) -> Response | None:
    expected = _settings(request).africastalking_webhook_secret
    if not expected:
        return problem(403, "Africa's Talking webhooks are not configured "
                            "(LEGAL_TRACKER_AFRICASTALKING_WEBHOOK_SECRET is unset)", request=request)
    if not validate_africastalking_secret(request.query_params.get("secret"), expected):
        return problem(403, "missing or invalid secret", request=request)
    return None


_WEBHOOK_ERRORS: dict[int, ResponseSpec] = {code: ERRORS[code] for code in (400, 401, 403, 404, 422)}


def _webhook(path: str, *, twiml: bool) -> post:
    """The route decorator every provider callback shares: public (the provider signs, or the URL
    carries a secret), small bodies only, and what it answers when it succeeds, as the OpenAPI
    document says: nothing (204), or TwiML."""
    if twiml:
        return post(path, tags=["sms webhooks"], security=[], request_max_body_size=65_536,
                    responses=_WEBHOOK_ERRORS, status_code=200, media_type=TWIML,
                    response_description="TwiML: an empty <Response/>, or a <Message> answering HELP")
    return post(path, tags=["sms webhooks"], security=[], request_max_body_size=65_536,
                responses={**_WEBHOOK_ERRORS,
                           204: ResponseSpec(data_container=None, description="Recorded; no body")},
                status_code=204)


@_webhook(TWILIO_STATUS_PATH, twiml=False)
async def twilio_status(request: Request) -> Response[None]:
    """Twilio's StatusCallback: marks the reminder delivered / undelivered / failed."""
    form, refusal = await _twilio_form(request)
    if refusal is not None:
        return refusal
    try:
        report = parse_twilio_status(form or [])
    except ValueError:
        return problem(400, "MessageSid and MessageStatus are required", request=request)
    if not await delivery.apply_delivery_report("twilio", report):
        log.info("twilio status for an unknown message id")
    return Response(content=None, status_code=204)


@_webhook(TWILIO_INBOUND_PATH, twiml=True)
async def twilio_inbound(request: Request) -> Response[str]:
    """A reply from a family: STOP / START change consent at once; HELP is answered (TwiML)."""
    form, refusal = await _twilio_form(request)
    if refusal is not None:
        return refusal
    try:
        message = parse_twilio_inbound(form or [])
    except ValueError:
        return problem(400, "From is required", request=request)
    outcome = await consent.handle_inbound(message.from_number,
                                       message.keyword.value if message.keyword else None,
                                       "twilio", queue_help=False)
    if outcome.reply:
        body = ('<?xml version="1.0" encoding="UTF-8"?><Response><Message>'
                f"{escape(outcome.reply)}</Message></Response>")
        return Response(content=body, media_type=TWIML, status_code=200)
    return Response(content=EMPTY_TWIML, media_type=TWIML, status_code=200)


@_webhook(AFRICASTALKING_DELIVERY_PATH, twiml=False)
async def africastalking_delivery(request: Request) -> Response[None]:
    refusal = _at_refusal(request)
    if refusal is not None:
        return refusal
    try:
        report = parse_africastalking_delivery(await _form(request))
    except ValueError:
        return problem(400, "id and status are required", request=request)
    if not await delivery.apply_delivery_report("africastalking", report):
        log.info("africastalking delivery report for an unknown message id")
    return Response(content=None, status_code=204)


async def _send_neutral(number: str) -> None:
    runtime = dispatcher.current()
    if runtime is not None:
        await runtime.gateway.send(number, consent.NEUTRAL_REPLY)


@_webhook(AFRICASTALKING_INBOUND_PATH, twiml=False)
async def africastalking_inbound(request: Request) -> Response[None]:
    """Africa's Talking cannot answer in the response: HELP replies go out as a message."""
    refusal = _at_refusal(request)
    if refusal is not None:
        return refusal
    try:
        message = parse_africastalking_inbound(await _form(request))
    except ValueError:
        return problem(400, "from is required", request=request)
    outcome = await consent.handle_inbound(message.from_number,
                                       message.keyword.value if message.keyword else None,
                                       "africastalking", queue_help=True)
    background = None
    if outcome.reply and outcome.help_contact_id is None:
        background = BackgroundTask(_send_neutral, message.from_number)
    return Response(content=None, status_code=204, background=background)


SMS_WEBHOOKS = [twilio_status, twilio_inbound, africastalking_delivery, africastalking_inbound]
