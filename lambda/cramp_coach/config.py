"""Configuration, read from the environment once per container."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    skill_id: str | None
    table_name: str
    user_hash_salt: str
    retention_days: int
    alexa_api_timeout_seconds: float
    reminders_api_timeout_seconds: float
    store_write_deadline_seconds: float


def load_settings() -> Settings:
    return Settings(
        skill_id=os.environ.get("SKILL_ID") or None,
        table_name=os.environ.get("CRAMP_TABLE_NAME", "cramp-coach"),
        user_hash_salt=os.environ.get("USER_HASH_SALT", ""),
        retention_days=int(_float("CRAMP_RETENTION_DAYS", 400)),
        # The time-zone look-up must never hold up a cramping user: a short hard cap.
        alexa_api_timeout_seconds=_float("ALEXA_API_TIMEOUT_SECONDS", 0.08),
        # Reminders are never on the cramp path: a longer bound, still well inside Alexa's 8 s.
        reminders_api_timeout_seconds=_float("REMINDERS_API_TIMEOUT_SECONDS", 2.0),
        # A store write (or profile read) next to an answer: after this the user hears the
        # answer regardless, and an episode's write is retried when the cramp has eased.
        store_write_deadline_seconds=_float("CRAMP_SAVE_DEADLINE_SECONDS", 1.5),
    )
