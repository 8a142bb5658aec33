"""The DynamoDB client and its calls: every failure becomes a StoreError, and pages are followed.

The client is made once per container and reused across warm invocations; its timeouts and
retries are set so that a slow DynamoDB costs a user at most a couple of seconds, never the
whole 8-second budget.

boto3 and botocore are imported on first use, not with this module: in a fresh container
they cost more CPU than the whole hello-world skill, and most requests (opening the skill,
a follow-up, help, stop) never touch the store. See docs/performance.md.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from .config import load_settings
from .storage import StoreError

log = logging.getLogger("cramp_coach.store")  # one logger name for every store message

T = TypeVar("T")

# Short timeouts and few, quick retries: botocore's defaults (60 s reads, legacy retries)
# could outlast Alexa's 8-second limit many times over.
CLIENT_OPTIONS = {
    "connect_timeout": 1.0,
    "read_timeout": 1.0,
    "retries": {"max_attempts": 2, "mode": "standard"},
    "tcp_keepalive": True,
}

_client = None
_session = None  # one boto3 session: its loaded service model is reused by a remade client
_client_lock = threading.Lock()


def client():
    """The container's DynamoDB client, made on first use (warm starts reuse it).

    boto3 reads AWS_ENDPOINT_URL_DYNAMODB itself, so local runs point at a moto server.
    """
    global _client, _session
    if _client is None:
        with _client_lock:
            if _client is None:
                import boto3
                from botocore.config import Config

                _session = _session or boto3.session.Session()
                _client = _session.client("dynamodb", config=Config(**CLIENT_OPTIONS))
    return _client


def reset_client() -> None:
    """Forget the client (tests and local tools that move the endpoint); the next one is made
    from the same session, which reads the endpoint from the environment again."""
    global _client
    with _client_lock:
        _client = None


def table_name() -> str:
    return load_settings().table_name


def call(operation: str, **kwargs: Any) -> dict:
    """One DynamoDB call; any failure becomes StoreError (logged without ids or values)."""
    return guarded(operation, lambda: getattr(client(), operation)(**kwargs))


def pages(read: Callable[..., Mapping[str, Any]], **request: Any) -> Iterator[Mapping[str, Any]]:
    """Every page of a Query or Scan, following LastEvaluatedKey; `read` is any client's
    query or scan. A caller that has enough stops iterating: no further page is read."""
    start = None
    while True:
        page = read(**request, **({"ExclusiveStartKey": start} if start else {}))
        yield page
        start = page.get("LastEvaluatedKey")
        if not start:
            return


# Errors after which a write may still have been applied: the service failed while handling it.
_MAYBE_APPLIED = {"InternalServerError", "ServiceUnavailable", "Unknown"}


def _refused(error: Exception) -> bool:
    """True when DynamoDB certainly applied nothing: it answered no (throttled, invalid, a
    condition), or it was never reached. A 5xx or a lost reply may hide a committed write."""
    from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError

    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "Unknown")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 400
        return code not in _MAYBE_APPLIED and status < 500
    return isinstance(error, (EndpointConnectionError, ConnectTimeoutError))


def guarded(operation: str, run: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`run(*args, **kwargs)`, its DynamoDB failures turned into StoreError."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return run(*args, **kwargs)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Unknown")
        log.warning("dynamodb %s failed: %s", operation, code)
        raise StoreError(code, refused=_refused(error)) from error
    except BotoCoreError as error:
        log.warning("dynamodb %s failed: %s", operation, type(error).__name__)
        raise StoreError(type(error).__name__, refused=_refused(error)) from error
