"""Tip rotation: each user hears every prevention tip once before any tip comes round again.

The rotation is a list of the tip ids heard in the current round. Where it is kept is behind
`TipMemory` (load/save), so the session can hold it now and a consented profile store can
hold it across sessions without this module changing.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Protocol

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
