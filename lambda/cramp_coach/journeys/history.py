"""Cramp history: consent, counting each cramp once, history by voice and in cards, deletion.

Storage never comes before relief: the cramp-now answers make no DynamoDB call at all. An
episode is counted once, with one conditional write, when it is over: in the goodbye after
"it's better" (eased_goodbye, which also tells a failed save and asks consent the first
time), or, for any other end (stop, a red-flag hand-over, the user falling silent, a second
muscle), by EpisodeRecorder when the session ends. Consent is never asked mid-stretch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

from ask_sdk_core.dispatch_components import (
    AbstractRequestHandler,
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from .. import nights, observability, store
from ..clock import is_night
from ..nights import words
from ..slots import aware_moment, calendar_day, names_a_day, slot
from ..speech import Speech
from ..turn import Card, Turn, turn

log = logging.getLogger(__name__)

ASKING_CONSENT = "consent"
ASKING_DELETE = "delete"
RECORDED_KEY = "episodes_recorded"  # ids of this session's episodes already written
UNRECORDED_KEY = "episodes_unrecorded"  # episodes over, not yet written (a second muscle...)
EPISODE_AT_START = "episode_at_start"  # request attribute: the session's episode on arrival
PENDING_KEY = "pending_cramp"  # the cramp the consent question is about
FAILED = "failed"
HISTORY_NIGHTS = 2 * nights.MONTH  # this month and the month before, for the trend
PERIODS = ("last_night", "week", "month")
READ_DEADLINE_SECONDS = 3.0  # history can wait a little, but never past Alexa's 8 seconds


# --- cramps in the session ------------------------------------------------------------


def _user(t: Turn) -> str | None:
    return store.user_id_of(t.handler_input)


def _to_session(cramp: store.Cramp) -> dict:
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


def _from_session(saved) -> store.Cramp | None:
    """The pending cramp back from the session; None if it came back unreadable (client data)."""
    try:
        return _cramp_from(saved)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def _cramp_from(saved: dict) -> store.Cramp:
    """Typed fields only: a number where a word belongs could overflow DynamoDB's range."""
    at, night = aware_moment(saved["at"]), calendar_day(saved["night"])
    if at is None or night is None:
        raise ValueError("pending cramp time")
    return store.Cramp(
        at=at,
        night=night,
        muscle=_text(saved["muscle"]),
        side=_text(saved["side"]) if saved.get("side") is not None else None,
        source=_text(saved["source"]),
        event_id=_text(saved["id"]),
        time_known=saved.get("time_known", True) is not False,
        local_time=saved["local_time"] if isinstance(saved.get("local_time"), str) else None,
    )


def _text(value) -> str:
    if not isinstance(value, str):
        raise TypeError("not text")
    return value


def episode_cramp(t: Turn, ep: dict) -> store.Cramp:
    """The cramp a mid-cramp episode (cramp_now's session state) stands for."""
    started = dt.datetime.fromisoformat(ep["started"])
    local = started.astimezone(t.local_time.tzinfo)
    return store.Cramp(
        at=started,
        night=store.night_of(local),
        muscle=ep["muscle"],
        side=ep.get("side"),
        source="live",
        event_id=ep["id"],
        local_time=local.strftime("%H:%M"),
    )


# What the last write for a user told this container about their consent, so a failed
# save is mentioned only to someone whose cramps are being kept (warm containers).
_LAST_OUTCOME: dict[str, str] = {}
_LAST_OUTCOME_LIMIT = 10_000


def _save(user: str, cramp: store.Cramp) -> str:
    """One conditional write under the deadline; FAILED instead of an exception."""
    try:
        outcome = store.record_cramp(user, cramp, deadline=store.SAVE_DEADLINE_SECONDS)
    except store.StoreError:
        return FAILED
    if len(_LAST_OUTCOME) >= _LAST_OUTCOME_LIMIT:
        _LAST_OUTCOME.clear()
    _LAST_OUTCOME[store.user_key(user)] = outcome
    return outcome


def failure_matters(user: str) -> bool:
    """Unless we know nothing is being kept for them, a lost cramp is worth a word."""
    return _LAST_OUTCOME.get(store.user_key(user)) not in (store.NOT_ASKED, store.REFUSED)


# --- the mid-cramp hooks (called by cramp_now) -------------------------------------------


def _recorded(t: Turn) -> list[str]:
    """Ids of this session's episodes already written (client data: anything else, afresh)."""
    recorded = t.session.get(RECORDED_KEY)
    if not isinstance(recorded, list) or not all(isinstance(i, str) for i in recorded):
        recorded = t.session[RECORDED_KEY] = []
    return recorded


def eased_goodbye(t: Turn, ep: dict | None, speech: Speech) -> Response:
    """The 'it's better' goodbye: count the episode, then ask consent once, or say a failed
    save, or stay short with the logged card."""
    user = _user(t)
    if ep is None or not user:
        return t.reply(speech, end=True)
    cramp = episode_cramp(t, ep)
    outcome = _save(user, cramp)
    _recorded(t).append(ep["id"])
    if outcome == store.NOT_ASKED:
        return ask_consent(t, speech, cramp)
    if outcome == FAILED and failure_matters(user):
        speech.say(words(t.content, "save_failed_episode"))
    card = logged_card(t, user, cramp) if outcome in (store.SAVED, store.ALREADY_SAVED) else None
    return t.reply(speech, card=card, end=True)


def _cramp_now():
    from . import cramp_now  # cramp_now imports this module: imported when first needed

    return cramp_now


class EpisodeSnapshot(AbstractRequestInterceptor):
    """Remember which episode the session held when the request arrived."""

    def process(self, handler_input: HandlerInput) -> None:
        episode = _cramp_now().episode(turn(handler_input))
        handler_input.attributes_manager.request_attributes[EPISODE_AT_START] = episode


class EpisodeRecorder(AbstractResponseInterceptor):
    """Counts coached episodes that ended without 'it's better', when the session ends.

    An episode replaced this turn (a second muscle) waits in the session; at the session's end
    (a reply that closes it, or Alexa's SessionEndedRequest after silence) each unrecorded one
    gets its one conditional write. The cramp answers themselves never wait on storage.
    """

    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        try:
            self._record_ended(handler_input, response)
        except Exception as error:  # noqa: BLE001 - counting must never break the answer
            observability.handler_failed(error, "recording the ended episodes")

    def _record_ended(self, handler_input: HandlerInput, response: Response | None) -> None:
        t = turn(handler_input)
        cramp_now = _cramp_now()
        waiting = _waiting(t)
        before = handler_input.attributes_manager.request_attributes.get(EPISODE_AT_START)
        now = cramp_now.episode(t)
        if before and (now is None or now["id"] != before["id"]):
            waiting.append(before)  # over this turn: ended, handed over, or replaced
        ending = is_request_type("SessionEndedRequest")(handler_input) or bool(
            response is not None and response.should_end_session
        )
        if not ending:
            t.session[UNRECORDED_KEY] = waiting
            return
        user = _user(t)
        if now:
            waiting.append(now)
        for ep in _unique_coached(waiting, set(_recorded(t))) if user else []:
            _save(user, episode_cramp(t, ep))


def _waiting(t: Turn) -> list[dict]:
    """Episodes over but not yet written; only well-formed ones (the session is client data)."""
    kept = t.session.get(UNRECORDED_KEY)
    episodes = kept if isinstance(kept, list) else []
    return [ep for ep in episodes if _cramp_now().well_formed(t, ep)]


def _unique_coached(episodes: list[dict], recorded: set[str]) -> list[dict]:
    seen, chosen = set(recorded), []
    for ep in episodes:
        if ep.get("coached") and ep["id"] not in seen:
            seen.add(ep["id"])
            chosen.append(ep)
    return chosen


# --- consent ----------------------------------------------------------------------------


def ask_consent(t: Turn, speech: Speech, cramp: store.Cramp | None = None) -> Response:
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
            store.grant_consent(_user(t), cramp)
        except store.StoreError:
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
        with contextlib.suppress(store.StoreError):
            store.refuse_consent(_user(t))
        return t.reply(Speech(words(t.content, "consent_no")), end=True)


class KeepCountHandler(AbstractRequestHandler):
    """'Keep count of my cramps': consent given directly (also after an earlier no)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("KeepCountIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        try:
            store.grant_consent(_user(t))
        except store.StoreError:
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


def told_cramp(t: Turn, muscle: str, side: str | None, day, clock) -> store.Cramp:
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
        night = store.night_of(local)
    elif day is not None:
        night = min(day, nights.current_night(now))
        local = min(dt.datetime.combine(night, dt.time(23, 59), tzinfo=now.tzinfo), now)
    else:
        local = now
        night = store.night_of(now)
    return store.Cramp(
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
        said_day = slot(handler_input, "date").heard
        day = calendar_day(said_day)
        if day is None and names_a_day(said_day):  # year 1, year 999: no cramp was then
            return t.reply(Speech(words(t.content, "log_date_unusable")), end=True)
        cramp = told_cramp(t, muscle, side, day, _clock(slot(handler_input, "time").heard))
        user = _user(t)
        try:
            outcome = store.record_cramp(user, cramp)
        except store.StoreError:
            return t.reply(Speech(words(t.content, "save_failed")), end=True)
        if outcome == store.NOT_ASKED:
            return ask_consent(t, Speech(), cramp)
        if outcome == store.REFUSED:
            return t.reply(Speech(words(t.content, "not_counting")), end=True)
        return logged_reply(t, user, cramp)


def week_count(user: str, t: Turn) -> int | None:
    """This week's cramps for the logged card; None if the history can't be read in time."""
    try:
        found = store.within_deadline(
            store.SAVE_DEADLINE_SECONDS,
            store.history_since,
            user,
            nights.query_start(t.local_time, nights.WEEK),
        )
    except store.StoreError:
        return None
    return len(nights.within(found.cramps, nights.recent(t.local_time, nights.WEEK)))


def logged_card_text(t: Turn, cramp: store.Cramp, this_week: int | None) -> Card:
    when = nights.when_words(t.content, cramp, t.local_time)
    muscle = nights.muscle_words(t.content, cramp.muscle, cramp.side)
    count = nights.count_words(t.content, this_week) if this_week is not None else "?"
    text = words(
        t.content, "card_logged", when=when[:1].upper() + when[1:], muscle=muscle, count=count
    )
    return Card(words(t.content, "card_title_logged"), text)


def logged_card(t: Turn, user: str, cramp: store.Cramp) -> Card:
    return logged_card_text(t, cramp, week_count(user, t))


def logged_reply(t: Turn, user: str, cramp: store.Cramp) -> Response:
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
    user = _user(t)
    since = nights.query_start(t.local_time, nights_back)
    try:
        found = store.within_deadline(READ_DEADLINE_SECONDS, store.history_since, user, since)
    except store.StoreError:
        return t.reply(Speech(words(t.content, "unreachable")), end=True)
    return consented_answer(t, found, answer)


def consented_answer(t: Turn, found: store.History, answer) -> Response:
    consent = found.profile.consent if found.profile else None
    if consent is None:
        return ask_consent(t, Speech())
    if consent == store.CONSENT_NO:
        return t.reply(Speech(words(t.content, "not_counting")), end=True)
    return answer(t, found.cramps)


def doctor_advice(t: Turn, speech: Speech, cramps: list[store.Cramp]) -> Speech:
    if nights.needs_doctor(cramps, t.local_time):
        speech.say(t.content.item("red_flags", "frequent_cramps").speech)
    return speech


def trend(t: Turn, cramps: list[store.Cramp], window: nights.Window, period_key: str) -> str:
    now = len(nights.within(cramps, window))
    before = len(nights.within(cramps, window.before()))
    period = words(t.content, period_key)
    if now == before:
        return words(t.content, "trend_same", period=period)
    key = "trend_up" if now > before else "trend_down"
    return words(t.content, key, period=period, count=nights.count_words(t.content, before))


def count_answer(period: str):
    def answer(t: Turn, cramps: list[store.Cramp]) -> Response:
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


def last_cramp_answer(t: Turn, cramps: list[store.Cramp]) -> Response:
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
            found = store.within_deadline(READ_DEADLINE_SECONDS, store.latest_cramp, _user(t))
        except store.StoreError:
            return t.reply(Speech(words(t.content, "unreachable")), end=True)
        return consented_answer(t, found, last_cramp_answer)


def which_leg_answer(t: Turn, cramps: list[store.Cramp]) -> Response:
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


def trend_answer(t: Turn, cramps: list[store.Cramp]) -> Response:
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


def history_answer(t: Turn, cramps: list[store.Cramp]) -> Response:
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


def doctor_answer(t: Turn, cramps: list[store.Cramp]) -> Response:
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
            deleted = store.delete_user(_user(t))
        except store.StoreError:
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
        user = store.user_id_of(handler_input)
        try:
            deleted = store.delete_user(user) if user else 0
            log.info("skill disabled: deleted %d items", deleted)
        except store.StoreError:
            log.error("skill disabled: could not delete the user's data")
        return handler_input.response_builder.response
