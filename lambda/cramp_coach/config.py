"""Configuration, read from the environment once per container."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

DEFAULT_LOG_LEVEL = logging.INFO

# The edition, chosen at deploy time (CRAMP_EDITION). "full" keeps a private cramp history
# for those who consent (personal and beta deployments); "store-safe" keeps nothing about
# anyone: no history, no consent question, no per-user storage (a public store listing).
FULL, STORE_SAFE = "full", "store-safe"
EDITIONS = (FULL, STORE_SAFE)


class ConfigError(RuntimeError):
    """The environment is missing something the skill must not run without."""


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
    log_level: int
    log_level_given: str | None  # LOG_LEVEL as set, when it named no level (said once in the log)
    edition: str = FULL

    @property
    def keeps_history(self) -> bool:
        """The full edition keeps cramp history (with consent); the store-safe one nothing."""
        return self.edition == FULL


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
        **_log_level(os.environ.get("LOG_LEVEL")),
        edition=_edition(os.environ.get("CRAMP_EDITION")),
    )


def _edition(raw: str | None) -> str:
    """CRAMP_EDITION: unset or empty is the full edition. Anything else unknown stops the
    skill at start: guessing could store health data a deployment promised not to keep."""
    name = (raw or "").strip().lower()
    if not name:
        return FULL
    if name not in EDITIONS:
        raise ConfigError(
            f"CRAMP_EDITION={raw!r} is not an edition: use {FULL!r} (keeps a private cramp "
            f"history with consent) or {STORE_SAFE!r} (keeps nothing about anyone)."
        )
    return name


def _log_level(raw: str | None) -> dict:
    """LOG_LEVEL in any case ("debug", " Warning "); unset, empty or unknown: INFO. A typo must
    never stop the function from answering."""
    name = (raw or "").strip().upper()
    level = logging.getLevelNamesMapping().get(name) if name else None
    if level is None:
        return {"log_level": DEFAULT_LOG_LEVEL, "log_level_given": raw if name else None}
    return {"log_level": level, "log_level_given": None}


def require_user_hash_salt(settings: Settings) -> None:
    """Stored user keys are sha256(salt + userId): without a secret salt an Alexa userId could
    be matched to its key. Every deployment sets one (the SAM template passes UserHashSalt);
    tests and the local tools set their own."""
    if not settings.user_hash_salt.strip():
        raise ConfigError(
            "USER_HASH_SALT is not set: it salts the hashed user ids in the table. Set a secret "
            "of at least 32 characters (e.g. openssl rand -hex 32) and never change it."
        )
