"""The answer and card after a cramp is kept: what was logged, and this week's count."""

from __future__ import annotations

from ask_sdk_model import Response

from ... import nights
from ...config import load_settings
from ...nights import words
from ...records import Cramp
from ...speech import Speech
from ...storage import StoreError, within_deadline
from ...turn import Card, Turn


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
    text = words(
        t.content, "card_logged", when=when[:1].upper() + when[1:], muscle=muscle, count=count
    )
    return Card(words(t.content, "card_title_logged"), text)


def logged_card(t: Turn, user: str, cramp: Cramp) -> Card:
    return logged_card_text(t, cramp, week_count(user, t))


def logged_reply(t: Turn, user: str, cramp: Cramp) -> Response:
    count = week_count(user, t)
    muscle = nights.muscle_words(t.content, cramp.muscle, cramp.side)
    when = nights.when_words(t.content, cramp, t.local_time)
    if count is None:
        speech = Speech(words(t.content, "logged_no_total", muscle=muscle, when=when))
    else:
        line = words(
            t.content,
            "logged",
            muscle=muscle,
            when=when,
            count=nights.count_words(t.content, count),
        )
        speech = Speech(line)
    return t.reply(speech, card=logged_card_text(t, cramp, count), end=True)
