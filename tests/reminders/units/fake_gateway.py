"""A real HTTP server on 127.0.0.1 that speaks Twilio's and Africa's Talking's SMS APIs.

Tests point the real gateways at it (``base_url=server.base_url``), so every request goes
over a socket exactly as in production. It checks credentials, records every request
(thread-safe) and can be scripted to fail:

    with FakeSmsServer() as server:
        server.fail_next(2, "rate_limited")              # the next two requests get 429
        server.set_number_behaviour("+254700000001", "invalid_number")
        ...
        assert server.sent_to("+254711000000")

Behaviours: "ok", "rate_limited" (429), "server_error" (500), "invalid_number" (Twilio
21211 / AT 403 InvalidPhoneNumber), "not_mobile" (Twilio 21614 / AT 404), "opted_out" and
its alias "blacklisted" (Twilio 21610 / AT 406 UserInBlacklist), "recipient_error" (AT
recipient status 500; Twilio 500), "insufficient_balance" (AT 405; Twilio 500),
"disconnect" (the connection is closed without an answer: a network error), "unauthorized"
(Twilio 401 / 20003, AT 401: a wrong key), "invalid_sender_id" (AT "InvalidSenderId" with no
recipients; Twilio 21659), "slow" (the message is accepted but the answer comes after
``slow_seconds``: a client with a shorter read timeout gives up on a message that was sent).
Twilio's message list (GET .../Messages.json?To=...&DateSent>=...) answers from the accepted
messages, as Twilio does.

An asyncio HTTP/1.1 server (keep-alive) on its own thread and event loop: one thread
serves every connection, so many concurrent clients (even from several processes) do not
fight over the GIL the way a thread-per-connection server does.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from legal_tracker.reminders.webhooks import twilio_signature

TWILIO_ACCOUNT_SID = "AC" + "1" * 32
TWILIO_AUTH_TOKEN = "fake-twilio-auth-token"
AT_USERNAME = "fake-at-user"
AT_API_KEY = "fake-at-api-key"

BEHAVIOURS = frozenset(
    {
        "ok",
        "rate_limited",
        "server_error",
        "invalid_number",
        "not_mobile",
        "opted_out",
        "blacklisted",
        "recipient_error",
        "insufficient_balance",
        "disconnect",
        "unauthorized",
        "invalid_sender_id",
        "slow",
    }
)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    provider: str  # "twilio", "africastalking" or "unknown"
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    form: dict[str, str]  # first value per field
    form_pairs: list[tuple[str, str]]
    auth: tuple[str, str] | None  # HTTP Basic credentials, if any
    behaviour: str
    status: int | None  # HTTP status answered (None when disconnected)
    message_id: str | None
    received_at: float = field(default_factory=time.time)

    @property
    def to(self) -> str | None:
        return self.form.get("To") or self.form.get("to")

    @property
    def body(self) -> str | None:
        return self.form.get("Body") or self.form.get("message")

    @property
    def accepted(self) -> bool:
        return self.message_id is not None


_Recorder = Callable[[str, int | None, str | None], None]


_REASONS = {
    200: "OK",
    201: "Created",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


@dataclass(slots=True)
class _Exchange:
    """One HTTP request and the response the fake decided on."""

    command: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    response: bytes | None = None
    close_connection: bool = False
    delay: float = 0.0


async def _serve_connection(
    fake: FakeSmsServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """HTTP/1.1 with keep-alive: read request, answer, repeat until the client leaves."""
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                return
            lines = head.decode("latin-1").split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) != 3:
                return
            command, path, _version = parts
            headers: dict[str, str] = {}
            for line in lines[1:]:
                if line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            body = await reader.readexactly(length) if length else b""
            exchange = _Exchange(command, path, headers, body)
            if command == "POST":
                fake._handle(exchange)
            elif command == "GET":
                fake._handle_get(exchange)
            else:
                fake._reply(exchange, 405, {"message": "Method not allowed"})
            if exchange.response is None:
                return  # scripted network failure: hang up without an answer
            if exchange.delay:
                await asyncio.sleep(exchange.delay)
            writer.write(exchange.response)
            await writer.drain()
            if exchange.close_connection or headers.get("connection", "").lower() == "close":
                return
    except (ConnectionError, asyncio.IncompleteReadError):
        return
    finally:
        writer.close()


class FakeSmsServer:
    def __init__(
        self,
        *,
        twilio_account_sid: str = TWILIO_ACCOUNT_SID,
        twilio_auth_token: str = TWILIO_AUTH_TOKEN,
        at_username: str = AT_USERNAME,
        at_api_key: str = AT_API_KEY,
        record_bodies: bool = True,
    ) -> None:
        self.twilio_account_sid = twilio_account_sid
        self.twilio_auth_token = twilio_auth_token
        self.at_username = at_username
        self.at_api_key = at_api_key
        self.record_bodies = record_bodies
        self.slow_seconds = 2.0
        self._twilio_messages: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._requests: list[RecordedRequest] = []
        self._script: deque[tuple[str, str | None]] = deque()
        self._numbers: dict[str, str] = {}
        self._server: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeSmsServer:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                server = loop.run_until_complete(
                    asyncio.start_server(
                        lambda r, w: _serve_connection(self, r, w),
                        host="127.0.0.1",
                        port=0,
                        backlog=1024,
                    )
                )
            except BaseException as exc:  # noqa: BLE001 - reported to the starting thread
                failure.append(exc)
                ready.set()
                loop.close()
                return
            self._server = server
            self._port = server.sockets[0].getsockname()[1]
            ready.set()
            try:
                loop.run_forever()
            finally:
                server.close()
                loop.run_until_complete(server.wait_closed())
                loop.close()

        self._thread = threading.Thread(target=run, name="fake-sms-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        self._loop = None
        self._thread = None
        self._server = None

    def __enter__(self) -> FakeSmsServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._port is not None, "server not started"
        return self._port

    @property
    def base_url(self) -> str:
        """Use as ``base_url`` for both TwilioGateway and AfricasTalkingGateway."""
        return f"http://127.0.0.1:{self.port}"

    def twilio_kwargs(self, from_: str = "+15005550006") -> dict[str, str]:
        return {
            "account_sid": self.twilio_account_sid,
            "auth_token": self.twilio_auth_token,
            "from_": from_,
            "base_url": self.base_url,
        }

    def africastalking_kwargs(self, from_: str | None = None) -> dict[str, Any]:
        return {
            "username": self.at_username,
            "api_key": self.at_api_key,
            "from_": from_,
            "base_url": self.base_url,
        }

    # --- scripting ------------------------------------------------------------------------

    def fail_next(self, count: int, behaviour: str, *, provider: str | None = None) -> None:
        """The next ``count`` requests (to ``provider``, if given) get ``behaviour``."""
        self._check(behaviour)
        with self._lock:
            self._script.extend([(behaviour, provider)] * count)

    def set_number_behaviour(self, number: str, behaviour: str) -> None:
        """Every request to ``number`` gets ``behaviour`` (after any fail_next script)."""
        self._check(behaviour)
        with self._lock:
            if behaviour == "ok":
                self._numbers.pop(number, None)
            else:
                self._numbers[number] = behaviour

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._twilio_messages.clear()
            self._script.clear()
            self._numbers.clear()

    @staticmethod
    def _check(behaviour: str) -> None:
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {behaviour!r}; choose from {sorted(BEHAVIOURS)}")

    # --- inspection -----------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def accepted(self) -> list[RecordedRequest]:
        """Requests the fake answered with a message id (what a phone would receive)."""
        with self._lock:
            return [r for r in self._requests if r.message_id is not None]

    def sent_to(self, number: str) -> list[RecordedRequest]:
        return [r for r in self.accepted if r.to == number]

    def request_count(self) -> int:
        with self._lock:
            return len(self._requests)

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> list[RecordedRequest]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._requests) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(self._requests)} of {count} requests arrived")
                self._cond.wait(remaining)
            return list(self._requests)

    # --- callbacks the tests post to the application --------------------------------------

    def twilio_signature_headers(
        self, url: str, params: Mapping[str, str] | Iterable[tuple[str, str]]
    ) -> dict[str, str]:
        """Headers Twilio would send with a form POST of ``params`` to ``url``."""
        return {
            "X-Twilio-Signature": twilio_signature(self.twilio_auth_token, url, params),
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "TwilioProxy/1.1",
        }

    def twilio_status_callback(
        self,
        url: str,
        message_sid: str,
        status: str,
        *,
        to: str = "+254700000000",
        error_code: str | None = None,
    ) -> tuple[dict[str, str], dict[str, str]]:
        """(form, headers) of a signed Twilio status callback for ``message_sid``."""
        form = {
            "AccountSid": self.twilio_account_sid,
            "ApiVersion": "2010-04-01",
            "From": "+15005550006",
            "MessageSid": message_sid,
            "MessageStatus": status,
            "SmsSid": message_sid,
            "SmsStatus": status,
            "To": to,
        }
        if error_code is not None:
            form["ErrorCode"] = str(error_code)
        return form, self.twilio_signature_headers(url, form)

    def twilio_inbound(
        self, url: str, from_: str, body: str, *, to: str = "+15005550006"
    ) -> tuple[dict[str, str], dict[str, str]]:
        """(form, headers) of a signed Twilio inbound-message webhook."""
        sid = "SM" + uuid.uuid4().hex
        form = {
            "AccountSid": self.twilio_account_sid,
            "ApiVersion": "2010-04-01",
            "Body": body,
            "From": from_,
            "MessageSid": sid,
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsMessageSid": sid,
            "SmsSid": sid,
            "SmsStatus": "received",
            "To": to,
        }
        return form, self.twilio_signature_headers(url, form)

    @staticmethod
    def africastalking_delivery_report(
        message_id: str,
        status: str,
        *,
        phone_number: str = "+254700000000",
        failure_reason: str | None = None,
    ) -> dict[str, str]:
        form = {
            "id": message_id,
            "status": status,
            "phoneNumber": phone_number,
            "networkCode": "63902",
            "retryCount": "0",
        }
        if failure_reason:
            form["failureReason"] = failure_reason
        return form

    @staticmethod
    def africastalking_inbound(
        from_: str, text: str, *, to: str = "22384", date: str = "2024-12-02 08:15:00"
    ) -> dict[str, str]:
        return {
            "date": date,
            "from": from_,
            "id": uuid.uuid4().hex,
            "linkId": uuid.uuid4().hex,
            "text": text,
            "to": to,
            "networkCode": "63902",
        }

    # --- the HTTP side --------------------------------------------------------------------

    def _reply(
        self,
        exchange: _Exchange,
        status: int,
        payload: Any,
        *,
        content_type: str = "application/json",
    ) -> None:
        raw = json.dumps(payload).encode() if content_type == "application/json" else payload.encode()
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n"
            f"Content-Type: {content_type}\r\n"
            f"Content-Length: {len(raw)}\r\n\r\n"
        )
        exchange.response = head.encode("latin-1") + raw

    def _take_script(self, provider: str) -> str | None:
        with self._lock:
            for index, (behaviour, only) in enumerate(self._script):
                if only is None or only == provider:
                    del self._script[index]
                    return behaviour
        return None

    def _number_behaviour(self, number: str) -> str:
        with self._lock:
            return self._numbers.get(number, "ok")

    def _record(self, request: RecordedRequest) -> None:
        with self._cond:
            self._requests.append(request)
            self._cond.notify_all()

    def _handle_get(self, handler: _Exchange) -> None:
        """Twilio's message list, filtered by To and DateSent (a day, inclusive) like Twilio."""
        parts = urlsplit(handler.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        auth = _basic_auth(handler.headers.get("authorization"))
        if not (parts.path.startswith("/2010-04-01/Accounts/")
                and parts.path.endswith("/Messages.json")):
            self._reply(handler, 405, {"message": "Method not allowed"})
            return
        self._record(RecordedRequest("twilio", "GET", handler.path, handler.headers, query,
                                     [], auth, "ok", 200, None))
        if auth != (self.twilio_account_sid, self.twilio_auth_token):
            self._reply(handler, 401, _twilio_error(20003, "Authenticate", 401))
            return
        since = query.get("DateSent>") or query.get("DateSent>=")
        with self._lock:
            messages = [m for m in self._twilio_messages
                        if (not query.get("To") or m["to"] == query["To"])
                        and (not since or time.strftime(
                            "%Y-%m-%d", time.strptime(m["date_created"],
                                                      "%a, %d %b %Y %H:%M:%S +0000")) >= since)]
        self._reply(handler, 200, {"messages": list(reversed(messages)), "page": 0,
                                   "page_size": int(query.get("PageSize") or 50)})

    def _handle(self, handler: _Exchange) -> None:
        raw = handler.body
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
        form: dict[str, str] = {}
        for key, value in pairs:
            form.setdefault(key, value)
        headers = handler.headers
        path = urlsplit(handler.path).path
        auth = _basic_auth(headers.get("authorization"))

        if path.startswith("/2010-04-01/Accounts/") and path.endswith("/Messages.json"):
            provider = "twilio"
            numbers = [form.get("To", "")]
        elif path == "/version1/messaging":
            provider = "africastalking"
            numbers = [n.strip() for n in form.get("to", "").split(",") if n.strip()]
        else:
            provider = "unknown"
            numbers = []

        def record(behaviour: str, status: int | None, message_id: str | None) -> None:
            stored_form = (
                form
                if self.record_bodies
                else {k: v for k, v in form.items() if k not in ("Body", "message")}
            )
            self._record(
                RecordedRequest(
                    provider=provider,
                    method=handler.command,
                    path=handler.path,
                    headers=headers,
                    form=stored_form,
                    form_pairs=pairs if self.record_bodies else [],
                    auth=auth,
                    behaviour=behaviour,
                    status=status,
                    message_id=message_id,
                )
            )

        if provider == "unknown":
            record("ok", 404, None)
            self._reply(handler, 404, {"message": "The requested resource was not found"})
            return
        if provider == "twilio":
            self._twilio(handler, path, form, auth, record)
        else:
            self._africastalking(handler, form, headers, numbers, record)

    def _twilio(
        self,
        handler: _Exchange,
        path: str,
        form: dict[str, str],
        auth: tuple[str, str] | None,
        record: _Recorder,
    ) -> None:
        sid_in_path = path.split("/")[3]
        if auth != (self.twilio_account_sid, self.twilio_auth_token) or (
            sid_in_path != self.twilio_account_sid
        ):
            record("ok", 401, None)
            self._reply(handler, 401, _twilio_error(20003, "Authenticate", 401))
            return
        to = form.get("To", "")
        if not to:
            record("ok", 400, None)
            self._reply(handler, 400, _twilio_error(21604, "A 'To' phone number is required.", 400))
            return
        if not form.get("Body"):
            record("ok", 400, None)
            self._reply(handler, 400, _twilio_error(21602, "Message body is required.", 400))
            return
        if not form.get("From") and not form.get("MessagingServiceSid"):
            record("ok", 400, None)
            self._reply(handler, 400, _twilio_error(21603, "A 'From' phone number is required.", 400))
            return
        behaviour = self._take_script("twilio") or self._number_behaviour(to)
        if behaviour == "disconnect":
            record(behaviour, None, None)
            handler.close_connection = True
            return
        errors = {
            "rate_limited": (429, 20429, "Too Many Requests"),
            "server_error": (500, 20500, "Internal Server Error"),
            "recipient_error": (500, 20500, "Internal Server Error"),
            "insufficient_balance": (500, 20500, "Internal Server Error"),
            "invalid_number": (400, 21211, f"The 'To' number {to} is not a valid phone number."),
            "not_mobile": (400, 21614, f"'To' number {to} is not a valid mobile number"),
            "opted_out": (400, 21610, "Attempt to send to unsubscribed recipient"),
            "blacklisted": (400, 21610, "Attempt to send to unsubscribed recipient"),
            "unauthorized": (401, 20003, "Authenticate"),
            "invalid_sender_id": (400, 21659, "The 'From' number is not a Twilio phone number"),
        }
        if behaviour in errors:
            status, code, message = errors[behaviour]
            record(behaviour, status, None)
            self._reply(handler, status, _twilio_error(code, message, status))
            return
        sid = "SM" + uuid.uuid4().hex
        record(behaviour, 201, sid)
        body = form["Body"]
        if behaviour == "slow":
            handler.delay = self.slow_seconds
        message = {
                "account_sid": self.twilio_account_sid,
                "api_version": "2010-04-01",
                "body": body,
                "date_created": time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()),
                "direction": "outbound-api",
                "error_code": None,
                "error_message": None,
                "from": form.get("From"),
                "messaging_service_sid": form.get("MessagingServiceSid"),
                "num_media": "0",
                "num_segments": "1",
                "price": None,
                "price_unit": "USD",
                "sid": sid,
                "status": "accepted" if form.get("MessagingServiceSid") else "queued",
                "to": to,
                "uri": f"/2010-04-01/Accounts/{self.twilio_account_sid}/Messages/{sid}.json",
            }
        with self._lock:
            self._twilio_messages.append(message)
        self._reply(handler, 201, message)

    def _africastalking(
        self,
        handler: _Exchange,
        form: dict[str, str],
        headers: dict[str, str],
        numbers: list[str],
        record: _Recorder,
    ) -> None:
        if headers.get("apikey") != self.at_api_key or form.get("username") != self.at_username:
            record("ok", 401, None)
            self._reply(
                handler,
                401,
                "The supplied authentication is invalid",
                content_type="text/plain",
            )
            return
        if not numbers or not form.get("message"):
            record("ok", 400, None)
            self._reply(
                handler,
                400,
                "Request is missing required form field 'to'",
                content_type="text/plain",
            )
            return
        scripted = self._take_script("africastalking")
        per_number_behaviour = {n: scripted or self._number_behaviour(n) for n in numbers}
        behaviour = scripted or next((b for b in per_number_behaviour.values() if b != "ok"), "ok")
        if behaviour == "disconnect":
            record(behaviour, None, None)
            handler.close_connection = True
            return
        if behaviour == "unauthorized":
            record(behaviour, 401, None)
            self._reply(handler, 401, "The supplied authentication is invalid",
                        content_type="text/plain")
            return
        if behaviour == "invalid_sender_id":
            record(behaviour, 201, None)
            self._reply(handler, 201, {"SMSMessageData": {"Message": "InvalidSenderId",
                                                          "Recipients": []}})
            return
        if behaviour == "rate_limited":
            record(behaviour, 429, None)
            self._reply(handler, 429, "Too Many Requests", content_type="text/plain")
            return
        if behaviour == "server_error":
            record(behaviour, 500, None)
            self._reply(handler, 500, "Internal Server Error", content_type="text/plain")
            return
        per_number = {
            "invalid_number": (403, "InvalidPhoneNumber"),
            "not_mobile": (404, "UnsupportedNumberType"),
            "opted_out": (406, "UserInBlacklist"),
            "blacklisted": (406, "UserInBlacklist"),
            "recipient_error": (500, "InternalServerError"),
            "insufficient_balance": (405, "InsufficientBalance"),
        }
        recipients = []
        first_id: str | None = None
        for number in numbers:
            this = per_number_behaviour[number]
            if this in per_number:
                code, status = per_number[this]
                recipients.append(
                    {
                        "statusCode": code,
                        "number": number,
                        "status": status,
                        "cost": "0",
                        "messageId": "None",
                    }
                )
            else:
                message_id = f"ATXid_{uuid.uuid4().hex}"
                first_id = first_id or message_id
                recipients.append(
                    {
                        "statusCode": 101,
                        "number": number,
                        "status": "Success",
                        "cost": "KES 0.8000",
                        "messageId": message_id,
                    }
                )
        ok_count = sum(1 for r in recipients if r["statusCode"] == 101)
        record(behaviour, 201, first_id)
        if behaviour == "slow":
            handler.delay = self.slow_seconds
        self._reply(
            handler,
            201,
            {
                "SMSMessageData": {
                    "Message": f"Sent to {ok_count}/{len(recipients)} Total Cost: KES {0.8 * ok_count:.4f}",
                    "Recipients": recipients,
                }
            },
        )


def _twilio_error(code: int, message: str, status: int) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _basic_auth(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, _, password = decoded.partition(":")
    return user, password
