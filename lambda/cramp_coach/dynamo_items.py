"""The store's records as DynamoDB items and back: keys, typed values, profile and cramp items.

Keys: pk = "USER#" + sha256(USER_HASH_SALT + userId); sk = "PROFILE" for the user's
profile (consent, counters, other journeys' small state) or
"CRAMP#<utc iso start>#<episode or request id>" for one cramp. Every item carries its
expiry in the table's TTL attribute, expires_at.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from .records import CRAMP_PREFIX, Cramp, History, Profile
from .storage import expiry, user_key

PROFILE_SK = "PROFILE"
TTL_ATTRIBUTE = "expires_at"


def item_key(user_id: str, sk: str) -> dict:
    return {"pk": {"S": user_key(user_id)}, "sk": {"S": sk}}


# --- values in and out ------------------------------------------------------------------


@functools.cache
def _types():
    """boto3's (serializer, deserializer) for DynamoDB's typed values, made on first use."""
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def to_dynamo(value: Any) -> dict:
    if isinstance(value, float):
        value = Decimal(str(value))
    elif isinstance(value, dict):
        return {"M": {k: to_dynamo(v) for k, v in value.items()}}
    elif isinstance(value, (list, tuple)):
        return {"L": [to_dynamo(v) for v in value]}
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


def from_dynamo(item: Mapping[str, dict]) -> dict:
    deserializer = _types()[1]
    return {k: _plain(deserializer.deserialize(v)) for k, v in item.items()}


# --- the profile and cramps -------------------------------------------------------------


def profile_from_item(item: Mapping[str, dict] | None) -> Profile | None:
    if not item:
        return None
    fields = from_dynamo(item)
    for storage_only in ("pk", "sk", TTL_ATTRIBUTE):
        fields.pop(storage_only, None)
    return Profile(fields)


def cramp_item(user_id: str, cramp: Cramp, retention_days: int) -> dict:
    """The cramp as a DynamoDB item, expiring `retention_days` after it is written."""
    values = {
        "night": cramp.night.isoformat(),
        "muscle": cramp.muscle,
        "source": cramp.source,
        "time_known": cramp.time_known,
        "local_time": cramp.local_time or cramp.at.strftime("%H:%M"),
        TTL_ATTRIBUTE: expiry(retention_days),
    }
    if cramp.side:
        values["side"] = cramp.side
    item = item_key(user_id, cramp.sort_key)
    item.update({k: to_dynamo(v) for k, v in values.items()})
    return item


def cramp_from_item(item: Mapping[str, dict]) -> Cramp:
    fields = from_dynamo(item)
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


def history_from_items(items: Iterable[Mapping[str, dict]]) -> History:
    """A partition's items (any order) as the profile and the cramps, oldest first."""
    profile, cramps = None, []
    for item in items:
        sk = item["sk"]["S"]
        if sk == PROFILE_SK:
            profile = profile_from_item(item)
        elif sk.startswith(CRAMP_PREFIX):
            cramps.append(cramp_from_item(item))
    return History(profile, sorted(cramps, key=lambda c: c.at))
