"""app.py helpers that need no server."""

from __future__ import annotations

import pytest

from app import parse_auth

AUTH_CASES = [
    (None, None),
    ("", None),
    ("  ", None),
    ("operator:secret", [("operator", "secret")]),
    ("a:1, b:2", [("a", "1"), ("b", "2")]),
    ("lead:pa:ss", [("lead", "pa:ss")]),  # the password may hold a colon
]

BAD_AUTH = ["operator", "operator:", ":secret", "a:1,,b:2"]


@pytest.mark.parametrize("spec, expected", AUTH_CASES)
def test_parse_auth(spec, expected):
    assert parse_auth(spec) == expected


@pytest.mark.parametrize("spec", BAD_AUTH)
def test_parse_auth_says_how_to_fix(spec):
    with pytest.raises(ValueError, match="QA_AUTH"):
        parse_auth(spec)


# (QA_* variables, the variable the one-line message must name): `python app.py` refuses each with exit 2.
BAD_CONFIG = [
    ({"QA_PORT": "99999"}, "QA_PORT"),
    ({"QA_PORT": "abc"}, "QA_PORT"),
    ({"QA_HOST": "no-such-host.invalid"}, "QA_HOST"),
    ({"QA_HOST": "192.0.2.1"}, "QA_HOST"),  # a documentation address: not this machine's
    ({"QA_INDEX_DIR": "/etc/passwd", "QA_EMBED_MODEL": "hash"}, "QA_INDEX_DIR"),
    ({"QA_AUTH": "operator"}, "QA_AUTH"),
]


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str]) -> tuple[int, str]:
    import app

    for name in [n for n in __import__("os").environ if n.startswith("QA_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(app, "serve", lambda *a, **k: pytest.fail("the app must not start"))
    with pytest.raises(SystemExit) as exited:
        app.main()
    return int(exited.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize(("env", "var"), BAD_CONFIG, ids=[next(iter(e.items()))[1] for e, _ in BAD_CONFIG])
def test_a_bad_setting_stops_the_app_with_one_line(monkeypatch, capsys, env: dict[str, str], var: str) -> None:
    code, err = run_main(monkeypatch, capsys, env)
    lines = err.splitlines()
    assert code == 2 and len(lines) == 1 and var in lines[0], err


def test_a_port_in_use_stops_the_app_with_one_line(monkeypatch, capsys) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, err = run_main(monkeypatch, capsys, {"QA_PORT": str(port)})
    lines = err.splitlines()
    assert code == 2 and len(lines) == 1 and f"QA_PORT={port}" in lines[0] and "使用中" in lines[0], err
