"""Devices without a screen get byte for byte the answers they got before the screens existed.

tests/fixtures/golden/no_screen.json was recorded from the skill as it was before the screens
were added, and re-recorded three times since: for the reworded disclaimer (card and first-use
notice), then for the clinical review's content (hold a chair, no heat on numb skin, same-day care
named, sources named precisely, "for adults"), then for a count that begins a sentence with a
capital ("Not yet. One cramp"), and nothing else (GOLDEN_WRITE=1 re-records it: only
ever do that on purpose, and say why). The same
conversations on an APL device must say exactly the same words, with a screen added.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from envelopes import DAY, NIGHT, intent, launch
from lambda_function import lambda_handler

GOLDEN = Path(__file__).parent / "fixtures" / "golden" / "no_screen.json"

# Each conversation: (time, [(request kind, intent or None, slots)]).
CONVERSATIONS = {
    "night_calf_still_better": (
        NIGHT,
        [
            ("intent", "CrampNowIntent", {"muscle": "calf", "side": "left"}),
            ("intent", "StillCrampingIntent", {}),
            ("intent", "CrampEasedIntent", {}),
        ],
    ),
    "day_foot_no_yes": (
        DAY,
        [
            ("intent", "CrampNowIntent", {"muscle": "foot"}),
            ("intent", "AMAZON.NoIntent", {}),
            ("intent", "AMAZON.YesIntent", {}),
        ],
    ),
    "night_launch_yes": (NIGHT, [("launch", None, {}), ("intent", "AMAZON.YesIntent", {})]),
    "day_tip": (DAY, [("intent", "TipIntent", {})]),
    "night_emergency": (NIGHT, [("intent", "SymptomIntent", {"symptom": "chest_pain"})]),
    "day_history_without_consent": (DAY, [("intent", "CrampHistoryIntent", {})]),
    "day_count_then_history": (
        DAY,
        [
            ("intent", "CrampNowIntent", {"muscle": "calf", "side": "right"}),
            ("intent", "CrampEasedIntent", {}),
            ("intent", "AMAZON.YesIntent", {}),
            ("intent", "CrampHistoryIntent", {}),
            ("intent", "CrampTrendIntent", {}),
            ("intent", "DoctorSummaryIntent", {}),
        ],
    ),
}


def with_screen(event: dict) -> dict:
    from envelopes import with_apl

    return with_apl(event)


def play(name: str, screen: bool = False, user: str = "GOLDEN") -> list[dict]:
    """One conversation through lambda_handler, session attributes carried as Alexa does."""
    at, steps = CONVERSATIONS[name]
    random.seed(20)  # the tip is chosen at random: the same one every run
    attributes: dict = {}
    new = True
    answers = []
    for number, (kind, name_, slots) in enumerate(steps, start=1):
        request_id = f"amzn1.echo-api.request.golden-{name}-{number}"
        user_id = f"amzn1.ask.account.{user}-{name}"  # each conversation its own user
        common = dict(at=at, user=user_id, attributes=attributes, new=new, request_id=request_id)
        event = launch(**common) if kind == "launch" else intent(name_, slots, **common)
        if screen:
            event = with_screen(event)
        answer = lambda_handler(event, None)
        answers.append(answer)
        attributes = answer.get("sessionAttributes") or {}
        new = bool(answer.get("response", {}).get("shouldEndSession", True))
        if new:
            attributes = {}
    return answers


def as_bytes(answers: list[dict]) -> list[str]:
    return [json.dumps(answer, sort_keys=False) for answer in answers]


@pytest.fixture
def golden() -> dict:
    return json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}


def test_record_golden_only_on_purpose(memory):
    if not os.environ.get("GOLDEN_WRITE"):
        pytest.skip("GOLDEN_WRITE=1 re-records the answers devices without a screen get")
    recorded = {name: as_bytes(play(name)) for name in CONVERSATIONS}
    GOLDEN.write_text(json.dumps(recorded, indent=1) + "\n")


@pytest.mark.parametrize("name", sorted(CONVERSATIONS))
def test_a_device_without_a_screen_gets_the_same_bytes_as_before(memory, golden, name):
    assert as_bytes(play(name)) == golden[name]
