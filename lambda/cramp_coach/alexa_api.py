"""Calls to Alexa's own APIs, with hard time limits.

The SDK's default ApiClient (requests) has no timeout. A cramping user must never wait on
an Alexa API, so every call here runs under a deadline and falls back on failure.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse

from .deadline import DeadlinePassed, Deadlines

log = logging.getLogger(__name__)

# Threads, not a longer timeout: a DNS look-up or a stuck socket cannot overrun the deadline.
_DEADLINES = Deadlines("alexa-api")


class TimeoutApiClient(ApiClient):
    """An ApiClient for the SDK's service clients, on http.client, with a socket timeout.

    http.client rather than urllib.request: the same request on the wire, and urllib's extra
    imports (tempfile, random, shutil, ...) cost a cold start several milliseconds. It is
    imported on the first call (http.client brings email and ssl: ~15 ms), so a container
    whose first request is a cramp answer, which makes no Alexa API call, never pays it.
    """

    def __init__(self, timeout_seconds: float = 2.0):
        self.timeout_seconds = timeout_seconds

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        body = request.body
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode("utf-8")
        import http.client  # see the class docstring: only when an API call is really made

        url = urlsplit(request.url)
        secure = url.scheme == "https"
        connection_type = http.client.HTTPSConnection if secure else http.client.HTTPConnection
        connection = connection_type(url.hostname, url.port, timeout=self.timeout_seconds)
        target = (url.path or "/") + (f"?{url.query}" if url.query else "")
        try:
            connection.request(
                request.method, target, body=body, headers=dict(request.headers or [])
            )
            reply = connection.getresponse()
            status, headers, payload = reply.status, reply.getheaders(), reply.read()
        finally:
            connection.close()
        response = ApiClientResponse()
        response.status_code = status
        response.headers = list(headers)
        response.body = payload.decode("utf-8") if payload else None
        return response


def within(deadline_seconds: float, call, *args: Any, default: Any = None) -> Any:
    """Run `call(*args)`; give up after the deadline or on any error, returning `default`."""
    try:
        return _DEADLINES.run(deadline_seconds, call, *args)
    except DeadlinePassed:
        log.warning("alexa api call timed out after %.3fs", deadline_seconds)
    except Exception as error:  # noqa: BLE001 - any failure means: use the fallback
        log.warning("alexa api call failed: %s", type(error).__name__)
    return default


def settings_time_zone(handler_input: HandlerInput) -> str | None:
    """The device's time zone name from the Alexa Settings API; None without a device or an
    API token. Unbounded: callers run it under their own deadline."""
    factory = handler_input.service_client_factory
    device = getattr(handler_input.request_envelope.context.system, "device", None)
    if factory is None or device is None or not device.device_id:
        return None
    return factory.get_ups_service().get_system_time_zone(device.device_id)
