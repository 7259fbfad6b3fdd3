"""Security headers, CSRF tokens for forms, and the login rate limit."""

from __future__ import annotations

import hmac
import secrets
import time
from collections import deque

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from derek.core.errors import Forbidden, RateLimited

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """Pure ASGI middleware (streams untouched) adding the security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not submitted or not hmac.compare_digest(str(expected), submitted):
        raise Forbidden("The form has expired or did not come from this site. Reload the page and try again.")


class LoginLimiter:
    """At most N login attempts per minute per client address and per user name."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.attempts: dict[str, deque[float]] = {}

    def hit(self, *keys: str) -> None:
        now = time.monotonic()
        for key in keys:
            window = self.attempts.setdefault(key, deque())
            while window and now - window[0] > 60:
                window.popleft()
            if len(window) >= self.per_minute:
                raise RateLimited("Too many login attempts. Wait a minute and try again.")
            window.append(now)


class BodySizeLimit:
    """Refuses a body over the upload limit: from Content-Length at once, or as a chunked body streams in."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _send_too_large(send, self.max_bytes)
            return
        received = 0
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Answer 413 now and tell the app the client is gone; whatever it answers is dropped.
                    refused = True
                    await _send_too_large(send, self.max_bytes)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counting_receive, guarded_send)


class _HeadAnswered(Exception):
    """Raised from `send` once a HEAD request's headers are out, to stop the response producing its body."""


def _only_head_answered(exc: BaseException) -> bool:
    if isinstance(exc, _HeadAnswered):
        return True
    if isinstance(exc, BaseExceptionGroup):
        return all(_only_head_answered(e) for e in exc.exceptions)
    return False


class HeadAsGet:
    """Answers HEAD like GET without the body, so link checkers and monitors can probe every page and file.

    The response stops at its first body chunk: a HEAD on a large export or download does not produce it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        done = False

        async def send_headers_only(message: Message) -> None:
            nonlocal done
            if message["type"] == "http.response.body":
                if not done:
                    done = True
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                if message.get("more_body", False):
                    raise _HeadAnswered
                return
            await send(message)

        try:
            await self.app({**scope, "method": "GET"}, receive, send_headers_only)
        except BaseException as exc:
            if not _only_head_answered(exc):
                raise


async def _send_too_large(send: Send, max_bytes: int) -> None:
    import json

    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Payload too large",
            "status": 413,
            "detail": f"The request is larger than the limit of {max_bytes:,} bytes.",
            "errors": {},
        }
    ).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
