"""Persistence: one DynamoDB table, one partition per user, no raw ids at rest.

Keys: pk = "USER#" + sha256(USER_HASH_SALT + userId); sk = "PROFILE" for the user's
profile (consent, counters, other journeys' small state) or
"CRAMP#<utc iso start>#<episode or request id>" for one cramp (expires after
CRAMP_RETENTION_DAYS through the table's TTL attribute, expires_at).

Every failure (timeouts, throttling, service errors, a deadline passing) becomes a
StoreError, the one exception the journeys catch. The client is made once per container
and reused across warm invocations; its timeouts and retries are set so that a slow
DynamoDB costs a user at most a couple of seconds, never the whole 8-second budget.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .config import load_settings

log = logging.getLogger(__name__)

PROFILE_SK = "PROFILE"
CRAMP_PREFIX = "CRAMP#"
TTL_ATTRIBUTE = "expires_at"
CONSENT_YES = "yes"
CONSENT_NO = "no"

# Short timeouts and few, quick retries: botocore's defaults (60 s reads, legacy retries)
# could outlast Alexa's 8-second limit many times over.
CLIENT_CONFIG = Config(
    connect_timeout=1.0,
    read_timeout=1.0,
    retries={"max_attempts": 2, "mode": "standard"},
    tcp_keepalive=True,
)

_client = None
_client_lock = threading.Lock()
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class StoreError(Exception):
    """DynamoDB could not be reached or refused the call: the journey carries on without it."""


# --- the client and keys ----------------------------------------------------------------


def client():
    """The container's DynamoDB client, made on first use (warm starts reuse it).

    boto3 reads AWS_ENDPOINT_URL_DYNAMODB itself, so local runs point at a moto server.
    """
    global _client
    if _client is None:
        with _client_lock:
            if _client is None:
                _client = boto3.session.Session().client("dynamodb", config=CLIENT_CONFIG)
    return _client


def reset_client() -> None:
    """Forget the client (tests and local tools that move the endpoint)."""
    global _client
    with _client_lock:
        _client = None


def table_name() -> str:
    return load_settings().table_name


def user_key(user_id: str) -> str:
    """The partition key: a salted one-way hash, so the table never holds an Alexa userId."""
    salt = load_settings().user_hash_salt
    return "USER#" + hashlib.sha256((salt + user_id).encode("utf-8")).hexdigest()


def user_id_of(handler_input) -> str | None:
    """The Alexa userId of a request (every request type carries it in context.System)."""
    system = getattr(handler_input.request_envelope.context, "system", None)
    user = getattr(system, "user", None)
    return getattr(user, "user_id", None) or None


def _key(user_id: str, sk: str) -> dict:
    return {"pk": {"S": user_key(user_id)}, "sk": {"S": sk}}


# --- values in and out ------------------------------------------------------------------


def _to_dynamo(value: Any) -> dict:
    if isinstance(value, float):
        value = Decimal(str(value))
    elif isinstance(value, dict):
        return {"M": {k: _to_dynamo(v) for k, v in value.items()}}
    elif isinstance(value, (list, tuple)):
        return {"L": [_to_dynamo(v) for v in value]}
    return _serializer.serialize(value)


def _plain(value: Any) -> Any:
    """DynamoDB's Decimals back to int/float, recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, set)):
        return [_plain(v) for v in value]
    return value


def _from_dynamo(item: Mapping[str, dict]) -> dict:
    return {k: _plain(_deserializer.deserialize(v)) for k, v in item.items()}


def _call(operation: str, **kwargs) -> dict:
    """One DynamoDB call; any failure becomes StoreError (logged without ids or values)."""
    try:
        return getattr(client(), operation)(**kwargs)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Unknown")
        log.warning("dynamodb %s failed: %s", operation, code)
        raise StoreError(code) from error
    except BotoCoreError as error:
        log.warning("dynamodb %s failed: %s", operation, type(error).__name__)
        raise StoreError(type(error).__name__) from error


# --- the profile ----------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """A user's profile item. `consent` is "yes", "no", or None when never asked.

    Other journeys keep their small state here too (tip rotation, reminder id,
    notice_heard): read it with `profile.get("name")`, write it with update_profile.
    """

    fields: Mapping[str, Any]

    @property
    def consent(self) -> str | None:
        return self.fields.get("consent")

    @property
    def consented(self) -> bool:
        return self.consent == CONSENT_YES

    @property
    def cramp_count(self) -> int:
        return int(self.fields.get("cramp_count", 0))

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)


def _profile_from_item(item: Mapping[str, dict] | None) -> Profile | None:
    if not item:
        return None
    fields = _from_dynamo(item)
    fields.pop("pk", None)
    fields.pop("sk", None)
    return Profile(fields)


def load_profile(user_id: str) -> Profile | None:
    """The user's profile, or None when the skill has never stored anything for them."""
    reply = _call("get_item", TableName=table_name(), Key=_key(user_id, PROFILE_SK))
    return _profile_from_item(reply.get("Item"))


def update_profile(user_id: str, **fields: Any) -> None:
    """Set fields in one UpdateItem, creating the profile if absent; None removes a field."""
    if not fields:
        return
    names, values, sets, removes = {}, {}, [], []
    for n, (name, value) in enumerate(sorted(fields.items())):
        names[f"#f{n}"] = name
        if value is None:
            removes.append(f"#f{n}")
        else:
            values[f":v{n}"] = _to_dynamo(value)
            sets.append(f"#f{n} = :v{n}")
    expression = " ".join(
        part
        for part in (
            "SET " + ", ".join(sets) if sets else "",
            "REMOVE " + ", ".join(removes) if removes else "",
        )
        if part
    )
    kwargs = {
        "TableName": table_name(),
        "Key": _key(user_id, PROFILE_SK),
        "UpdateExpression": expression,
        "ExpressionAttributeNames": names,
    }
    if values:
        kwargs["ExpressionAttributeValues"] = values
    _call("update_item", **kwargs)


# --- deletion -------------------------------------------------------------------------

_BATCH = 25  # BatchWriteItem's limit
_UNPROCESSED_RETRIES = 5


def _all_keys(pk: str):
    """Every key in the user's partition, page by page (keys only: cheap to read)."""
    start = None
    while True:
        kwargs = {
            "TableName": table_name(),
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "ProjectionExpression": "pk, sk",
        }
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = _call("query", **kwargs)
        yield from page.get("Items", [])
        start = page.get("LastEvaluatedKey")
        if not start:
            return


def _delete_batch(keys: list[dict]) -> None:
    requests = {table_name(): [{"DeleteRequest": {"Key": key}} for key in keys]}
    for attempt in range(_UNPROCESSED_RETRIES + 1):
        reply = _call("batch_write_item", RequestItems=requests)
        requests = reply.get("UnprocessedItems") or {}
        if not requests:
            return
        if attempt < _UNPROCESSED_RETRIES:
            threading.Event().wait(0.05 * 2**attempt)  # back off before re-sending the rest
    raise StoreError("UnprocessedItems")


def delete_user(user_id: str) -> int:
    """Delete every item of the user (profile and cramps); returns how many were deleted."""
    pk = user_key(user_id)
    batch, deleted = [], 0
    for key in _all_keys(pk):
        batch.append({"pk": key["pk"], "sk": key["sk"]})
        if len(batch) == _BATCH:
            _delete_batch(batch)
            deleted, batch = deleted + len(batch), []
    if batch:
        _delete_batch(batch)
        deleted += len(batch)
    return deleted


def utc_iso(moment: dt.datetime) -> str:
    """Sortable UTC timestamps for sort keys: 2026-11-26T08:00:00Z."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
