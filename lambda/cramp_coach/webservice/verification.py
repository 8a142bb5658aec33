"""Alexa request checks: ask_sdk_webservice_support verifiers, run before the skill sees a request.

Each verifier raises RequestRefused with a short reason. They are ordered cheapest first
(`request_verifiers`), so a foreign or replayed request is refused before any certificate fetch.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ask_sdk_model import RequestEnvelope
from ask_sdk_webservice_support.verifier import AbstractVerifier
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.hashes import SHA256

from cramp_coach.webservice.certificates import Clock, SigningKeyCache
from cramp_coach.webservice.refusal import RequestRefused

CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"
BODY_ENCODING = "utf-8"

REQUEST_TOLERANCE = timedelta(seconds=150)
# Skill events (enable, disable, permission changes) may be delivered up to an hour late.
SKILL_EVENT_TOLERANCE = timedelta(seconds=3600)
SKILL_EVENT_PREFIX = "AlexaSkillEvent."


def utc_now() -> datetime:
    return datetime.now(UTC)


class SkillIdVerifier(AbstractVerifier):
    """The request must name our skill; with no SKILL_ID configured every request is refused."""

    def __init__(self, skill_id: str | None) -> None:
        self._skill_id = skill_id

    def verify(
        self,
        headers: Mapping[str, Any],
        serialized_request_env: str,
        deserialized_request_env: RequestEnvelope,
    ) -> None:
        if not self._skill_id:
            raise RequestRefused("the server has no SKILL_ID configured")
        named = application_ids(deserialized_request_env)
        if not named:
            raise RequestRefused("the request names no skill id")
        if any(application_id != self._skill_id for application_id in named):
            raise RequestRefused("the request is for another skill id")


def application_ids(envelope: RequestEnvelope) -> set[str]:
    """Every skill id the envelope names (context.System and, in a session, session)."""
    found = set()
    system = envelope.context.system if envelope.context else None
    if system and system.application and system.application.application_id:
        found.add(system.application.application_id)
    session = envelope.session
    if session and session.application and session.application.application_id:
        found.add(session.application.application_id)
    return found


class TimestampVerifier(AbstractVerifier):
    """The request must be fresh: within 150 s of now (an hour for skill events), either way."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock

    def verify(
        self,
        headers: Mapping[str, Any],
        serialized_request_env: str,
        deserialized_request_env: RequestEnvelope,
    ) -> None:
        request = deserialized_request_env.request
        if request is None or request.timestamp is None:
            raise RequestRefused("the request has no timestamp")
        timestamp = request.timestamp
        if timestamp.tzinfo is None:  # Alexa sends UTC ("...Z"); read a bare time the same way
            timestamp = timestamp.replace(tzinfo=UTC)
        skew = abs(self._clock() - timestamp)
        is_skill_event = (request.object_type or "").startswith(SKILL_EVENT_PREFIX)
        tolerance = SKILL_EVENT_TOLERANCE if is_skill_event else REQUEST_TOLERANCE
        if skew > tolerance:
            raise RequestRefused(
                f"the request timestamp is {int(skew.total_seconds())} s from now "
                f"(allowed {int(tolerance.total_seconds())} s)"
            )


class SignatureVerifier(AbstractVerifier):
    """Signature-256 must be Alexa's RSA SHA-256 signature over the exact request body bytes."""

    def __init__(self, signing_keys: SigningKeyCache) -> None:
        self._signing_keys = signing_keys

    def verify(
        self,
        headers: Mapping[str, Any],
        serialized_request_env: str,
        deserialized_request_env: RequestEnvelope,
    ) -> None:
        cert_url = header_value(headers, CERT_URL_HEADER)
        signature_b64 = header_value(headers, SIGNATURE_HEADER)
        if not cert_url or not signature_b64:
            raise RequestRefused("the request has no SignatureCertChainUrl or Signature-256 header")
        try:
            signature = base64.b64decode(signature_b64, validate=True)
        except binascii.Error:
            raise RequestRefused("the Signature-256 header is not base64") from None
        signing_key = self._signing_keys.signing_key(cert_url)
        # The adapter decoded the body with strict UTF-8, so encoding it again gives back the
        # exact bytes Alexa signed.
        body = serialized_request_env.encode(BODY_ENCODING)
        try:
            signing_key.verify(signature, body, PKCS1v15(), SHA256())
        except InvalidSignature:
            raise RequestRefused("the signature does not match the request body") from None


def header_value(headers: Mapping[str, Any], name: str) -> str | None:
    """Case-insensitive header lookup that works for Flask headers and plain dicts."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def request_verifiers(
    *,
    verify_requests: bool,
    skill_id: str | None,
    signing_keys: SigningKeyCache | None,
    clock: Clock,
) -> list[AbstractVerifier]:
    """The checks for one mode. Dev mode (unsigned local tools) still checks SKILL_ID if set."""
    if not verify_requests:
        return [SkillIdVerifier(skill_id)] if skill_id else []
    if signing_keys is None:
        raise ValueError("verified mode needs a signing key cache")
    return [SkillIdVerifier(skill_id), TimestampVerifier(clock), SignatureVerifier(signing_keys)]
