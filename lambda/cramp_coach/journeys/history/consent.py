"""Consent to keep a private count: asked once, after a cramp, never mid-stretch.

The cramp the question is about waits in the session (pending_cramp) and is stored
together with the yes; a no keeps only the refusal, so the skill never asks again.
"""

from __future__ import annotations

import contextlib

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from ...content import HISTORY, Content
from ...records import CONSENT_NO, Cramp, History
from ...slots import aware_moment, calendar_day
from ...speech import Speech
from ...storage import StoreError
from ...turn import Asking, Turn, turn
from .logged import as_known, logged_card_text, unsaved_speech

PENDING_KEY = "pending_cramp"  # the cramp the consent question is about


# --- the cramp the question is about, in the session --------------------------------


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


def _from_session(saved, content: Content) -> Cramp | None:
    """The pending cramp back from the session; None if it came back unreadable (client data)."""
    try:
        return as_known(content, _cramp_from(saved))
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def _cramp_from(saved: dict) -> Cramp:
    """Typed fields only: a number where a word belongs could overflow DynamoDB's range."""
    at, night = aware_moment(saved["at"]), calendar_day(saved["night"])
    if at is None or night is None:
        raise ValueError("pending cramp time")
    return Cramp(
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


# --- the question and its answers ---------------------------------------------------


def ask_consent(t: Turn, speech: Speech, cramp: Cramp | None = None) -> Response:
    if cramp is not None:
        t.session[PENDING_KEY] = _to_session(cramp)
    speech.say(t.phrase("consent_question", HISTORY))
    return t.reply(
        speech,
        reprompt=Speech(t.phrase("consent_reprompt", HISTORY)),
        asking=Asking.CONSENT,
    )


def consent_yes(t: Turn) -> Response:
    """'Yes' to 'Shall I keep a private count?': store consent and the cramp it was about."""
    pending = t.session.pop(PENDING_KEY, None)
    cramp = _from_session(pending, t.content) if pending else None
    try:
        t.store.grant_consent(t.user_id, cramp)
    except StoreError as error:
        return t.reply(unsaved_speech(t, error), end=True)
    if cramp is None:
        return t.reply(Speech(t.phrase("consent_yes", HISTORY)), end=True)
    card = logged_card_text(t, cramp, this_week=1)  # counting starts with this one
    return t.reply(Speech(t.phrase("consent_yes_logged", HISTORY)), card=card, end=True)


def consent_no(t: Turn) -> Response:
    """'No' to the consent question: keep only the refusal, never ask again."""
    t.session.pop(PENDING_KEY, None)
    # On failure nothing was stored, which is what they asked for (they may be asked again).
    with contextlib.suppress(StoreError):
        t.store.refuse_consent(t.user_id)
    return t.reply(Speech(t.phrase("consent_no", HISTORY)), end=True)


class KeepCountHandler(AbstractRequestHandler):
    """'Keep count of my cramps': consent given directly (also after an earlier no)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("KeepCountIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        try:
            t.store.grant_consent(t.user_id)
        except StoreError as error:
            return t.reply(unsaved_speech(t, error), end=True)
        return t.reply(Speech(t.phrase("consent_yes", HISTORY)), end=True)


def consented_answer(t: Turn, found: History, answer) -> Response:
    consent = found.profile.consent if found.profile else None
    if consent is None:
        return ask_consent(t, Speech())
    if consent == CONSENT_NO:
        return t.reply(Speech(t.phrase("not_counting", HISTORY)), end=True)
    # Stored cramps may name muscles older content knew: every answer reads known values.
    return answer(t, [as_known(t.content, cramp) for cramp in found.cramps])
