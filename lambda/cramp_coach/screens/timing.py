"""The on-screen countdown, timed from the same speech the user hears.

The screen cannot hear the voice, so it follows a timeline worked out from the SSML itself:
each sentence takes its words at Alexa's usual pace, each <break> its exact length. A cue is
shown when its sentence starts ("Twenty seconds." shows 20). The numbers come from the journey
that speaks them, so voice and screen cannot count differently; timing can drift by about a
second, which is why the labels change on the spoken cue, not on every second.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..speech import Speech

WORDS_PER_SECOND = 2.5  # 150 words a minute, the pace the relief content is written for
SENTENCE_GAP_SECONDS = 0.4  # the short pause Alexa leaves after each <s>


@dataclass(frozen=True)
class Cue:
    label: str  # what the screen shows: "30", "20", "10", "Done"
    sentence: str  # the spoken sentence it goes with


def sentence_seconds(sentence: str) -> float:
    return len(sentence.split()) / WORDS_PER_SECOND + SENTENCE_GAP_SECONDS


def starts(speech: Speech) -> list[tuple[float, str]]:
    """(seconds from the start, sentence) for every sentence in the speech."""
    clock = 0.0
    timeline = []
    for part in speech.parts:
        if isinstance(part, float):
            clock += part
        else:
            timeline.append((clock, part))
            clock += sentence_seconds(part)
    return timeline


def countdown(speech: Speech, cues: list[Cue]) -> list[dict]:
    """Marks for the screen: each cue's label and how long after the previous mark it shows.

    Cues whose sentence is not in the speech are left out (a wait instead of a hold)."""
    timeline = starts(speech)
    marks = []
    previous = 0.0
    searched_from = 0
    for cue in cues:
        found = next(
            (i for i in range(searched_from, len(timeline)) if timeline[i][1] == cue.sentence),
            None,
        )
        if found is None:
            continue
        at = timeline[found][0]
        marks.append({"label": cue.label, "waitMs": round((at - previous) * 1000)})
        previous, searched_from = at, found + 1
    return marks


def ends_at(speech: Speech) -> float:
    timeline = starts(speech)
    if not timeline:
        return 0.0
    at, sentence = timeline[-1]
    return at + sentence_seconds(sentence)
