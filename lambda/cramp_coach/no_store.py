"""The store-safe edition's CrampStore: it keeps nothing and reads nothing.

No journey of that edition calls it (each checks `Turn.keeps_history` first); it exists so a
call that slipped through is refused like an unreachable store (the journey carries on
without it) instead of reaching DynamoDB.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from .records import Cramp, History, Outcome, Profile
from .storage import StoreError


def _refuse() -> NoReturn:
    raise StoreError("StoreSafeEdition", refused=True)


class NoStore:
    def warm_up(self) -> None:
        pass

    def load_profile(self, user_id: str) -> Profile | None:
        _refuse()

    def update_profile(self, user_id: str, *, if_consented: bool = False, **fields: Any) -> bool:
        _refuse()

    def record_cramp(self, user_id: str, cramp: Cramp) -> Outcome:
        _refuse()

    def grant_consent(self, user_id: str, cramp: Cramp | None = None) -> Outcome:
        _refuse()

    def refuse_consent(self, user_id: str) -> None:
        _refuse()

    def history_since(self, user_id: str, since: dt.datetime) -> History:
        _refuse()

    def latest_cramp(self, user_id: str) -> History:
        _refuse()

    def delete_user(self, user_id: str) -> int:
        _refuse()
