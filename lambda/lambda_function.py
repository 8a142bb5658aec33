"""AWS Lambda entry point (ASK convention): lambda_function.lambda_handler."""

from __future__ import annotations

import json
import logging

from ask_sdk_core.serialize import DefaultSerializer
from cramp_coach.config import load_settings
from cramp_coach.content import content_for
from cramp_coach.envelope import unanswerable_reason
from cramp_coach.observability import configure_logging
from cramp_coach.skill import SKILL
from cramp_coach.speech import Speech

_SETTINGS = load_settings()
configure_logging(_SETTINGS.log_level, _SETTINGS.log_level_given)
log = logging.getLogger(__name__)
_SERIALIZER = DefaultSerializer()


def _unreadable_reply() -> dict:
    """No locale or time to go on: the default locale's general advice that fits any cramp."""
    speech = Speech(content_for(None).phrase("unreadable_request"))
    return {
        "version": "1.0",
        "response": {
            "outputSpeech": {"type": "SSML", "ssml": speech.ssml()},
            "shouldEndSession": True,
        },
    }


def lambda_handler(event, context):
    try:
        envelope = _SERIALIZER.deserialize(
            payload=json.dumps(event), obj_type="ask_sdk_model.RequestEnvelope"
        )
        reason = unanswerable_reason(envelope)
        if reason:
            raise ValueError(reason)
    except Exception as error:  # noqa: BLE001 - any unreadable input gets the same answer
        log.warning("unreadable request: %s", type(error).__name__)
        return _unreadable_reply()
    response = SKILL.invoke(request_envelope=envelope, context=context)
    return _SERIALIZER.serialize(response)
