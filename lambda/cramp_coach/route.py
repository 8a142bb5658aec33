"""Generic request handlers, so skill.py can say in one line what answers what.

`Intent` routes intents straight to an answer (a function of the Turn); `YesNo` answers
AMAZON.YesIntent and AMAZON.NoIntent by what the skill last asked (the YES_NO table).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from .turn import Asking, Turn, turn

Answer = Callable[[Turn], Response]
YES, NO = "AMAZON.YesIntent", "AMAZON.NoIntent"


class Intent(AbstractRequestHandler):
    """Any of these intents gets this answer. `relief_first`: a cramp answer, which waits on
    nothing it does not need (no Settings API call before it is spoken)."""

    def __init__(self, *names: str, answer: Answer, relief_first: bool = False):
        self.names = names
        self.answer = answer
        self.relief_first = relief_first

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(is_intent_name(name)(handler_input) for name in self.names)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        return self.answer(t.relief_first() if self.relief_first else t)


class YesNo(AbstractRequestHandler):
    """Yes or No, answered by what they mean after the last question; a Yes or No that
    answers nothing is left to the handlers after this one (the fallback)."""

    def __init__(self, meanings: Mapping[Asking, tuple[Answer | None, Answer | None]]):
        self.meanings = meanings

    def _answer(self, handler_input: HandlerInput) -> Answer | None:
        if is_intent_name(YES)(handler_input):
            which = 0
        elif is_intent_name(NO)(handler_input):
            which = 1
        else:
            return None
        asked = turn(handler_input).asking
        if asked is None or asked not in self.meanings:
            return None
        return self.meanings[asked][which]

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return self._answer(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        answer = self._answer(handler_input)
        assert answer is not None  # can_handle said so
        return answer(turn(handler_input))
