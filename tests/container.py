"""A new Lambda container for a test: the skill built afresh, remembering nothing."""

from __future__ import annotations

from cramp_coach import clock
from cramp_coach.journeys.history import recording
from cramp_coach.skill import build_skill
from cramp_coach.storage import CrampStore


def new_skill(store: CrampStore | None = None):
    """The skill as a cold container builds it (on DynamoDB unless given a store)."""
    # The two caches still kept per module, not per skill: forgotten here, in one place.
    clock._TZ_CACHE.clear()
    recording._LAST_OUTCOME.clear()
    return build_skill(store)
