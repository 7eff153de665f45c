"""What the web server checks: where it may listen, and each request before Gradio sees it (plain ASGI,
no web framework).

app.py puts `Guard` in front of the Gradio app. In order, for each HTTP request:

1. Host header: only this machine's names and QA_ALLOWED_HOSTS. A page on another site whose name the
   attacker re-points at 127.0.0.1 (DNS rebinding) sends its own name, and is refused.
2. Uploads: the UI has no upload field, so Gradio's upload route is closed (nothing lands in its cache).
3. Body size: at most `max_body` bytes, refused from Content-Length before a byte is read (413), and
   counted while read when the client sends no length. A question is at most a few kilobytes.
4. Login: after a failed password, the same client waits (1 s, then 2, 4 … up to a minute) before the
   next attempt; attempts in the meantime, and concurrent ones, are refused with 429 at once.
5. Rate: a token bucket per client for POST requests (what runs a question), when configured.

Clients are told apart by their address: behind a reverse proxy they all share the proxy's, so set the
limits at the proxy instead (SECURITY.md).
"""

from __future__ import annotations

import errno
import ipaddress
import json
import math
import socket
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from qa.errors import ConfigError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# A question (1,000 characters, JSON-escaped) with its five earlier questions is about 40 KB.
MAX_BODY = 256 * 1024
_TOO_LARGE = "リクエストが大きすぎます（{:,} バイトまで）。質問は 1,000 文字以内で入力してください"
MAX_CLIENTS = 10_000  # per-client records kept before the oldest idle ones are dropped


def host_name(header: str) -> str:
    """The name in a Host header, without port, brackets or a trailing dot, lower-cased."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    name = header.rsplit(":", 1)[0] if header.count(":") == 1 else header
    return name.rstrip(".")


def is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


@dataclass
class HostCheck:
    """Accepts IP literals (a browser on such a page is on this server's own origin) and the given names."""

    names: frozenset[str]
    any_host: bool = False

    @classmethod
    def build(cls, listen_host: str, allowed: Iterable[str], machine_names: Iterable[str] | None = None
              ) -> HostCheck:
        """The check for a server on `listen_host`: its name, localhost, `allowed` (QA_ALLOWED_HOSTS) and,
        when it listens on every address, this machine's names (`machine_names`, default: from the OS)."""
        allowed = [a.strip().lower().rstrip(".") for a in allowed if a.strip()]
        if "*" in allowed:
            return cls(frozenset(), any_host=True)
        names = {"localhost", *allowed}
        if listen_host in ("0.0.0.0", "::", ""):
            if machine_names is None:
                machine_names = (socket.gethostname(), socket.getfqdn())
            names.update(n.lower() for n in machine_names if n)
        else:
            names.add(host_name(listen_host))
        return cls(frozenset(names))

    def allows(self, header: str | None) -> bool:
        if self.any_host or header is None:  # HTTP/1.0 without Host: not a browser, not a rebinding page
            return True
        name = host_name(header)
        return name in self.names or is_ip_literal(name)


@dataclass
class LoginThrottle:
    """Per-client delay after failed logins: base × 2^(failures−1) seconds, at most `cap`."""

    base: float = 1.0
    cap: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, tuple[int, float]] = field(default_factory=dict)  # client → (count, not before)
    _busy: set[str] = field(default_factory=set)

    def begin(self, client: str) -> float:
        """0 when `client` may try now (the attempt is then in flight), else the seconds to wait."""
        if client in self._busy:
            return max(self.base, 1.0)
        _, not_before = self._failures.get(client, (0, 0.0))
        wait = not_before - self.clock()
        if wait > 0:
            return wait
        self._busy.add(client)
        return 0.0

    def end(self, client: str, ok: bool) -> None:
        self._busy.discard(client)
        if ok:
            self._failures.pop(client, None)
            return
        count = self._failures.get(client, (0, 0.0))[0] + 1
        delay = min(self.cap, self.base * 2 ** min(count - 1, 30))
        self._failures[client] = (count, self.clock() + delay)
        if len(self._failures) > MAX_CLIENTS:
            now = self.clock()
            for key in [k for k, (_, t) in self._failures.items() if t < now - self.cap]:
                del self._failures[key]


@dataclass
class RateLimit:
    """A token bucket per client: `per_minute` requests a minute, up to `per_minute` at once."""

    per_minute: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # client → (tokens, at)

    def take(self, client: str) -> float:
        """0 when the request may go ahead (a token is spent), else the seconds until one is free."""
        now = self.clock()
        rate = self.per_minute / 60.0
        tokens, at = self._buckets.get(client, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - at) * rate)
        if tokens < 1.0:
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / rate
        self._buckets[client] = (tokens - 1.0, now)
        if len(self._buckets) > MAX_CLIENTS:
            full = self.per_minute / rate  # seconds to refill from empty
            for key in [k for k, (_, t) in self._buckets.items() if now - t > full]:
                del self._buckets[key]
        return 0.0


class Guard:
    """ASGI middleware: host check, closed uploads, body limit, login delay and rate limit (see the module)."""

    def __init__(self, app: ASGIApp, *, hosts: HostCheck, max_body: int = MAX_BODY,
                 login: LoginThrottle | None = None, rate: RateLimit | None = None) -> None:
        self.app = app
        self.hosts = hosts
        self.max_body = max_body
        self.login = login
        self.rate = rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host")
        if not self.hosts.allows(host):
            await _refuse(scope, send, 400, f"Host {host!r} はこのサーバーの名前ではありません。"
                          "この名前で使うときは QA_ALLOWED_HOSTS に加えてください")
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "").rstrip("/")
        if path.endswith("/upload"):
            await _refuse(scope, send, 403, "ファイルのアップロードは受け付けていません")
            return
        length = _header(scope, b"content-length")
        if length is not None and length.strip().isdigit() and int(length) > self.max_body:
            await _refuse(scope, send, 413, _TOO_LARGE.format(self.max_body))
            return
        client = (scope.get("client") or ("?", 0))[0]
        post = scope.get("method") == "POST"
        if post and path.endswith("/login") and self.login is not None:
            await self._login(client, scope, receive, send)
            return
        if post and self.rate is not None and (wait := self.rate.take(client)) > 0:
            await _refuse(scope, send, 429, f"質問が多すぎます。{math.ceil(wait)} 秒ほど待ってから、もう一度お試しください",
                          retry_after=wait)
            return
        if length is None and scope.get("method") not in ("GET", "HEAD", "OPTIONS"):
            # No length given (chunked): count the body as it comes, and refuse it past the limit.
            body = await _read_body(receive, self.max_body)
            if body is None:
                await _refuse(scope, send, 413, _TOO_LARGE.format(self.max_body))
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    async def _login(self, client: str, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.login is not None
        wait = self.login.begin(client)
        if wait > 0:
            await _refuse(scope, send, 429, f"ログインの失敗が続いたため、{math.ceil(wait)} 秒待ってからお試しください",
                          retry_after=wait)
            return
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            self.login.end(client, ok=status < 400)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _read_body(receive: Receive, limit: int) -> list[Message] | None:
    """The request's body messages, or None once they pass `limit` bytes."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages
        size += len(message.get("body", b""))
        if size > limit:
            return None
        if not message.get("more_body", False):
            return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    queue = list(messages)

    async def replay() -> Message:
        return queue.pop(0) if queue else await receive()

    return replay


async def _refuse(scope: Scope, send: Send, status: int, text: str, retry_after: float | None = None) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    # JSON like FastAPI's own errors: Gradio's page shows "detail" in its error toast.
    body = json.dumps({"detail": text}, ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")]
    if retry_after is not None:
        headers.append((b"retry-after", str(max(1, math.ceil(retry_after))).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def check_listen(host: str, port: int) -> None:
    """ConfigError naming QA_HOST or QA_PORT when a server could not listen on host:port (checked before starting)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise ConfigError(
            f"QA_HOST={host!r} は使えません（名前を解決できません: {err}）。"
            "127.0.0.1（このマシンだけ）、0.0.0.0（すべてのアドレス）またはこのマシンのアドレスを指定してください"
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(address)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise ConfigError(
                    f"QA_PORT={port} は使用中です（別のプログラムか、起動済みの報告書QA）。"
                    "空いているポートを QA_PORT に指定してください"
                ) from None
            if err.errno == errno.EACCES:
                raise ConfigError(
                    f"QA_PORT={port} で待ち受ける権限がありません。1024 以上のポートを指定してください"
                ) from None
            raise ConfigError(
                f"QA_HOST={host!r} で待ち受けられません（{err.strerror}）。"
                "このマシンのアドレスか 127.0.0.1 / 0.0.0.0 を指定してください"
            ) from None
