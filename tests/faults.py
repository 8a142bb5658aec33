"""Fault injection at the store's real botocore client (event hooks, no fake store).

A `before-call` hook that returns a response short-circuits the HTTP request, so the
client raises exactly what DynamoDB's error would make it raise.
"""

from __future__ import annotations

import contextlib
import time

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError
from cramp_coach import store


@contextlib.contextmanager
def _hook(handler, operation: str = "*"):
    events = store.client().meta.events
    name = f"before-call.dynamodb.{operation}"
    events.register(name, handler, unique_id="cramp-fault")
    try:
        yield
    finally:
        events.unregister(name, unique_id="cramp-fault")


def fail_with(code: str, operation: str = "*", status: int = 400):
    """Every matching call fails with this DynamoDB error code (throttling, 5xx...)."""

    def respond(**_):
        http = AWSResponse("http://dynamodb.invalid", status, {}, None)
        return http, {"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {}}

    return _hook(respond, operation)


def slow(seconds: float, operation: str = "*"):
    """Every matching call hangs, as a stuck socket would (then fails)."""

    def hang(**_):
        time.sleep(seconds)
        raise ReadTimeoutError(endpoint_url="http://dynamodb.invalid")

    return _hook(hang, operation)
