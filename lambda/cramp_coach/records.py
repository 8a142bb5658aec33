"""What the skill keeps about a user, independent of where it is kept: cramps, the profile,
a history read, and the outcome of recording a cramp.

A "night" is the local date the night began: a 2 a.m. cramp belongs to the night before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

CRAMP_PREFIX = "CRAMP#"
CONSENT_YES = "yes"
CONSENT_NO = "no"
NIGHT_BEGINS = dt.time(22, 0)  # a night runs from 22:00 to 22:00 the next day


class Outcome(StrEnum):
    """What recording a cramp did. A str, so logs and tests read the same words as before."""

    SAVED = "saved"  # stored now
    ALREADY_SAVED = "already_saved"  # this episode or request was stored before: not again
    NOT_ASKED = "not_asked"  # no consent yet: nothing stored
    REFUSED = "refused"  # the user said no: nothing stored


SAVED = Outcome.SAVED
ALREADY_SAVED = Outcome.ALREADY_SAVED
NOT_ASKED = Outcome.NOT_ASKED
REFUSED = Outcome.REFUSED


def night_of(local: dt.datetime) -> dt.date:
    """The night a local moment belongs to: the date the night began.

    Nights run from 22:00 to 22:00 the next day, so a 2 a.m. cramp (and a rare afternoon
    one) belongs to the night that began the evening before; 23:00 begins a new one.
    """
    return local.date() if local.time() >= NIGHT_BEGINS else local.date() - dt.timedelta(days=1)


def utc_iso(moment: dt.datetime) -> str:
    """Sortable UTC timestamps for sort keys: 2026-11-26T08:00:00Z."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Cramp:
    """One cramp. `night` is the local date the night began (a 2 a.m. cramp: the day before)."""

    at: dt.datetime  # when it started, aware
    night: dt.date
    muscle: str
    side: str | None
    source: str  # "live" (talked through it) or "logged" (told afterwards)
    event_id: str  # the episode's first request id, or the logging request's id
    time_known: bool = True
    local_time: str | None = field(default=None)  # "03:10", the device's clock at the time

    @property
    def sort_key(self) -> str:
        """Where it sorts among the user's cramps (oldest first); unique per event."""
        return f"{CRAMP_PREFIX}{utc_iso(self.at)}#{self.event_id}"


@dataclass(frozen=True)
class Profile:
    """A user's profile. `consent` is "yes", "no", or None when never asked.

    Other journeys keep their small state here too (tip rotation, reminder id,
    notice_heard): read it with `profile.get("name")`, write it with update_profile.
    """

    fields: Mapping[str, Any]

    @property
    def consent(self) -> str | None:
        return self.fields.get("consent")

    @property
    def consented(self) -> bool:
        return self.consent == CONSENT_YES

    @property
    def cramp_count(self) -> int:
        return int(self.fields.get("cramp_count", 0))

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)


@dataclass(frozen=True)
class History:
    profile: Profile | None
    cramps: list[Cramp]  # oldest first
