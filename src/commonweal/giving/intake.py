"""The donation hot path under burst load: intents and payment notifications in batches.

When a matching pool opens, thousands of donors a second create an intent and, seconds later,
their payment provider sends the signed notification. Through Django's request stack and one
transaction per request, a donation costs ~13 ms of CPU and two commits (docs/performance.md).
Here, served by the ASGI entry point (``commonweal.asgi``):

- the two POSTs are read by a lean ASGI handler, not Django's middleware and ninja;
- each worker process has one batcher thread per kind: requests queue up while the previous batch
  is in its transaction, and the next batch takes them all (up to ``MAX_BATCH``), so under load
  one commit carries hundreds of gifts and idle traffic still goes out at once;
- the batch runs the same services as the API (``intents_create``, ``notifications_receive``,
  one transaction per batch; a single request is a batch of one).

Only the plain case is served here: an anonymous intent with a valid JSON body and key for an
open project, or a notification for a known provider and merchant. Anything else, including
every refusal, is handed to Django with the body it sent, so errors have one source: the API.
A notification the service refused, or that failed, is answered in the provider's format like
the API does (``giving.api.notify_answer``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import re
import threading
from collections.abc import Callable
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.http.request import split_domain_port, validate_host
from django.urls import set_script_prefix
from django.utils.datastructures import CaseInsensitiveMapping
from ninja.responses import NinjaJSONEncoder
from pydantic import ValidationError

from commonweal.core.errors import PaymentRejected
from commonweal.core.identifiers import is_public_id
from commonweal.core.serving import tune_gc
from commonweal.giving import api
from commonweal.giving.providers import PROVIDERS
from commonweal.giving.services import IntentRequest, Notified, intents_create, notifications_receive
from commonweal.projects.selectors import projects_to_donate

logger = logging.getLogger("commonweal.giving")

MAX_BATCH = 500
"""Most requests one transaction takes; under load batches grow up to this, so a commit is shared."""

INTENTS_PATH = "/api/v1/donation-intents"
_NOTIFY_RE = re.compile(r"/api/v1/payments/(?P<provider>[a-z0-9_]{1,40})/(?P<org>[^/]{1,64})/notify")
_DELEGATE = None
"""A batch's answer for a request Django must answer (a refusal, or anything unusual)."""


class Batcher:
    """One thread taking queued items in batches: ``handle(items) -> results`` (same order)."""

    def __init__(self, name: str, handle: Callable[[list], list]):
        self.name = name
        self._handle = handle
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, item) -> asyncio.Future:
        """Queue ``item``; the future (of the running event loop) gets its result."""
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name=f"intake-{self.name}", daemon=True)
                    self._thread.start()
        future = asyncio.get_running_loop().create_future()
        self._queue.put((item, future))
        return future

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            items = [item for item, _ in batch]
            try:
                connection.close_if_unusable_or_obsolete()
                outcomes = [(future, result, None) for (_, future), result in zip(batch, self._handle(items), strict=True)]
            except Exception as exc:  # noqa: BLE001 - every waiting request learns of it
                logger.exception("intake_batch_failed kind=%s size=%s", self.name, len(items))
                outcomes = [(future, None, exc) for _, future in batch]
            finally:
                # Like Django after a request: keep the connection only as long as CONN_MAX_AGE says.
                connection.close_if_unusable_or_obsolete()
            # One wake-up per event loop for the whole batch, not one per request.
            by_loop: dict[asyncio.AbstractEventLoop, list] = {}
            for outcome in outcomes:
                by_loop.setdefault(outcome[0].get_loop(), []).append(outcome)
            for loop, settled in by_loop.items():
                try:
                    loop.call_soon_threadsafe(_settle, settled)
                except RuntimeError:  # that loop has closed: nobody is waiting any more
                    pass


def _settle(outcomes: list[tuple[asyncio.Future, object, Exception | None]]) -> None:
    for future, result, exc in outcomes:
        if future.done():  # cancelled: the client went away
            continue
        if exc is None:
            future.set_result(result)
        else:
            future.set_exception(exc)


# --- the two batches ------------------------------------------------------------------------


class AskedIntent(NamedTuple):
    """An intent request as the handler read it."""

    data: api.IntentIn
    key: str
    device: str
    address: str
    script_prefix: str = ""
    """Where the site is mounted (Django's script prefix): the answer's URLs start with it."""


def _intents_batch(items: list[AskedIntent]) -> list:
    """Asked intents → (status, JSON body), or _DELEGATE."""
    projects = projects_to_donate(public_ids={item.data.project for item in items})
    answers: list = [_DELEGATE] * len(items)
    asked = [(n, IntentRequest(
        project=projects[data.project], amount_fen=data.amount_fen, idempotency_key=key, donor_name=data.donor_name,
        donor_public=data.donor_public, message=data.message, provider=data.provider.value,
        attribution=f"team:{data.team}" if data.team else "", client_address=address, device_id=device,
    )) for n, (data, key, device, address, _) in enumerate(items) if data.project in projects]
    for (n, _), result in zip(asked, intents_create([request for _, request in asked])):
        if isinstance(result, tuple):
            intent, created = result
            set_script_prefix(items[n].script_prefix)  # this thread's, as Django sets it per request
            # intent_out has IntentOut's fields already: the API's bytes without a pydantic round trip.
            answers[n] = (201 if created else 200, json.dumps(api.intent_out(intent), cls=NinjaJSONEncoder).encode())
    return answers


def _notifications_batch(items: list[Notified]) -> list:
    """Notifications → the provider's answer (status, content type, body)."""
    results = notifications_receive(items)
    return [api.notify_answer(PROVIDERS[item.provider], item.provider, item.org_public_id, result)
            for item, result in zip(items, results)]


_intents = Batcher("intents", _intents_batch)
_notifications = Batcher("notifications", _notifications_batch)


# --- ASGI -----------------------------------------------------------------------------------


def front(django_app):
    """The ASGI application: the two hot POSTs here, everything else to ``django_app``."""

    async def application(scope, receive, send):
        if scope["type"] == "lifespan":
            return await _lifespan(receive, send)
        if scope["type"] == "http" and scope["method"] == "POST":
            # The path inside the site and the site's prefix, as Django's ASGIHandler finds them.
            script_prefix = settings.FORCE_SCRIPT_NAME or scope.get("root_path", "") or ""
            path = scope["path"].removeprefix(script_prefix) if script_prefix else scope["path"]
            match = None if path == INTENTS_PATH else _NOTIFY_RE.fullmatch(path)
            hot = path == INTENTS_PATH or (match and match["provider"] in PROVIDERS and is_public_id(match["org"]))
            try:
                if hot and _plain(scope):
                    if match is None:
                        return await _intent(scope, receive, send, django_app, script_prefix)
                    return await _notify(scope, receive, send, match["provider"], match["org"])
            except _Gone:
                return None
        return await django_app(scope, receive, send)

    return application


async def _lifespan(receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            tune_gc()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _plain(scope) -> bool:
    """A request Django's middleware would pass untouched: allowed host, and HTTPS if required."""
    headers = _headers(scope)
    host, _port = split_domain_port(headers.get("host", ""))
    if not host or not validate_host(host, settings.ALLOWED_HOSTS):
        return False
    if settings.SECURE_SSL_REDIRECT and scope.get("scheme") != "https" and headers.get("x-forwarded-proto") != "https":
        return False
    return True


def _headers(scope) -> CaseInsensitiveMapping:
    if "commonweal.headers" not in scope:
        found: dict[str, str] = {}
        for name, value in scope["headers"]:
            name, value = name.decode("latin-1"), value.decode("latin-1")
            found[name] = f"{found[name]},{value}" if name in found else value
        scope["commonweal.headers"] = CaseInsensitiveMapping(found)
    return scope["commonweal.headers"]


class _Gone(Exception):
    """The client went away before its body arrived."""


async def _body(receive) -> bytes | None:
    """The whole body, or None past Django's upload limit (refused here: 413, or the provider's
    failure answer)."""
    parts, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Gone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return None
        parts.append(chunk)
        if not message.get("more_body"):
            return b"".join(parts)


def _replay(body: bytes, receive):
    """A ``receive`` that hands Django the body already read, then listens to the client (Django
    cancels a request whose client disconnects)."""
    sent = False

    async def replayed():
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


async def _intent(scope, receive, send, django_app, script_prefix: str) -> None:
    body = await _body(receive)
    headers = _headers(scope)
    key = headers.get(api.IDEMPOTENCY_HEADER, "").strip()
    answer = _DELEGATE
    if (body is not None and settings.SESSION_COOKIE_NAME not in headers.get("cookie", "")
            and api.IDEMPOTENCY_KEY_RE.fullmatch(key)):
        try:
            data = api.IntentIn.model_validate_json(body)
        except ValidationError:
            data = None
        if data is not None:
            client = (scope.get("client") or ("", 0))[0]
            try:
                answer = await _intents.submit(AskedIntent(data, key, headers.get(api.DEVICE_HEADER, ""), client, script_prefix))
            except Exception:  # noqa: BLE001 - logged by the batcher; Django answers (and retries the database)
                answer = _DELEGATE
    if body is None:
        return await _respond(send, 413, "text/plain; charset=utf-8", b"request body too large")
    if answer is _DELEGATE:
        return await django_app(scope, _replay(body, receive), send)
    status, payload = answer
    await _respond(send, status, "application/json; charset=utf-8", payload)


async def _notify(scope, receive, send, provider: str, org: str) -> None:
    body = await _body(receive)
    if body is None:
        refusal = PaymentRejected("the notification body is too large", code="malformed_notification")
        return await _respond(send, *PROVIDERS[provider].failure_response(refusal))
    item = Notified(provider, org, _headers(scope), body)
    try:
        status, content_type, payload = await _notifications.submit(item)
    except Exception as exc:  # noqa: BLE001 - the batch failed (logged): the provider retries later
        status, content_type, payload = PROVIDERS[provider].failure_response(exc)
    await _respond(send, status, content_type, payload)


def _security_headers() -> list[tuple[bytes, bytes]]:
    """What Django's security and clickjacking middleware add to an API answer."""
    found = [(b"x-frame-options", settings.X_FRAME_OPTIONS.encode())]
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        found.append((b"x-content-type-options", b"nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        found.append((b"referrer-policy", settings.SECURE_REFERRER_POLICY.encode()))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        found.append((b"cross-origin-opener-policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY.encode()))
    return found


async def _respond(send, status: int, content_type: str, payload: bytes) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(payload)).encode()), *_security_headers()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
