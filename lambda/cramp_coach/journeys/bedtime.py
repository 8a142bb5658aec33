"""Bedtime: a nightly stretch reminder the user sets, hears, changes and cancels by voice.

Every reminder is confirmed before it is created (Alexa's rule for skill reminders). What
is being set lives in the session under "bedtime" (action, time, alert token) and, while
Alexa asks for the reminders permission, in the Connections token too, so the answer can
finish the job even if the session did not survive. One reminder per user: a second
"remind me" updates the existing one. Its alert token is kept in the profile when the
user has agreed to storage; otherwise the Reminders API's own list finds it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import (
    Intent,
    IntentConfirmationStatus,
    Response,
    Slot,
    SlotConfirmationStatus,
)
from ask_sdk_model.dialog import ElicitSlotDirective
from ask_sdk_model.interfaces.connections import SendRequestDirective
from ask_sdk_model.ui import AskForPermissionsConsentCard

from .. import reminders
from ..cache import BoundedCache
from ..envelope import device_key
from ..reminders import PERMISSION, THROTTLED, TIMEOUT, ReminderFailure
from ..slots import slot
from ..speech import Speech
from ..storage import StoreError
from ..turn import ASKING_KEY, Asking, Card, Turn, turn

log = logging.getLogger(__name__)

TABLE = "bedtime"  # the phrases table in content/<locale>/phrases.toml
STATE_KEY = "bedtime"
# Devices (hashed ids) that answered a voice permission request with an error, for the
# container's life: they get the consent card straight away next time.
_NO_VOICE_CONSENT: BoundedCache[str, bool] = BoundedCache()
PROFILE_FIELD = "reminder_id"
TOKEN_PREFIX = "bedtime"


SET, CHANGE, LIST, CANCEL = "set", "change", "list", "cancel"
SET_INTENT, CHANGE_INTENT = "SetReminderIntent", "ChangeReminderIntent"
NO_CONFIRMATION = SlotConfirmationStatus.NONE

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


# --- the time the user wants -------------------------------------------------------


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


def _clock(text: str | None) -> dt.time | None:
    try:
        return dt.time.fromisoformat(text) if text else None
    except ValueError:
        return None


# --- words -------------------------------------------------------------------------


def phrase(t: Turn, key: str, **values: str) -> str:
    return t.content.phrase(key, table=TABLE, **values)


def spoken_time(t: Turn, at: dt.time) -> str:
    half = phrase(t, "pm" if at.hour >= 12 else "am")
    hour = str(at.hour % 12 or 12)
    if at.minute == 0:
        return phrase(t, "time_on_the_hour", hour=hour, half=half)
    return phrase(t, "time_with_minutes", hour=hour, minutes=f"{at.minute:02d}", half=half)


def time_words(t: Turn, at: dt.time) -> dict[str, str]:
    night = at.hour >= NIGHT_HOURS[0] or at.hour < NIGHT_HOURS[1]
    return {"time": spoken_time(t, at), "when": phrase(t, "every_night" if night else "every_day")}


# --- session state -----------------------------------------------------------------


STATE_FIELDS = ("action", "time", "token")


def pending(t: Turn) -> dict:
    """What is being set, as this module wrote it: session attributes are client data, so
    only its own fields with string values count."""
    state = t.session.get(STATE_KEY)
    if not isinstance(state, dict):
        return {}
    return {k: v for k, v in state.items() if k in STATE_FIELDS and isinstance(v, str) and v}


def set_pending(t: Turn, **fields: str | None) -> None:
    t.session[STATE_KEY] = {k: v for k, v in fields.items() if v is not None}


def clear_pending(t: Turn) -> None:
    t.session.pop(STATE_KEY, None)


def permission_token(state: dict) -> str:
    """The Connections token: what to do once the permission is granted."""
    return "|".join((TOKEN_PREFIX, state.get("action", SET), state.get("time", "")))


def state_from_token(token: str | None) -> dict:
    parts = (token or "").split("|")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return {}
    return {k: v for k, v in (("action", parts[1]), ("time", parts[2])) if v}


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
    if is_request_type("IntentRequest")(t.handler_input):
        intent = CHANGE_INTENT if pending(t).get("action") == CHANGE else SET_INTENT
        t.handler_input.response_builder.add_directive(
            ElicitSlotDirective(
                slot_to_elicit="time",
                updated_intent=Intent(
                    name=intent,
                    confirmation_status=IntentConfirmationStatus.NONE,
                    slots={"time": Slot(name="time", confirmation_status=NO_CONFIRMATION)},
                ),
            )
        )
    return t.reply(
        Speech(phrase(t, key)),
        reprompt=Speech(phrase(t, "ask_time_reprompt")),
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
        Speech(phrase(t, "confirm_change" if action == CHANGE else "confirm_set", **words)),
        reprompt=Speech(phrase(t, "confirm_reprompt", **words)),
        asking=Asking.BEDTIME_SET,
    )


def _device(t: Turn) -> str:
    return device_key(t.handler_input) or ""  # no device id: one shared entry


def voice_consent_possible(t: Turn) -> bool:
    """Alexa has no capability flag for voice permission requests; a Connections.Response
    whose status is not 200 is how a device says it cannot ask, so it gets the card."""
    return _device(t) not in _NO_VOICE_CONSENT


def no_voice_consent_on_this_device(t: Turn) -> None:
    _NO_VOICE_CONSENT.put(_device(t), True)


def ask_permission(t: Turn) -> Response:
    if not voice_consent_possible(t):
        return permission_card(t, "permission_card")
    directive = SendRequestDirective(
        name="AskFor",
        payload={
            "@type": "AskForPermissionsConsentRequest",
            "@version": "2",
            "permissionScopes": [{"permissionScope": reminders.SCOPE, "consentLevel": "ACCOUNT"}],
        },
        token=permission_token(pending(t)),
    )
    t.session.pop(ASKING_KEY, None)
    builder = t.handler_input.response_builder
    builder.speak(Speech(phrase(t, "permission_intro")).ssml(t.night)).add_directive(directive)
    # shouldEndSession left out: Alexa asks its own question, then sends Connections.Response.
    return builder.response


def permission_card(t: Turn, key: str) -> Response:
    t.session.pop(ASKING_KEY, None)
    builder = t.handler_input.response_builder
    builder.speak(Speech(phrase(t, key)).ssml(t.night))
    builder.set_card(AskForPermissionsConsentCard(permissions=[reminders.SCOPE]))
    builder.set_should_end_session(True)
    return builder.response


def failed(t: Turn, failure: ReminderFailure, just_granted: bool) -> Response:
    if failure.kind == PERMISSION:  # never granted, or revoked since
        if just_granted:  # granted a moment ago and still refused: don't ask in a loop
            return permission_card(t, "permission_still_missing")
        return ask_permission(t)
    key = {THROTTLED: "error_throttled", TIMEOUT: "error_timeout"}.get(
        failure.kind, "error_unavailable"
    )
    return t.reply(Speech(phrase(t, key)), end=True)


# --- the flows ---------------------------------------------------------------------


def save(t: Turn, just_granted: bool = False) -> Response:
    """Create the nightly reminder, or move the existing one: never a second one."""
    hi = t.handler_input
    at = _clock(pending(t).get("time"))
    if at is None:
        return ask_for_time(t, "ask_time")
    if not just_granted and not reminders.has_permission(hi):
        return ask_permission(t)
    locale = getattr(hi.request_envelope.request, "locale", None) or t.content.locale
    request = reminders.nightly_request(
        at, reminders.reminder_zone(hi), t.now, locale, phrase(t, "reminder_text")
    )
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
        Speech(phrase(t, "change_done" if updated else "set_done", **words)),
        card=Card(phrase(t, "card_title"), phrase(t, "card_set", **words)),
        end=True,
    )


def _existing_token(handler_input: HandlerInput) -> str | None:
    nightly = reminders.find_nightly(handler_input)
    return nightly.token if nightly else None


def tell_reminder(t: Turn, just_granted: bool = False) -> Response:
    hi = t.handler_input
    if not just_granted and not reminders.has_permission(hi):
        return t.reply(Speech(phrase(t, "list_none")), end=True)  # none can exist without it
    try:
        nightly = reminders.find_nightly(hi)
    except ReminderFailure as failure:
        set_pending(t, action=LIST)
        return failed(t, failure, just_granted)
    clear_pending(t)
    if nightly is None:
        return t.reply(Speech(phrase(t, "list_none")), end=True)
    if nightly.at is None:
        return t.reply(Speech(phrase(t, "list_some")), end=True)
    return t.reply(Speech(phrase(t, "list_one", **time_words(t, nightly.at))), end=True)


def start_cancel(t: Turn, just_granted: bool = False) -> Response:
    """Find the reminder first, so the question names its time (and is never pointless)."""
    hi = t.handler_input
    if not just_granted and not reminders.has_permission(hi):
        return t.reply(Speech(phrase(t, "cancel_none")), end=True)
    try:
        nightly = reminders.find_nightly(hi)
    except ReminderFailure as failure:
        set_pending(t, action=CANCEL)
        return failed(t, failure, just_granted)
    if nightly is None:
        clear_pending(t)
        return t.reply(Speech(phrase(t, "cancel_none")), end=True)
    at = nightly.at
    set_pending(t, action=CANCEL, token=nightly.token, time=at.strftime("%H:%M") if at else None)
    question = phrase(t, "cancel_confirm", **time_words(t, at)) if at else None
    reprompt = phrase(t, "cancel_reprompt")
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
    return t.reply(Speech(phrase(t, "cancel_done")), end=True)


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


class SetReminderHandler(AbstractRequestHandler):
    """'Remind me to stretch every night at ten', 'set a bedtime reminder', or a bare time
    ('nine thirty') answering 'What time should I remind you?'."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SetReminderIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        changing = t.asking == Asking.BEDTIME_TIME and pending(t).get("action") == CHANGE
        return propose(t, CHANGE if changing else SET, slot(handler_input, "time").heard)


class ChangeReminderHandler(AbstractRequestHandler):
    """'Change my reminder to nine thirty'."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ChangeReminderIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return propose(turn(handler_input), CHANGE, slot(handler_input, "time").heard)


def declined(t: Turn) -> Response:
    """'No' to a reminder question: nothing is set or removed."""
    key = "cancel_declined" if t.asking == Asking.BEDTIME_CANCEL else "set_declined"
    clear_pending(t)
    return t.reply(Speech(phrase(t, key)), end=True)


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
            return t.reply(Speech(phrase(t, "permission_denied")), end=True)
        return permission_card(t, "permission_not_answered")
