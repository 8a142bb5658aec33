"""Mid-cramp relief: the stretch first, a guided hold, the next technique, a calm goodbye.

Episode state lives in the session: which muscle, which techniques were given, when it
started. Nothing here touches storage before the instructions are spoken.
"""

from __future__ import annotations

import datetime as dt

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from .. import notice, triage
from ..content import Item
from ..slots import slot
from ..speech import Speech
from ..turn import Card, Turn, turn
from . import history

EPISODE_KEY = "episode"
DEFAULT_MUSCLE = "calf"  # most night cramps are calf cramps
UNKNOWN_MUSCLE = "any"
ESCALATE_AFTER = dt.timedelta(minutes=10)
SAME_EPISODE_WITHIN = dt.timedelta(minutes=15)
HOLD_ROUND_SECONDS = 10
WAIT_SECONDS = 20
ASKING_EASING = "easing"
ASKING_MUSCLE = "muscle"


# --- episode state -----------------------------------------------------------------


def episode(t: Turn) -> dict | None:
    """The episode in the session, or None when there is none or it came back unreadable
    (session attributes are client data: a corrupted one must not cost the user the stretch)."""
    ep = t.session.get(EPISODE_KEY)
    return ep if well_formed(t, ep) else None


def well_formed(t: Turn, ep) -> bool:
    """An episode as this module writes it (history checks the ones it keeps the same way)."""
    return (
        isinstance(ep, dict)
        and known(t, "muscles", ep.get("muscle")) is not None
        and (ep.get("side") is None or known(t, "legs", ep.get("side")) is not None)
        and _parse_started(ep.get("started")) is not None
        and isinstance(ep.get("id"), str)
        and isinstance(ep.get("used"), list)
        and all(isinstance(used, str) for used in ep["used"])
    )


def _parse_started(value) -> dt.datetime | None:
    try:
        started = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return started if started.tzinfo else None  # we store aware times; naive is not ours


def known(t: Turn, table: str, value) -> str | None:
    """`value` if the content table has it (a muscle, a side), else None."""
    return value if isinstance(value, str) and value in t.content.table(table) else None


def episode_age(t: Turn, ep: dict) -> dt.timedelta:
    return t.now - _parse_started(ep["started"])


def begin_episode(t: Turn, muscle: str, side: str | None) -> dict:
    """A new episode, or the same one when the same muscle cramps again within 15 minutes."""
    ep = episode(t)
    same = ep and ep["muscle"] == muscle and episode_age(t, ep) < SAME_EPISODE_WITHIN
    ep = {
        "muscle": muscle,
        "side": side or (ep or {}).get("side") if same else side,
        "started": ep["started"] if same else t.now.isoformat(),
        "id": ep["id"] if same else t.request_id,
        "used": [],
    }
    t.session[EPISODE_KEY] = ep
    return ep


def techniques(t: Turn, muscle: str) -> list[Item]:
    items = [i for i in t.content.items("relief") if i.get("muscle") == muscle]
    return sorted(items, key=lambda i: i.get("step", 0))


def next_technique(t: Turn, ep: dict) -> Item | None:
    return next((i for i in techniques(t, ep["muscle"]) if i.id not in ep["used"]), None)


# --- what is said ------------------------------------------------------------------


def instruction(t: Turn, item: Item, side: str | None) -> str:
    leg = t.content.table("legs")[side or "none"]
    return item.speech.format(leg=leg)


def guided(t: Turn, item: Item, side: str | None, first: bool) -> Speech:
    """The instruction, then a softly counted hold (or a short wait), then 'Is it easing?'."""
    speech = Speech(instruction(t, item, side))
    if item.get("hold", True):
        if first and not t.night:
            speech.say(t.phrase("hold_intro"))
        speech.say(t.phrase("hold_start")).pause(HOLD_ROUND_SECONDS)
        speech.say(t.phrase("hold_twenty")).pause(HOLD_ROUND_SECONDS)
        speech.say(t.phrase("hold_ten")).pause(HOLD_ROUND_SECONDS)
        speech.say(t.phrase("hold_end"))
    else:
        speech.say(t.phrase("wait_start")).pause(WAIT_SECONDS)
    return speech.say(t.phrase("ask_easing"))


def relief_card(t: Turn, muscle: str, side: str | None) -> Card:
    items = techniques(t, muscle)
    steps = [f"{n}. {i.card}" for n, i in enumerate(items, start=1)]
    sources = sorted({name for i in items for name in t.content.source_names(i.sources)})
    lines = [
        t.phrase("card_steps_heading"),
        *steps,
        "",
        t.phrase("card_sources", sources="; ".join(sources)),
        t.disclaimer(),
    ]
    title = t.phrase("card_title_cramp", muscle=t.content.muscle_name(muscle, side))
    return Card(title, "\n".join(lines))


def give_technique(t: Turn, ep: dict, item: Item, first: bool) -> Response:
    """The answer touches no storage: the episode is counted when the session ends."""
    ep["used"] = [*ep["used"], item.id] if item.id not in ep["used"] else ep["used"]
    ep["coached"] = True  # a real cramp, not just a night launch someone closed
    return t.reply(
        guided(t, item, ep.get("side"), first),
        reprompt=Speech(t.phrase("ask_easing_reprompt")),
        card=relief_card(t, ep["muscle"], ep.get("side")),
        asking=ASKING_EASING,
    )


def escalate(t: Turn) -> Response:
    """Techniques ran out or the cramp passed ten minutes: hand over to triage, red flag first."""
    t.session.pop(EPISODE_KEY, None)
    flag = t.content.item(triage.TOPIC, triage.OVER_TEN_MINUTES)
    calm = t.content.item("episode", "stops_on_its_own")
    text = f"{triage.fill(t.content, flag.card)}\n\n{calm.card}\n\n{t.disclaimer()}"
    speech = triage.spoken(t.content, flag).say(calm.speech)
    return t.reply(speech, card=Card(triage.action(t.content, flag), text), end=True)


def start_cramp(t: Turn, muscle: str, side: str | None) -> Response:
    ep = episode(t)
    confirming = t.asking == ASKING_MUSCLE and ep and ep["muscle"] == muscle
    if confirming:  # night launch led with the calf stretch; now guide the hold for it
        first = techniques(t, muscle)[0]
        ep["side"] = side or ep.get("side")
        return give_technique(t, ep, first, first=True)
    ep = begin_episode(t, muscle, side)
    if episode_age(t, ep) >= ESCALATE_AFTER:  # the same cramp, still going after ten minutes
        return escalate(t)
    return give_technique(t, ep, next_technique(t, ep), first=True)


def still_cramping(t: Turn) -> Response:
    ep = episode(t)
    if ep is None:
        return start_cramp(t, DEFAULT_MUSCLE, None)
    item = next_technique(t, ep)
    if item is None or episode_age(t, ep) >= ESCALATE_AFTER:
        return escalate(t)
    return give_technique(t, ep, item, first=False)


def eased(t: Turn) -> Response:
    ep = episode(t)  # only a well-formed episode goes on to be counted
    t.session.pop(EPISODE_KEY, None)
    speech = Speech(t.by_time("better_day", "better_night"))
    if not t.night:
        speech.say(t.content.item("episode", "soreness").speech)
    # End of episode: consent asked or a failed save told (history), then the notice may follow.
    return history.eased_goodbye(t, ep, notice.add_once(t, speech))


def night_launch(t: Turn, offer: str = "launch_night_offer") -> Response:
    """At night, assume a cramp: lead with the calf stretch, then the `offer` phrase."""
    ep = begin_episode(t, DEFAULT_MUSCLE, None)
    first = techniques(t, DEFAULT_MUSCLE)[0]
    ep["used"] = [first.id]
    speech = Speech(instruction(t, first, None), t.phrase(offer))
    return t.reply(
        speech,
        reprompt=Speech(t.phrase("launch_night_reprompt")),
        card=relief_card(t, DEFAULT_MUSCLE, None),
        asking=ASKING_MUSCLE,
    )


def in_episode(handler_input: HandlerInput) -> bool:
    """The last question was about a cramp. The question alone decides what a No answers:
    if the episode itself came back unreadable, still_cramping starts over with the calf."""
    return turn(handler_input).asking in (ASKING_EASING, ASKING_MUSCLE)


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


class StillCrampingHandler(AbstractRequestHandler):
    """'Still cramping', 'it's not working', or 'no' to 'Is it easing?'."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("StillCrampingIntent")(handler_input) or (
            is_intent_name("AMAZON.NoIntent")(handler_input) and in_episode(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        return still_cramping(turn(handler_input).relief_first())


class CrampEasedHandler(AbstractRequestHandler):
    """'It's better', 'it stopped', or 'yes' to 'Is it easing?'."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if is_intent_name("CrampEasedIntent")(handler_input):
            return True
        t = turn(handler_input)
        return is_intent_name("AMAZON.YesIntent")(handler_input) and t.asking == ASKING_EASING

    def handle(self, handler_input: HandlerInput) -> Response:
        # Relief is over: the goodbye may learn the device's zone (history needs its nights).
        return eased(turn(handler_input))


class ConfirmCalfHandler(AbstractRequestHandler):
    """'Yes' after the night launch asked 'Is it your calf?': guide the calf hold."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        t = turn(handler_input)
        return is_intent_name("AMAZON.YesIntent")(handler_input) and t.asking == ASKING_MUSCLE

    def handle(self, handler_input: HandlerInput) -> Response:
        return start_cramp(turn(handler_input).relief_first(), DEFAULT_MUSCLE, None)


def is_launch(handler_input: HandlerInput) -> bool:
    return is_request_type("LaunchRequest")(handler_input)
