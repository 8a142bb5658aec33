"""The first-use notice: "general information, not medical advice; in an emergency, call ...".

Heard once per user, and only on turns where that costs a cramping person nothing: a day-time
launch (before the welcome) or the end of a cramp episode (after the goodbye). Never before
the stretch at night, and never on the cramp answer itself, which must not wait on storage.
"""

from __future__ import annotations

import logging

from .speech import Speech
from .triage import sentences
from .turn import Turn

log = logging.getLogger(__name__)
NOTICE_KEY = "notice_heard"


def _heard(t: Turn) -> bool:
    # Kept in the session until the per-user profile (store.py) lands; then this reads it.
    return bool(t.session.get(NOTICE_KEY))


def _remember(t: Turn) -> None:
    t.session[NOTICE_KEY] = True


def notice_speech(t: Turn) -> Speech:
    number = t.content.fact("emergency_number")
    text = t.phrase("first_use_notice", emergency_number=number)
    return Speech(*sentences(text)).read_as_digits(number)


def add_once(t: Turn, speech: Speech) -> Speech:
    """Append the notice if this user has never heard it. A storage failure skips it (it is
    said next time): the notice must never break an answer."""
    try:
        due = not _heard(t)
    except Exception:  # noqa: BLE001 - any storage failure; the answer matters more
        log.exception("notice flag unreadable; skipping the notice this turn")
        return speech
    if not due:
        return speech
    speech.extend(notice_speech(t))
    try:
        _remember(t)
    except Exception:  # noqa: BLE001
        log.exception("notice flag not saved; the notice may be said again")
    return speech
