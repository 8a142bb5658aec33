"""Persistence: one DynamoDB table, one partition per user, no raw ids at rest.

Keys: pk = "USER#" + sha256(USER_HASH_SALT + userId); sk = "PROFILE" for the user's
profile (consent, counters, other journeys' small state) or
"CRAMP#<utc iso start>#<episode or request id>" for one cramp. Every item expires through
the table's TTL attribute, expires_at: a cramp CRAMP_RETENTION_DAYS after it was written,
the profile CRAMP_RETENTION_DAYS after its last write (or sooner, when a write says so).

DynamoStore is the skill's CrampStore (storage.py). Every failure (timeouts, throttling,
service errors, a deadline passing) becomes a StoreError, the one exception the journeys
catch. The client is made once per container and reused across warm invocations; its
timeouts and retries are set so that a slow DynamoDB costs a user at most a couple of
seconds, never the whole 8-second budget.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .config import load_settings
from .records import (  # noqa: F401 - the records' names are the store's vocabulary too
    ALREADY_SAVED,
    CONSENT_NO,
    CONSENT_YES,
    CRAMP_PREFIX,
    NOT_ASKED,
    REFUSED,
    SAVED,
    Cramp,
    History,
    Outcome,
    Profile,
    night_of,
    utc_iso,
)
from .storage import StoreError, expiry, user_key, within_deadline  # noqa: F401 - callers use them

# boto3 and botocore are imported on first use, not with this module: in a fresh container
# they cost more CPU than the whole hello-world skill, and most requests (opening the skill,
# a follow-up, help, stop) never touch the store. See docs/performance.md.

log = logging.getLogger(__name__)

PROFILE_SK = "PROFILE"
TTL_ATTRIBUTE = "expires_at"

# Short timeouts and few, quick retries: botocore's defaults (60 s reads, legacy retries)
# could outlast Alexa's 8-second limit many times over.
CLIENT_OPTIONS = {
    "connect_timeout": 1.0,
    "read_timeout": 1.0,
    "retries": {"max_attempts": 2, "mode": "standard"},
    "tcp_keepalive": True,
}

_client = None
_client_lock = threading.Lock()


# --- the client and keys ----------------------------------------------------------------


def client():
    """The container's DynamoDB client, made on first use (warm starts reuse it).

    boto3 reads AWS_ENDPOINT_URL_DYNAMODB itself, so local runs point at a moto server.
    """
    global _client
    if _client is None:
        with _client_lock:
            if _client is None:
                import boto3
                from botocore.config import Config

                config = Config(**CLIENT_OPTIONS)
                _client = boto3.session.Session().client("dynamodb", config=config)
    return _client


def reset_client() -> None:
    """Forget the client (tests and local tools that move the endpoint)."""
    global _client
    with _client_lock:
        _client = None


def table_name() -> str:
    return load_settings().table_name


def _key(user_id: str, sk: str) -> dict:
    return {"pk": {"S": user_key(user_id)}, "sk": {"S": sk}}


# --- values in and out ------------------------------------------------------------------


@functools.cache
def _types():
    """boto3's (serializer, deserializer) for DynamoDB's typed values, made on first use."""
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def _to_dynamo(value: Any) -> dict:
    if isinstance(value, float):
        value = Decimal(str(value))
    elif isinstance(value, dict):
        return {"M": {k: _to_dynamo(v) for k, v in value.items()}}
    elif isinstance(value, (list, tuple)):
        return {"L": [_to_dynamo(v) for v in value]}
    return _types()[0].serialize(value)


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
    deserializer = _types()[1]
    return {k: _plain(deserializer.deserialize(v)) for k, v in item.items()}


def _call(operation: str, **kwargs) -> dict:
    """One DynamoDB call; any failure becomes StoreError (logged without ids or values)."""
    return _guarded(operation, lambda: getattr(client(), operation)(**kwargs))


# --- the profile ----------------------------------------------------------------------


def _profile_from_item(item: Mapping[str, dict] | None) -> Profile | None:
    if not item:
        return None
    fields = _from_dynamo(item)
    for storage_only in ("pk", "sk", TTL_ATTRIBUTE):
        fields.pop(storage_only, None)
    return Profile(fields)


# --- cramps ------------------------------------------------------------------------


def cramp_item(user_id: str, cramp: Cramp, retention_days: int) -> dict:
    """The cramp as a DynamoDB item, expiring `retention_days` after it is written."""
    expires = expiry(retention_days)
    values = {
        "night": cramp.night.isoformat(),
        "muscle": cramp.muscle,
        "source": cramp.source,
        "time_known": cramp.time_known,
        "local_time": cramp.local_time or cramp.at.strftime("%H:%M"),
        TTL_ATTRIBUTE: expires,
    }
    if cramp.side:
        values["side"] = cramp.side
    item = _key(user_id, cramp.sort_key)
    item.update({k: _to_dynamo(v) for k, v in values.items()})
    return item


def _cramp_from_item(item: Mapping[str, dict]) -> Cramp:
    fields = _from_dynamo(item)
    _, stamp, event_id = fields["sk"].split("#", 2)
    return Cramp(
        at=dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC),
        night=dt.date.fromisoformat(fields["night"]),
        muscle=fields.get("muscle", "any"),
        side=fields.get("side"),
        source=fields.get("source", "live"),
        event_id=event_id,
        time_known=bool(fields.get("time_known", True)),
        local_time=fields.get("local_time"),
    )


def _count_cramp(user_id: str, consent_needed: bool, set_consent: bool) -> dict:
    update: dict[str, Any] = {
        "TableName": table_name(),
        "Key": _key(user_id, PROFILE_SK),
        # Each kept cramp renews the profile's expiry: it outlives the cramps it counts.
        "UpdateExpression": "ADD cramp_count :one SET expires_at = :expires",
        "ExpressionAttributeValues": {
            ":one": {"N": "1"},
            ":expires": {"N": str(expiry(load_settings().retention_days))},
        },
    }
    if consent_needed:
        update["ConditionExpression"] = "consent = :yes"
        update["ExpressionAttributeValues"][":yes"] = {"S": CONSENT_YES}
        # A refusal comes back with the profile, so the skill knows "no" from "never asked"
        # without reading first.
        update["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    if set_consent:
        update["UpdateExpression"] += ", consent = :yes"
        update["ExpressionAttributeValues"][":yes"] = {"S": CONSENT_YES}
    return update


def _write_cramp(user_id: str, cramp: Cramp, *, consent_needed: bool, set_consent: bool) -> Outcome:
    """One TransactWriteItems: count on the profile + put the event, both or neither."""
    from botocore.exceptions import ClientError

    put = {
        "TableName": table_name(),
        "Item": cramp_item(user_id, cramp, load_settings().retention_days),
        "ConditionExpression": "attribute_not_exists(sk)",  # the same episode never twice
    }
    items = [
        {"Update": _count_cramp(user_id, consent_needed, set_consent)},
        {"Put": put},
    ]
    try:
        client().transact_write_items(TransactItems=items)
        return SAVED
    except ClientError as error:
        reasons = error.response.get("CancellationReasons") or []
        if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise
        codes = [reason.get("Code") for reason in reasons]
        if len(codes) == 2 and codes[0] == "ConditionalCheckFailed":
            old = _from_dynamo(reasons[0].get("Item") or {})
            return REFUSED if old.get("consent") == CONSENT_NO else NOT_ASKED
        if len(codes) == 2 and codes[1] == "ConditionalCheckFailed":
            return ALREADY_SAVED
        raise


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


def _guarded(operation: str, call, *args, **kwargs):
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return call(*args, **kwargs)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Unknown")
        log.warning("dynamodb %s failed: %s", operation, code)
        raise StoreError(code, refused=_refused(error)) from error
    except BotoCoreError as error:
        log.warning("dynamodb %s failed: %s", operation, type(error).__name__)
        raise StoreError(type(error).__name__, refused=_refused(error)) from error


# --- reading history ------------------------------------------------------------------

PAGE_SIZE = 500
MAX_EVENTS = 5000  # a bound on one history request, far above any real user's 60 nights


def _split(items: list[dict]) -> History:
    profile, cramps = None, []
    for item in items:
        sk = item["sk"]["S"]
        if sk == PROFILE_SK:
            profile = _profile_from_item(item)
        elif sk.startswith(CRAMP_PREFIX):
            cramps.append(_cramp_from_item(item))
    return History(profile, sorted(cramps, key=lambda c: c.at))


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


class DynamoStore:
    """The CrampStore on DynamoDB. Settings (table, salt, retention) are read on each call,
    from the environment read once per container in production."""

    def warm_up(self) -> None:
        """Import boto3 and make the client outside any deadline, which is for the network: in
        a fresh container on a small Lambda the import alone could use it all up."""
        try:
            client()
        except Exception:  # noqa: BLE001 - the call itself fails the same way and reports it
            log.debug("client not made before the deadline", exc_info=True)

    def load_profile(self, user_id: str) -> Profile | None:
        """The user's profile, or None when the skill has never stored anything for them."""
        reply = _call("get_item", TableName=table_name(), Key=_key(user_id, PROFILE_SK))
        return _profile_from_item(reply.get("Item"))

    def update_profile(self, user_id: str, *, if_consented: bool = False, **fields: Any) -> bool:
        """Set fields in one UpdateItem, creating the profile if absent; None removes a field.

        `if_consented` writes only while the profile says consent = yes, so state kept for a
        consenting user (tips heard, reminder id) cannot bring back a profile deleted meanwhile
        from another device. Returns False when that condition stopped the write.

        Every write renews the profile's expiry (CRAMP_RETENTION_DAYS from now) unless the
        fields give their own `expires_at` (a short-lived profile kept without consent).
        """
        if not fields:
            return True
        fields = {TTL_ATTRIBUTE: expiry(load_settings().retention_days), **fields}
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
        if if_consented:
            kwargs["ConditionExpression"] = "consent = :consent_yes"
            values[":consent_yes"] = _to_dynamo(CONSENT_YES)
        if values:
            kwargs["ExpressionAttributeValues"] = values
        try:
            _call("update_item", **kwargs)
        except StoreError as error:
            if if_consented and str(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def record_cramp(self, user_id: str, cramp: Cramp) -> Outcome:
        """Count and store a cramp if the user consented: exactly one write, no read.

        Returns SAVED, ALREADY_SAVED (same episode or retried request: not counted again),
        NOT_ASKED or REFUSED (nothing stored). Raises StoreError on failure.
        """
        return _guarded(
            "TransactWriteItems",
            _write_cramp,
            user_id,
            cramp,
            consent_needed=True,
            set_consent=False,
        )

    def grant_consent(self, user_id: str, cramp: Cramp | None = None) -> Outcome:
        """Store consent = yes, and the cramp it was asked about (one transaction)."""
        if cramp is None:
            self.update_profile(user_id, consent=CONSENT_YES)
            return SAVED
        result = _guarded(
            "TransactWriteItems",
            _write_cramp,
            user_id,
            cramp,
            consent_needed=False,
            set_consent=True,
        )
        if result == ALREADY_SAVED:  # the cramp was in already; the consent still counts
            self.update_profile(user_id, consent=CONSENT_YES)
        return result

    def refuse_consent(self, user_id: str) -> None:
        """Store only the refusal, so the skill never asks again."""
        self.update_profile(user_id, consent=CONSENT_NO)

    def history_since(self, user_id: str, since: dt.datetime) -> History:
        """The profile and every cramp since a moment, in one Query.

        "PROFILE" sorts after every "CRAMP#..." key, so sk BETWEEN "CRAMP#<since>" AND
        "PROFILE" returns the cramps and the profile together: one read, no Scan.

        Read backwards (newest first), so the profile comes first and, past MAX_EVENTS, the
        oldest cramps are the ones left out: never the profile (consent) or last night.
        """
        items: list[dict] = []
        start = None
        while len(items) < MAX_EVENTS:
            kwargs = {
                "TableName": table_name(),
                "KeyConditionExpression": "pk = :pk AND sk BETWEEN :from AND :profile",
                "ExpressionAttributeValues": {
                    ":pk": {"S": user_key(user_id)},
                    ":from": {"S": CRAMP_PREFIX + utc_iso(since)},
                    ":profile": {"S": PROFILE_SK},
                },
                "ScanIndexForward": False,
                "Limit": PAGE_SIZE,
            }
            if start:
                kwargs["ExclusiveStartKey"] = start
            page = _call("query", **kwargs)
            items.extend(page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        return _split(items)

    def latest_cramp(self, user_id: str) -> History:
        """The profile and the most recent cramp, in one Query read backwards from PROFILE."""
        reply = _call(
            "query",
            TableName=table_name(),
            KeyConditionExpression="pk = :pk AND sk BETWEEN :cramps AND :profile",
            ExpressionAttributeValues={
                ":pk": {"S": user_key(user_id)},
                ":cramps": {"S": CRAMP_PREFIX},
                ":profile": {"S": PROFILE_SK},
            },
            ScanIndexForward=False,
            Limit=2,
        )
        return _split(reply.get("Items", []))

    def delete_user(self, user_id: str) -> int:
        """Delete every item of the user (profile and cramps); returns how many were deleted.

        The profile goes first: with it goes the consent, so every write that lands while the
        cramps are being deleted (a second device, the end-of-session recorder) fails its
        consent condition instead of surviving the deletion and coming back after re-consent.
        """
        reply = _call(
            "delete_item",
            TableName=table_name(),
            Key=_key(user_id, PROFILE_SK),
            ReturnValues="ALL_OLD",
        )
        deleted = 1 if reply.get("Attributes") else 0
        batch = []
        for key in _all_keys(user_key(user_id)):
            batch.append({"pk": key["pk"], "sk": key["sk"]})
            if len(batch) == _BATCH:
                _delete_batch(batch)
                deleted, batch = deleted + len(batch), []
        if batch:
            _delete_batch(batch)
            deleted += len(batch)
        return deleted
