"""Mid-cramp relief: the stretch first, a guided hold, the next technique, a calm goodbye.

The episode (which muscle, which techniques were given, when it started) lives in the
session (cramp_coach.episode). Nothing here touches storage before the instructions are spoken.
"""

from __future__ import annotations

import datetime as dt

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from .. import episode, notice, screens, triage
from ..content import SCREEN, Item
from ..dialog import elicit
from ..episode import Episode
from ..route import Answer, Chosen
from ..screens import for_turn as screen_for
from ..slots import slot
from ..speech import Speech
from ..turn import Asking, Card, Turn, turn
from .history import recording

DEFAULT_MUSCLE = "calf"  # most night cramps are calf cramps
UNKNOWN_MUSCLE = "any"
SAME_EPISODE_WITHIN = dt.timedelta(minutes=15)
HOLD_ROUND_SECONDS = 10
WAIT_SECONDS = 20
# The counted hold: each phrase, then how many 10-second rounds are left after it. The screen's
# countdown is made from the same pairs (30, 20, 10, done), so voice and screen agree.
HOLD_COUNT = (("hold_start", 3), ("hold_twenty", 2), ("hold_ten", 1), ("hold_end", 0))


# --- the episode ------------------------------------------------------------------


def known(t: Turn, table: str, value) -> str | None:
    """`value` if the content table has it (a muscle, a side), else None."""
    return value if isinstance(value, str) and value in t.content.table(table) else None


def begin_episode(t: Turn, muscle: str, side: str | None) -> Episode:
    """A new episode, or the same one when the same muscle cramps again within 15 minutes."""
    ep = episode.current(t)
    if ep and ep.muscle == muscle and ep.age(t.now) < SAME_EPISODE_WITHIN:
        ep = Episode(muscle, side or ep.side, ep.started, ep.id)
    else:
        ep = Episode(muscle, side, t.now, t.request_id)
    episode.keep(t, ep)
    return ep


def techniques(t: Turn, muscle: str) -> list[Item]:
    items = [i for i in t.content.items("relief") if i.get("muscle") == muscle]
    return sorted(items, key=lambda i: i.get("step", 0))


def next_technique(t: Turn, ep: Episode) -> Item | None:
    return next((i for i in techniques(t, ep.muscle) if i.id not in ep.used), None)


# --- what is said ------------------------------------------------------------------


def instruction(t: Turn, item: Item, side: str | None) -> str:
    leg = t.content.table("legs")[side or "none"]
    return item.speech.format(leg=leg)


def guided(
    t: Turn, item: Item, side: str | None, first: bool, lead: str = "", then: str = ""
) -> Speech:
    """The instruction, then a softly counted hold (or a short wait), then 'Is it easing?'.
    `lead` comes before the instruction and `then` just before the question."""
    speech = Speech(lead, instruction(t, item, side))
    if item.get("hold", True):
        if first and not t.night:
            speech.say(t.phrase("hold_intro"))
        for key, rounds_left in HOLD_COUNT:
            speech.say(t.phrase(key)).pause(HOLD_ROUND_SECONDS if rounds_left else 0)
    else:
        speech.say(t.phrase("wait_start")).pause(WAIT_SECONDS)
    return speech.say(then, t.phrase("ask_easing"))


def hold_cues(t: Turn, item: Item) -> list[tuple[str, str]]:
    """(what the screen shows, the sentence it goes with) for the counted hold."""
    if not item.get("hold", True):
        return []
    done = t.phrase("hold_done", SCREEN)
    return [
        (str(rounds * HOLD_ROUND_SECONDS) if rounds else done, t.phrase(key))
        for key, rounds in HOLD_COUNT
    ]


def relief_card(t: Turn, muscle: str, side: str | None) -> Card:
    items = techniques(t, muscle)
    steps = [f"{n}. {i.card}" for n, i in enumerate(items, start=1)]
    lines = [t.phrase("card_steps_heading"), *steps, *t.card_footer(items)]
    title = t.phrase("card_title_cramp", muscle=t.content.muscle_name(muscle, side))
    return Card(title, "\n".join(lines))


def give_technique(
    t: Turn, ep: Episode, item: Item, first: bool, lead: str = "", then: str = ""
) -> Response:
    """The answer touches no storage: the episode is counted when the session ends."""
    if item.id not in ep.used:
        ep.used.append(item.id)
    ep.coached = True
    episode.keep(t, ep)
    speech = guided(t, item, ep.side, first, lead, then)
    card = relief_card(t, ep.muscle, ep.side)
    said = instruction(t, item, ep.side)
    screens.show(  # only on a device with a screen
        t.handler_input,
        lambda: screen_for.relief(t, item, said, card.title, speech, hold_cues(t, item)),
    )
    return t.reply(
        speech,
        reprompt=Speech(t.phrase("ask_easing_reprompt")),
        card=card,
        asking=Asking.EASING,
    )


def escalate(t: Turn) -> Response:
    """The cramp really is ten minutes old and still going: the red flag, said in the normal
    voice even at night, and the session ends so the person can make the call."""
    episode.clear(t)
    flag = t.content.item(triage.TOPIC, triage.OVER_TEN_MINUTES)
    text = f"{triage.fill(t.content, flag.card)}\n\n{t.disclaimer()}"
    speech = triage.spoken(t.content, flag)
    card = Card(triage.action(t.content, flag), text)
    return t.reply(speech, card=card, end=True, urgent=True)


def go_round_again(t: Turn, ep: Episode) -> Response:
    """Every stretch for this muscle was given before ten minutes passed: say so honestly,
    start them again, and give the ten-minute rule as what to do if it comes to that."""
    ep.used = []
    first_again = techniques(t, ep.muscle)[0]
    lead, then = said(t, "stretches_again"), said(t, "ten_minute_rule")
    return give_technique(t, ep, first_again, False, lead, then)


def said(t: Turn, item_id: str) -> str:
    """An episode item's speech with the locale's facts; nothing if the item is missing
    (a broken content file must not cost the person the stretch)."""
    item = t.content.find("episode", item_id)
    return triage.fill(t.content, item.speech) if item else ""


def start_cramp(t: Turn, muscle: str, side: str | None) -> Response:
    ep = episode.current(t)
    if t.asking == Asking.MUSCLE and ep and ep.muscle == muscle:
        # the night launch led with the calf stretch; now guide the hold for it
        ep.side = side or ep.side
        return give_technique(t, ep, techniques(t, muscle)[0], first=True)
    ep = begin_episode(t, muscle, side)
    if ep.past_ten_minutes(t.now):  # the same cramp, still going after ten minutes
        return escalate(t)
    item = next_technique(t, ep)
    assert item is not None  # a new episode: every muscle has at least one technique
    return give_technique(t, ep, item, first=True)


def still_cramping(t: Turn) -> Response:
    ep = episode.current(t)
    if ep is None:
        return start_cramp(t, DEFAULT_MUSCLE, None)
    if ep.past_ten_minutes(t.now):
        return escalate(t)
    item = next_technique(t, ep)
    if item is None:  # the stretches ran out sooner: never claim ten minutes, never drop them
        return go_round_again(t, ep)
    return give_technique(t, ep, item, first=False)


def eased(t: Turn) -> Response:
    ep = episode.current(t)  # only a well-formed episode goes on to be counted
    episode.clear(t)
    speech = Speech(t.by_time("better_day", "better_night"))
    if not t.night:
        speech.say(t.content.item("episode", "soreness").speech)
    # End of episode: consent asked or a failed save told, then the notice may follow.
    return recording.eased_goodbye(t, ep, notice.add_once(t, speech))


def night_launch(t: Turn, offer: str = "launch_night_offer") -> Response:
    """At night, assume a cramp: lead with the calf stretch, then the `offer` phrase."""
    ep = begin_episode(t, DEFAULT_MUSCLE, None)
    first = techniques(t, DEFAULT_MUSCLE)[0]
    ep.used = [first.id]
    episode.keep(t, ep)
    speech = Speech(instruction(t, first, None), t.phrase(offer))
    elicit(t.handler_input, "CrampNowIntent", "muscle")  # "my hamstring" answers it
    return t.reply(
        speech,
        reprompt=Speech(t.phrase("launch_night_reprompt")),
        card=relief_card(t, DEFAULT_MUSCLE, None),
        asking=Asking.MUSCLE,
    )


def not_easing(t: Turn) -> Response:
    """'No' to 'Is it easing?' or 'Is it your calf?'. The question alone decides what a No
    answers: if the episode itself came back unreadable, still_cramping starts over."""
    return still_cramping(t.relief_first())


def confirm_calf(t: Turn) -> Response:
    """'Yes' after the night launch asked 'Is it your calf?': guide the calf hold."""
    return start_cramp(t.relief_first(), DEFAULT_MUSCLE, None)


# --- handlers ----------------------------------------------------------------------


class CrampNowHandler(AbstractRequestHandler):
    """'My calf is cramping', 'charley horse in my left leg', 'cramp!'."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("CrampNowIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        muscle = slot(handler_input, "muscle")
        side = slot(handler_input, "side")
        # An id the content does not know (a newer model, a bad request) counts as unmatched.
        muscle_id = known(t, "muscles", muscle.id)
        unmatched = muscle.unmatched or (muscle.id is not None and muscle_id is None)
        chosen = muscle_id or (UNKNOWN_MUSCLE if unmatched else DEFAULT_MUSCLE)
        return start_cramp(t.relief_first(), chosen, known(t, "legs", side.id))


class EasingTouchHandler(Chosen):
    """A touch on 'Still cramping' or 'Better' on the cramp screen: exactly the spoken answer
    ('no' or 'yes' to 'Is it easing?')."""

    ANSWERS: dict[str, Answer] = {"still_cramping": not_easing, "better": eased}

    def choose(self, handler_input: HandlerInput) -> Answer | None:
        if not is_request_type("Alexa.Presentation.APL.UserEvent")(handler_input):
            return None
        arguments = getattr(handler_input.request_envelope.request, "arguments", None) or []
        touched = arguments[1] if len(arguments) == 2 and arguments[0] == "easing" else None
        return self.ANSWERS.get(touched) if isinstance(touched, str) else None


def is_launch(handler_input: HandlerInput) -> bool:
    return is_request_type("LaunchRequest")(handler_input)
