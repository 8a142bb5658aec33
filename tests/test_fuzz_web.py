"""Property-based fuzzing of the web service: anything unsigned or invalid is HTTP 400, and
nothing, signed or not, is ever HTTP 500.

A private CA (tests/signing.py) stands in for Alexa's; the trust store and certificate fetcher
are injected, so no request leaves the process. Run longer with `make fuzz`.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from checks import assert_valid_response
from cramp_coach.skill import SKILL
from cramp_coach.webservice.app import create_app
from fuzzing import envelopes, fuzz_settings, json_values, odd_text, tally
from hypothesis import given
from hypothesis import strategies as st
from signing import CERT_URL, TEST_SKILL_ID, alexa_timestamp, shared_test_ca

CA = shared_test_ca()
VERIFIED = create_app(
    skill=SKILL, skill_id=TEST_SKILL_ID, trust_store=CA.trust_store(), fetch_chain=CA.fetcher()
)
DEV_MODE = create_app(skill=SKILL, verify_requests=False)
ROGUE = shared_test_ca("Rogue")

# --- bodies and headers ---------------------------------------------------------------


def as_body(event, ascii_only: bool) -> bytes:
    text = json.dumps(event, ensure_ascii=ascii_only)
    # A lone surrogate cannot be UTF-8: surrogatepass gives the invalid bytes a client could send.
    return text.encode("utf-8", "surrogatepass")


envelope_bodies = st.builds(as_body, envelopes(), st.booleans())
bodies = st.one_of(
    envelope_bodies,
    st.builds(as_body, json_values, st.booleans()),
    st.binary(max_size=300),
    st.sampled_from([b"", b"{", b"null", b"[]", b'{"request": {}}', b"\xff\xfe{}", b"A" * 70_000]),
)
cert_urls = st.one_of(
    st.sampled_from(
        [
            CERT_URL,
            CERT_URL.upper(),
            "https://s3.amazonaws.com/echo.api/../evil.pem",
            "https://s3.amazonaws.com/echo.api/%2e%2e/evil.pem",
            "https://s3.amazonaws.com:8443/echo.api/echo-api-cert-test.pem",
            "http://s3.amazonaws.com/echo.api/echo-api-cert-test.pem",
            "https://evil.example/echo.api/echo-api-cert-test.pem",
            "https://s3.amazonaws.com/echo.api/other.pem",
            "https://[::1/echo.api/x.pem",
            "",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60),
)
signatures = st.one_of(
    st.binary(min_size=0, max_size=300).map(lambda b: base64.b64encode(b).decode()),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60),
    st.just(CA.sign(b"some other body")),
)


@st.composite
def unsigned_headers(draw, body: bytes) -> dict:
    """Headers a client without Alexa's key could send: none, forged, or a rogue CA's."""
    headers = {"Content-Type": draw(st.sampled_from(["application/json", "text/plain", ""]))}
    if draw(st.booleans()):
        headers["SignatureCertChainUrl"] = draw(cert_urls)
    if draw(st.booleans()):
        headers["Signature-256"] = draw(signatures)
    if draw(st.integers(0, 4)) == 0:
        headers["Signature-256"] = ROGUE.sign(body)
        headers["SignatureCertChainUrl"] = CERT_URL
    return headers


@st.composite
def requests_without_alexas_signature(draw):
    body = draw(bodies)
    return body, draw(unsigned_headers(body))


def fresh_and_ours(event):
    """Make a fuzzed envelope pass the skill id and timestamp checks, so the skill sees it."""
    if not isinstance(event, dict):
        return event
    now = alexa_timestamp(datetime.now(UTC))
    context = event.get("context")
    system = context.get("System") if isinstance(context, dict) else None
    for part in system, event.get("session"):
        if isinstance(part, dict):
            part["application"] = {"applicationId": TEST_SKILL_ID}
    if isinstance(event.get("request"), dict):
        event["request"]["timestamp"] = now
    return event


def post(app, body: bytes, headers: dict):
    with app.test_client() as client:
        return client.post("/", data=body, headers=headers)


def assert_answered_or_refused(reply) -> None:
    tally(f"HTTP {reply.status_code}")  # the share answered shows in --hypothesis-show-statistics
    assert reply.status_code in (200, 400), reply.get_data()[:500]
    if reply.status_code == 200:
        assert_valid_response(reply.get_json())
    else:
        assert reply.get_json()["error"] == "request refused"


# --- properties -----------------------------------------------------------------------


@pytest.mark.fuzz
@fuzz_settings()
@given(requests_without_alexas_signature())
def test_anything_without_alexas_signature_is_refused_with_400(request):
    body, headers = request
    reply = post(VERIFIED, body, headers)
    assert reply.status_code == 400, reply.get_data()[:500]
    assert reply.get_json()["error"] == "request refused"


@pytest.mark.fuzz
@fuzz_settings()
@given(envelopes().map(fresh_and_ours), st.booleans())
def test_signed_fuzzed_envelopes_are_answered_or_refused_never_500(event, ascii_only):
    body = as_body(event, ascii_only)
    assert_answered_or_refused(post(VERIFIED, body, CA.signed_headers(body)))


@pytest.mark.fuzz
@fuzz_settings()
@given(
    bodies,
    st.dictionaries(
        odd_text.filter(lambda t: t.isascii() and t.isprintable()), st.just("x"), max_size=2
    ),
)
def test_dev_mode_answers_or_refuses_anything_never_500(body, headers):
    assert_answered_or_refused(
        post(DEV_MODE, body, {"Content-Type": "application/json", **headers})
    )


@pytest.mark.parametrize(
    "event",
    [
        {
            "version": "1.0",
            "request": {
                "type": "LaunchRequest",
                "requestId": "r",
                "locale": "en-US",
                "timestamp": "2026-11-26T08:00:00Z",
            },
        },
        {
            "version": "1.0",
            "context": {},
            "request": {
                "type": "LaunchRequest",
                "requestId": "r",
                "timestamp": "2026-11-26T08:00:00Z",
            },
        },
        {
            "version": "1.0",
            "context": {"System": {"application": {"applicationId": TEST_SKILL_ID}}},
            "request": {
                "type": "IntentRequest",
                "requestId": "r",
                "timestamp": "2026-11-26T08:00:00Z",
            },
        },
    ],
    ids=["no context", "no context.System", "IntentRequest without an intent"],
)
def test_envelopes_the_skill_cannot_answer_are_400_not_500(event):
    """Found by fuzzing: these reached the SDK, which raised AttributeError, and Flask said 500."""
    reply = post(DEV_MODE, json.dumps(event).encode(), {"Content-Type": "application/json"})
    assert reply.status_code == 400
