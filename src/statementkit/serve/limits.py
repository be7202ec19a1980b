"""What keeps a public endpoint safe: size limits, per-client rate limits, tokens.

Everything here is small and in memory, because one `statementkit serve`
process serves one assembly: a token bucket per client address, a body-size
guard that reads at most `max_body_bytes + 1` bytes before the app sees the
request, and page tokens (HMAC-signed, expiring) that let the participant page
submit without ever holding the platform's API token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

#: Environment variable holding the API token for the submissions endpoints (never logged).
TOKEN_ENV = "STATEMENTKIT_TOKEN"


@dataclass(slots=True, frozen=True)
class Limits:
    """Per-request and per-client limits. The defaults suit a participant typing (a check every
    half second at most) on a small server; a platform calling from one address raises `rate`."""

    max_body_bytes: int = 64_000   # any request body; more is 413
    max_text_chars: int = 2_000    # one statement; more is 422 on its field (the assembly's limit is a flag)
    max_batch: int = 100           # texts in one batch check; more is 422
    rate: float = 120.0            # requests per minute per client address, sustained (0: no limit)
    burst: int = 30                # requests a client may make at once before the rate applies
    page_token_ttl_s: int = 4 * 3600


@dataclass(slots=True)
class RateLimiter:
    """A token bucket per client: `burst` requests at once, then `rate` per minute.

    `allow(client)` answers (allowed, seconds to wait). Buckets of idle clients are dropped when
    the table grows past `max_clients`, so a flood of addresses cannot grow memory without bound.
    """

    rate: float
    burst: int
    max_clients: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # client -> (tokens, last time)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, client: str) -> tuple[bool, float]:
        if self.rate <= 0:
            return True, 0.0
        per_second = self.rate / 60.0
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * per_second)
            if tokens >= 1.0:
                self._store(client, tokens - 1.0, now)
                return True, 0.0
            self._store(client, tokens, now)
            return False, (1.0 - tokens) / per_second

    def _store(self, client: str, tokens: float, now: float) -> None:
        if client not in self._buckets and len(self._buckets) >= self.max_clients:
            full = now - self.burst / (self.rate / 60.0)  # idle this long: the bucket is full again
            for key in [k for k, (_, last) in self._buckets.items() if last <= full]:
                del self._buckets[key]
            if len(self._buckets) >= self.max_clients:  # all active: forget the oldest half
                for key in sorted(self._buckets, key=lambda k: self._buckets[k][1])[: self.max_clients // 2]:
                    del self._buckets[key]
        self._buckets[client] = (tokens, now)


# ------------------------------------------------------------------ tokens


def same_token(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; no expected token means nothing matches."""
    return bool(given and expected) and hmac.compare_digest(given.encode(), expected.encode())


def page_token(secret: str, ttl_s: int, now: float | None = None) -> str:
    """A token the participant page sends with its submission: expiry time and an HMAC of it
    under the API token. It proves the request came through a page this server rendered lately;
    it does not identify a person (the rate limit bounds what one address can do)."""
    expires = int((now if now is not None else time.time()) + ttl_s)
    return f"{expires}.{_sign(secret, expires)}"


def valid_page_token(token: str | None, secret: str | None, now: float | None = None) -> bool:
    if not token or not secret or "." not in token:
        return False
    expires, signature = token.split(".", 1)
    if not expires.isdigit() or int(expires) < (now if now is not None else time.time()):
        return False
    return hmac.compare_digest(signature.encode(), _sign(secret, int(expires)).encode())


def _sign(secret: str, expires: int) -> str:
    return hmac.new(secret.encode(), f"statementkit-page:{expires}".encode(), hashlib.sha256).hexdigest()


# ------------------------------------------------------------------ body size (ASGI middleware)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class BodyLimit:
    """Answer 413 to a request whose body is larger than `max_bytes`, before the app reads it.

    A declared Content-Length over the limit is refused at once; otherwise the body is read (at
    most `max_bytes + 1` bytes, chunked or not) and replayed to the app, so nothing downstream
    ever holds more than the limit.
    """

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await too_large(send, self.max_bytes)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await too_large(send, self.max_bytes)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body, replayed = b"".join(chunks), False

        async def replay() -> MutableMapping[str, Any]:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def too_large(send: Send, max_bytes: int) -> None:
    body = json.dumps(error_body(413, "too_large", f"the request body is larger than {max_bytes} bytes")).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def error_body(status: int, code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """The one shape of every error the API returns."""
    return {"error": {"status": status, "code": code, "message": message, "field": field}}
