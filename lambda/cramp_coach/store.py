"""Persistence: one DynamoDB table, one partition per user, no raw ids at rest.

DynamoStore is the skill's CrampStore (storage.py). The items' shape is in dynamo_items.py
(keys: pk = the salted user hash, sk = "PROFILE" or "CRAMP#<utc iso start>#<id>"), the
client and its error handling in dynamo_client.py. Every item expires through the table's
TTL attribute: a cramp CRAMP_RETENTION_DAYS after it was written, the profile
CRAMP_RETENTION_DAYS after its last write (or sooner, when a write says so).

Every failure (timeouts, throttling, service errors, a deadline passing) becomes a
StoreError, the one exception the journeys catch.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from .config import load_settings
from .dynamo_client import (
    call,
    client,
    guarded,
    log,
    pages,
    reset_client,  # noqa: F401 - tests and tools move the endpoint
    table_name,
)
from .dynamo_items import (
    PROFILE_SK,
    TTL_ATTRIBUTE,
    cramp_item,
    from_dynamo,
    history_from_items,
    item_key,
    profile_from_item,
    to_dynamo,
)
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

# --- recording a cramp ------------------------------------------------------------------


def _count_cramp(user_id: str, consent_needed: bool, set_consent: bool) -> dict:
    update: dict[str, Any] = {
        "TableName": table_name(),
        "Key": item_key(user_id, PROFILE_SK),
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
            old = from_dynamo(reasons[0].get("Item") or {})
            return REFUSED if old.get("consent") == CONSENT_NO else NOT_ASKED
        if len(codes) == 2 and codes[1] == "ConditionalCheckFailed":
            return ALREADY_SAVED
        raise


# --- reading history ------------------------------------------------------------------

PAGE_SIZE = 500
MAX_EVENTS = 5000  # a bound on one history request, far above any real user's 60 nights


# --- deletion -------------------------------------------------------------------------

_BATCH = 25  # BatchWriteItem's limit
_UNPROCESSED_RETRIES = 5


def _query(**request: Any) -> dict:
    return call("query", **request)


def _all_keys(user_id: str):
    """Every key in the user's partition, page by page (keys only: cheap to read)."""
    request = {
        "TableName": table_name(),
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": user_key(user_id)}},
        "ProjectionExpression": "pk, sk",
    }
    for page in pages(_query, **request):
        yield from page.get("Items", [])


def _delete_batch(keys: list[dict]) -> None:
    requests = {table_name(): [{"DeleteRequest": {"Key": key}} for key in keys]}
    for attempt in range(_UNPROCESSED_RETRIES + 1):
        reply = call("batch_write_item", RequestItems=requests)
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
        reply = call("get_item", TableName=table_name(), Key=item_key(user_id, PROFILE_SK))
        return profile_from_item(reply.get("Item"))

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
                values[f":v{n}"] = to_dynamo(value)
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
            "Key": item_key(user_id, PROFILE_SK),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
        }
        if if_consented:
            kwargs["ConditionExpression"] = "consent = :consent_yes"
            values[":consent_yes"] = to_dynamo(CONSENT_YES)
        if values:
            kwargs["ExpressionAttributeValues"] = values
        try:
            call("update_item", **kwargs)
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
        return guarded(
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
        result = guarded(
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
        request = {
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
        items: list[dict] = []
        for page in pages(_query, **request):
            items.extend(page.get("Items", []))
            if len(items) >= MAX_EVENTS:
                break
        return history_from_items(items)

    def latest_cramp(self, user_id: str) -> History:
        """The profile and the most recent cramp, in one Query read backwards from PROFILE."""
        reply = call(
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
        return history_from_items(reply.get("Items", []))

    def delete_user(self, user_id: str) -> int:
        """Delete every item of the user (profile and cramps); returns how many were deleted.

        The profile goes first: with it goes the consent, so every write that lands while the
        cramps are being deleted (a second device, the end-of-session recorder) fails its
        consent condition instead of surviving the deletion and coming back after re-consent.
        """
        reply = call(
            "delete_item",
            TableName=table_name(),
            Key=item_key(user_id, PROFILE_SK),
            ReturnValues="ALL_OLD",
        )
        deleted = 1 if reply.get("Attributes") else 0
        batch = []
        for key in _all_keys(user_id):
            batch.append({"pk": key["pk"], "sk": key["sk"]})
            if len(batch) == _BATCH:
                _delete_batch(batch)
                deleted, batch = deleted + len(batch), []
        if batch:
            _delete_batch(batch)
            deleted += len(batch)
        return deleted
