"""Scores the held-out triage probes (tests/triage_probes.tsv): each phrase is resolved by the
locale's own interaction model, sent through the real lambda_handler, and the level of the
first sentence is compared with the level the probe expects.

    python tools/triage_probes.py            # score in every locale, list the misses
    python tools/triage_probes.py en-GB      # one locale

The probes are held out: never copy them into the interaction model's samples or synonyms.
`level_of_text` is also how tests/test_red_flags.py hears a level.
"""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "lambda")]  # when run as a script
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")  # never AWS itself

PROBES = ROOT / "tests" / "triage_probes.tsv"
CONTENT = ROOT / "content"
LEVELS = ("emergency", "urgent", "soon", "routine")
UNPLACED = "I couldn't place that symptom."  # the safety-line answer


def facts(locale: str) -> dict:
    return tomllib.loads((CONTENT / locale / "locale.toml").read_text())["locale"]


def level_of_text(first: str, locale: str) -> str | None:
    """Which action a first sentence names, as a listener would hear it: the emergency number,
    a same-day place named for the market, a doctor within a day or two, or the usual doctor."""
    f = facts(locale)
    if first == f"Call {f['emergency_number']} now.":
        return "emergency"
    same_day = [f[key] for key in ("urgent_care", "maternity_care", "maternity_now") if key in f]
    if any(place in first for place in same_day) or first == "Get medical care right away.":
        return "urgent"
    if "within a day or two" in first or first.startswith("See a doctor soon"):
        return "soon"
    if first.startswith(("See your doctor", "Ask your doctor")):
        return "routine"
    return None


def load_probes() -> list[tuple[str, str]]:
    rows = []
    for line in PROBES.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            said, level = line.split("\t")
            assert level in LEVELS, line
            rows.append((said, level))
    return rows


@dataclass(frozen=True)
class Outcome:
    said: str
    expected: str
    heard: str | None
    first: str


def run(locale: str = "en-US") -> list[Outcome]:
    import re

    from envelopes import Conversation, first_sentence, local_moment
    from lambda_function import lambda_handler

    from tools.utterances import Resolver

    resolver = Resolver(locale)
    outcomes = []
    for said, expected in load_probes():
        talk = Conversation(lambda_handler, at=local_moment(locale, 3), locale=locale)
        resolved = resolver.resolve(said)
        if resolved.kind == "launch":
            response = talk.launch()
        else:
            response = talk.say(resolved.intent, **resolved.slots)
        first = re.sub(r"<[^>]+>", "", first_sentence(response))
        outcomes.append(Outcome(said, expected, level_of_text(first, locale), first))
    return outcomes


def main(argv: list[str]) -> int:
    import logging

    logging.disable(logging.CRITICAL)
    locales = argv or sorted(p.parent.name for p in CONTENT.glob("*/locale.toml"))
    for locale in locales:
        outcomes = run(locale)
        right = [o for o in outcomes if o.heard == o.expected]
        over = [o for o in outcomes if o.heard and _less_urgent(o.expected, o.heard)]
        under = [o for o in outcomes if o.heard and _less_urgent(o.heard, o.expected)]
        safety_line = [o for o in outcomes if o.heard is None and o.first == UNPLACED]
        lost = [o for o in outcomes if o.heard is None and o.first != UNPLACED]
        print(
            f"{locale}: {len(right)}/{len(outcomes)} right, {len(over)} over-called, "
            f"{len(under)} under-called, {len(safety_line)} unplaced (safety line said), "
            f"{len(lost)} lost (no red-flag answer)"
        )
        for o in outcomes:
            if o.heard != o.expected:
                print(f"  {o.said!r}: expected {o.expected}, got {o.heard} ({o.first!r})")
    return 0


def _less_urgent(heard: str, expected: str) -> bool:
    return LEVELS.index(heard) > LEVELS.index(expected)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
