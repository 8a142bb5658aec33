"""The glue between a journey's turn and the screens: it takes the words the journey already
chose (content, speech) and hands them to the plain-data builders. One function a screen."""

from __future__ import annotations

from .. import nights
from ..content import SCREEN, Item
from ..records import Cramp
from ..speech import Speech
from ..turn import Turn
from .apl import Screen
from .builders import chart_screen, cramp_screen, emergency_screen, page_screen, tip_screen
from .timing import Cue, countdown


def relief(t: Turn, item: Item, instruction: str, title: str, speech: Speech, cues) -> Screen:
    """The cramp screen for the technique just spoken; `cues` are the hold's (label, phrase)
    pairs in the order spoken, so the screen counts with the very sentences the voice says."""
    ask = t.phrase("ask_easing")
    marks = countdown(speech, [*(Cue(label, sentence) for label, sentence in cues), Cue("", ask)])
    ask_wait = marks.pop()["waitMs"] if marks and marks[-1]["label"] == "" else 0
    return cramp_screen(
        technique=item.id,
        title=title,
        instruction=instruction,
        marks=marks,
        ask_wait_ms=ask_wait,
        ask=ask,
        still=t.phrase("still_cramping", SCREEN),
        better=t.phrase("better", SCREEN),
        night=t.night,
    )


def emergency(t: Turn, action: str, detail: str) -> Screen:
    return emergency_screen(number=t.content.fact("emergency_number"), action=action, detail=detail)


def tip(t: Turn, item: Item, text: str) -> Screen:
    grade = item.get("grade") or item.get("evidence") or ""
    sources = "; ".join(sorted(t.content.source_names(item.sources)))
    return tip_screen(
        title=t.phrase("card_title_tip"),
        tip=text,
        evidence=t.phrase("card_evidence", evidence=grade) if grade else "",
        sources=t.phrase("card_sources", sources=sources),
        night=t.night,
    )


def history(t: Turn, title: str, cramps: list[Cramp], trend: str) -> Screen:
    """The last 14 nights (oldest first) as bars, each labelled with its day of the month."""
    window = nights.recent(t.local_time, nights.FORTNIGHT)
    counts = [(str(night.day), sum(c.night == night for c in cramps)) for night in window.nights()]
    return chart_screen(
        title=title,
        nights=counts,
        trend=trend,
        note=t.phrase("history_note", SCREEN),
        night=t.night,
    )


def doctor(t: Turn, title: str, card_text: str) -> Screen:
    """The doctor summary card as a readable page, a paragraph a line."""
    return page_screen(
        title=title,
        lines=card_text.split("\n"),
        footnote=t.phrase("doctor_footnote", SCREEN),
        night=t.night,
    )
