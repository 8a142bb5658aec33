"""`make chat`: talk to the skill by typing what you would say to an Echo.

Each line is resolved to an intent and slots from the interaction model's own sample
utterances, then sent through the real lambda_handler. Start with "open cramp coach" or a
one-shot like "tell cramp coach my calf is cramping". Ctrl-D or "quit" leaves.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "lambda")]  # when run as a script

from fake_alexa_api import FakeAlexaApi  # noqa: E402
from lambda_function import lambda_handler  # noqa: E402

from tools.local_dynamodb import start_local_dynamodb  # noqa: E402
from tools.session import Transcript  # noqa: E402


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def main() -> None:
    logging.disable(logging.WARNING)  # the transcript is the output; logs go quiet
    server = start_local_dynamodb()
    api = FakeAlexaApi().start()  # reminders and the time zone, on loopback
    transcript = Transcript(at=now(), handler=api.serving(lambda_handler))
    print(__doc__)
    try:
        while True:
            try:
                words = input("You: ").strip()
            except EOFError:
                break
            if words.lower() in {"quit", "exit"}:
                break
            if words:
                transcript.chat.at = now()
                transcript.say(words)
    finally:
        api.stop()
        server.stop()


if __name__ == "__main__":
    main()
