"""`make soak`: one user with 10,000 logged cramps; history answers stay fast, bounded, correct.

The cramps are written with BatchWriteItem in the store's own item layout (store.cramp_item) and the
profile counter set to match; then every history question is asked through lambda_handler and
the store client's DynamoDB calls are counted by botocore hooks: calls and items read per
answer, and never a Scan. The spoken counts are checked against the seeded data.

    python tools/soak.py [--cramps 10000] [--repeat 5]

Runs against moto's DynamoDB server on loopback (real HTTP), started for the run.

moto answers a Query by walking the whole partition (about 0.3 s per call at 10,000 items
where DynamoDB reads only what it returns), so the skill's read deadline is lifted for the
soak and wall times here are moto's, not DynamoDB's: what carries over to DynamoDB is the
number of calls and items read per answer, which are what the soak bounds.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import math
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path[:0] = [str(TESTS.parent), str(TESTS), str(TESTS.parent / "lambda")]  # as a script

from cramp_coach import nights, store  # noqa: E402
from cramp_coach.config import load_settings  # noqa: E402
from cramp_coach.journeys.history import answers  # noqa: E402
from envelopes import intent  # noqa: E402
from lambda_function import lambda_handler  # noqa: E402

USER = "amzn1.ask.account.SOAK"
AT = "2026-11-26T17:00:00Z"  # noon in New York, the en-US default zone
ZONE = ZoneInfo("America/New_York")
LOCAL_NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=ZONE)
SPREAD_NIGHTS = 400  # the retention period: the oldest cramps are a year and more back
PAGE = store.PAGE_SIZE
QUESTIONS = [
    ("how many this week", "CrampCountIntent", {"period": "week"}),
    ("how many this month", "CrampCountIntent", {"period": "month"}),
    ("how many last night", "CrampCountIntent", {"period": "last_night"}),
    ("when was my last", "LastCrampIntent", {}),
    ("which leg", "WhichLegIntent", {}),
    ("am I getting better", "CrampTrendIntent", {}),
    ("my history", "CrampHistoryIntent", {}),
    ("doctor summary", "DoctorSummaryIntent", {}),
]


def soak_cramps(count: int, spread_nights: int = SPREAD_NIGHTS) -> list[store.Cramp]:
    """`count` cramps, an even number a night over the last `spread_nights` nights, 23:xx local."""
    last = nights.current_night(LOCAL_NOW)
    cramps = []
    for n in range(count):
        night = last - dt.timedelta(days=n % spread_nights)
        local = dt.datetime.combine(night, dt.time(23, 0), tzinfo=ZONE) + dt.timedelta(
            seconds=n // spread_nights
        )
        cramps.append(
            store.Cramp(
                at=local.astimezone(dt.UTC),
                night=night,
                muscle=("calf", "foot", "hamstring")[n % 3],
                side=("left", "right")[n % 2],
                source="logged",
                event_id=f"amzn1.echo-api.request.soak-{n}",
                local_time=local.strftime("%H:%M"),
            )
        )
    return cramps


def seed(user: str, cramps: list[store.Cramp]) -> float:
    """Write the cramps with BatchWriteItem (25 a call) and a consenting profile counting them."""
    started = time.monotonic()
    retention = load_settings().retention_days
    client, table = store.client(), store.table_name()
    for first in range(0, len(cramps), 25):
        requests = {
            table: [
                {"PutRequest": {"Item": store.cramp_item(user, c, retention)}}
                for c in cramps[first:][:25]
            ]
        }
        while requests:
            requests = client.batch_write_item(RequestItems=requests).get("UnprocessedItems")
    store.DynamoStore().update_profile(user, consent=store.CONSENT_YES, cramp_count=len(cramps))
    return time.monotonic() - started


@dataclass
class Measured:
    seconds: list[float] = field(default_factory=list)
    calls: collections.Counter = field(default_factory=collections.Counter)
    items_read: int = 0
    speech: str = ""


class DynamoCalls:
    """Counts the store client's calls by operation and the items each read returned."""

    def __init__(self):
        self.calls: collections.Counter = collections.Counter()
        self.items = 0
        events = store.client().meta.events
        events.register("before-call.dynamodb.*", self._call, unique_id="soak-calls")
        events.register("after-call.dynamodb.*", self._items, unique_id="soak-items")

    def _call(self, model, **_):
        self.calls[model.name] += 1

    def _items(self, parsed, **_):
        self.items += len(parsed.get("Items", [])) + (1 if parsed.get("Item") else 0)

    def reset(self) -> None:
        self.calls.clear()
        self.items = 0


def ask(calls: DynamoCalls, name: str, slots: dict, repeat: int) -> Measured:
    measured = Measured()
    for _ in range(repeat):
        calls.reset()
        event = intent(name, slots, at=AT, user=USER)
        started = time.monotonic()
        response = lambda_handler(event, None)
        measured.seconds.append(time.monotonic() - started)
        measured.calls, measured.items_read = collections.Counter(calls.calls), calls.items
        measured.speech = re.sub(r"<[^>]+>", " ", response["response"]["outputSpeech"]["ssml"])
    return measured


def in_window(cramps: list[store.Cramp], size: int) -> int:
    window = nights.recent(LOCAL_NOW, size)
    return sum(1 for c in cramps if window.first <= c.night <= window.last)


def items_in_read_window(cramps: list[store.Cramp], size: int) -> int:
    since = nights.query_start(LOCAL_NOW, size)
    return sum(1 for c in cramps if c.at >= since)


def expected_numbers(cramps: list[store.Cramp]) -> dict[str, int]:
    last = nights.last_night(LOCAL_NOW)
    return {
        "how many this week": in_window(cramps, nights.WEEK),
        "how many this month": in_window(cramps, nights.MONTH),
        "how many last night": sum(1 for c in cramps if c.night == last),
    }


def read_bound(cramps: list[store.Cramp]) -> tuple[int, int]:
    """(most Query calls, most items) one history answer may read: its window, paged, + profile."""
    items = items_in_read_window(cramps, 2 * nights.MONTH) + 1
    return math.ceil(items / PAGE) + 1, items


@contextlib.contextmanager
def patient_reads(seconds: float = 120.0):
    """Lift the skill's read deadline: moto's Query is slow on big partitions (see above)."""
    saved = answers.READ_DEADLINE_SECONDS
    answers.READ_DEADLINE_SECONDS = seconds
    try:
        yield
    finally:
        answers.READ_DEADLINE_SECONDS = saved


def soak(count: int, repeat: int) -> tuple[dict[str, Measured], list[str]]:
    """Seed, ask every question; the measurements and any problems found."""
    cramps = soak_cramps(count)
    seed(USER, cramps)
    calls = DynamoCalls()
    with patient_reads():
        results = {label: ask(calls, name, slots, repeat) for label, name, slots in QUESTIONS}
    max_calls, max_items = read_bound(cramps)
    problems = []
    for label, measured in results.items():
        if measured.calls.get("Scan"):
            problems.append(f"{label}: used Scan")
        if sum(measured.calls.values()) > max_calls:
            problems.append(f"{label}: {dict(measured.calls)} calls, bound {max_calls}")
        if measured.items_read > max_items:
            problems.append(f"{label}: read {measured.items_read} items, bound {max_items}")
    for label, number in expected_numbers(cramps).items():
        if not re.search(rf"\b{number}\b", results[label].speech):
            problems.append(f"{label}: expected {number} in {results[label].speech!r}")
    return results, problems


def report(results: dict[str, Measured], count: int, total_seconds: float) -> str:
    lines = [f"{count} cramps for one user; seeded and asked in {total_seconds:.1f} s (moto)"]
    lines.append(f"{'question':<22}{'calls':>6}{'items':>7}{'p50 ms':>9}{'max ms':>9}")
    for label, m in results.items():
        ordered = sorted(m.seconds)
        lines.append(
            f"{label:<22}{sum(m.calls.values()):>6}{m.items_read:>7}"
            f"{ordered[len(ordered) // 2] * 1000:>9.0f}{ordered[-1] * 1000:>9.0f}"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cramps", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.setdefault("CRAMP_TABLE_NAME", "cramp-coach-soak")
    os.environ.setdefault("USER_HASH_SALT", "soak-salt")
    from tools.local_dynamodb import start_local_dynamodb

    server = start_local_dynamodb(os.environ["CRAMP_TABLE_NAME"])
    store.reset_client()
    try:
        started = time.monotonic()
        results, problems = soak(args.cramps, args.repeat)
        print(report(results, args.cramps, time.monotonic() - started))
    finally:
        server.stop()
    for problem in problems:
        print("PROBLEM:", problem)
    print("history answers bounded and correct" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
