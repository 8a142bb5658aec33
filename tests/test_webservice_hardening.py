"""The web service against hostile input: deep JSON, log forging, certificate fetch floods,
cross-origin posts to dev mode, and an apiEndpoint that points anywhere."""

from __future__ import annotations

import http.client
import json
import logging

import pytest
from cramp_coach.alexa_api import allowed_endpoint
from cramp_coach.skill import SKILL
from cramp_coach.webservice.app import create_app
from envelopes import DAY, intent, plain, speech_of
from fuzzing import no_handler_failures
from lambda_function import lambda_handler
from signing import CERT_URL, TEST_SKILL_ID, alexa_request, shared_test_ca

REFUSED = {"error": "request refused"}


@pytest.fixture
def dev_mode():
    return create_app(skill=SKILL, verify_requests=False).test_client()


@pytest.fixture
def verified():
    ca = shared_test_ca()
    app = create_app(
        skill=SKILL, skill_id=TEST_SKILL_ID, trust_store=ca.trust_store(), fetch_chain=ca.fetcher()
    )
    return app.test_client(), ca


def refusals(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "refused Alexa request" in r.getMessage()]


# --- 7: deep JSON, parse errors in logs and bodies --------------------------------------


@pytest.mark.parametrize("depth", [65, 900, 5000, 100_000])
def test_deeply_nested_json_is_refused_with_400_not_500(dev_mode, verified, caplog, depth):
    envelope = alexa_request()
    body = json.dumps(envelope)[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}"
    with no_handler_failures():
        for client in (dev_mode, verified[0]):
            reply = client.post("/", data=body, headers={"Content-Type": "application/json"})
            assert (reply.status_code, reply.get_json()) == (400, REFUSED)
    assert len(refusals(caplog)) == 2


FORGING = [
    '{"request": {"type": "LaunchRequest", "timestamp": "x\\nERROR forged entry"}}',
    '{"version": "1.0", "request": {"type": 5}, "context": "\\u2028\\u001b[31mred"}',
    '{"request": {"type": "LaunchRequest"}, "x": "\u2028next line"}',
    '{\n"request": \n broken',
]


@pytest.mark.parametrize("body", FORGING)
def test_refusal_reasons_are_logged_on_one_escaped_line_and_bodies_are_generic(
    dev_mode, caplog, body
):
    caplog.set_level(logging.WARNING, "cramp_coach.webservice")
    reply = dev_mode.post("/", data=body.encode(), headers={"Content-Type": "application/json"})
    assert (reply.status_code, reply.get_json()) == (400, REFUSED)
    [logged] = refusals(caplog)
    assert logged.isascii() and logged.isprintable(), logged
    assert "forged" not in reply.get_data(as_text=True)


# --- 8: failed certificate fetches are remembered briefly --------------------------------


def test_a_chain_that_could_not_be_fetched_is_not_fetched_again_at_once(verified):
    client, ca = verified
    ca.fetched_urls.clear()
    forged = CERT_URL.replace("echo-api-cert", "elsewhere")
    body = json.dumps(alexa_request()).encode()
    headers = {**ca.signed_headers(body), "SignatureCertChainUrl": forged}
    for _ in range(5):
        assert client.post("/", data=body, headers=headers).status_code == 400
    assert ca.fetched_urls == [forged]


def test_the_real_chain_is_still_fetched_after_another_url_failed(verified):
    client, ca = verified
    ca.fetched_urls.clear()
    body = json.dumps(alexa_request()).encode()
    forged = {**ca.signed_headers(body), "SignatureCertChainUrl": CERT_URL + ".old"}
    assert client.post("/", data=body, headers=forged).status_code == 400
    assert client.post("/", data=body, headers=ca.signed_headers(body)).status_code == 200


# --- 9: dev mode takes local tools only; API calls go to Alexa or loopback only ----------


def test_dev_mode_refuses_a_browser_page_and_non_json_posts(dev_mode):
    body = json.dumps(alexa_request()).encode()
    json_type = {"Content-Type": "application/json"}
    assert dev_mode.post("/", data=body, headers=json_type).status_code == 200
    for headers in (
        {**json_type, "Origin": "https://evil.example"},
        {**json_type, "Origin": "null"},
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {},
    ):
        reply = dev_mode.post("/", data=body, headers=headers)
        assert (reply.status_code, reply.get_json()) == (400, REFUSED), headers


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://api.amazonalexa.com", True),
        ("https://api.eu.amazonalexa.com/v1", True),
        ("https://api.fe.amazonalexa.com", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost:9", True),
        ("http://[::1]:9", True),
        ("http://api.amazonalexa.com", False),  # the token never goes out in clear text
        ("https://api.amazonalexa.com.evil.example", False),
        ("https://evil.example", False),
        ("https://127.0.0.1@evil.example", False),
        ("http://169.254.169.254/latest/meta-data", False),
        ("http://10.0.0.1", False),
        ("file:///etc/passwd", False),
        ("https://[::1", False),
        ("", False),
    ],
)
def test_api_calls_go_only_to_alexa_hosts_or_loopback(url, allowed):
    assert allowed_endpoint(url) is allowed


def test_a_skill_with_a_foreign_api_endpoint_never_connects_and_still_answers(monkeypatch):
    opened = []
    real = http.client.HTTPConnection.connect

    def recording_connect(self):
        opened.append(self.host)
        return real(self)

    monkeypatch.setattr(http.client.HTTPConnection, "connect", recording_connect)
    event = intent("ListRemindersIntent", at=DAY)
    event["context"]["System"]["apiEndpoint"] = "http://169.254.169.254"
    event["context"]["System"]["apiAccessToken"] = "token"
    event["context"]["System"]["user"]["permissions"] = {"consentToken": "c"}
    with no_handler_failures():
        assert plain(speech_of(lambda_handler(event, None)))
    assert opened == []
