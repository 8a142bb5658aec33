"""The web service over real HTTP: a werkzeug server on a free loopback port, urllib as client.

The dev-mode conversation is played twice, through lambda_handler and through HTTP, and must
sound the same turn for turn: both paths serve the one SKILL object.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest
from cramp_coach.skill import SKILL
from cramp_coach.webservice.app import create_app
from envelopes import NIGHT, Conversation
from lambda_function import lambda_handler
from signing import CERT_URL, TEST_SKILL_ID, alexa_request, shared_test_ca
from werkzeug.serving import make_server


@contextmanager
def serving(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}/"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def post(url: str, body: bytes, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def verified_url():
    ca = shared_test_ca()
    app = create_app(
        skill=SKILL, skill_id=TEST_SKILL_ID, trust_store=ca.trust_store(), fetch_chain=ca.fetcher()
    )
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def dev_mode_url():
    with serving(create_app(skill=SKILL, verify_requests=False)) as url:
        yield url


def test_a_signed_request_over_http_is_answered(verified_url):
    ca = shared_test_ca()
    body = json.dumps(alexa_request("LaunchRequest")).encode()

    status, reply = post(verified_url, body, ca.signed_headers(body))

    assert status == 200
    assert reply["response"]["outputSpeech"]["ssml"].startswith("<speak>")
    assert CERT_URL in ca.fetched_urls


def test_a_tampered_request_over_http_is_refused(verified_url):
    ca = shared_test_ca()
    body = json.dumps(alexa_request("LaunchRequest")).encode()
    tampered = body.replace(b"LaunchRequest", b"SessionEndedRequest")

    status, reply = post(verified_url, tampered, ca.signed_headers(body))

    assert status == 400
    assert reply == {"error": "request refused"}


def test_an_unsigned_request_over_http_is_refused(verified_url):
    status, reply = post(verified_url, json.dumps(alexa_request()).encode())

    assert (status, reply) == (400, {"error": "request refused"})


def test_health_over_http(dev_mode_url):
    with urllib.request.urlopen(dev_mode_url + "health", timeout=10) as reply:
        assert json.loads(reply.read()) == {"status": "ok", "verify_requests": False}


def over_http(url: str):
    """A lambda_handler look-alike that sends the event to the web service instead."""

    def handler(event: dict, context: object) -> dict:
        status, reply = post(url, json.dumps(event).encode())
        assert status == 200, reply
        return reply

    return handler


def play_night(handler, user: str) -> list[dict]:
    """Woken by a calf cramp: open the skill, say what hurts, still cramping, then it eases."""
    chat = Conversation(handler, at=NIGHT, user=user)
    turns = [chat.launch(), chat.say("CrampNowIntent", muscle="calf", side="left")]
    chat.wait(seconds=40)
    turns.append(chat.say("StillCrampingIntent"))
    chat.wait(seconds=40)
    turns.append(chat.say("CrampEasedIntent"))
    return turns


def heard(turn: dict) -> tuple:
    """What the user hears and sees. (Session attributes differ: they hold request ids.)"""
    body = turn["response"]
    return (
        body.get("outputSpeech"),
        body.get("reprompt"),
        body.get("card"),
        body.get("shouldEndSession"),
    )


def test_a_dev_mode_conversation_over_http_matches_lambda_turn_for_turn(dev_mode_url):
    via_lambda = play_night(lambda_handler, user="amzn1.ask.account.PARITY-LAMBDA")
    via_http = play_night(over_http(dev_mode_url), user="amzn1.ask.account.PARITY-HTTP")

    assert len(via_http) == len(via_lambda) == 4
    for lambda_turn, http_turn in zip(via_lambda, via_http, strict=True):
        assert heard(http_turn) == heard(lambda_turn)
    assert all(turn["response"]["outputSpeech"]["ssml"] for turn in via_http)


def test_an_oversized_body_over_http_gets_a_400_not_a_dropped_connection(verified_url):
    ca = shared_test_ca()
    envelope = alexa_request()
    envelope["padding"] = "x" * 1_000_000
    body = json.dumps(envelope).encode()

    status, reply = post(verified_url, body, ca.signed_headers(body))

    assert (status, reply) == (400, {"error": "request refused"})
