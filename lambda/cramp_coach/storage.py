"""What the journeys need from persistence, whatever keeps the data (DynamoDB in the skill,
memory in tests and demos): the CrampStore protocol and its one exception.

User ids are Alexa's userIds as the request carries them; each implementation keeps only a
salted one-way hash of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from .config import load_settings
from .deadline import DeadlinePassed, Deadlines
from .observability import metric_event
from .records import Cramp, History, Outcome, Profile

T = TypeVar("T")
_DEADLINES = Deadlines("store")


class StoreError(Exception):
    """The store could not be reached or refused the call: the journey carries on without it.

    `refused` says the call certainly changed nothing (the service said no, or was never
    reached). Otherwise a write may still have landed (a deadline passed, a reply was lost),
    and the person must not be told it failed: a later read settles it.
    """

    def __init__(self, code: str = "", *, refused: bool = False) -> None:
        super().__init__(code)
        self.refused = refused


def user_key(user_id: str) -> str:
    """The only form of a user id a store keeps: a salted one-way hash (USER_HASH_SALT)."""
    if not user_id:
        raise StoreError(
            "NoUser", refused=True
        )  # a request without a user: nothing to keep or read
    salt = load_settings().user_hash_salt
    # surrogatepass: JSON can carry a lone surrogate ("\ud800"), which strict UTF-8 refuses;
    # valid ids hash exactly as before.
    return "USER#" + hashlib.sha256((salt + user_id).encode("utf-8", "surrogatepass")).hexdigest()


def expiry(days: float) -> int:
    """The TTL value (epoch seconds) for an item written now that should live `days` days.

    From the moment of writing, never from a cramp's own date: DynamoDB's TTL ignores times
    more than five years in the past, so an expiry in the past could mean never.
    """
    return int(dt.datetime.now(dt.UTC).timestamp() + days * 86400)


class CrampStore(Protocol):
    def warm_up(self) -> None:
        """Get ready for calls (make a client), outside any deadline; never raises."""

    def load_profile(self, user_id: str) -> Profile | None:
        """The user's profile, or None when nothing has ever been stored for them."""

    def update_profile(self, user_id: str, *, if_consented: bool = False, **fields: Any) -> bool:
        """Set fields (None removes one), creating the profile if absent. `if_consented`
        writes only while consent is yes; returns False when that stopped the write.
        Each write renews the profile's expiry unless the fields carry `expires_at` (epoch
        seconds); expires_at is the store's and never comes back among the profile's fields."""

    def record_cramp(self, user_id: str, cramp: Cramp) -> Outcome:
        """Count and keep the cramp if the user consented; the same event never twice."""

    def grant_consent(self, user_id: str, cramp: Cramp | None = None) -> Outcome:
        """Consent = yes, and the cramp it was asked about, both or neither."""

    def refuse_consent(self, user_id: str) -> None:
        """Keep only the refusal, so the user is never asked again."""

    def history_since(self, user_id: str, since: dt.datetime) -> History:
        """The profile and every cramp since a moment (oldest first)."""

    def latest_cramp(self, user_id: str) -> History:
        """The profile and the most recent cramp."""

    def delete_user(self, user_id: str) -> int:
        """Delete everything kept about the user; how many items were deleted."""


def within_deadline(
    store: CrampStore, seconds: float, call: Callable[..., T], *args: Any, **kwargs: Any
) -> T:
    """A store call with a hard deadline: a stuck socket cannot hold up the user."""
    store.warm_up()  # the deadline is for the network, not for importing boto3
    try:
        return _DEADLINES.run(seconds, call, *args, **kwargs)
    except DeadlinePassed as error:
        metric_event("store_deadline_missed", seconds=seconds)
        raise StoreError("Deadline") from error
