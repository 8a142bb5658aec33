"""The cramp guide: tonight's tip, causes, remedies and drinks, medicines, pregnancy, questions.

Every word comes from content/ (topic files with sources, UI lines in phrases.toml). A remedy
or medicine the content does not know gets an honest "I don't have information on that" and
the general advice, never a guess. Walk-through topics (causes, pregnancy) offer "more".
"""

from __future__ import annotations

import datetime as dt

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from .. import clock, screens, tips, triage
from ..content import Item
from ..records import night_of
from ..screens import for_turn as screen_for
from ..slots import slot
from ..speech import Speech
from ..turn import Asking, Card, Turn, turn

# From 20:00 a launch offers tonight's tip; from 22:00 (clock.NIGHT_STARTS) the night launch
# leads with the calf stretch instead, because by then a launch most likely means a cramp.
EVENING_STARTS = dt.time(20, 0)
WALK_TOPICS = ("causes", "pregnancy")  # the topics walk() tells one item at a time
WALK_KEY = "guide_walk"  # {"topic": ..., "said": [ids]} while walking through a topic
GENERAL_REMEDY_ADVICE = ("faqs", "natural_remedies")
GENERAL_MEDICINE_ADVICE = ("causes", "medicines")
NO_REMEDY_NAMED = ("faqs", "what_to_drink")


# --- words from content --------------------------------------------------------------


def filled(t: Turn, text: str) -> str:
    """Content text with the locale's facts filled in ({emergency_number}, {urgent_care}, ...)."""
    return triage.fill(t.content, text)


def said(t: Turn, item: Item) -> str:
    return filled(t, item.speech)


def card_for(t: Turn, title: str, items: list[Item], notes: tuple[str, ...] = ()) -> Card:
    """The longer text of each item, any evidence line, the source names, the disclaimer."""
    lines = [*notes]
    for item in items:
        lines.append(filled(t, item.card))
        grade = item.get("grade") or item.get("evidence")
        if grade:
            lines.append(t.phrase("card_evidence", evidence=grade))
    lines += t.card_footer(items)
    return Card(title, "\n".join(lines))


def spoken_name(item: Item) -> str:
    names = item.get("names") or [item.id]
    return names[0][:1].upper() + names[0][1:]


# --- tips ----------------------------------------------------------------------------


def tip_memory(t: Turn) -> tips.TipMemory:
    """The session, and the profile too when the user consented to the skill keeping data;
    the session alone in the store-safe edition."""
    if not t.keeps_history:
        return tips.SessionTipMemory(t.session)
    return tips.ProfileTipMemory(t.session, t.store, t.user_id)


def give_tip(t: Turn) -> Response:
    all_ids = [item.id for item in t.content.items("tips")]
    memory = tip_memory(t)
    seen = memory.load()
    if not seen and not t.keeps_history:  # nothing remembered: the night decides
        chosen = tips.tip_of_the_night(night_of(t.local_time), all_ids)
    else:
        chosen = tips.next_tip(seen, all_ids)
    seen = tips.after_hearing(seen, chosen, all_ids)
    memory.save(seen)
    item = t.content.item("tips", chosen)
    speech = Speech(said(t, item))
    if tips.round_complete(seen, all_ids):
        speech.say(t.phrase("tips_round_done"))
    speech.say(t.phrase("tip_more"))
    screens.show(t.handler_input, lambda: screen_for.tip(t, item, filled(t, item.card)))
    return t.reply(
        speech,
        reprompt=Speech(t.phrase("tip_more_reprompt")),
        card=card_for(t, t.phrase("card_title_tip"), [item]),
        asking=Asking.TIP,
    )


def is_evening(t: Turn) -> bool:
    return EVENING_STARTS <= t.local_time.time() < clock.NIGHT_STARTS


def evening_launch(t: Turn) -> Response:
    return t.reply(
        Speech(t.phrase("evening_launch")),
        reprompt=Speech(t.phrase("evening_launch_reprompt")),
        asking=Asking.TONIGHT_TIP,
    )


# --- topics told one item at a time ("more") ------------------------------------------


def walk(t: Turn, topic: str, title: str) -> Response:
    """Say the next item of a topic not yet said in this session, then offer the one after."""
    state = t.session.get(WALK_KEY)
    # Session attributes are client data: anything but the walk this topic wrote starts over.
    ids = state.get("said") if isinstance(state, dict) else None
    if not isinstance(state, dict) or not isinstance(ids, list) or state.get("topic") != topic:
        state = {"topic": topic, "said": []}
    items = t.content.items(topic)
    item = next((i for i in items if i.id not in state["said"]), None)
    if item is None:
        t.session.pop(WALK_KEY, None)
        return t.reply(Speech(t.phrase("topic_done")), end=True)
    state["said"] = [*state["said"], item.id]
    t.session[WALK_KEY] = state
    speech = Speech(said(t, item))
    card = card_for(t, t.phrase(title), [item])
    if all(i.id in state["said"] for i in items):
        t.session.pop(WALK_KEY, None)
        return t.reply(speech, card=card, end=True)
    speech.say(t.phrase("more_offer"))
    return t.reply(
        speech, reprompt=Speech(t.phrase("more_reprompt")), card=card, asking=Asking.GUIDE_MORE
    )


# --- single answers ------------------------------------------------------------------


def single(t: Turn, item: Item, title: str, lead: str | None = None, notes=()) -> Response:
    """One item spoken (after an optional lead line) and shown on a card; the session ends."""
    speech = Speech(lead, said(t, item)) if lead else Speech(said(t, item))
    return t.reply(speech, card=card_for(t, title, [item], notes))


def not_known(t: Turn, phrase_key: str, advice: tuple[str, str], title_key: str, heard) -> Response:
    """Honest: we have nothing on what was named, so the general advice instead of a guess."""
    notes = (t.phrase("card_heard_unknown", heard=heard),) if heard else ()
    item = t.content.item(*advice)
    return single(t, item, t.phrase(title_key), lead=t.phrase(phrase_key), notes=notes)


def remedy_answer(t: Turn) -> Response:
    """'Does pickle juice work', 'what should I drink', 'should I take magnesium'."""
    named = slot(t.handler_input, "remedy")
    if named.id is None and named.heard is None:
        return single(t, t.content.item(*NO_REMEDY_NAMED), t.phrase("card_title_remedy_unknown"))
    item = t.content.find("remedies", named.id) if named.id else None
    if item is None:
        return not_known(
            t, "remedy_unknown", GENERAL_REMEDY_ADVICE, "card_title_remedy_unknown", named.heard
        )
    title = t.phrase("card_title_remedy", name=spoken_name(item), grade=item.get("grade"))
    return single(t, item, title)


def medicine_answer(t: Turn) -> Response:
    """'Can atorvastatin cause cramps', 'I take Lasix'."""
    named = slot(t.handler_input, "medicine")
    if named.id is None and named.heard is None:
        general = t.content.item(*GENERAL_MEDICINE_ADVICE)
        return single(t, general, t.phrase("card_title_medicine_unknown"))
    item = t.content.find("medicines", named.id) if named.id else None
    if item is None:
        return not_known(
            t,
            "medicine_unknown",
            GENERAL_MEDICINE_ADVICE,
            "card_title_medicine_unknown",
            named.heard,
        )
    names = ", ".join(item.get("names"))
    return single(t, item, t.phrase("card_title_medicine", name=names))


def pregnancy(t: Turn) -> Response:
    """'Leg cramps in pregnancy', 'I'm pregnant and get cramps'."""
    return walk(t, "pregnancy", "card_title_pregnancy")


def cause_answer(t: Turn) -> Response:
    """'Why do I get cramps at night', 'can thyroid problems cause cramps': a named cause (or
    stress, which the questions answer honestly), else the walk-through."""
    named = slot(t.handler_input, "cause")
    if named.id:
        item = t.content.find("causes", named.id) or t.content.find("faqs", named.id)
        if item is not None:
            return single(t, item, t.phrase("card_title_causes"))
    return walk(t, "causes", "card_title_causes")


def faq_answer(t: Turn) -> Response:
    """'Tell me about natural remedies', 'a question about stress'."""
    named = slot(t.handler_input, "question")
    item = t.content.find("faqs", named.id) if named.id else None
    if item is not None:
        return single(t, item, t.phrase("card_title_faq"))
    lead = [t.phrase("faq_unknown")] if named.heard else []
    return t.reply(
        Speech(*lead, t.phrase("faq_menu")), reprompt=Speech(t.phrase("faq_menu_reprompt"))
    )


# --- handlers ------------------------------------------------------------------------


class EveningLaunchHandler(AbstractRequestHandler):
    """A launch from 20:00 to 21:59 local time offers tonight's tip (a cramp can still be named)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input) and is_evening(turn(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return evening_launch(turn(handler_input))


def guide_yes(t: Turn) -> Response:
    """'Yes' to 'Another tip?', 'tonight's tip?' or 'Want to hear more?'."""
    state = t.session.get(WALK_KEY)
    topic = state.get("topic") if isinstance(state, dict) else None
    if t.asking == Asking.GUIDE_MORE and topic in WALK_TOPICS:
        return walk(t, topic, f"card_title_{topic}")
    return give_tip(t)


def guide_no(t: Turn) -> Response:
    """'No' to any guide question: a quiet goodbye."""
    t.session.pop(WALK_KEY, None)
    return t.reply(Speech(t.by_time("stop_day", "stop_night")), end=True)
