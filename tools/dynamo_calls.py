"""`make dynamo-calls`: the DynamoDB calls each request type makes, counted, not guessed.

Each scenario plays its set-up turns, then counts the store client's calls (botocore's
before-call events) for one request through the real lambda_handler, against moto
in-process. tests/test_history_calls.py asserts the same numbers.
"""

from __future__ import annotations

import collections
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "lambda")]  # when run as a script
# The local DynamoDB is throwaway: a fixed salt for its hashed user ids.
os.environ.setdefault("USER_HASH_SALT", "local-tools-salt")

from envelopes import DAY, NIGHT, Conversation  # noqa: E402

USER = "amzn1.ask.account.CALLS"


# name: (time, consent first?, set-up turns, the measured turn)
SCENARIOS = {
    "cramp now (first turn of an episode)": (
        NIGHT,
        True,
        [],
        ("CrampNowIntent", {"muscle": "calf"}),
    ),
    "still cramping (same episode)": (
        NIGHT,
        True,
        [("CrampNowIntent", {"muscle": "calf"})],
        ("StillCrampingIntent", {}),
    ),
    "it's better, consent yes (goodbye + logged card)": (
        NIGHT,
        True,
        [("CrampNowIntent", {"muscle": "calf"})],
        ("CrampEasedIntent", {}),
    ),
    "it's better, consent never asked (asks)": (
        NIGHT,
        False,
        [("CrampNowIntent", {"muscle": "calf"})],
        ("CrampEasedIntent", {}),
    ),
    "yes to the consent question": (
        NIGHT,
        False,
        [("CrampNowIntent", {"muscle": "calf"}), ("CrampEasedIntent", {})],
        ("AMAZON.YesIntent", {}),
    ),
    "no to the consent question": (
        NIGHT,
        False,
        [("CrampNowIntent", {"muscle": "calf"}), ("CrampEasedIntent", {})],
        ("AMAZON.NoIntent", {}),
    ),
    "log a cramp": (DAY, True, [], ("LogCrampIntent", {"muscle": "calf", "time": "03:00"})),
    "how many cramps this week": (DAY, True, [], ("CrampCountIntent", {"period": "week"})),
    "when was my last cramp": (DAY, True, [], ("LastCrampIntent", {})),
    "which leg cramps most": (DAY, True, [], ("WhichLegIntent", {})),
    "am I getting better": (DAY, True, [], ("CrampTrendIntent", {})),
    "show my cramp history": (DAY, True, [], ("CrampHistoryIntent", {})),
    "summary for my doctor": (DAY, True, [], ("DoctorSummaryIntent", {})),
    "delete my history (the question)": (DAY, True, [], ("DeleteHistoryIntent", {})),
    "yes, delete (profile + 1 cramp)": (
        DAY,
        True,
        [("LogCrampIntent", {"muscle": "calf"}), ("DeleteHistoryIntent", {})],
        ("AMAZON.YesIntent", {}),
    ),
    "open at night (launch)": (NIGHT, True, [], None),
    "stop mid-cramp (the episode is counted)": (
        NIGHT,
        True,
        [("CrampNowIntent", {"muscle": "calf"})],
        ("AMAZON.StopIntent", {}),
    ),
    "silence after a cramp answer (session ended)": (
        NIGHT,
        True,
        [("CrampNowIntent", {"muscle": "calf"})],
        ("SessionEndedRequest", {}),
    ),
}


def measure(name: str) -> dict[str, int]:
    """Play one scenario in a fresh moto table; the measured turn's calls by operation."""
    from cramp_coach import store
    from lambda_function import lambda_handler
    from moto import mock_aws

    from tools import local_dynamodb

    at, consent, setup, measured = SCENARIOS[name]
    # boto3's default session is kept: making it anew per scenario costs more than the scenario.
    with mock_aws(config={"core": {"reset_boto3_session": False}}):
        store.reset_client()
        local_dynamodb.create_table(os.environ.get("CRAMP_TABLE_NAME", "cramp-coach"))
        if consent:
            store.DynamoStore().grant_consent(USER)
        chat = Conversation(lambda_handler, at=at, user=USER)
        for intent, slots in setup:
            chat.say(intent, **slots)
        calls: collections.Counter = collections.Counter()
        store.client().meta.events.register(
            "before-call.dynamodb.*", lambda model, **_: calls.update([model.name])
        )
        if measured is None:
            chat.launch()
        elif measured[0] == "SessionEndedRequest":
            chat.end()
        else:
            chat.say(measured[0], **measured[1])
    store.reset_client()
    return dict(calls)


def main() -> None:
    logging.disable(logging.WARNING)
    os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    print(f"{'request':52} DynamoDB calls")
    for name in SCENARIOS:
        calls = measure(name)
        shown = ", ".join(f"{op} {n}" for op, n in sorted(calls.items())) or "none"
        print(f"{name:52} {shown}")


if __name__ == "__main__":
    main()
