"""The /ask API endpoint and the QA_AUTH login, on a real server (slow: starts uvicorn)."""

from __future__ import annotations

import httpx
import pytest
from conftest import make_settings, running_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def url(assistant, index_dir, tmp_path_factory):
    settings = make_settings(index_dir, feedback_log=tmp_path_factory.mktemp("fb") / "feedback.jsonl")
    with running_app(assistant, settings) as url:
        yield url


def test_ask_endpoint_returns_the_answer_contract(url):
    from gradio_client import Client

    result = Client(url, verbose=False).predict("旅券発行件数は？", api_name="/ask")
    assert isinstance(result, dict)
    assert set(result) == {"question", "text", "abstained", "figures", "citations", "elapsed_ms", "op", "notes", "related"}
    assert "13,062件" in result["text"]
    assert result["citations"][0]["section_path"][-1] == "(4) 旅券発給"
    assert set(result["figures"][0]) == {
        "label",
        "attribute",
        "period",
        "value",
        "unit",
        "raw",
        "approx",
        "derived",
        "formula",
    }


def test_ask_endpoint_takes_history(url):
    from gradio_client import Client

    result = Client(url, verbose=False).predict(
        "パスポートの申請はどれくらいあった？", ["旅券発行件数は？"], api_name="/ask"
    )
    assert result["question"] == "パスポートの申請はどれくらいあった？"


def test_invalid_question_is_a_clear_message_not_a_traceback(url):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as err:
        Client(url, verbose=False).predict("   ", api_name="/ask")
    assert "質問" in str(err.value)
    assert "Traceback" not in str(err.value)


def test_auth_refuses_a_wrong_password(assistant, index_dir, tmp_path):
    from gradio_client import Client

    # No delay after a failed login here: this test tries several logins in a row (the delay has its own
    # test in test_security.py).
    settings = make_settings(index_dir, auth="operator:secret,lead:pass2", login_delay=0,
                             feedback_log=tmp_path / "fb.jsonl")
    with running_app(assistant, settings) as url:
        wrong = httpx.post(url + "login", data={"username": "operator", "password": "wrong"})
        assert wrong.status_code in (400, 401)
        assert httpx.get(url + "config").status_code == 401
        # Gradio answers a wrong password with 400, which the client reports as a plain ValueError.
        with pytest.raises(ValueError, match="Could not login"):
            Client(url, auth=("operator", "wrong"), verbose=False)
        good = httpx.post(url + "login", data={"username": "lead", "password": "pass2"})
        assert good.status_code == 200
        result = Client(url, auth=("operator", "secret"), verbose=False).predict(
            "旅券発行件数は？", api_name="/ask"
        )
        assert "13,062件" in result["text"]
