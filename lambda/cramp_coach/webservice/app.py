"""The Flask app: flask-ask-sdk's SkillAdapter serving the same skill object as lambda_handler.

POST / takes Alexa requests; GET /health says whether the service can answer them; GET /privacy
is the privacy policy (the manifest's privacyPolicyUrl when self-hosted).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope
from cryptography.x509.verification import Store
from flask import Flask, Response, jsonify
from flask import request as flask_request
from flask_ask_sdk.skill_adapter import (
    VERIFY_SIGNATURE_APP_CONFIG,
    VERIFY_TIMESTAMP_APP_CONFIG,
    SkillAdapter,
)

from cramp_coach.envelope import unanswerable_reason
from cramp_coach.webservice import privacy_page
from cramp_coach.webservice.certificates import (
    ChainFetcher,
    Clock,
    SigningKeyCache,
    default_trust_store,
    fetch_certificate_chain,
)
from cramp_coach.webservice.refusal import RequestRefused
from cramp_coach.webservice.verification import BODY_ENCODING, request_verifiers, utc_now

# Alexa requests are a few KiB; 64 KiB leaves room for rich device context and stops floods.
MAX_BODY_BYTES = 64 * 1024

log = logging.getLogger("cramp_coach.webservice")


class VerifiedSkillAdapter(SkillAdapter):
    """flask-ask-sdk's adapter with every refusal answered as HTTP 400 plus a one-line log.

    The SDK's own dispatch_request logs refusals with a stack trace, answers a generic HTML
    reason, reads unlimited bodies and turns a non-JSON body into HTTP 500. This override keeps
    the SDK's WebserviceSkillHandler (deserialise, run our verifiers, invoke the skill) and adds
    the body limit and the JSON check in front of it.
    """

    def __init__(self, *, max_body_bytes: int, **kwargs: Any) -> None:
        self._max_body_bytes = max_body_bytes
        super().__init__(**kwargs)

    def dispatch_request(self) -> Any:
        try:
            body = read_alexa_body(self._max_body_bytes)
            check_alexa_envelope(self._skill, body)
            response = self._webservice_handler.verify_request_and_dispatch(
                http_request_headers=flask_request.headers, http_request_body=body
            )
        except RequestRefused as refusal:
            return refuse(str(refusal))
        except AskSdkException:
            # A fault in the skill, not in the request: log it fully, tell the caller nothing.
            log.exception("skill dispatch failed")
            return jsonify(error="the skill failed to answer"), 500
        return jsonify(response)


def read_alexa_body(max_body_bytes: int) -> str:
    declared = flask_request.content_length
    if declared is not None and declared > max_body_bytes:
        raise RequestRefused(f"the body is larger than {max_body_bytes} bytes")
    raw = flask_request.stream.read(max_body_bytes + 1)
    if len(raw) > max_body_bytes:
        raise RequestRefused(f"the body is larger than {max_body_bytes} bytes")
    try:
        return raw.decode(BODY_ENCODING)  # strict: the signature check needs the exact bytes
    except UnicodeDecodeError:
        raise RequestRefused("the body is not UTF-8") from None


def check_alexa_envelope(skill: CustomSkill, body: str) -> None:
    """Refuse bodies the SDK cannot read as a request envelope (it would answer HTTP 500)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        raise RequestRefused("the body is not JSON") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("request"), dict):
        raise RequestRefused("the body is not an Alexa request envelope")
    try:
        envelope = skill.serializer.deserialize(payload=body, obj_type=RequestEnvelope)
    except AskSdkException as error:
        raise RequestRefused(f"the body is not an Alexa request envelope: {error}") from None
    # Fields the SDK reads before any handler runs: without them it raises (HTTP 500).
    reason = unanswerable_reason(envelope)
    if reason:
        raise RequestRefused(f"the body is not an Alexa request envelope: {reason}")


def refuse(reason: str) -> Any:
    log.warning("refused Alexa request: %s", reason)
    return jsonify(error="request refused", reason=reason), 400


def create_app(
    *,
    skill: CustomSkill | None = None,
    verify_requests: bool = True,
    skill_id: str | None = None,
    trust_store: Store | None = None,
    fetch_chain: ChainFetcher = fetch_certificate_chain,
    clock: Clock = utc_now,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> Flask:
    """Build the web service.

    `verify_requests=False` is dev mode for unsigned local tools; only `serve` may choose it, and
    only on a loopback address. `trust_store`, `fetch_chain` and `clock` are injectable so tests
    can run a private certificate authority without network.
    """
    if skill is None:
        from cramp_coach.skill import SKILL  # the object lambda_handler serves

        skill = SKILL
    app = Flask(__name__)
    # The SDK's own verifiers stay off: its signature verifier needs certvalidator (see
    # sdk_import_fix) and its checks are replaced by ours, passed in as `verifiers`.
    app.config[VERIFY_SIGNATURE_APP_CONFIG] = False
    app.config[VERIFY_TIMESTAMP_APP_CONFIG] = False
    signing_keys = None
    if verify_requests:
        signing_keys = SigningKeyCache(
            trust_store=trust_store if trust_store is not None else default_trust_store(),
            fetch_chain=fetch_chain,
            clock=clock,
        )
    verifiers = request_verifiers(
        verify_requests=verify_requests, skill_id=skill_id, signing_keys=signing_keys, clock=clock
    )
    adapter = VerifiedSkillAdapter(
        skill=skill,
        # The adapter files itself under app.extensions by skill id, so it needs some string.
        skill_id=skill_id or "no-skill-id",
        verifiers=verifiers,
        app=app,
        max_body_bytes=max_body_bytes,
    )
    adapter.register(app=app, route="/")
    app.add_url_rule("/health", view_func=_health_view(verify_requests, skill_id), methods=["GET"])
    app.add_url_rule("/privacy", view_func=_privacy_view(), methods=["GET"])
    return app


def _privacy_view() -> Any:
    """The policy, rendered once; without PRIVACY_CONTACT it says what is missing (503)."""
    try:
        page, status = privacy_page.render(privacy_page.details_from(os.environ)), 200
    except privacy_page.PolicyError as error:
        page, status = f"privacy policy not configured: {error}\n", 503

    def privacy() -> Any:
        return Response(
            page, status=status, mimetype="text/html" if status == 200 else "text/plain"
        )

    return privacy


def _health_view(verify_requests: bool, skill_id: str | None) -> Any:
    def health() -> Any:
        if verify_requests and not skill_id:
            reason = "SKILL_ID is not set: every Alexa request is refused"
            return jsonify(status="not ready", reason=reason, verify_requests=True), 503
        return jsonify(status="ok", verify_requests=verify_requests)

    return health
