"""Logging a cramp afterwards: 'I had a cramp last night in my left calf at 3'."""

from __future__ import annotations

import datetime as dt

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from ... import nights
from ...clock import is_night
from ...content import HISTORY
from ...records import Cramp, Outcome, night_of
from ...slots import calendar_day, names_a_day, slot
from ...speech import Speech
from ...storage import StoreError
from ...turn import Turn, turn
from .consent import ask_consent
from .logged import known_muscle, known_side, logged_reply, unsaved_speech

LOG_NIGHTS = 60  # what a person can remember well enough to count; older dates are refused


def _loggable(t: Turn, night: dt.date | None) -> bool:
    """Within the last LOG_NIGHTS nights (tonight included): nothing older is kept, so a cramp
    "in 2019" or in year 1 is refused before any date arithmetic or write."""
    earliest = nights.current_night(t.local_time) - dt.timedelta(days=LOG_NIGHTS - 1)
    return night is None or night >= earliest


def _clock(value: str | None) -> dt.time | None:
    """AMAZON.TIME's "03:00" (or a bare "3" from a typed demo line); None for "NI", "MO"."""
    hour, _, minute = (value or "").partition(":")
    if not hour.isdigit() or (minute and not minute.isdigit()):
        return None  # a part of the day, not a time
    try:
        return dt.time(int(hour), int(minute or 0))
    except ValueError:
        return None


def told_cramp(t: Turn, muscle: str, side: str | None, day, clock) -> Cramp:
    """The cramp described in 'I had a cramp last night in my left calf at 3'.

    A time without a date is its latest past occurrence; a date without a time is the
    night that began that day; neither is now (at night) or last night (by day).
    """
    now = t.local_time
    time_known = clock is not None or is_night(now)  # at night, "log a cramp" means now
    if clock is not None:
        local = dt.datetime.combine(day or now.date(), clock, tzinfo=now.tzinfo)
        if local > now:
            local -= dt.timedelta(days=1)
        local = min(local, now)
        night = night_of(local)
    elif day is not None:
        night = min(day, nights.current_night(now))
        local = min(dt.datetime.combine(night, dt.time(23, 59), tzinfo=now.tzinfo), now)
    else:
        local = now
        night = night_of(now)
    return Cramp(
        at=local.astimezone(dt.UTC),
        night=night,
        muscle=muscle,
        side=side,
        source="logged",
        event_id=t.request_id,  # a retried request has the same id and time: never twice
        time_known=time_known,
        local_time=local.strftime("%H:%M") if time_known else None,
    )


class LogCrampHandler(AbstractRequestHandler):
    """'Log a cramp', 'I had a cramp last night in my left calf at 3'."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("LogCrampIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        muscle = known_muscle(t.content, slot(handler_input, "muscle").id)
        side = known_side(slot(handler_input, "side").id)
        said_day = slot(handler_input, "date").heard
        day = calendar_day(said_day)
        if day is None and names_a_day(said_day):  # year 1, year 999: no cramp was then
            return t.reply(Speech(t.phrase("log_date_unusable", HISTORY)), end=True)
        too_old = Speech(t.phrase("log_too_long_ago", HISTORY))
        if not _loggable(t, day):
            return t.reply(too_old, end=True)
        cramp = told_cramp(t, muscle, side, day, _clock(slot(handler_input, "time").heard))
        if not _loggable(t, cramp.night):  # "at 3" on the oldest night can be one night older
            return t.reply(too_old, end=True)
        user = t.user_id
        try:
            outcome = t.store.record_cramp(user, cramp)
        except StoreError as error:
            return t.reply(unsaved_speech(t, error), end=True)
        if outcome == Outcome.NOT_ASKED:
            return ask_consent(t, Speech(), cramp)
        if outcome == Outcome.REFUSED:
            return t.reply(Speech(t.phrase("not_counting", HISTORY)), end=True)
        return logged_reply(t, user, cramp)
