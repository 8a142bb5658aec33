"""A new Lambda container for a test: the skill built afresh, remembering nothing."""

from __future__ import annotations

from cramp_coach.skill import build_skill
from cramp_coach.storage import CrampStore


def serve(monkeypatch, store: CrampStore | None = None):
    """A new skill behind lambda_handler (and cramp_coach.skill.SKILL) for this test only."""
    import lambda_function
    from cramp_coach import skill as skill_module

    fresh = new_skill(store)
    monkeypatch.setattr(skill_module, "SKILL", fresh)
    monkeypatch.setattr(lambda_function, "SKILL", fresh)
    return fresh


def new_skill(store: CrampStore | None = None):
    """The skill as a cold container builds it (on DynamoDB unless given a store)."""
    # Its caches (device time zones, consent outcomes) belong to the skill: a new one knows none.
    return build_skill(store)
