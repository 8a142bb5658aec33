"""Opening, help, stop, repeat, fallback, session end, and the last-resort handlers."""

from __future__ import annotations

import logging
from typing import TypeGuard

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from .. import notice, observability
from ..dialog import elicit
from ..speech import Speech, is_our_ssml
from ..storage import CrampStore
from ..turn import REPEAT_KEY, Asking, Turn, turn
from ..warm import WarmMemory
from . import cramp_now

log = logging.getLogger(__name__)


class LaunchHandler(AbstractRequestHandler):
    """'Alexa, open Cramp Coach': at night a cramp is likely, so the calf stretch comes first."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        if t.night:
            return cramp_now.night_launch(t)
        # By day nobody is mid-cramp: the first-use notice may come before the welcome.
        speech = notice.add_once(t, Speech()).say(t.phrase("launch_day"))
        return t.reply(speech, reprompt=Speech(t.phrase("launch_day_reprompt")))


def help_answer(t: Turn) -> Response:
    return t.reply(Speech(t.phrase("help")), reprompt=Speech(t.phrase("help_reprompt")))


STOP_INTENTS = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")


def stop(t: Turn) -> Response:
    """Stop, Cancel and Home all end quietly."""
    return t.reply(Speech(t.by_time("stop_day", "stop_night")), end=True)


class RepeatHandler(AbstractRequestHandler):
    """Says the last question-bearing answer again, word for word, pauses included."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.RepeatIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        last = t.session.get(REPEAT_KEY)
        if not _replayable(last):
            return t.reply(
                Speech(t.phrase("nothing_to_repeat")), reprompt=Speech(t.phrase("help_reprompt"))
            )
        builder = handler_input.response_builder
        return builder.speak(last["speech"]).ask(last["reprompt"]).response


def _replayable(last) -> TypeGuard[dict]:
    """The remembered reply is ours, intact: session attributes come back from the client."""
    return isinstance(last, dict) and all(
        is_our_ssml(last.get(key)) for key in ("speech", "reprompt")
    )


class FallbackHandler(AbstractRequestHandler):
    """Words the model could not place, and any intent this skill does not know."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        if t.asking is None and t.night:
            return when_in_doubt_stretch(t)
        if t.asking == Asking.MUSCLE:  # "Another muscle? Just name it.": the launch cannot
            elicit(handler_input, "CrampNowIntent", "muscle")  # elicit, so this reply does
            again = Speech(t.phrase("fallback_reprompt"))
            return t.reply(Speech(t.phrase("fallback")), reprompt=again, asking=Asking.MUSCLE)
        return t.reply(Speech(t.phrase("fallback")), reprompt=Speech(t.phrase("fallback_reprompt")))


def when_in_doubt_stretch(t: Turn) -> Response:
    """At night, words the skill could not place, outside a question it asked, most likely
    come from someone in a cramp: the calf stretch first, then what else they can ask."""
    return cramp_now.night_launch(t.relief_first(), offer="fallback_night_offer")


class SessionEndedHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        reason = getattr(request, "reason", None)
        error = getattr(request, "error", None)
        log.info(
            "session ended reason=%s error=%s",
            getattr(reason, "value", reason),
            getattr(getattr(error, "object_type", None), "value", None) if error else None,
        )
        return handler_input.response_builder.response


class UnhandledRequestHandler(AbstractRequestHandler):
    """Requests no journey claims (events, display callbacks): acknowledge silently."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        log.info("unhandled request type=%s", getattr(request, "object_type", None))
        return handler_input.response_builder.response


class SpeakAnywayExceptionHandler(AbstractExceptionHandler):
    """Whatever broke, say something useful: at night, the calf stretch."""

    def __init__(self, store: CrampStore, memory: WarmMemory):
        self.store = store
        self.memory = memory

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        observability.handler_failed(exception)
        t = turn(handler_input, self.store, self.memory)
        try:
            night = t.night
        except Exception:  # noqa: BLE001 - the clock itself may be what failed
            night = True
        stretch = cramp_now.techniques(t, cramp_now.DEFAULT_MUSCLE)[0]
        if night:
            speech = Speech(cramp_now.instruction(t, stretch, None), t.phrase("error_night"))
        else:
            speech = Speech(t.phrase("error"))
        builder = handler_input.response_builder
        builder.speak(speech.ssml(night)).set_should_end_session(True)
        return builder.response
