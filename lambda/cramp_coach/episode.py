"""The mid-cramp episode: which muscle, which techniques were given, when it started.

It lives in the session between turns. Session attributes are client data, so an episode
is parsed and validated on the way in (a corrupted one is no episode: the user still gets
the stretch) and written back whole on the way out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from .content import Content
from .records import Cramp, night_of

if TYPE_CHECKING:
    from .turn import Turn

EPISODE_KEY = "episode"
ESCALATE_AFTER = dt.timedelta(minutes=10)  # the same cramp still going: a red flag


@dataclass
class Episode:
    muscle: str
    side: str | None
    started: dt.datetime  # aware
    id: str  # the first request's id: the cramp is stored under it, once
    used: list[str] = field(default_factory=list)  # techniques given, in order
    coached: bool = False  # a real cramp, not just a night launch someone closed

    @classmethod
    def parse(cls, value: Any, content: Content) -> Episode | None:
        """The episode as this module writes it; None for anything else."""
        if not isinstance(value, dict):
            return None
        muscle, side, used = value.get("muscle"), value.get("side"), value.get("used")
        started = _aware(value.get("started"))
        if (
            not _in(content, "muscles", muscle)
            or (side is not None and not _in(content, "legs", side))
            or started is None
            or not isinstance(value.get("id"), str)
            or not isinstance(used, list)
            or not all(isinstance(u, str) for u in used)
        ):
            return None
        return cls(
            cast(str, muscle), side, started, value["id"], list(used), bool(value.get("coached"))
        )

    def to_session(self) -> dict:
        saved: dict[str, Any] = {
            "muscle": self.muscle,
            "side": self.side,
            "started": self.started.isoformat(),
            "id": self.id,
            "used": list(self.used),
        }
        if self.coached:
            saved["coached"] = True
        return saved

    def age(self, now: dt.datetime) -> dt.timedelta:
        return now - self.started

    def past_ten_minutes(self, now: dt.datetime) -> bool:
        return self.age(now) >= ESCALATE_AFTER

    def cramp(self, zone: dt.tzinfo | None) -> Cramp:
        """The cramp this episode stands for, placed in the user's night."""
        local = self.started.astimezone(zone)
        return Cramp(
            at=self.started,
            night=night_of(local),
            muscle=self.muscle,
            side=self.side,
            source="live",
            event_id=self.id,
            local_time=local.strftime("%H:%M"),
        )


def _aware(value: Any) -> dt.datetime | None:
    try:
        started = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return started if started.tzinfo else None  # we store aware times; naive is not ours


def _in(content: Content, table: str, value: Any) -> bool:
    return isinstance(value, str) and value in content.table(table)


# --- in the session ---------------------------------------------------------------------


def current(t: Turn) -> Episode | None:
    """The session's episode, or None when there is none or it came back unreadable."""
    return Episode.parse(t.session.get(EPISODE_KEY), t.content)


def keep(t: Turn, episode: Episode) -> None:
    t.session[EPISODE_KEY] = episode.to_session()


def clear(t: Turn) -> None:
    t.session.pop(EPISODE_KEY, None)
