"""What one skill remembers across warm invocations: small caches it may lose at any time.

They belong to the skill that skill.build_skill() makes (every Turn reaches them), not to a
module: a fresh skill, in a new container or a test, starts knowing nothing. Each is bounded
(cache.BoundedCache), and losing any of them costs one extra look-up, never a wrong answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .cache import BoundedCache


@dataclass(frozen=True)
class WarmMemory:
    # Device (hashed id) -> its time zone name (None: the Settings API gave none) and the
    # monotonic time to ask again (clock.py).
    time_zones: BoundedCache[str, tuple[str | None, float]] = field(default_factory=BoundedCache)
    # User (hashed id) -> what the last cramp write said about their consent, so a failed save
    # is mentioned only to someone whose cramps are being kept (history/recording.py).
    consent_outcomes: BoundedCache[str, str] = field(default_factory=BoundedCache)
    # Devices (hashed ids) that answered a voice permission request with an error: they get
    # the consent card straight away next time (bedtime_permission.py).
    no_voice_consent: BoundedCache[str, bool] = field(default_factory=BoundedCache)
