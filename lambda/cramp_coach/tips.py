"""Tip rotation: each user hears every prevention tip once before any tip comes round again.

The rotation is a list of the tip ids heard in the current round. Where it is kept is behind
`TipMemory` (load/save): `SessionTipMemory` for the conversation, `ProfileTipMemory` adds the
user's profile (the CrampStore) when they consented, so the rotation lasts across nights.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Sequence
from typing import Protocol

from .storage import CrampStore, StoreError

log = logging.getLogger(__name__)

SESSION_KEY = "tips_heard"


def next_tip(
    seen_ids: Sequence[str], all_ids: Sequence[str], rng: random.Random | None = None
) -> str:
    """A tip not yet heard this round; once all are heard, any but the one just heard."""
    if not all_ids:
        raise ValueError("no tips to choose from")
    heard = set(seen_ids)
    unseen = [tip for tip in all_ids if tip not in heard]
    if not unseen:
        last = seen_ids[-1] if seen_ids else None
        unseen = [tip for tip in all_ids if tip != last] or list(all_ids)
    return (rng or random).choice(unseen)


def tip_of_the_night(night: dt.date, all_ids: Sequence[str]) -> str:
    """The first tip of a session when nothing about the user is kept: each night the next
    tip in the list, so consecutive nights never hear the same one."""
    if not all_ids:
        raise ValueError("no tips to choose from")
    return all_ids[night.toordinal() % len(all_ids)]


def after_hearing(seen_ids: Sequence[str], tip_id: str, all_ids: Sequence[str]) -> list[str]:
    """The round after `tip_id` is heard: a complete round starts again with just this tip.

    Ids no longer in the content are dropped, so removing a tip never stalls a rotation.
    """
    current = set(all_ids)
    kept = [tip for tip in seen_ids if tip in current]
    if current <= set(kept):
        kept = []
    return [*kept, tip_id]


def round_complete(seen_ids: Sequence[str], all_ids: Sequence[str]) -> bool:
    return bool(all_ids) and set(all_ids) <= set(seen_ids)


class TipMemory(Protocol):
    """Where one user's rotation lives between turns."""

    def load(self) -> list[str]: ...

    def save(self, seen_ids: list[str]) -> None: ...


class SessionTipMemory:
    """The rotation in the session attributes: lasts as long as the conversation."""

    def __init__(self, session: dict):
        self._session = session

    def load(self) -> list[str]:
        value = self._session.get(SESSION_KEY)
        return [str(tip) for tip in value] if isinstance(value, list) else []

    def save(self, seen_ids: list[str]) -> None:
        self._session[SESSION_KEY] = list(seen_ids)


class ProfileTipMemory:
    """The session, plus the user's profile when they consented to the skill keeping data.

    The profile is read once per session (the first tip) and written after each tip, only
    for a consenting user; without consent, or when DynamoDB fails, the session alone keeps
    the rotation and the user still hears a tip.
    """

    PROFILE_FIELD = "tips_heard"
    CONSENTED_KEY = "tips_in_profile"  # session: True/False once the profile was read

    def __init__(self, session: dict, store: CrampStore, user_id: str | None):
        self._session = SessionTipMemory(session)
        self._flags = session
        self._store = store
        self._user_id = user_id

    def _consented(self) -> bool:
        return bool(self._flags.get(self.CONSENTED_KEY))

    def load(self) -> list[str]:
        if self.CONSENTED_KEY in self._flags or not self._user_id:
            return self._session.load()
        try:
            profile = self._store.load_profile(self._user_id)
        except StoreError:
            log.warning("tip rotation: profile unavailable, using the session")
            return self._session.load()
        consented = bool(profile and profile.consented)
        self._flags[self.CONSENTED_KEY] = consented
        if consented and profile is not None:
            stored = profile.get(self.PROFILE_FIELD)
            if isinstance(stored, list):
                self._session.save([str(tip) for tip in stored])
        return self._session.load()

    def save(self, seen_ids: list[str]) -> None:
        self._session.save(seen_ids)
        if not (self._consented() and self._user_id):
            return
        try:
            self._store.update_profile(
                self._user_id, if_consented=True, **{self.PROFILE_FIELD: list(seen_ids)}
            )
        except StoreError:
            log.warning("tip rotation: could not save to the profile this time")
