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
