"""`make demo`: a scripted night through the real lambda_handler, turn by turn.

Storage is a local DynamoDB-compatible server (moto) on loopback, created for the run.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1]),
    str(Path(__file__).resolve().parents[2] / "lambda"),
]

from cramp_coach.local_dynamodb import start_local_dynamodb  # noqa: E402
from envelopes import NIGHT, shift  # noqa: E402

from tools.session import Transcript  # noqa: E402

# (minutes after 03:00 local, what the person says); a new block is a new session.
SCRIPT = [
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
        play()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
