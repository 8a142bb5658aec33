"""Calls to Alexa's own APIs, with hard time limits.

The SDK's default ApiClient (requests) has no timeout. A cramping user must never wait on
an Alexa API, so every call here runs under a deadline and falls back on failure.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse

from .deadline import DeadlinePassed, Deadlines

log = logging.getLogger(__name__)

# Where an Alexa API call may go. The endpoint comes from the request envelope (client data;
# in dev mode unsigned), and the call carries the user's API token: only Alexa's own API
# hosts over HTTPS, or this machine (local tools and tests).
ALEXA_API_HOSTS = frozenset(
    {"api.amazonalexa.com", "api.eu.amazonalexa.com", "api.fe.amazonalexa.com"}
)


class EndpointRefused(ValueError):
    """The envelope's apiEndpoint is not an Alexa API host nor loopback."""


def allowed_endpoint(url: str) -> bool:
    try:
        parts = urlsplit(url)
        host, _port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return False
    if parts.scheme == "https" and host in ALEXA_API_HOSTS:
        return True
    return parts.scheme in ("http", "https") and is_loopback(host)


def is_loopback(host: str) -> bool:
    """localhost or a loopback address; any other name could resolve anywhere."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
        raw: Any = request.body
        if raw is not None and not isinstance(raw, (bytes, str)):
            raw = json.dumps(raw)
        body: bytes | None = raw.encode("utf-8") if isinstance(raw, str) else raw
        import http.client  # see the class docstring: only when an API call is really made

        if not allowed_endpoint(request.url or ""):
            raise EndpointRefused("apiEndpoint is not an Alexa API host")
        url = urlsplit(request.url or "")
        secure = url.scheme == "https"
        connection_type = http.client.HTTPSConnection if secure else http.client.HTTPConnection
        connection = connection_type(url.hostname or "", url.port, timeout=self.timeout_seconds)
        target = (url.path or "/") + (f"?{url.query}" if url.query else "")
        try:
            connection.request(
                request.method or "GET", target, body=body, headers=dict(request.headers or [])
            )
            reply = connection.getresponse()
            status, headers, payload = reply.status, reply.getheaders(), reply.read()
        finally:
            connection.close()
        response = ApiClientResponse()
        response.status_code = status
        response.headers = list(headers)
        # The SDK's field says str, but its deserialiser reads None as "no body".
        response.body = payload.decode("utf-8") if payload else None  # type: ignore[assignment]
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
    context = handler_input.request_envelope.context
    device = getattr(getattr(context, "system", None), "device", None)
    if factory is None or device is None or not device.device_id:
        return None
    zone = factory.get_ups_service().get_system_time_zone(device.device_id)
    return zone if isinstance(zone, str) else None
