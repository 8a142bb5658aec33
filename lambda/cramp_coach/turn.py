"""One turn of the conversation: the user's locale content, local time, and the reply.

Everything is computed lazily, so a request that does not need the time zone (or the
content) never pays for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from . import clock
from .content import PHRASES, Content, Item, content_for
from .envelope import session_attributes, user_id_of
from .speech import Speech
from .storage import CrampStore
from .triage import sources_line
from .warm import WarmMemory

TURN_KEY = "turn"
REPEAT_KEY = "repeat"
ASKING_KEY = "asking"  # what the skill's last question was, so Yes/No know what they answer


class Asking(StrEnum):
    """The question the skill's last reply asked: what a Yes or No answers (skill.YES_NO)."""

    EASING = "easing"  # "Is it easing?"
    MUSCLE = "muscle"  # the night launch: "Is it your calf?"
    SYMPTOM = "symptom"  # "If one of these is happening now, tell me"
    CONSENT = "consent"  # "Shall I keep a private count?"
    DELETE = "delete"  # "Delete your history?"
    TIP = "tip"  # "Another tip?"
    TONIGHT_TIP = "tonight_tip"  # the evening launch: "Tonight's tip?"
    GUIDE_MORE = "guide_more"  # "Want to hear more?"
    BEDTIME_TIME = "bedtime_time"  # "What time should I remind you?"
    BEDTIME_SET = "bedtime_set"  # "Shall I set it?"
    BEDTIME_CANCEL = "bedtime_cancel"  # "Shall I remove it?"


@dataclass(frozen=True)
class Card:
    title: str
    text: str


class Turn:
    def __init__(
        self,
        handler_input: HandlerInput,
        store: CrampStore,
        memory: WarmMemory,
        keeps_history: bool = True,
    ):
        self.handler_input = handler_input
        self.store = store  # where the user's profile and cramps are kept
        self.memory = memory  # what the skill remembers across warm invocations
        # False in the store-safe edition: nothing per user is read or written, ever.
        self.keeps_history = keeps_history
        self.may_wait = True  # False: nothing slow (no Settings API call) before the answer

    def relief_first(self) -> Turn:
        """Mark this turn as a cramp answer: it waits on nothing it does not need."""
        self.may_wait = False
        return self

    @cached_property
    def content(self) -> Content:
        return content_for(getattr(self.handler_input.request_envelope.request, "locale", None))

    @cached_property
    def now(self) -> dt.datetime:
        return clock.request_time(self.handler_input)

    @cached_property
    def local_time(self) -> dt.datetime:
        return clock.local_time(self.handler_input, self.memory.time_zones, ask=self.may_wait)

    @cached_property
    def night(self) -> bool:
        return clock.is_night(self.local_time)

    @cached_property
    def session(self) -> dict:
        """Session attributes; an empty scratch dict for requests outside a session."""
        return session_attributes(self.handler_input)

    @cached_property
    def user_id(self) -> str:
        """The Alexa userId (every request type carries it; "" if one did not); the store
        keeps only its hash."""
        return user_id_of(self.handler_input) or ""

    @property
    def request_id(self) -> str:
        return getattr(self.handler_input.request_envelope.request, "request_id", None) or ""

    @property
    def asking(self) -> Asking | None:
        asked = self.session.get(ASKING_KEY)
        if not isinstance(asked, str):
            return None
        try:
            return Asking(asked)  # client data: only one of our questions counts
        except ValueError:
            return None

    def phrase(self, key: str, table: str = PHRASES, **values: object) -> str:
        """The phrase `key` in the user's locale (content.Content.phrase)."""
        return self.content.phrase(key, table, **values)

    def by_time(self, day_key: str, night_key: str) -> str:
        return self.phrase(night_key if self.night else day_key)

    def reply(
        self,
        speech: Speech,
        *,
        reprompt: Speech | None = None,
        card: Card | None = None,
        asking: Asking | None = None,
        end: bool | None = None,
        urgent: bool = False,
    ) -> Response:
        """Build the response; remember it for Repeat and what was asked for Yes/No.

        `urgent` speaks in the normal voice even at night: "Call 911 now" must not be whispered.
        """
        builder = self.handler_input.response_builder
        spoken = speech.ssml(self.night and not urgent)
        builder.speak(spoken)
        if card:
            builder.set_card(SimpleCard(title=card.title, content=card.text))
        if reprompt is not None:
            again = reprompt.ssml(self.night and not urgent)
            builder.ask(again)
            self.session[REPEAT_KEY] = {"speech": spoken, "reprompt": again}
        if asking:
            self.session[ASKING_KEY] = asking.value
        else:
            self.session.pop(ASKING_KEY, None)
        # Explicit either way: a reply without a question closes the session.
        builder.set_should_end_session(end if end is not None else reprompt is None)
        return builder.response

    def card_footer(self, items: Sequence[Item]) -> list[str]:
        """The end of every advice card: a blank line, the sources behind `items`, the
        disclaimer with the emergency number."""
        return ["", sources_line(self.content, items), self.disclaimer()]

    def disclaimer(self) -> str:
        return self.phrase(
            "card_disclaimer", emergency_number=self.content.fact("emergency_number")
        )


def turn(
    handler_input: HandlerInput,
    store: CrampStore | None = None,
    memory: WarmMemory | None = None,
    keeps_history: bool = True,
) -> Turn:
    """The Turn for this request, made once (by TurnStarter, with the skill's store, warm
    memory and edition) and shared by interceptors and handlers."""
    attributes = handler_input.attributes_manager.request_attributes
    if TURN_KEY not in attributes:
        if store is None or memory is None:
            raise LookupError("no Turn for this request: is TurnStarter registered first?")
        attributes[TURN_KEY] = Turn(handler_input, store, memory, keeps_history)
    made = attributes[TURN_KEY]
    assert isinstance(made, Turn)
    return made


class TurnStarter(AbstractRequestInterceptor):
    """The first interceptor: makes the request's Turn with the skill's store, memory and
    edition."""

    def __init__(self, store: CrampStore, memory: WarmMemory, keeps_history: bool = True):
        self.store = store
        self.memory = memory
        self.keeps_history = keeps_history

    def process(self, handler_input: HandlerInput) -> None:
        turn(handler_input, self.store, self.memory, self.keeps_history)
