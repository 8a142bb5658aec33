"""Bedtime reminders: what is being set, and asking for the reminders permission on the way.

What is being set lives in the session under "bedtime" (action, time, alert token) and, while
Alexa asks for the reminders permission, in the Connections token too, so the answer can
finish the job even if the session did not survive. A device that cannot ask by voice gets
the permission card in the Alexa app instead.
"""

from __future__ import annotations

from ask_sdk_model import Response
from ask_sdk_model.interfaces.connections import SendRequestDirective
from ask_sdk_model.ui import AskForPermissionsConsentCard

from .. import reminders
from ..content import BEDTIME
from ..envelope import device_key
from ..reminders import PERMISSION, THROTTLED, TIMEOUT, ReminderFailure
from ..speech import Speech
from ..turn import ASKING_KEY, Turn

STATE_KEY = "bedtime"
TOKEN_PREFIX = "bedtime"
SET, CHANGE, LIST, CANCEL = "set", "change", "list", "cancel"  # what the user is doing


# --- what is being set ------------------------------------------------------------------


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


# --- the reminders permission --------------------------------------------------------


def _device(t: Turn) -> str:
    return device_key(t.handler_input) or ""  # no device id: one shared entry


def voice_consent_possible(t: Turn) -> bool:
    """Alexa has no capability flag for voice permission requests; a Connections.Response
    whose status is not 200 is how a device says it cannot ask, so it gets the card."""
    return _device(t) not in t.memory.no_voice_consent


def no_voice_consent_on_this_device(t: Turn) -> None:
    t.memory.no_voice_consent.put(_device(t), True)


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
    builder.speak(Speech(t.phrase("permission_intro", BEDTIME)).ssml(t.night)).add_directive(
        directive
    )
    # shouldEndSession left out: Alexa asks its own question, then sends Connections.Response.
    return builder.response


def permission_card(t: Turn, key: str) -> Response:
    t.session.pop(ASKING_KEY, None)
    builder = t.handler_input.response_builder
    builder.speak(Speech(t.phrase(key, BEDTIME)).ssml(t.night))
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
    return t.reply(Speech(t.phrase(key, BEDTIME)), end=True)
