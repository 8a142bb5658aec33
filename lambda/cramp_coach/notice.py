"""The first-use notice: "general information, not a substitute for professional medical advice;
in an emergency, call ...".

Heard once per user, and only on turns where that costs a cramping person nothing: a day-time
launch (before the welcome) or the end of a cramp episode (after the goodbye). Never before
the stretch at night, and never on the cramp answer itself, which must not wait on storage.
"""

from __future__ import annotations

import logging

from .config import load_settings
from .speech import Speech
from .storage import StoreError, expiry, within_deadline
from .triage import sentences
from .turn import Turn

log = logging.getLogger(__name__)
NOTICE_KEY = "notice_heard"
NOTICE_REMEMBERED_DAYS = 30  # without consent, the flag alone, and not for long


# The flag lives in the user's profile. It says only that the user has heard the notice. For a
# consenting user it lives as long as the profile; without consent (never asked, or deleted
# everything) it is the only thing kept, and it expires after NOTICE_REMEMBERED_DAYS: hearing
# the notice again a month later is harmless, keeping anything longer without consent is not.
# The session keeps a copy so one session reads the profile at most once.
def _heard(t: Turn) -> bool:
    if t.session.get(NOTICE_KEY):
        return True
    user, seconds = t.user_id, load_settings().store_write_deadline_seconds
    # Under the store's deadline: a hanging DynamoDB must not hold up the answer it follows.
    profile = within_deadline(t.store, seconds, t.store.load_profile, user) if user else None
    heard = bool(profile and profile.get(NOTICE_KEY))
    if heard:
        t.session[NOTICE_KEY] = True
    return heard


def _remember(t: Turn) -> None:
    t.session[NOTICE_KEY] = True
    if t.user_id:
        seconds = load_settings().store_write_deadline_seconds
        flag = {NOTICE_KEY: True}
        if not within_deadline(
            t.store, seconds, t.store.update_profile, t.user_id, if_consented=True, **flag
        ):
            short_lived = {**flag, "expires_at": expiry(NOTICE_REMEMBERED_DAYS)}
            within_deadline(t.store, seconds, t.store.update_profile, t.user_id, **short_lived)


def _once_a_session(t: Turn, speech: Speech) -> Speech:
    """The store-safe edition cannot know who heard it: once a session, by day. At night the
    goodbye stays short; every advice card carries the same disclaimer."""
    if t.session.get(NOTICE_KEY) or t.night:
        return speech
    t.session[NOTICE_KEY] = True
    return speech.extend(notice_speech(t))


def notice_speech(t: Turn) -> Speech:
    number = t.content.fact("emergency_number")
    text = t.phrase("first_use_notice", emergency_number=number)
    return Speech(*sentences(text)).read_as_digits(number)


def add_once(t: Turn, speech: Speech) -> Speech:
    """Append the notice if this user has never heard it. When storage fails the notice is
    said anyway (saying it twice is harmless; missing it is not) and never breaks the answer."""
    if not t.keeps_history:
        return _once_a_session(t, speech)
    try:
        heard = _heard(t)
    except StoreError:
        log.warning("notice flag unreadable; saying the notice without remembering it")
        return speech.extend(notice_speech(t))
    if heard:
        return speech
    speech.extend(notice_speech(t))
    try:
        _remember(t)
    except StoreError:
        log.warning("notice flag not saved; the notice may be said again")
    return speech
