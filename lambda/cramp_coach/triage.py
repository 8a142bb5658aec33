"""Which red flag applies, and how it is said: the action first, in the locale's words.

The rules are data (content/en/red_flags.toml): each item names the symptoms that trigger it
and, for combinations, the symptoms that must come with them. `triage` is pure, so the same
decision is made for a symptom report, a ten-minute hand-over, and the triage table in
docs/clinical-safety.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from string import Formatter

from .content import Content, Item
from .speech import Speech

TOPIC = "red_flags"
LEVELS = ("emergency", "urgent", "soon", "routine")  # most serious first
OVER_TEN_MINUTES = "cramp_over_10_minutes"  # the mid-cramp journey hands over to this item
LONG_CRAMP = "long_cramp"  # the symptom id for "the cramp won't stop"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Verdict:
    level: str
    item: Item  # what is said
    also: tuple[Item, ...] = ()  # other red flags heard that the winning item does not cover


def rules(content: Content) -> list[Item]:
    """The red-flag items, in file order (which breaks ties within a level)."""
    return [item for item in content.items(TOPIC) if item.get("level") in LEVELS]


def matches(item: Item, heard: frozenset[str]) -> bool:
    if not heard & set(item.get("symptoms", ())):
        return False
    needs = item.get("needs_any")
    return not needs or bool(heard & set(needs))


def covered(item: Item, heard: frozenset[str]) -> frozenset[str]:
    return heard & (set(item.get("symptoms", ())) | set(item.get("needs_any", ())))


def triage(symptom_ids: Iterable[str], red_flags: Sequence[Item]) -> Verdict | None:
    """The most serious red flag among the symptoms heard; None when none applies."""
    heard = frozenset(symptom_ids)
    ranked = sorted(
        (item for item in red_flags if matches(item, heard)),
        key=lambda item: LEVELS.index(item.get("level")),  # stable: file order among equals
    )
    if not ranked:
        return None
    winner, *rest = ranked
    also, seen = [], covered(winner, heard)
    for item in rest:
        if covered(item, heard) - seen:
            also.append(item)
            seen |= covered(item, heard)
    return Verdict(winner.get("level"), winner, tuple(also))


# --- how it is said -------------------------------------------------------------------


def fill(content: Content, text: str) -> str:
    """Put the locale's facts ({emergency_number}, {urgent_care}, ...) into a content text."""
    names = {name for _, name, _, _ in Formatter().parse(text) if name}
    return text.format(**{name: content.fact(name) for name in names})


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def spoken(content: Content, item: Item) -> Speech:
    """The item's speech, one <s> per sentence, phone numbers read digit by digit."""
    speech = Speech(*sentences(fill(content, item.speech)))
    return speech.read_as_digits(*phone_digits(content))


def phone_digits(content: Content) -> list[str]:
    numbers = [content.fact("emergency_number"), content.fact("urgent_care")]
    return [run for number in numbers for run in _DIGITS.findall(number)]


def action(content: Content, item: Item) -> str:
    """The first sentence: what to do."""
    return sentences(fill(content, item.speech))[0]


def sources_line(content: Content, items: Iterable[Item]) -> str:
    names = sorted({name for item in items for name in content.source_names(item.sources)})
    return content.phrase("card_sources", sources="; ".join(names))
