"""Bedtime reminders: the time the user asks for, and how the skill says it back.

AMAZON.TIME gives "22:00", "21:30", or a period of the day ("EV"); a bedtime reminder wants a
clock time in the evening, so a morning hour is read as the evening and a period is asked about.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..content import BEDTIME
from ..turn import Turn

# AMAZON.TIME gives "09:30" for "nine thirty": for a bedtime reminder that means the evening.
READ_AS_EVENING = range(6, 12)
NIGHT_HOURS = (17, 5)  # from 5 PM to before 5 AM a reminder is "every night"
# AMAZON.TIME's periods of the day, and what to ask instead.
ASK_FOR = {
    "EV": "ask_exact_time",  # evening: which hour?
    "NI": "ask_exact_time",  # night
    "MO": "ask_evening_time",  # morning: a bedtime stretch belongs before bed
    "AF": "ask_evening_time",  # afternoon
}
CLOCK_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::\d{2})?")


@dataclass(frozen=True)
class Wanted:
    at: dt.time | None
    question: str | None  # the phrase that asks for a usable time, when `at` is None


def read_time(value: str | None) -> Wanted:
    """An AMAZON.TIME value ("22:00", "21:30", "EV", ...) as a bedtime, or what to ask."""
    if not value:
        return Wanted(None, "ask_time")
    value = value.strip().upper()
    if value in ASK_FOR:
        return Wanted(None, ASK_FOR[value])
    match = CLOCK_TIME.fullmatch(value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return Wanted(None, "ask_time_again")
    hour, minute = int(match[1]), int(match[2])
    if hour in READ_AS_EVENING:
        hour += 12
    return Wanted(dt.time(hour, minute), None)


def clock_time(text: str | None) -> dt.time | None:
    try:
        return dt.time.fromisoformat(text) if text else None
    except ValueError:
        return None


# --- saying it -----------------------------------------------------------------------


def spoken_time(t: Turn, at: dt.time) -> str:
    half = t.phrase("pm" if at.hour >= 12 else "am", BEDTIME)
    hour = str(at.hour % 12 or 12)
    if at.minute == 0:
        return t.phrase("time_on_the_hour", BEDTIME, hour=hour, half=half)
    return t.phrase("time_with_minutes", BEDTIME, hour=hour, minutes=f"{at.minute:02d}", half=half)


def time_words(t: Turn, at: dt.time) -> dict[str, str]:
    night = at.hour >= NIGHT_HOURS[0] or at.hour < NIGHT_HOURS[1]
    return {
        "time": spoken_time(t, at),
        "when": t.phrase("every_night" if night else "every_day", BEDTIME),
    }
