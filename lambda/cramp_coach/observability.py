"""Structured request/response logs with no personal data: no user ids, no slot values."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
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

# Called with every exception a handler or interceptor raised that the last-resort handler
# spoke over. The fuzz suites listen here: a crash the user hears as "Sorry" is a failure.
FAILURE_LISTENERS: list[Callable[[BaseException], None]] = []


# The skill's own loggers (this package and the Lambda entry point) follow LOG_LEVEL; the AWS
# SDK and HTTP libraries stay at WARNING whatever it says: at DEBUG botocore logs request
# signing (the session token, the key id) and whole DynamoDB items (health data).
OWN_LOGGERS = ("cramp_coach", "lambda_function")
QUIET_LOGGERS = ("botocore", "boto3", "urllib3", "s3transfer")


def configure_logging(level: int, unknown_level: str | None = None) -> None:
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    if unknown_level is not None:
        logging.getLogger("cramp_coach.config").warning(
            "LOG_LEVEL %r names no log level; using %s",
            unknown_level[:40],
            logging.getLevelName(level),
        )


def handler_failed(exception: BaseException, where: str = "handler") -> None:
    """Record a crash the skill answered over (in a handler, or caught in an interceptor so
    the answer still goes out): one log line with the traceback, and every listener told."""
    metric_event("handler_failed", exc_info=exception, where=where, error=type(exception).__name__)
    for listener in list(FAILURE_LISTENERS):
        listener(exception)


def metric_event(name: str, *, exc_info: bool | BaseException = False, **fields: Any) -> None:
    """One JSON log line per failure the skill speaks over, for the template's metric filters
    ({ $.event = "<name>" }): the event and the request id, never a user id or slot values."""
    line = {"event": name, "request_id": _request_id.get(), **fields}
    events.error(json.dumps(line), exc_info=exc_info)


def _summary(handler_input: HandlerInput) -> dict:
    request = handler_input.request_envelope.request
    summary = {
        "request_id": getattr(request, "request_id", None),
        "type": getattr(request, "object_type", None),
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
        request = handler_input.request_envelope.request
        log.info(
            json.dumps(
                {
                    "event": "response",
                    "request_id": getattr(request, "request_id", None),
                    "ends_session": getattr(response, "should_end_session", None),
                    "speech_chars": len(speech or ""),
                }
            )
        )
