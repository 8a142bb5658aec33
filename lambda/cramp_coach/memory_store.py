"""The CrampStore in memory: for tests, demos and trying the skill without DynamoDB.

It keeps the same promises as DynamoStore (the contract tests run against both): only
hashed ids, nothing before consent, each cramp counted once, consent and a cramp written
together. Nothing expires and nothing survives the process.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from .records import (
    CONSENT_NO,
    CONSENT_YES,
    CRAMP_PREFIX,
    Cramp,
    History,
    Outcome,
    Profile,
    utc_iso,
)
from .storage import user_key


def _profile(fields: dict[str, Any]) -> Profile:
    """The profile as the journeys see it: an expiry given to a write is the store's own."""
    return Profile({k: v for k, v in fields.items() if k != "expires_at"})


class InMemoryStore:
    def __init__(self) -> None:
        self._profiles: dict[str, dict[str, Any]] = {}
        self._cramps: dict[str, dict[str, Cramp]] = {}  # user key -> sort key -> cramp
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        pass

    def load_profile(self, user_id: str) -> Profile | None:
        fields = self._profiles.get(user_key(user_id))
        return None if fields is None else _profile(fields)

    def update_profile(self, user_id: str, *, if_consented: bool = False, **fields: Any) -> bool:
        if not fields:
            return True
        key = user_key(user_id)
        with self._lock:
            profile = self._profiles.get(key)
            if if_consented and (profile or {}).get("consent") != CONSENT_YES:
                return False
            profile = self._profiles.setdefault(key, {})
            for name, value in fields.items():
                if value is None:
                    profile.pop(name, None)
                else:
                    profile[name] = value
        return True

    def record_cramp(self, user_id: str, cramp: Cramp) -> Outcome:
        return self._write(user_key(user_id), cramp, consent_needed=True)

    def grant_consent(self, user_id: str, cramp: Cramp | None = None) -> Outcome:
        if cramp is None:
            self.update_profile(user_id, consent=CONSENT_YES)
            return Outcome.SAVED
        return self._write(user_key(user_id), cramp, consent_needed=False)

    def refuse_consent(self, user_id: str) -> None:
        self.update_profile(user_id, consent=CONSENT_NO)

    def _write(self, key: str, cramp: Cramp, consent_needed: bool) -> Outcome:
        with self._lock:
            profile = self._profiles.get(key) or {}
            if consent_needed and profile.get("consent") != CONSENT_YES:
                refused = profile.get("consent") == CONSENT_NO
                return Outcome.REFUSED if refused else Outcome.NOT_ASKED
            profile = self._profiles.setdefault(key, {})
            profile["consent"] = CONSENT_YES
            cramps = self._cramps.setdefault(key, {})
            if cramp.sort_key in cramps:
                return Outcome.ALREADY_SAVED
            cramps[cramp.sort_key] = cramp
            profile["cramp_count"] = int(profile.get("cramp_count", 0)) + 1
            return Outcome.SAVED

    def _history(self, key: str, newest_first: list[Cramp]) -> History:
        fields = self._profiles.get(key)
        profile = None if fields is None else _profile(fields)
        return History(profile, sorted(newest_first, key=lambda c: c.at))

    def _newest_first(self, key: str) -> list[Cramp]:
        cramps = self._cramps.get(key, {})
        return [cramps[sk] for sk in sorted(cramps, reverse=True)]

    def history_since(self, user_id: str, since: dt.datetime) -> History:
        key = user_key(user_id)
        start = CRAMP_PREFIX + utc_iso(since)
        return self._history(key, [c for c in self._newest_first(key) if c.sort_key >= start])

    def latest_cramp(self, user_id: str) -> History:
        key = user_key(user_id)
        return self._history(key, self._newest_first(key)[:1])

    def delete_user(self, user_id: str) -> int:
        key = user_key(user_id)
        with self._lock:  # profile (consent) first, as DynamoStore; here both at once anyway
            deleted = 1 if self._profiles.pop(key, None) is not None else 0
            deleted += len(self._cramps.pop(key, {}))
        return deleted
