"""Turns what a person types into the request Alexa would send, using the interaction
model's own sample utterances and slot values (no separate grammar to drift from it)."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

MODELS = Path(__file__).resolve().parents[1] / "interaction_model"
INVOKE = re.compile(
    r"^(?:alexa,? )?(?:(?:open|launch|start) (?P<open>cramp coach)$|(?:tell|ask) cramp coach"
    r"(?: (?:that|to|about|for|if|whether))? (?P<rest>.+))"
)


@dataclass
class Resolved:
    kind: str  # "launch" or "intent"
    intent: str | None = None
    slots: dict = field(default_factory=dict)  # name -> id, (heard, id) or (heard, None)


BUILT_INS = {
    "yes": "AMAZON.YesIntent",
    "yeah": "AMAZON.YesIntent",
    "yes please": "AMAZON.YesIntent",
    "no": "AMAZON.NoIntent",
    "nope": "AMAZON.NoIntent",
    "no thanks": "AMAZON.NoIntent",
    "help": "AMAZON.HelpIntent",
    "stop": "AMAZON.StopIntent",
    "cancel": "AMAZON.CancelIntent",
    "repeat": "AMAZON.RepeatIntent",
    "say that again": "AMAZON.RepeatIntent",
    "go home": "AMAZON.NavigateHomeIntent",
}


def _clean(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^\w' :]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@functools.cache  # compiled when first tried; the locales share most samples
def _pattern(sample: str) -> re.Pattern:
    """'my {side} {muscle} hurts' -> ^my (?P<side>.+?) (?P<muscle>.+?) hurts$"""
    pieces = []
    for part in re.split(r"(\{\w+\})", sample):
        slot = re.fullmatch(r"\{(\w+)\}", part)
        if slot:
            pieces.append(f"(?P<{slot.group(1)}>.+?)")
        elif _clean(part):
            pieces.append(re.escape(_clean(part)))
    return re.compile("^" + " ".join(pieces) + "$")


def _first_word(sample: str) -> str | None:
    """The literal word a sample's words must start with; None if it starts with a slot."""
    lead = _clean(re.split(r"\{\w+\}", sample)[0])
    return lead.split(" ", 1)[0] if lead else None


class Resolver:
    def __init__(self, locale: str = "en-US"):
        model = json.loads((MODELS / f"{locale}.json").read_text())["interactionModel"]
        language = model["languageModel"]
        self.types = {t["name"]: t["values"] for t in language.get("types", [])}
        self.patterns = []
        first_words: list[str | None] = []
        for intent in language["intents"]:
            slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}
            # A slot's own samples ("{time}") are what Alexa hears while the skill elicits it.
            elicited = [x for slot in intent.get("slots", []) for x in slot.get("samples", [])]
            for sample in [*intent.get("samples", []), *elicited]:
                literal = len(re.sub(r"\{\w+\}", "", sample).split())
                self.patterns.append((literal, sample, intent["name"], slot_types))
                first_words.append(_first_word(sample))
        order = sorted(range(len(self.patterns)), key=lambda i: -self.patterns[i][0])
        self.patterns = [self.patterns[i] for i in order]
        # Only samples that start with the words' first word (or with a slot) can match them:
        # an index by first word, each list in the patterns' order.
        self.by_first_word: dict[str | None, list[int]] = {}
        for index, i in enumerate(order):
            self.by_first_word.setdefault(first_words[i], []).append(index)

    def _value(self, slot_type: str, heard: str):
        for value in self.types.get(slot_type, []):
            names = [value["name"]["value"], *value["name"].get("synonyms", [])]
            if heard in (n.lower() for n in names):
                return (heard, value["id"])
        if slot_type == "AMAZON.TIME":  # Alexa sends the time itself ("22:00"), not the words
            value = amazon_time(heard)
            return (value, value) if value else (heard, None)
        if slot_type.startswith("AMAZON."):
            return (heard, heard)
        return (heard, None)

    def resolve(self, said: str) -> Resolved:
        text = _clean(said)
        invoked = INVOKE.match(text)
        if invoked and invoked.group("open"):
            return Resolved("launch")
        if invoked:
            text = invoked.group("rest")
        if text in BUILT_INS:
            return Resolved("intent", BUILT_INS[text])
        best, best_score = None, None
        candidates = sorted(
            self.by_first_word.get(text.split(" ", 1)[0], []) + self.by_first_word.get(None, [])
        )
        for literal, sample, name, slot_types in (self.patterns[i] for i in candidates):
            match = _pattern(sample).match(text)  # compiled on first use, then cached
            if not match:
                continue
            slots = {k: self._value(slot_types[k], v) for k, v in match.groupdict().items()}
            resolved = sum(1 for v in slots.values() if v[1] is not None)
            if literal == 0 and resolved < len(slots):
                continue  # a bare '{slot}' sample that did not resolve: Alexa would not pick it
            score = (resolved == len(slots), literal + resolved, resolved)
            if best_score is None or score > best_score:
                best, best_score = Resolved("intent", name, slots), score
        return best or Resolved("intent", "AMAZON.FallbackIntent")


# --- AMAZON.TIME: spoken times as Alexa sends them ("22:00", "09:30", "EV") -----------

_UNDER_TWENTY = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
_NUMBERS = {word: n for n, word in enumerate(_UNDER_TWENTY.split(" "))}
_NUMBERS.update({"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "oh": 0, "o": 0})
_PERIODS = {"morning": "MO", "afternoon": "AF", "evening": "EV", "tonight": "NI", "night": "NI"}
_NAMED = {"midnight": "00:00", "noon": "12:00", "midday": "12:00"}
_HALVES = {"am": 0, "a m": 0, "pm": 12, "p m": 12}


def _number(words: list[str]) -> int | None:
    """'nine' -> 9, 'forty five' -> 45, '10' -> 10; None if not a number."""
    if len(words) == 1 and words[0].isdigit():
        return int(words[0])
    values = [_NUMBERS.get(w) for w in words]
    if not values or None in values or len(values) > 2:
        return None
    return sum(values) if len(values) == 1 or values[0] >= 20 else None


def amazon_time(heard: str) -> str | None:
    """What AMAZON.TIME would send for these words, or None when they are not a time.
    Without AM/PM the hour is sent as said ("nine thirty" -> "09:30"), as Alexa does."""
    text = heard.lower().replace("o'clock", "").strip()
    text = re.sub(r"^(?:in the|at|this) ", "", text).strip()
    if text in _PERIODS:
        return _PERIODS[text]
    if text in _NAMED:
        return _NAMED[text]
    half = None
    for suffix, offset in _HALVES.items():
        if text.endswith(" " + suffix) or text.endswith(suffix) and text[: -len(suffix)].isdigit():
            half, text = offset, text[: -len(suffix)].strip()
            break
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if clock:
        hour, minute = int(clock[1]), int(clock[2])
    else:
        words = text.split()
        hour = _number(words[:1])
        minute = _number(words[1:]) if len(words) > 1 else 0
        if hour is None or minute is None:
            return None
    if hour > 23 or minute > 59 or (half is not None and not 1 <= hour <= 12):
        return None
    if half is not None:
        hour = hour % 12 + half
    return f"{hour:02d}:{minute:02d}"
