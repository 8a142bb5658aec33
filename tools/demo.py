"""`make demo`: a scripted night through the real lambda_handler, turn by turn.

Storage is a local DynamoDB-compatible server (moto) on loopback, created for the run; the
Alexa APIs (reminders, the device's time zone) are tests/fake_alexa_api.py on loopback.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "lambda")]  # when run as a script

from envelopes import NIGHT, shift  # noqa: E402
from fake_alexa_api import FakeAlexaApi  # noqa: E402
from lambda_function import lambda_handler  # noqa: E402

from tools.local_dynamodb import start_local_dynamodb  # noqa: E402
from tools.session import Transcript  # noqa: E402

# (minutes after 03:00 local, what the person says); a new block is a new session.
EVENING = [
    # the evening before (21:00): tonight's tip, then the guide's questions
    [(-360, "open cramp coach"), (-360, "yes"), (-359, "no")],
    [(-355, "ask cramp coach does pickle juice work")],
    [(-354, "ask cramp coach can lipitor cause cramps")],
]
NIGHT_AND_NEXT_DAY = [
    [
        (0, "open cramp coach"),
        (0, "my calf"),
        (1, "still cramping"),
        (2, "it's better"),
        (2, "yes"),  # keep a private count: this cramp and later ones are saved
    ],
    [(40, "tell cramp coach my left foot is cramping"), (41, "it stopped")],
    [(95, "ask cramp coach about a cramp in my right hamstring"), (96, "no"), (97, "better")],
    # The next day, at lunchtime: the night in numbers and on a card.
    [(570, "ask cramp coach how many cramps this week"), (571, "show my cramp history")],
]
SCRIPT = EVENING + NIGHT_AND_NEXT_DAY


# The evening before (minutes from 03:00 local, so negative): a nightly stretch reminder.
BEDTIME = [
    [
        (-330, "tell cramp coach to remind me to stretch every night at ten"),
        (-330, "yes"),
    ],
    [(-329, "ask cramp coach when is my reminder")],
]


def play_bedtime(api: FakeAlexaApi, script=BEDTIME, out=print) -> None:
    """The bedtime sessions, with the Alexa API calls each turn made (from the fake's log)."""
    handler = api.serving(lambda_handler)
    for session in script:
        transcript, turn_lines = None, []
        for minutes, words in session:
            at = shift(NIGHT, minutes=minutes)
            if transcript is None:
                transcript = Transcript(at=at, out=turn_lines.append, handler=handler)
            transcript.chat.at = at
            seen = len(api.log)
            transcript.say(words)
            calls = [f"  Alexa API: {call}" for call in api.log[seen:]]
            for line in [*turn_lines[:-1], *calls, turn_lines[-1]]:  # calls before the gap
                out(line)
            turn_lines.clear()
        out("-" * 72)


def play(script=SCRIPT, out=print) -> None:
    for session in script:
        transcript = None
        for minutes, words in session:
            at = shift(NIGHT, minutes=minutes)
            if transcript is None:
                transcript = Transcript(at=at, out=out)
            transcript.chat.at = at
            transcript.say(words)
        out("-" * 72)


def main() -> None:
    logging.disable(logging.WARNING)  # the transcript is the output; logs go quiet
    server = start_local_dynamodb()
    try:
        print("Cramp Coach demo: a night of cramps, through the real lambda_handler.\n")
        play(EVENING)
        with FakeAlexaApi() as api:
            play_bedtime(api)
        play(NIGHT_AND_NEXT_DAY)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
