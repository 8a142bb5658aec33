"""Alexa request verification in the web service: what is answered, what is refused and why.

A private CA stands in for Alexa's (tests/signing.py); the trust store, the certificate fetcher
and the clock are injected, so nothing here touches the network.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from cramp_coach.webservice.app import MAX_BODY_BYTES, create_app
from signing import CERT_URL, TEST_SKILL_ID, AlexaTestCA, alexa_request, shared_test_ca


class Clock:
    """The server's idea of now; tests move it."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def ca():
    ca = shared_test_ca()
    ca.fetched_urls.clear()
    ca.served_chain = None
    yield ca
    ca.served_chain = None


@pytest.fixture
def rogue_ca() -> AlexaTestCA:
    return shared_test_ca("Rogue")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def skill_calls(skill, monkeypatch) -> list:
    """Every request the skill itself receives (the real skill still answers it)."""
    calls = []
    real_invoke = skill.invoke

    def recording_invoke(request_envelope, context):
        calls.append(request_envelope)
        return real_invoke(request_envelope=request_envelope, context=context)

    monkeypatch.setattr(skill, "invoke", recording_invoke)
    return calls


@pytest.fixture
def client(ca: AlexaTestCA, clock: Clock, skill):
    app = create_app(
        skill=skill,
        skill_id=TEST_SKILL_ID,
        trust_store=ca.trust_store(),
        fetch_chain=ca.fetcher(),
        clock=clock,
    )
    return app.test_client()


def encode(envelope: dict) -> bytes:
    return json.dumps(envelope).encode("utf-8")


def post_signed(client, ca: AlexaTestCA, body: bytes, **header_overrides):
    headers = ca.signed_headers(body)
    headers.update(header_overrides)
    return client.post("/", data=body, headers=headers)


def assert_refused(response, reason_fragment: str, skill_calls: list, caplog) -> None:
    assert response.status_code == 400
    assert response.json == {"error": "request refused"}  # generic: the reason is logged
    assert skill_calls == [], "a refused request must never reach the skill"
    refusals = [r for r in caplog.records if r.getMessage().startswith("refused Alexa request")]
    assert len(refusals) == 1 and reason_fragment in refusals[0].getMessage()
    assert not any(r.exc_info for r in caplog.records), "refusals are logged without a traceback"
    assert b"Traceback" not in response.data


def test_a_correctly_signed_request_is_answered_by_the_skill(client, ca, skill_calls):
    response = post_signed(client, ca, encode(alexa_request("LaunchRequest")))

    assert response.status_code == 200
    assert response.json["response"]["outputSpeech"]["ssml"].startswith("<speak>")
    assert len(skill_calls) == 1
    assert ca.fetched_urls == [CERT_URL]


def test_a_request_without_signature_headers_is_refused(client, skill_calls, caplog):
    response = client.post("/", data=encode(alexa_request()), content_type="application/json")

    assert_refused(response, "no SignatureCertChainUrl or Signature-256", skill_calls, caplog)


def test_a_request_without_the_signature_is_refused(client, ca, skill_calls, caplog):
    body = encode(alexa_request())
    response = client.post("/", data=body, headers={"SignatureCertChainUrl": CERT_URL})

    assert_refused(response, "no SignatureCertChainUrl or Signature-256", skill_calls, caplog)


@pytest.mark.parametrize(
    ("cert_url", "reason"),
    [
        ("http://s3.amazonaws.com/echo.api/echo-api-cert-test.pem", "scheme"),
        ("https://notamazon.com/echo.api/echo-api-cert-test.pem", "host"),
        ("https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert-test.pem", "host"),
        ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert-test.pem", "path"),
        ("https://s3.amazonaws.com/invalid.path/echo-api-cert-test.pem", "path"),
        ("https://s3.amazonaws.com/echo.api/../echo-api-cert-test.pem", "path"),
        ("https://s3.amazonaws.com/echo.api/../evil-bucket/echo.api/cert.pem", "path"),
        ("https://s3.amazonaws.com/echo.api/%2e%2e/evil-bucket/cert.pem", "path"),
        ("https://s3.amazonaws.com:563/echo.api/echo-api-cert-test.pem", "port"),
        ("https://s3.amazonaws.com:notaport/echo.api/echo-api-cert-test.pem", "malformed"),
    ],
)
def test_a_certificate_url_outside_alexas_rules_is_refused_without_a_fetch(
    client, ca, skill_calls, caplog, cert_url, reason
):
    body = encode(alexa_request())
    response = post_signed(client, ca, body, SignatureCertChainUrl=cert_url)

    assert_refused(response, reason, skill_calls, caplog)
    assert ca.fetched_urls == []


@pytest.mark.parametrize(
    "cert_url",
    [
        "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem",
        "https://S3.AmAzOnAwS.CoM/echo.api/echo-api-cert-test.pem",
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert-test.pem",
        "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert-test.pem",
    ],
)
def test_certificate_urls_within_the_rules_are_fetched_in_canonical_form(
    client, ca, skill_calls, cert_url
):
    body = encode(alexa_request())
    response = post_signed(client, ca, body, SignatureCertChainUrl=cert_url)

    assert response.status_code == 200
    assert ca.fetched_urls == [CERT_URL]


def test_an_expired_signing_certificate_is_refused(client, ca, clock, skill_calls, caplog):
    ca.served_chain = ca.chain_pem(
        ca.issue_leaf(clock.now - timedelta(days=30), clock.now - timedelta(minutes=1))
    )

    response = post_signed(client, ca, encode(alexa_request()))

    assert_refused(response, "expired", skill_calls, caplog)


def test_a_signing_certificate_not_yet_valid_is_refused(client, ca, clock, skill_calls, caplog):
    ca.served_chain = ca.chain_pem(
        ca.issue_leaf(clock.now + timedelta(minutes=5), clock.now + timedelta(days=30))
    )

    response = post_signed(client, ca, encode(alexa_request()))

    assert_refused(response, "not valid yet", skill_calls, caplog)


def test_a_certificate_for_another_domain_is_refused(client, ca, clock, skill_calls, caplog):
    ca.served_chain = ca.chain_pem(
        ca.issue_leaf(
            clock.now - timedelta(days=1),
            clock.now + timedelta(days=30),
            dns_names=("echo-api.amazon.com.evil.example", "evil.example"),
        )
    )

    response = post_signed(client, ca, encode(alexa_request()))

    assert_refused(response, "not for echo-api.amazon.com", skill_calls, caplog)


def test_a_chain_to_an_untrusted_root_is_refused(client, ca, rogue_ca, skill_calls, caplog):
    # The rogue chain is served at Alexa's URL and its leaf signs the body: only the root is wrong.
    ca.served_chain = rogue_ca.chain_pem()
    body = encode(alexa_request())

    response = post_signed(client, ca, body, **{"Signature-256": rogue_ca.sign(body)})

    assert_refused(response, "not trusted", skill_calls, caplog)


def test_a_chain_that_is_not_pem_is_refused(client, ca, skill_calls, caplog):
    ca.served_chain = b"<html>Access Denied</html>"

    response = post_signed(client, ca, encode(alexa_request()))

    assert_refused(response, "not valid PEM", skill_calls, caplog)


def test_an_unreachable_certificate_url_is_refused(client, ca, skill_calls, caplog):
    url = "https://s3.amazonaws.com/echo.api/missing.pem"

    response = post_signed(client, ca, encode(alexa_request()), SignatureCertChainUrl=url)

    assert_refused(response, "could not fetch", skill_calls, caplog)


def test_a_signature_over_a_different_body_is_refused(client, ca, skill_calls, caplog):
    signed_body = encode(alexa_request())
    tampered = signed_body.replace(b'"LaunchRequest"', b'"SessionEndedRequest"')
    assert tampered != signed_body

    response = client.post("/", data=tampered, headers=ca.signed_headers(signed_body))

    assert_refused(response, "signature does not match", skill_calls, caplog)


def test_a_signature_that_is_not_base64_is_refused(client, ca, skill_calls, caplog):
    response = post_signed(client, ca, encode(alexa_request()), **{"Signature-256": "not base64!"})

    assert_refused(response, "not base64", skill_calls, caplog)


@pytest.mark.parametrize("offset_seconds", [-151, -3600, +151])
def test_a_stale_or_future_request_is_refused(
    client, ca, clock, skill_calls, caplog, offset_seconds
):
    moment = clock.now + timedelta(seconds=offset_seconds)
    body = encode(alexa_request(timestamp=moment))

    response = post_signed(client, ca, body)

    assert_refused(response, "timestamp", skill_calls, caplog)


def test_a_request_within_150_seconds_is_answered(client, ca, clock, skill_calls):
    body = encode(alexa_request(timestamp=clock.now - timedelta(seconds=140)))

    assert post_signed(client, ca, body).status_code == 200


def test_a_skill_event_may_be_an_hour_late_but_not_two(client, ca, clock, skill_calls, caplog):
    late = encode(
        alexa_request("AlexaSkillEvent.SkillDisabled", timestamp=clock.now - timedelta(minutes=30))
    )
    too_late = encode(
        alexa_request("AlexaSkillEvent.SkillDisabled", timestamp=clock.now - timedelta(hours=2))
    )

    accepted = post_signed(client, ca, late)
    assert accepted.status_code == 200
    assert len(skill_calls) == 1

    skill_calls.clear()
    assert_refused(post_signed(client, ca, too_late), "timestamp", skill_calls, caplog)


def test_a_request_for_another_skill_is_refused(client, ca, skill_calls, caplog):
    body = encode(alexa_request(skill_id="amzn1.ask.skill.someone-else"))

    response = post_signed(client, ca, body)

    assert_refused(response, "another skill id", skill_calls, caplog)
    assert ca.fetched_urls == [], "a foreign request is refused before any certificate fetch"


def test_without_a_configured_skill_id_every_request_is_refused(
    ca, clock, skill, skill_calls, caplog
):
    app = create_app(
        skill=skill,
        skill_id=None,
        trust_store=ca.trust_store(),
        fetch_chain=ca.fetcher(),
        clock=clock,
    )
    client = app.test_client()

    assert_refused(
        post_signed(client, ca, encode(alexa_request())), "no SKILL_ID", skill_calls, caplog
    )
    health = client.get("/health")
    assert health.status_code == 503
    assert "SKILL_ID" in health.json["reason"]


def test_an_oversized_body_is_refused_even_when_signed(client, ca, skill_calls, caplog):
    envelope = alexa_request()
    envelope["padding"] = "x" * MAX_BODY_BYTES
    body = encode(envelope)

    response = post_signed(client, ca, body)

    assert_refused(response, "larger than", skill_calls, caplog)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"this is not json", "not JSON"),
        (b"", "not JSON"),
        (b"[1, 2, 3]", "not an Alexa request envelope"),
        (b'{"request": "LaunchRequest"}', "not an Alexa request envelope"),
        (b'{"request": {"type": "NoSuchRequest"}}', "not an Alexa request envelope"),
        ('{"request": "caf\u00e9"}'.encode("latin-1"), "not UTF-8"),
    ],
)
def test_a_body_that_is_not_an_alexa_json_request_is_refused(
    client, ca, skill_calls, caplog, body, reason
):
    response = post_signed(client, ca, body)

    assert_refused(response, reason, skill_calls, caplog)


def test_the_certificate_chain_is_fetched_once_and_reused(client, ca, skill_calls):
    for _ in range(3):
        assert post_signed(client, ca, encode(alexa_request())).status_code == 200

    assert ca.fetched_urls == [CERT_URL]


def test_an_expired_cached_certificate_is_fetched_again(client, ca, clock, skill_calls):
    ca.served_chain = ca.chain_pem(
        ca.issue_leaf(clock.now - timedelta(days=1), clock.now + timedelta(hours=1))
    )
    assert post_signed(client, ca, encode(alexa_request(timestamp=clock.now))).status_code == 200

    # Two hours on, Alexa has published a renewed certificate at the same URL.
    clock.now += timedelta(hours=2)
    ca.served_chain = ca.chain_pem(
        ca.issue_leaf(clock.now - timedelta(hours=1), clock.now + timedelta(days=30))
    )
    response = post_signed(client, ca, encode(alexa_request(timestamp=clock.now)))

    assert response.status_code == 200
    assert ca.fetched_urls == [CERT_URL, CERT_URL]


def test_get_on_the_skill_endpoint_is_not_allowed(client):
    assert client.get("/").status_code == 405


def test_health_reports_verification_on(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json == {"status": "ok", "verify_requests": True}


def test_refusals_are_logged_at_warning(client, caplog):
    with caplog.at_level(logging.WARNING, logger="cramp_coach.webservice"):
        client.post("/", data=b"{}")

    assert [r.levelno for r in caplog.records] == [logging.WARNING]
