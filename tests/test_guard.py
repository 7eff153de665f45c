"""qa.guard: the checks in front of Gradio, on a stand-in ASGI app (no server; a fake clock for delays).

The same checks on the running app are in test_security.py (slow).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from qa.config import Settings
from qa.guard import Guard, HostCheck, LoginThrottle, RateLimit, host_name

HOST_NAMES = [
    ("127.0.0.1:7860", "127.0.0.1"),
    ("LOCALHOST:7860", "localhost"),
    ("[::1]:7860", "::1"),
    ("[::1]", "::1"),
    ("qa.example.", "qa.example"),
    ("qa.example:80", "qa.example"),
    ("::1", "::1"),  # a bare IPv6 literal is not name:port
]

# (listen host, QA_ALLOWED_HOSTS, machine names, Host header, allowed)
HOSTS = [
    ("127.0.0.1", (), (), "127.0.0.1:7860", True),
    ("127.0.0.1", (), (), "localhost:7860", True),
    ("127.0.0.1", (), (), "[::1]:7860", True),
    ("127.0.0.1", (), (), "evil.example", False),  # DNS rebinding: the attacker's name, our address
    ("127.0.0.1", (), (), "127.0.0.1.nip.io:7860", False),  # a public name that resolves to loopback
    ("127.0.0.1", (), (), "localhost.evil.example", False),
    ("127.0.0.1", ("qa.example",), (), "QA.example:7860", True),
    ("127.0.0.1", ("qa.example",), (), "other.example", False),
    ("0.0.0.0", (), ("qa-server", "qa-server.office.lan"), "qa-server:7860", True),
    ("0.0.0.0", (), ("qa-server", "qa-server.office.lan"), "qa-server.office.lan", True),
    ("0.0.0.0", (), ("qa-server",), "10.0.0.5:7860", True),  # an address is this server's own origin
    ("0.0.0.0", (), ("qa-server",), "evil.example", False),
    ("qa.internal", (), (), "qa.internal:7860", True),  # the name it listens on
    ("127.0.0.1", ("*",), (), "anything.example", True),  # "*" turns the check off
]


@pytest.mark.parametrize(("header", "name"), HOST_NAMES)
def test_host_name(header: str, name: str) -> None:
    assert host_name(header) == name


@pytest.mark.parametrize(("listen", "allowed", "machine", "header", "ok"), HOSTS)
def test_host_check(listen: str, allowed: tuple[str, ...], machine: tuple[str, ...], header: str, ok: bool) -> None:
    assert HostCheck.build(listen, allowed, machine).allows(header) is ok


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Downstream:
    """A stand-in for Gradio: reads the whole body, answers with `status`, records what it saw."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.bodies: list[bytes] = []

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.bodies.append(body)
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def call(guard: Guard, path: str = "/gradio_api/queue/join", method: str = "POST", host: str = "127.0.0.1:7860",
         chunks: tuple[bytes, ...] = (b"{}",), length: int | None = None, client: str = "10.0.0.9") -> dict:
    """One request through `guard`: the response status and headers, and how many body chunks were read."""
    headers = [(b"host", host.encode())]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    scope = {"type": "http", "method": method, "path": path, "headers": headers, "client": (client, 50000)}
    pending = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    read = 0
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal read
        read += 1
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(guard(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return {"status": start["status"], "headers": dict(start["headers"]), "read": read}


def make(status: int = 200, **kwargs: Any) -> tuple[Guard, Downstream]:
    downstream = Downstream(status)
    kwargs.setdefault("hosts", HostCheck.build("127.0.0.1", ()))
    return Guard(downstream, **kwargs), downstream


def test_a_foreign_host_is_refused_before_the_app_sees_it() -> None:
    guard, app = make()
    assert call(guard, host="evil.example")["status"] == 400
    assert call(guard, host="localhost:7860")["status"] == 200
    assert len(app.bodies) == 1


@pytest.mark.parametrize("path", ["/gradio_api/upload", "/gradio_api/upload/", "/upload"])
def test_uploads_are_closed(path: str) -> None:
    guard, app = make()
    assert call(guard, path=path, chunks=(b"x" * 100,), length=100)["status"] == 403
    assert app.bodies == []


def test_a_body_over_the_limit_is_refused_from_its_length_without_reading_it() -> None:
    guard, app = make(max_body=1000)
    refused = call(guard, chunks=(b"x" * 10,), length=60_000_000)  # a 10-million-character question
    assert refused["status"] == 413 and refused["read"] == 0 and app.bodies == []
    assert refused["headers"][b"connection"] == b"close"
    assert call(guard, chunks=(b"x" * 1000,), length=1000)["status"] == 200


def test_a_chunked_body_is_counted_as_it_comes() -> None:
    guard, app = make(max_body=1000)
    refused = call(guard, chunks=(b"x" * 600, b"x" * 600, b"x" * 600))  # no Content-Length
    assert refused["status"] == 413 and refused["read"] == 2 and app.bodies == []
    assert call(guard, chunks=(b"a" * 400, b"b" * 400))["status"] == 200
    assert app.bodies == [b"a" * 400 + b"b" * 400]  # what was read to count it is passed on whole


def test_failed_logins_make_the_client_wait_doubling() -> None:
    clock = Clock()
    guard, app = make(400, login=LoginThrottle(base=1.0, cap=8.0, clock=clock))
    login = {"path": "/login", "chunks": (b"username=a&password=wrong",), "length": 25}
    assert call(guard, **login)["status"] == 400  # the first wrong password: checked
    refused = call(guard, **login)
    assert refused["status"] == 429 and refused["headers"][b"retry-after"] == b"1"
    assert call(guard, **login, client="10.0.0.10")["status"] == 400  # another client is not held up
    waits = []
    for _ in range(5):
        clock.now += 60
        assert call(guard, **login)["status"] == 400
        waits.append(int(call(guard, **login)["headers"][b"retry-after"]))
    assert waits == [2, 4, 8, 8, 8]  # doubling, up to the cap
    assert len(app.bodies) == 1 + 1 + 5  # no refused attempt reached the password check
    app.status = 200
    clock.now += 60
    assert call(guard, **login)["status"] == 200  # the right password after the wait
    app.status = 400
    assert call(guard, **login)["status"] == 400  # and a success starts the count again


def test_concurrent_login_attempts_from_one_client_are_refused() -> None:
    throttle = LoginThrottle(base=1.0, clock=Clock())
    assert throttle.begin("10.0.0.9") == 0
    assert throttle.begin("10.0.0.9") > 0  # the first is still being checked
    throttle.end("10.0.0.9", ok=True)
    assert throttle.begin("10.0.0.9") == 0


def test_the_rate_limit_is_a_token_bucket_per_client() -> None:
    clock = Clock()
    guard, _ = make(rate=RateLimit(3, clock=clock))
    assert [call(guard)["status"] for _ in range(4)] == [200, 200, 200, 429]
    assert call(guard, client="10.0.0.10")["status"] == 200
    assert call(guard, method="GET", path="/")["status"] == 200  # pages and their assets are not counted
    refused = call(guard)
    assert refused["status"] == 429 and refused["headers"][b"retry-after"] == b"20"  # 3 a minute: one per 20 s
    clock.now += 20
    assert [call(guard)["status"] for _ in range(2)] == [200, 429]


# (settings, requests a minute in force): off on loopback unless asked, 60 beyond it.
RATES = [
    (Settings(), 0),
    (Settings(host="0.0.0.0"), 60),
    (Settings(host="0.0.0.0", rate_limit=0), 0),
    (Settings(rate_limit=30), 30),
    (Settings(host="127.0.0.2"), 0),
]


@pytest.mark.parametrize(("settings", "per_minute"), RATES)
def test_rate_limit_defaults(settings: Settings, per_minute: int) -> None:
    assert settings.requests_per_minute == per_minute
