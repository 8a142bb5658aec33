"""Red flags: "my leg is swollen", "chest pain", "when should I worry?".

The first sentence is always the action: call the emergency number, get same-day care, or see
a doctor. Which one is decided by `triage` from content data; nothing here diagnoses.
Emergency and urgent answers end the session at once: the person has a call to make.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from .. import episode, screens, triage
from ..dialog import elicit
from ..screens import for_turn as screen_for
from ..slots import slot
from ..speech import Speech
from ..turn import Asking, Card, Turn, turn

SYMPTOM_SLOTS = ("symptom", "symptomTwo", "symptomThree")
GUIDE = "when_to_worry"
ENDS_AT_ONCE = ("emergency", "urgent")  # the person has a call to make; no coaching after it
PREGNANT = ("pregnant", "pregnant_swollen")
PREGNANCY_WARNING = "pregnancy_warning"  # belly pain, bleeding, a suddenly swollen face


def symptoms_heard(handler_input: HandlerInput) -> list[str]:
    """Symptom ids Alexa matched, in the order said (unplaced words: see `unplaced`)."""
    ids = (slot(handler_input, name).id for name in SYMPTOM_SLOTS)
    return [i for i in ids if i]


def unplaced(handler_input: HandlerInput) -> list[str]:
    """Words Alexa heard in a symptom slot but could not match: never silently dropped."""
    values = (slot(handler_input, name) for name in SYMPTOM_SLOTS)
    return [value.heard for value in values if value.unmatched and value.heard]


def red_flag_place(handler_input: HandlerInput) -> str | None:
    """The symptom id for a cramp in a place like the chest or belly, which the muscle slot
    could not match; None for every other cramp (those go to the mid-cramp journey)."""
    muscle = slot(handler_input, "muscle")
    if not muscle.unmatched:
        return None
    places = turn(handler_input).content.table("red_flag_places")
    words = re.findall(r"[a-z]+", (muscle.heard or "").lower())
    return next((places[word] for word in words if word in places), None)


def with_unplaced_in_pregnancy(symptom_ids: list[str], not_placed: list[str]) -> list[str]:
    """In pregnancy, words we could not place may be bleeding or belly pain: they go to the
    maternity unit now (over-triage is the safe error at 3 a.m.)."""
    if not_placed and set(symptom_ids) & set(PREGNANT):
        return [*symptom_ids, PREGNANCY_WARNING]
    return symptom_ids


def with_episode_age(t: Turn, symptom_ids: list[str]) -> list[str]:
    """A cramp already past ten minutes is itself a red flag, whatever else is said."""
    ep = episode.current(t)
    if ep and ep.past_ten_minutes(t.now):
        return [*symptom_ids, triage.LONG_CRAMP]
    return symptom_ids


# --- replies -------------------------------------------------------------------------


def verdict_card(t: Turn, verdict: triage.Verdict, not_placed: Sequence[str] = ()) -> Card:
    """Titled with the action; the winning red flag, any others heard, words not placed,
    sources, disclaimer."""
    lines = [triage.fill(t.content, verdict.item.card)]
    if verdict.also:
        lines += ["", t.phrase("card_also")]
        lines += [f"- {triage.fill(t.content, item.card)}" for item in verdict.also]
    lines += unplaced_lines(t, not_placed)
    items = [verdict.item, *verdict.also]
    lines += t.card_footer(items)
    return Card(triage.action(t.content, verdict.item), "\n".join(lines))


def unplaced_lines(t: Turn, not_placed: Sequence[str]) -> list[str]:
    if not not_placed:
        return []
    item = t.content.item(GUIDE, "unplaced_also")
    heard = [t.phrase("card_unplaced", heard=words) for words in not_placed]
    return ["", *heard, triage.fill(t.content, item.card)]


def answer(t: Turn, verdict: triage.Verdict, not_placed: Sequence[str] = ()) -> Response:
    """The action first; then, in a cramp that is not an emergency, back to the coaching.
    Words that could not be placed are owned up to, with the safety line, after the action
    (an emergency says only its action: the person has a call to make)."""
    speech = triage.spoken(t.content, verdict.item)
    if not_placed and verdict.level != "emergency":
        speech.extend(triage.spoken(t.content, t.content.item(GUIDE, "unplaced_also")))
    card = verdict_card(t, verdict, not_placed)
    if verdict.level in ENDS_AT_ONCE:
        episode.clear(t)
        if verdict.level == "emergency":  # the number, very large, in the day theme
            detail = triage.fill(t.content, verdict.item.card)
            screens.show(t.handler_input, lambda: screen_for.emergency(t, card.title, detail))
        return t.reply(speech, card=card, end=True, urgent=True)
    return keep_coaching_or_end(t, speech, card, urgent=bool(not_placed))


def keep_coaching_or_end(t: Turn, speech: Speech, card: Card, urgent: bool = False) -> Response:
    """`urgent`: a line that names the emergency number is said in the normal voice."""
    if episode.current(t) is None:
        return t.reply(speech, card=card, end=True, urgent=urgent)
    speech.say(t.phrase("red_flags_keep_going"))
    return t.reply(
        speech,
        reprompt=Speech(t.phrase("ask_easing_reprompt")),
        card=card,
        asking=Asking.EASING,
        urgent=urgent,
    )


def not_recognised(t: Turn, not_placed: Sequence[str]) -> Response:
    """A symptom the skill cannot place: it says so, never guesses, and gives the safety line
    in the normal voice (it names the emergency number)."""
    item = t.content.item(GUIDE, "unknown_symptom")
    speech = triage.spoken(t.content, item)
    card = guide_card(t)
    heard = [t.phrase("card_unplaced", heard=words) for words in not_placed]
    card = Card(card.title, "\n".join([*heard, triage.fill(t.content, item.card), "", card.text]))
    return keep_coaching_or_end(t, speech, card, urgent=True)


def guide_card(t: Turn) -> Card:
    """Every red flag with its action, most serious first."""
    intro = t.content.item(GUIDE, "spoken_list")
    lines = [triage.fill(t.content, intro.card)]
    red_flags = triage.rules(t.content)
    for level in triage.LEVELS:
        at_level = [i for i in red_flags if i.get("level") == level]
        lines += ["", t.phrase(f"card_level_{level}")]
        lines += [f"- {triage.fill(t.content, i.card)}" for i in at_level]
    lines += t.card_footer([intro, *red_flags])
    return Card(t.phrase("card_title_when_to_worry"), "\n".join(lines))


def when_to_worry(t: Turn) -> Response:
    speech = triage.spoken(t.content, t.content.item(GUIDE, "spoken_list"))
    speech.say(t.phrase("red_flags_ask"))
    return t.reply(
        speech,
        reprompt=Speech(t.phrase("red_flags_ask_reprompt")),
        card=guide_card(t),
        asking=Asking.SYMPTOM,
    )


def ask_what_they_notice(t: Turn) -> Response:
    """'Yes' to 'If one of these is happening now, tell me': ask what they notice."""
    ask = Speech(t.phrase("red_flags_ask_reprompt"))
    elicit(t.handler_input, "SymptomIntent", "symptom")  # "numb" answers it
    return t.reply(ask, reprompt=ask, asking=Asking.SYMPTOM)


def nothing_now(t: Turn) -> Response:
    """'No' to 'If one of these is happening now, tell me': a quiet goodbye."""
    return t.reply(Speech(t.by_time("stop_day", "stop_night")), end=True)


# --- handlers ------------------------------------------------------------------------


class SymptomHandler(AbstractRequestHandler):
    """'My leg is swollen and red', 'chest pain', 'I'm pregnant and my leg is swollen'.
    During a cramp episode too: the symptom goes to triage before any more coaching."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SymptomIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        not_placed = unplaced(handler_input)
        heard = with_unplaced_in_pregnancy(symptoms_heard(handler_input), not_placed)
        heard = with_episode_age(t, heard)
        verdict = triage.triage(heard, triage.rules(t.content))
        return answer(t, verdict, not_placed) if verdict else not_recognised(t, not_placed)


class CrampInARedFlagPlaceHandler(AbstractRequestHandler):
    """'Cramp in my chest', 'stomach cramp': triage, never a stretch."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (
            is_intent_name("CrampNowIntent")(handler_input)
            and red_flag_place(handler_input) is not None
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        place = red_flag_place(handler_input)
        heard = with_episode_age(t, [place] if place else [])
        verdict = triage.triage(heard, triage.rules(t.content))
        return answer(t, verdict) if verdict else not_recognised(t, [])
