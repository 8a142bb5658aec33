"""Structured request/response logs with no personal data: no user ids, no slot values."""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from typing import Any

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest, Response

log = logging.getLogger("cramp_coach.requests")
events = logging.getLogger("cramp_coach.events")
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def metric_event(name: str, *, exc_info: bool = False, **fields: Any) -> None:
    """One JSON log line per failure the skill speaks over, for the template's metric filters
    ({ $.event = "<name>" }): the event and the request id, never a user id or slot values."""
    line = {"event": name, "request_id": _request_id.get(), **fields}
    events.error(json.dumps(line), exc_info=exc_info)


def _summary(handler_input: HandlerInput) -> dict:
    request = handler_input.request_envelope.request
    summary = {
        "request_id": request.request_id,
        "type": request.object_type,
        "locale": getattr(request, "locale", None),
    }
    if isinstance(request, IntentRequest) and request.intent:
        summary["intent"] = request.intent.name
        # Slot names only: what a user says about their body is health data.
        summary["slots_filled"] = sorted(
            name for name, s in (request.intent.slots or {}).items() if s and s.value
        )
    return summary


class RequestLogger(AbstractRequestInterceptor):
    def process(self, handler_input: HandlerInput) -> None:
        summary = _summary(handler_input)
        _request_id.set(summary["request_id"])  # for metric events raised deep in a call
        log.info(json.dumps({"event": "request", **summary}))


class ResponseLogger(AbstractResponseInterceptor):
    def process(self, handler_input: HandlerInput, response: Response) -> None:
        speech = getattr(response.output_speech, "ssml", None) if response else None
        log.info(
            json.dumps(
                {
                    "event": "response",
                    "request_id": handler_input.request_envelope.request.request_id,
                    "ends_session": getattr(response, "should_end_session", None),
                    "speech_chars": len(speech or ""),
                }
            )
        )
