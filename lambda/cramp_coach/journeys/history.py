"""Cramp history: consent, logging a cramp afterwards, history by voice and in cards, deletion.

Counting the coached episodes themselves is `recording`'s job. Consent is never asked
mid-stretch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from .. import nights
from ..clock import is_night
from ..config import load_settings
from ..nights import words
from ..records import CONSENT_NO, Cramp, History, Outcome, night_of
from ..slots import slot
from ..speech import Speech
from ..storage import StoreError, within_deadline
from ..turn import Card, Turn, turn

log = logging.getLogger(__name__)

ASKING_CONSENT = "consent"
ASKING_DELETE = "delete"
PENDING_KEY = "pending_cramp"  # the cramp the consent question is about
HISTORY_NIGHTS = 2 * nights.MONTH  # this month and the month before, for the trend
PERIODS = ("last_night", "week", "month")
READ_DEADLINE_SECONDS = 3.0  # history can wait a little, but never past Alexa's 8 seconds


# --- cramps in the session ------------------------------------------------------------


def _to_session(cramp: Cramp) -> dict:
    return {
        "at": cramp.at.isoformat(),
        "night": cramp.night.isoformat(),
        "muscle": cramp.muscle,
        "side": cramp.side,
        "source": cramp.source,
        "id": cramp.event_id,
        "time_known": cramp.time_known,
        "local_time": cramp.local_time,
    }


def _from_session(saved) -> Cramp | None:
    """The pending cramp back from the session; None if it came back unreadable (client data)."""
    try:
        return _cramp_from(saved)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def _cramp_from(saved: dict) -> Cramp:
    return Cramp(
        at=dt.datetime.fromisoformat(saved["at"]),
        night=dt.date.fromisoformat(saved["night"]),
        muscle=saved["muscle"],
        side=saved.get("side"),
        source=saved["source"],
        event_id=saved["id"],
        time_known=saved.get("time_known", True),
        local_time=saved.get("local_time"),
    )


# --- consent ----------------------------------------------------------------------------


def ask_consent(t: Turn, speech: Speech, cramp: Cramp | None = None) -> Response:
    if cramp is not None:
        t.session[PENDING_KEY] = _to_session(cramp)
    speech.say(words(t.content, "consent_question"))
    return t.reply(
        speech,
        reprompt=Speech(words(t.content, "consent_reprompt")),
        asking=ASKING_CONSENT,
    )


def answered_consent(handler_input: HandlerInput, intent: str) -> bool:
    return is_intent_name(intent)(handler_input) and turn(handler_input).asking == ASKING_CONSENT


class ConsentYesHandler(AbstractRequestHandler):
    """'Yes' to 'Shall I keep a private count?': store consent and the cramp it was about."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return answered_consent(handler_input, "AMAZON.YesIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        pending = t.session.pop(PENDING_KEY, None)
        cramp = _from_session(pending) if pending else None
        try:
            t.store.grant_consent(t.user_id, cramp)
        except StoreError:
            return t.reply(Speech(words(t.content, "save_failed")), end=True)
        if cramp is None:
            return t.reply(Speech(words(t.content, "consent_yes")), end=True)
        card = logged_card_text(t, cramp, this_week=1)  # counting starts with this one
        return t.reply(Speech(words(t.content, "consent_yes_logged")), card=card, end=True)


class ConsentNoHandler(AbstractRequestHandler):
    """'No' to the consent question: keep only the refusal, never ask again."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return answered_consent(handler_input, "AMAZON.NoIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        t.session.pop(PENDING_KEY, None)
        # On failure nothing was stored, which is what they asked for (they may be asked again).
        with contextlib.suppress(StoreError):
            t.store.refuse_consent(t.user_id)
        return t.reply(Speech(words(t.content, "consent_no")), end=True)


class KeepCountHandler(AbstractRequestHandler):
    """'Keep count of my cramps': consent given directly (also after an earlier no)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("KeepCountIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        try:
            t.store.grant_consent(t.user_id)
        except StoreError:
            return t.reply(Speech(words(t.content, "save_failed")), end=True)
        return t.reply(Speech(words(t.content, "consent_yes")), end=True)


# --- logging a cramp afterwards ---------------------------------------------------------


def _clock(value: str | None) -> dt.time | None:
    """AMAZON.TIME's "03:00" (or a bare "3" from a typed demo line); None for "NI", "MO"."""
    hour, _, minute = (value or "").partition(":")
    if not hour.isdigit() or (minute and not minute.isdigit()):
        return None  # a part of the day, not a time
    try:
        return dt.time(int(hour), int(minute or 0))
    except ValueError:
        return None


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None  # "2026-W48", "PRESENT_REF": not one day


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
        muscle = slot(handler_input, "muscle").id or "any"
        side = slot(handler_input, "side").id
        cramp = told_cramp(
            t,
            muscle,
            side,
            _day(slot(handler_input, "date").heard),
            _clock(slot(handler_input, "time").heard),
        )
        user = t.user_id
        try:
            outcome = t.store.record_cramp(user, cramp)
        except StoreError:
            return t.reply(Speech(words(t.content, "save_failed")), end=True)
        if outcome == Outcome.NOT_ASKED:
            return ask_consent(t, Speech(), cramp)
        if outcome == Outcome.REFUSED:
            return t.reply(Speech(words(t.content, "not_counting")), end=True)
        return logged_reply(t, user, cramp)


def week_count(user: str, t: Turn) -> int | None:
    """This week's cramps for the logged card; None if the history can't be read in time."""
    try:
        found = within_deadline(
            t.store,
            load_settings().store_write_deadline_seconds,
            t.store.history_since,
            user,
            nights.query_start(t.local_time, nights.WEEK),
        )
    except StoreError:
        return None
    return len(nights.within(found.cramps, nights.recent(t.local_time, nights.WEEK)))


def logged_card_text(t: Turn, cramp: Cramp, this_week: int | None) -> Card:
    when = nights.when_words(t.content, cramp, t.local_time)
    muscle = nights.muscle_words(t.content, cramp.muscle, cramp.side)
    count = nights.count_words(t.content, this_week) if this_week is not None else "?"
    text = words(
        t.content, "card_logged", when=when[:1].upper() + when[1:], muscle=muscle, count=count
    )
    return Card(words(t.content, "card_title_logged"), text)


def logged_card(t: Turn, user: str, cramp: Cramp) -> Card:
    return logged_card_text(t, cramp, week_count(user, t))


def logged_reply(t: Turn, user: str, cramp: Cramp) -> Response:
    count = week_count(user, t)
    muscle = nights.muscle_words(t.content, cramp.muscle, cramp.side)
    when = nights.when_words(t.content, cramp, t.local_time)
    if count is None:
        speech = Speech(words(t.content, "logged_no_total", muscle=muscle, when=when))
    else:
        line = words(
            t.content,
            "logged",
            muscle=muscle,
            when=when,
            count=nights.count_words(t.content, count),
        )
        speech = Speech(line)
    return t.reply(speech, card=logged_card_text(t, cramp, count), end=True)


# --- history by voice -------------------------------------------------------------------


def with_history(t: Turn, answer, nights_back: int = HISTORY_NIGHTS) -> Response:
    """Read the history (one Query), then answer; or ask consent, or say it's unreachable."""
    user = t.user_id
    since = nights.query_start(t.local_time, nights_back)
    try:
        found = within_deadline(t.store, READ_DEADLINE_SECONDS, t.store.history_since, user, since)
    except StoreError:
        return t.reply(Speech(words(t.content, "unreachable")), end=True)
    return consented_answer(t, found, answer)


def consented_answer(t: Turn, found: History, answer) -> Response:
    consent = found.profile.consent if found.profile else None
    if consent is None:
        return ask_consent(t, Speech())
    if consent == CONSENT_NO:
        return t.reply(Speech(words(t.content, "not_counting")), end=True)
    return answer(t, found.cramps)


def doctor_advice(t: Turn, speech: Speech, cramps: list[Cramp]) -> Speech:
    if nights.needs_doctor(cramps, t.local_time):
        speech.say(t.content.item("red_flags", "frequent_cramps").speech)
    return speech


def trend(t: Turn, cramps: list[Cramp], window: nights.Window, period_key: str) -> str:
    now = len(nights.within(cramps, window))
    before = len(nights.within(cramps, window.before()))
    period = words(t.content, period_key)
    if now == before:
        return words(t.content, "trend_same", period=period)
    key = "trend_up" if now > before else "trend_down"
    return words(t.content, key, period=period, count=nights.count_words(t.content, before))


def count_answer(period: str):
    def answer(t: Turn, cramps: list[Cramp]) -> Response:
        c = t.content
        if period == "last_night":
            night = nights.last_night(t.local_time)
            n = len([cramp for cramp in cramps if cramp.night == night])
            speech = Speech(words(c, "answer_last_night", count=nights.count_words(c, n)))
            return t.reply(doctor_advice(t, speech, cramps), end=True)
        size, key, period_key = (
            (nights.WEEK, "answer_week", "period_week")
            if period == "week"
            else (nights.MONTH, "answer_month", "period_month")
        )
        window = nights.recent(t.local_time, size)
        inside = nights.within(cramps, window)
        line = words(
            c,
            key if inside else key + "_none",
            count=nights.count_words(c, len(inside)),
            nights=nights.nights_words(c, nights.nights_with_cramps(inside)),
        )
        speech = Speech(line, trend(t, cramps, window, period_key))
        card = Card(
            words(c, "card_title_history"), nights.history_card_text(c, cramps, t.local_time)
        )
        return t.reply(doctor_advice(t, speech, cramps), card=card, end=True)

    return answer


class CrampCountHandler(AbstractRequestHandler):
    """'How many cramps this week / this month / last night?'."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("CrampCountIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        period = slot(handler_input, "period").id
        return with_history(
            turn(handler_input), count_answer(period if period in PERIODS else "week")
        )


def last_cramp_answer(t: Turn, cramps: list[Cramp]) -> Response:
    if not cramps:
        return t.reply(Speech(words(t.content, "answer_no_cramps")), end=True)
    last = cramps[-1]
    line = words(
        t.content,
        "answer_last_cramp",
        when=nights.when_words(t.content, last, t.local_time),
        muscle=nights.muscle_words(t.content, last.muscle, last.side),
    )
    return t.reply(Speech(line), end=True)


class LastCrampHandler(AbstractRequestHandler):
    """'When was my last cramp?': one Query, newest first, two items (profile, last cramp)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("LastCrampIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        try:
            found = within_deadline(t.store, READ_DEADLINE_SECONDS, t.store.latest_cramp, t.user_id)
        except StoreError:
            return t.reply(Speech(words(t.content, "unreachable")), end=True)
        return consented_answer(t, found, last_cramp_answer)


def which_leg_answer(t: Turn, cramps: list[Cramp]) -> Response:
    c = t.content
    month = nights.within(cramps, nights.recent(t.local_time, nights.MONTH))
    if not month:
        return t.reply(Speech(words(c, "answer_no_cramps")), end=True)
    left = sum(1 for cramp in month if cramp.side == "left")
    right = sum(1 for cramp in month if cramp.side == "right")
    if left == right == 0:
        speech = Speech(words(c, "answer_which_leg_unknown"))
    elif abs(left - right) <= 1 and min(left, right) > 0:
        speech = Speech(words(c, "answer_which_leg_even", left=left, right=right))
    else:
        leg, n = ("left_leg", left) if left > right else ("right_leg", right)
        speech = Speech(words(c, "answer_which_leg", leg=words(c, leg), n=n, total=len(month)))
    muscles = [cramp.muscle for cramp in month if cramp.muscle != "any"]
    if muscles:
        most = max(set(muscles), key=muscles.count)
        speech.say(words(c, "answer_muscle_most", muscle=c.table("muscles")[most]))
    return t.reply(speech, end=True)


class WhichLegHandler(AbstractRequestHandler):
    """'Which leg cramps most?'."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("WhichLegIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return with_history(turn(handler_input), which_leg_answer)


def trend_answer(t: Turn, cramps: list[Cramp]) -> Response:
    c = t.content
    window = nights.recent(t.local_time, nights.FORTNIGHT)
    now = len(nights.within(cramps, window))
    before = len(nights.within(cramps, window.before()))
    if now == before == 0:
        return t.reply(Speech(words(c, "answer_no_cramps")), end=True)
    key = "answer_better" if now < before else "answer_worse" if now > before else "answer_steady"
    line = words(c, key, count=nights.count_words(c, now), before=nights.count_words(c, before))
    speech = Speech(line[:1].upper() + line[1:])
    return t.reply(doctor_advice(t, speech, cramps), end=True)


class TrendHandler(AbstractRequestHandler):
    """'Am I getting better?': the last two weeks against the two before."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("CrampTrendIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return with_history(turn(handler_input), trend_answer)


def history_answer(t: Turn, cramps: list[Cramp]) -> Response:
    c = t.content
    fortnight = nights.within(cramps, nights.recent(t.local_time, nights.FORTNIGHT))
    line = words(
        c,
        "answer_history" if fortnight else "answer_history_none",
        count=nights.count_words(c, len(fortnight)),
        nights=nights.nights_words(c, nights.nights_with_cramps(fortnight)),
    )
    card = Card(words(c, "card_title_history"), nights.history_card_text(c, cramps, t.local_time))
    return t.reply(doctor_advice(t, Speech(line), cramps), card=card, end=True)


class HistoryHandler(AbstractRequestHandler):
    """'Show my cramp history': a short summary and the 14-night card."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("CrampHistoryIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return with_history(turn(handler_input), history_answer, nights.MONTH)


def doctor_answer(t: Turn, cramps: list[Cramp]) -> Response:
    c = t.content
    card = Card(words(c, "card_title_doctor"), nights.doctor_card_text(c, cramps, t.local_time))
    return t.reply(Speech(words(c, "doctor_summary_ready")), card=card, end=True)


class DoctorSummaryHandler(AbstractRequestHandler):
    """'Make a summary for my doctor': the last 30 nights on a card."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("DoctorSummaryIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return with_history(turn(handler_input), doctor_answer, nights.MONTH)


# --- deletion ---------------------------------------------------------------------------


class DeleteHistoryHandler(AbstractRequestHandler):
    """'Delete my history': confirm first (no storage touched yet)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("DeleteHistoryIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        return t.reply(
            Speech(words(t.content, "delete_confirm")),
            reprompt=Speech(words(t.content, "delete_reprompt")),
            asking=ASKING_DELETE,
        )


class DeleteYesHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        t = turn(handler_input)
        return is_intent_name("AMAZON.YesIntent")(handler_input) and t.asking == ASKING_DELETE

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        try:
            deleted = t.store.delete_user(t.user_id)
        except StoreError:
            return t.reply(Speech(words(t.content, "unreachable")), end=True)
        return t.reply(
            Speech(words(t.content, "delete_done" if deleted else "delete_nothing")), end=True
        )


class DeleteNoHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        t = turn(handler_input)
        return is_intent_name("AMAZON.NoIntent")(handler_input) and t.asking == ASKING_DELETE

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        return t.reply(Speech(words(t.content, "delete_kept")), end=True)


class SkillDisabledHandler(AbstractRequestHandler):
    """The user disabled the skill: delete everything kept about them."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AlexaSkillEvent.SkillDisabled")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        try:
            deleted = t.store.delete_user(t.user_id) if t.user_id else 0
            log.info("skill disabled: deleted %d items", deleted)
        except StoreError:
            log.error("skill disabled: could not delete the user's data")
        return handler_input.response_builder.response
