"""Bedtime: a nightly stretch reminder the user sets, hears, changes and cancels by voice.

Every reminder is confirmed before it is created (Alexa's rule for skill reminders). One
reminder per user: a second "remind me" updates the existing one. Its alert token is kept in
the profile when the user has agreed to storage; otherwise the Reminders API's own list
finds it. What is being set, and the reminders permission asked for on the way, are in
bedtime_permission.py; reading and saying times in bedtime_times.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from .. import reminders
from ..content import BEDTIME
from ..dialog import elicit
from ..reminders import ReminderFailure
from ..slots import slot
from ..speech import Speech
from ..storage import StoreError
from ..turn import Asking, Card, Turn, turn
from .bedtime_permission import (
    CANCEL,
    CHANGE,
    LIST,
    SET,
    STATE_KEY,
    TOKEN_PREFIX,
    ask_permission,
    clear_pending,
    failed,
    no_voice_consent_on_this_device,
    pending,
    permission_card,
    set_pending,
    state_from_token,
)
from .bedtime_times import clock_time, read_time, time_words

log = logging.getLogger(__name__)

PROFILE_FIELD = "reminder_id"
SET_INTENT, CHANGE_INTENT = "SetReminderIntent", "ChangeReminderIntent"


# --- the profile (only with the user's storage consent) -------------------------------


@dataclass(frozen=True)
class Remembered:
    user_id: str | None
    consented: bool
    reminder_id: str | None


def recall(t: Turn) -> Remembered:
    user = t.user_id
    if not t.keeps_history:  # store-safe: the Reminders API's own list finds the reminder
        return Remembered(user, False, None)
    try:
        profile = t.store.load_profile(user) if user else None
    except StoreError:
        profile = None  # the API's list still finds the reminder
    if profile is None or not profile.consented:
        return Remembered(user, False, None)
    return Remembered(user, True, profile.get(PROFILE_FIELD))


def remember(t: Turn, memory: Remembered, reminder_id: str | None) -> None:
    if not memory.consented or not memory.user_id or reminder_id == memory.reminder_id:
        return
    try:
        t.store.update_profile(memory.user_id, if_consented=True, **{PROFILE_FIELD: reminder_id})
    except StoreError:
        log.warning("reminder id not kept in the profile; the API list will find it")


# --- replies -----------------------------------------------------------------------


def ask_for_time(t: Turn, key: str) -> Response:
    """Ask for the time and elicit the slot: Alexa then takes a bare time ("nine thirty") as
    the answer, from the slot's own samples, only while this question is open. The model
    has no bare {time} sample, which would swallow any unrelated words."""
    intent = CHANGE_INTENT if pending(t).get("action") == CHANGE else SET_INTENT
    elicit(t.handler_input, intent, "time")
    return t.reply(
        Speech(t.phrase(key, BEDTIME)),
        reprompt=Speech(t.phrase("ask_time_reprompt", BEDTIME)),
        asking=Asking.BEDTIME_TIME,
    )


def propose(t: Turn, action: str, value: str | None) -> Response:
    """Confirm before creating: 'I'll remind you every night at 10 PM... Shall I set it?'"""
    wanted = read_time(value)
    if wanted.at is None:
        set_pending(t, action=action)
        return ask_for_time(t, wanted.question or "ask_time")
    set_pending(t, action=action, time=wanted.at.strftime("%H:%M"))
    words = time_words(t, wanted.at)
    return t.reply(
        Speech(t.phrase("confirm_change" if action == CHANGE else "confirm_set", BEDTIME, **words)),
        reprompt=Speech(t.phrase("confirm_reprompt", BEDTIME, **words)),
        asking=Asking.BEDTIME_SET,
    )


# --- the flows ---------------------------------------------------------------------


def save(t: Turn, just_granted: bool = False) -> Response:
    """Create the nightly reminder, or move the existing one: never a second one."""
    hi = t.handler_input
    at = clock_time(pending(t).get("time"))
    if at is None:
        return ask_for_time(t, "ask_time")
    if not just_granted and not reminders.has_permission(hi):
        return ask_permission(t)
    locale = getattr(hi.request_envelope.request, "locale", None) or t.content.locale
    zone = reminders.reminder_zone(hi, t.memory.time_zones)
    request = reminders.nightly_request(at, zone, t.now, locale, t.phrase("reminder_text", BEDTIME))
    memory = recall(t)
    try:
        known = memory.reminder_id or _existing_token(hi)
        token, updated = reminders.save_nightly(hi, request, known)
    except ReminderFailure as failure:
        return failed(t, failure, just_granted)
    remember(t, memory, token)
    clear_pending(t)
    words = time_words(t, at)
    return t.reply(
        Speech(t.phrase("change_done" if updated else "set_done", BEDTIME, **words)),
        card=Card(t.phrase("card_title", BEDTIME), t.phrase("card_set", BEDTIME, **words)),
        end=True,
    )


def _existing_token(handler_input: HandlerInput) -> str | None:
    nightly = reminders.find_nightly(handler_input)
    return nightly.token if nightly else None


def tell_reminder(t: Turn, just_granted: bool = False) -> Response:
    hi = t.handler_input
    if not just_granted and not reminders.has_permission(hi):
        return t.reply(
            Speech(t.phrase("list_none", BEDTIME)), end=True
        )  # none can exist without it
    try:
        nightly = reminders.find_nightly(hi)
    except ReminderFailure as failure:
        set_pending(t, action=LIST)
        return failed(t, failure, just_granted)
    clear_pending(t)
    if nightly is None:
        return t.reply(Speech(t.phrase("list_none", BEDTIME)), end=True)
    if nightly.at is None:
        return t.reply(Speech(t.phrase("list_some", BEDTIME)), end=True)
    return t.reply(Speech(t.phrase("list_one", BEDTIME, **time_words(t, nightly.at))), end=True)


def start_cancel(t: Turn, just_granted: bool = False) -> Response:
    """Find the reminder first, so the question names its time (and is never pointless)."""
    hi = t.handler_input
    if not just_granted and not reminders.has_permission(hi):
        return t.reply(Speech(t.phrase("cancel_none", BEDTIME)), end=True)
    try:
        nightly = reminders.find_nightly(hi)
    except ReminderFailure as failure:
        set_pending(t, action=CANCEL)
        return failed(t, failure, just_granted)
    if nightly is None:
        clear_pending(t)
        return t.reply(Speech(t.phrase("cancel_none", BEDTIME)), end=True)
    at = nightly.at
    set_pending(t, action=CANCEL, token=nightly.token, time=at.strftime("%H:%M") if at else None)
    question = t.phrase("cancel_confirm", BEDTIME, **time_words(t, at)) if at else None
    reprompt = t.phrase("cancel_reprompt", BEDTIME)
    return t.reply(
        Speech(question or reprompt), reprompt=Speech(reprompt), asking=Asking.BEDTIME_CANCEL
    )


def finish_cancel(t: Turn) -> Response:
    hi = t.handler_input
    token = pending(t).get("token")
    if not token:
        return start_cancel(t)
    try:
        reminders.delete_nightly(hi, token)
    except ReminderFailure as failure:
        return failed(t, failure, just_granted=False)
    memory = recall(t)
    if memory.reminder_id:
        remember(t, memory, None)
    clear_pending(t)
    return t.reply(Speech(t.phrase("cancel_done", BEDTIME)), end=True)


def resume_after_consent(t: Turn) -> Response:
    """The user just granted reminders: carry on with what they were doing."""
    state = pending(t)
    action = state.get("action", SET)
    if action == LIST:
        return tell_reminder(t, just_granted=True)
    if action == CANCEL:
        return start_cancel(t, just_granted=True)
    if not state.get("time"):
        set_pending(t, action=action)
        return ask_for_time(t, "permission_thanks_ask_time")
    return save(t, just_granted=True)


# --- handlers ----------------------------------------------------------------------


def set_reminder(t: Turn) -> Response:
    """'Remind me to stretch every night at ten', 'set a bedtime reminder', or a bare time
    ('nine thirty') answering 'What time should I remind you?'."""
    changing = t.asking == Asking.BEDTIME_TIME and pending(t).get("action") == CHANGE
    return propose(t, CHANGE if changing else SET, slot(t.handler_input, "time").heard)


def change_reminder(t: Turn) -> Response:
    """'Change my reminder to nine thirty'."""
    return propose(t, CHANGE, slot(t.handler_input, "time").heard)


def declined(t: Turn) -> Response:
    """'No' to a reminder question: nothing is set or removed."""
    key = "cancel_declined" if t.asking == Asking.BEDTIME_CANCEL else "set_declined"
    clear_pending(t)
    return t.reply(Speech(t.phrase(key, BEDTIME)), end=True)


class PermissionAnswerHandler(AbstractRequestHandler):
    """Alexa's answer to the voice permission request (Connections.Response, AskFor)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        return (
            is_request_type("Connections.Response")(handler_input)
            and getattr(request, "name", None) == "AskFor"
            and (getattr(request, "token", None) or "").startswith(TOKEN_PREFIX)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        request = handler_input.request_envelope.request
        t.session[STATE_KEY] = pending(t) or state_from_token(getattr(request, "token", None))
        status = getattr(request, "status", None)
        if str(getattr(status, "code", "")) != "200":  # this device could not ask
            no_voice_consent_on_this_device(t)
            return permission_card(t, "permission_card")
        answer = (getattr(request, "payload", None) or {}).get("status")
        if answer == "ACCEPTED":
            return resume_after_consent(t)
        clear_pending(t)
        if answer == "DENIED":
            return t.reply(Speech(t.phrase("permission_denied", BEDTIME)), end=True)
        return permission_card(t, "permission_not_answered")
