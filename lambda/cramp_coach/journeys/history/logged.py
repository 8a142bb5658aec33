"""The answer and card after a cramp is kept: what was logged, and this week's count."""

from __future__ import annotations

import dataclasses

from ask_sdk_model import Response

from ... import nights
from ...clock import is_night
from ...config import load_settings
from ...content import HISTORY, Content
from ...records import Cramp
from ...speech import Speech
from ...storage import StoreError, within_deadline
from ...turn import Card, Turn


def known_muscle(content: Content, muscle: str | None) -> str:
    """A muscle id this content names; "any" for the rest (entity resolution can return an id
    the content lacks, and stored cramps outlive renamed muscles)."""
    return muscle if muscle and muscle in content.table("muscles") else "any"


def known_side(side: str | None) -> str | None:
    return side if side in ("left", "right") else None


def as_known(content: Content, cramp: Cramp) -> Cramp:
    """The cramp with only values this content can speak: what is stored and what is read."""
    muscle, side = known_muscle(content, cramp.muscle), known_side(cramp.side)
    if (muscle, side) == (cramp.muscle, cramp.side):
        return cramp
    return dataclasses.replace(cramp, muscle=muscle, side=side)


def unsaved_speech(t: Turn, error: StoreError) -> Speech:
    """A save that did not come back. Only a refused write is called a failure; one that may
    have landed (a deadline, a lost reply) is left to a later read; at night, nothing negative."""
    if is_night(t.local_time):
        return Speech(t.phrase("save_quiet", HISTORY))
    return Speech(t.phrase("save_failed" if error.refused else "save_unsure", HISTORY))


def week_count(user: str, t: Turn) -> int | None:
    """This week's cramps for the logged card; None if the history can't be read in time."""
    try:
        found = within_deadline(
            t.store,
            load_settings().store_write_deadline_seconds,
            t.store.history_since,
            user,
            nights.query_start(t.local_time, nights.WEEK),
        )
    except StoreError:
        return None
    return len(nights.within(found.cramps, nights.recent(t.local_time, nights.WEEK)))


def logged_card_text(t: Turn, cramp: Cramp, this_week: int | None) -> Card:
    when = nights.when_words(t.content, cramp, t.local_time)
    muscle = nights.muscle_words(t.content, cramp.muscle, cramp.side)
    count = nights.count_words(t.content, this_week) if this_week is not None else "?"
    text = t.phrase(
        "card_logged", HISTORY, when=when[:1].upper() + when[1:], muscle=muscle, count=count
    )
    return Card(t.phrase("card_title_logged", HISTORY), text)


def logged_card(t: Turn, user: str, cramp: Cramp) -> Card:
    return logged_card_text(t, cramp, week_count(user, t))


def logged_reply(t: Turn, user: str, cramp: Cramp) -> Response:
    count = week_count(user, t)
    muscle = nights.muscle_words(t.content, cramp.muscle, cramp.side)
    when = nights.when_words(t.content, cramp, t.local_time)
    if count is None:
        speech = Speech(t.phrase("logged_no_total", HISTORY, muscle=muscle, when=when))
    else:
        line = t.phrase(
            "logged",
            HISTORY,
            muscle=muscle,
            when=when,
            count=nights.count_words(t.content, count),
        )
        speech = Speech(line)
    return t.reply(speech, card=logged_card_text(t, cramp, count), end=True)
