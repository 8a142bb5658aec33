"""Whether a request envelope can be answered at all, checked before the skill runs.

The ASK SDK reads some fields before any handler (and so before the exception handler)
runs: context.System for the API client, the application id for the skill id check, and
the intent of an IntentRequest in every is_intent_name predicate. Without them it raises
outside the skill's own error handling. Alexa always sends them; anything else gets the
unreadable-request reply (Lambda) or HTTP 400 (web service).
"""

from __future__ import annotations

import hashlib

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest, RequestEnvelope


def unanswerable_reason(envelope: RequestEnvelope | None) -> str | None:
    """Why this envelope cannot be answered, or None when it can."""
    if not isinstance(envelope, RequestEnvelope) or envelope.request is None:
        return "no request"
    system = getattr(envelope.context, "system", None)
    if system is None:
        return "no context.System"
    if system.application is None:
        return "no context.System.application"
    if isinstance(envelope.request, IntentRequest) and envelope.request.intent is None:
        return "an IntentRequest without an intent"
    return None


def session_attributes(handler_input: HandlerInput) -> dict:
    """The session's attributes; a scratch dict for requests outside a session (skill events),
    where the SDK's attributes manager would raise."""
    if handler_input.request_envelope.session is None:
        return {}
    attributes = handler_input.attributes_manager.session_attributes
    return attributes if attributes is not None else {}


def device_key(handler_input: HandlerInput) -> str | None:
    """A one-way hash of the request's device id (for per-device caches), None without one."""
    system = getattr(handler_input.request_envelope.context, "system", None)
    device = getattr(system, "device", None)
    device_id = getattr(device, "device_id", None)
    if not isinstance(device_id, str) or not device_id:
        return None
    # surrogatepass: JSON can carry a lone surrogate ("\ud800"), which strict UTF-8 refuses.
    return hashlib.sha256(device_id.encode("utf-8", "surrogatepass")).hexdigest()


def user_id_of(handler_input: HandlerInput) -> str | None:
    """The Alexa userId of a request (every request type carries it in context.System)."""
    system = getattr(handler_input.request_envelope.context, "system", None)
    user = getattr(system, "user", None)
    return getattr(user, "user_id", None) or None
