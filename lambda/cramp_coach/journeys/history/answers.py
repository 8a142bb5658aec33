"""History by voice and on cards: counts, the last cramp, which leg, the trend, the
14-night history and the doctor's summary. One Query each, under a deadline."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from ... import nights, screens
from ...content import HISTORY
from ...records import Cramp
from ...screens import for_turn as screen_for
from ...slots import slot
from ...speech import Speech
from ...storage import StoreError, within_deadline
from ...turn import Card, Turn, turn
from .consent import consented_answer

HISTORY_NIGHTS = 2 * nights.MONTH  # this month and the month before, for the trend
PERIODS = ("last_night", "week", "month")
READ_DEADLINE_SECONDS = 3.0  # history can wait a little, but never past Alexa's 8 seconds


def with_history(t: Turn, answer, nights_back: int = HISTORY_NIGHTS) -> Response:
    """Read the history (one Query), then answer; or ask consent, or say it's unreachable."""
    user = t.user_id
    since = nights.query_start(t.local_time, nights_back)
    try:
        found = within_deadline(t.store, READ_DEADLINE_SECONDS, t.store.history_since, user, since)
    except StoreError:
        return t.reply(Speech(t.phrase("unreachable", HISTORY)), end=True)
    return consented_answer(t, found, answer)


def doctor_advice(t: Turn, speech: Speech, cramps: list[Cramp]) -> Speech:
    if nights.needs_doctor(cramps, t.local_time):
        speech.say(t.content.item("red_flags", "frequent_cramps").speech)
    return speech


def trend(t: Turn, cramps: list[Cramp], window: nights.Window, period_key: str) -> str:
    now = len(nights.within(cramps, window))
    before = len(nights.within(cramps, window.before()))
    period = t.phrase(period_key, HISTORY)
    if now == before:
        return t.phrase("trend_same", HISTORY, period=period)
    key = "trend_up" if now > before else "trend_down"
    return t.phrase(key, HISTORY, period=period, count=nights.count_words(t.content, before))


def count_answer(period: str):
    def answer(t: Turn, cramps: list[Cramp]) -> Response:
        c = t.content
        if period == "last_night":
            night = nights.last_night(t.local_time)
            n = len([cramp for cramp in cramps if cramp.night == night])
            speech = Speech(c.phrase("answer_last_night", HISTORY, count=nights.count_words(c, n)))
            return t.reply(doctor_advice(t, speech, cramps), end=True)
        size, key, period_key = (
            (nights.WEEK, "answer_week", "period_week")
            if period == "week"
            else (nights.MONTH, "answer_month", "period_month")
        )
        window = nights.recent(t.local_time, size)
        inside = nights.within(cramps, window)
        line = c.phrase(
            key if inside else key + "_none",
            HISTORY,
            count=nights.count_words(c, len(inside)),
            nights=nights.nights_words(c, nights.nights_with_cramps(inside)),
        )
        speech = Speech(line, trend(t, cramps, window, period_key))
        card = Card(
            c.phrase("card_title_history", HISTORY),
            nights.history_card_text(c, cramps, t.local_time),
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
        return t.reply(Speech(t.phrase("answer_no_cramps", HISTORY)), end=True)
    last = cramps[-1]
    line = t.phrase(
        "answer_last_cramp",
        HISTORY,
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
            return t.reply(Speech(t.phrase("unreachable", HISTORY)), end=True)
        return consented_answer(t, found, last_cramp_answer)


def which_leg_answer(t: Turn, cramps: list[Cramp]) -> Response:
    c = t.content
    month = nights.within(cramps, nights.recent(t.local_time, nights.MONTH))
    if not month:
        return t.reply(Speech(c.phrase("answer_no_cramps", HISTORY)), end=True)
    left = sum(1 for cramp in month if cramp.side == "left")
    right = sum(1 for cramp in month if cramp.side == "right")
    if left == right == 0:
        speech = Speech(c.phrase("answer_which_leg_unknown", HISTORY))
    elif abs(left - right) <= 1 and min(left, right) > 0:
        speech = Speech(c.phrase("answer_which_leg_even", HISTORY, left=left, right=right))
    else:
        leg, n = ("left_leg", left) if left > right else ("right_leg", right)
        speech = Speech(
            c.phrase("answer_which_leg", HISTORY, leg=c.phrase(leg, HISTORY), n=n, total=len(month))
        )
    muscles = [cramp.muscle for cramp in month if cramp.muscle != "any"]
    if muscles:
        most = max(set(muscles), key=muscles.count)
        speech.say(c.phrase("answer_muscle_most", HISTORY, muscle=c.table("muscles")[most]))
    return t.reply(speech, end=True)


def trend_answer(t: Turn, cramps: list[Cramp]) -> Response:
    c = t.content
    window = nights.recent(t.local_time, nights.FORTNIGHT)
    now = len(nights.within(cramps, window))
    before = len(nights.within(cramps, window.before()))
    if now == before == 0:
        return t.reply(Speech(c.phrase("answer_no_cramps", HISTORY)), end=True)
    key = "answer_better" if now < before else "answer_worse" if now > before else "answer_steady"
    line = c.phrase(
        key, HISTORY, count=nights.count_words(c, now), before=nights.count_words(c, before)
    )
    speech = Speech(line)
    return t.reply(doctor_advice(t, speech, cramps), end=True)


def history_answer(t: Turn, cramps: list[Cramp]) -> Response:
    c = t.content
    fortnight = nights.within(cramps, nights.recent(t.local_time, nights.FORTNIGHT))
    line = c.phrase(
        "answer_history" if fortnight else "answer_history_none",
        HISTORY,
        count=nights.count_words(c, len(fortnight)),
        nights=nights.nights_words(c, nights.nights_with_cramps(fortnight)),
    )
    card = Card(
        c.phrase("card_title_history", HISTORY), nights.history_card_text(c, cramps, t.local_time)
    )
    screens.show(  # the 14 nights as bars, and the trend, on a device with a screen
        t.handler_input,
        lambda: screen_for.history(
            t,
            card.title,
            cramps,
            trend(t, cramps, nights.recent(t.local_time, nights.FORTNIGHT), "period_fortnight"),
        ),
    )
    return t.reply(doctor_advice(t, Speech(line), cramps), card=card, end=True)


def doctor_answer(t: Turn, cramps: list[Cramp]) -> Response:
    c = t.content
    card = Card(
        c.phrase("card_title_doctor", HISTORY), nights.doctor_card_text(c, cramps, t.local_time)
    )
    screens.show(t.handler_input, lambda: screen_for.doctor(t, card.title, card.text))
    return t.reply(Speech(c.phrase("doctor_summary_ready", HISTORY)), card=card, end=True)


# --- the questions (routed in skill.py) -----------------------------------------------


def which_leg(t: Turn) -> Response:
    """'Which leg cramps most?'."""
    return with_history(t, which_leg_answer)


def getting_better(t: Turn) -> Response:
    """'Am I getting better?': the last two weeks against the two before."""
    return with_history(t, trend_answer)


def show_history(t: Turn) -> Response:
    """'Show my cramp history': a short summary and the 14-night card."""
    return with_history(t, history_answer, nights.MONTH)


def doctor_summary(t: Turn) -> Response:
    """'Make a summary for my doctor': the last 30 nights on a card."""
    return with_history(t, doctor_answer, nights.MONTH)
