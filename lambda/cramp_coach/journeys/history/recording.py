"""Counting each coached cramp once, when its episode is over.

Storage never comes before relief: the cramp-now answers make no DynamoDB call at all. An
episode is counted once, with one conditional write, when it is over: in the goodbye after
"it's better" (eased_goodbye, which also tells a failed save and asks consent the first
time), or, for any other end (stop, a red-flag hand-over, the user falling silent, a second
muscle), by EpisodeRecorder when the session ends.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from ... import episode, observability
from ...clock import is_night
from ...config import load_settings
from ...content import HISTORY
from ...episode import Episode
from ...records import Cramp, Outcome
from ...speech import Speech
from ...storage import StoreError, within_deadline
from ...store import user_key
from ...turn import Turn, turn
from .consent import ask_consent
from .logged import as_known, logged_card

log = logging.getLogger(__name__)

RECORDED_KEY = "episodes_recorded"  # ids of this session's episodes already written
UNRECORDED_KEY = "episodes_unrecorded"  # episodes over, not yet written (a second muscle...)
EPISODE_AT_START = "episode_at_start"  # request attribute: the session's episode on arrival
# Session attributes travel in every request and response (24 KiB in all), so the episodes
# waiting for their write are capped. Someone who names more than ten muscles in one session
# is exploring, not having ten cramps: the oldest are dropped, the latest (the real cramp,
# most likely) are kept.
MAX_WAITING = 10
FAILED = "failed"  # refused: certainly not written
UNSURE = "unsure"  # no answer in time: it may have been written; a later read settles it


def episode_cramp(t: Turn, ep: Episode) -> Cramp:
    return as_known(t.content, ep.cramp(t.local_time.tzinfo))


def _save(t: Turn, user: str, cramp: Cramp) -> str:
    """One conditional write under the deadline; FAILED or UNSURE instead of an exception."""
    seconds = load_settings().store_write_deadline_seconds
    try:
        outcome = within_deadline(t.store, seconds, t.store.record_cramp, user, cramp)
    except StoreError as error:
        return FAILED if error.refused else UNSURE
    t.memory.consent_outcomes.put(user_key(user), outcome)
    return outcome


def _save_all(t: Turn, user: str, cramps: list[Cramp]) -> None:
    """The session's ended episodes in one go under ONE deadline (not one each): a slow store
    at the session's end cannot push the reply past Alexa's 8 seconds. What is cut off may
    still land, and is simply not counted if it does not."""

    def record_each() -> None:
        for cramp in cramps:
            try:
                outcome = t.store.record_cramp(user, cramp)
                t.memory.consent_outcomes.put(user_key(user), outcome)
            except StoreError:
                continue  # a refused one does not stop the others

    seconds = load_settings().store_write_deadline_seconds
    try:
        within_deadline(t.store, seconds, record_each)
    except StoreError:
        log.info("ended episodes: the store did not finish in time")


def failure_matters(t: Turn, user: str) -> bool:
    """Unless we know nothing is being kept for them, a lost cramp is worth a word."""
    known = t.memory.consent_outcomes.get(user_key(user))
    return known not in (Outcome.NOT_ASKED, Outcome.REFUSED)


# --- the mid-cramp hooks (called by cramp_now) -------------------------------------------


def _recorded(t: Turn) -> list[str]:
    """Ids of this session's episodes already written (client data: anything else, afresh)."""
    recorded = t.session.get(RECORDED_KEY)
    if not isinstance(recorded, list) or not all(isinstance(i, str) for i in recorded):
        recorded = t.session[RECORDED_KEY] = []
    elif len(recorded) > MAX_WAITING:  # client data: never more than this session could write
        recorded = t.session[RECORDED_KEY] = recorded[-MAX_WAITING:]
    return recorded


def eased_goodbye(t: Turn, ep: Episode | None, speech: Speech) -> Response:
    """The 'it's better' goodbye: count the episode, then ask consent once, or say a failed
    save, or stay short with the logged card."""
    user = t.user_id
    if ep is None or not user or not t.keeps_history:
        return t.reply(speech, end=True)
    cramp = episode_cramp(t, ep)
    outcome = _save(t, user, cramp)
    _recorded(t).append(ep.id)
    if outcome == Outcome.NOT_ASKED:
        return ask_consent(t, speech, cramp)
    # Only a refused write is a failure worth a word, and never at night.
    if outcome == FAILED and failure_matters(t, user) and not is_night(t.local_time):
        speech.say(t.phrase("save_failed_episode", HISTORY))
    card = (
        logged_card(t, user, cramp) if outcome in (Outcome.SAVED, Outcome.ALREADY_SAVED) else None
    )
    return t.reply(speech, card=card, end=True)


class EpisodeSnapshot(AbstractRequestInterceptor):
    """Remember which episode the session held when the request arrived."""

    def process(self, handler_input: HandlerInput) -> None:
        on_arrival = episode.current(turn(handler_input))
        handler_input.attributes_manager.request_attributes[EPISODE_AT_START] = on_arrival


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
        waiting = _waiting(t)
        before = handler_input.attributes_manager.request_attributes.get(EPISODE_AT_START)
        before = before if isinstance(before, Episode) else None
        now = episode.current(t)
        if before and (now is None or now.id != before.id):
            waiting.append(before)  # over this turn: ended, handed over, or replaced
        ending = is_request_type("SessionEndedRequest")(handler_input) or bool(
            response is not None and response.should_end_session
        )
        if not ending:
            t.session[UNRECORDED_KEY] = [ep.to_session() for ep in waiting[-MAX_WAITING:]]
            return
        user = t.user_id
        if now:
            waiting.append(now)
        ended = _unique_coached(waiting, set(_recorded(t))) if user else []
        if ended:
            _save_all(t, user, [episode_cramp(t, ep) for ep in ended])


def _waiting(t: Turn) -> list[Episode]:
    """Episodes over but not yet written; only well-formed ones (the session is client data)."""
    kept = t.session.get(UNRECORDED_KEY)
    kept = kept[-MAX_WAITING:] if isinstance(kept, list) else []  # client data: bounded too
    parsed = (Episode.parse(ep, t.content) for ep in kept)
    return [ep for ep in parsed if ep is not None]


def _unique_coached(episodes: list[Episode], recorded: set[str]) -> list[Episode]:
    seen, chosen = set(recorded), []
    for ep in episodes:
        if ep.coached and ep.id not in seen:
            seen.add(ep.id)
            chosen.append(ep)
    return chosen
