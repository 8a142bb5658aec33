"""`make load`: simulated users against the web service on loopback, then an exact count check.

Three processes, all on 127.0.0.1: moto's DynamoDB server, the skill's web service (the same
`create_app` and threaded werkzeug server as `make serve`), and this load generator. Each
simulated user consents, then for the run's duration logs cramps (mid-cramp, sometimes with an
"it's better" follow-up, or "log a cramp"), asks for their count and for tips, with a short
think time. Failed requests are retried with the same body, as Alexa retries.

Requests are signed with a private test CA (tests/signing.py) whose root the server trusts:
verification stays on. `make serve` itself cannot be given a test trust store, so signed runs
start the app from this file (`--serve-signed`); `--unsigned` runs `make serve`'s own module
in dev mode (SKILL_VERIFY_REQUESTS=false, loopback only) instead.

Afterwards every user's stored count (profile counter and cramp items) must equal the cramps
the generator sent. Prints throughput, p50/p99 latency per request kind, errors, counts.

    python tools/load.py [--users 50] [--seconds 180] [--unsigned]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
sys.path[:0] = [str(ROOT), str(TESTS), str(ROOT / "lambda")]  # when run as a script

from cramp_coach.content import content_for  # noqa: E402
from envelopes import _slot  # noqa: E402
from signing import CERT_URL, TEST_SKILL_ID, AlexaTestCA, alexa_request  # noqa: E402

TABLE = "cramp-coach-load"
SALT = "load-test-salt"
REQUEST_TIMEOUT_SECONDS = 10
ATTEMPTS = 3  # Alexa retries a request that timed out or failed
MAX_REQUESTS_PER_USER = 2_000  # a bound besides time
# Answers that are valid speech but mean the store failed: counted as errors, not successes.
_HISTORY = content_for("en-US").table("history")
DEGRADED = {
    _HISTORY["unreachable"]: "history unreachable",
    _HISTORY["save_failed"]: "save failed",
    _HISTORY["save_failed_episode"]: "save failed",
}
# Between turns. Shorter saturates moto, which deep-copies the whole table on every
# TransactWriteItems (see README "Reliability"): --think 1 5 or 0.2 1 shows it.
THINK_SECONDS = (3.0, 9.0)


# --- the servers ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answers: up
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {seconds} s")


@contextlib.contextmanager
def process(args: list[str], env: dict, log_path: Path, ready_url: str, seconds: float = 30):
    with log_path.open("wb") as log:
        child = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(ready_url, child, seconds)
            yield child
        finally:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def base_env(dynamodb_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT / "lambda"), str(TESTS), str(ROOT)]),
        AWS_ENDPOINT_URL_DYNAMODB=dynamodb_url,
        AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local",
        AWS_DEFAULT_REGION="us-east-1",
        CRAMP_TABLE_NAME=TABLE,
        USER_HASH_SALT=SALT,
        LOG_LEVEL="WARNING",
    )
    return env


# moto's TransactWriteItems snapshots the whole table (deepcopy) and, if any item fails,
# puts the snapshot back: every write another request made meanwhile is lost. DynamoDB does
# nothing of the kind, so the load test's moto serialises writes (one lock); without it, a
# run with concurrent conditional failures loses cramps that moto had confirmed.
MOTO_WRITES = (
    "put_item",
    "update_item",
    "delete_item",
    "batch_write_item",
    "transact_write_items",
)


def serve_moto(port: int) -> None:
    """moto's DynamoDB server on loopback, its writes serialised (see MOTO_WRITES)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.server import ThreadedMotoServer

    lock = threading.RLock()
    for name in MOTO_WRITES:
        original = getattr(DynamoDBBackend, name)

        def serialised(self, *args, _original=original, **kwargs):
            with lock:
                return _original(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, serialised)
    ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False).start()
    threading.Event().wait()


@contextlib.contextmanager
def moto_dynamodb(workdir: Path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [sys.executable, __file__, "--serve-moto", "--port", str(port)]
    with process(args, base_env(url), workdir / "moto.log", url + "/moto-api/"):
        from tools.local_dynamodb import create_table

        with environ(base_env(url)):
            create_table(TABLE, endpoint_url=url)
        yield url


@contextlib.contextmanager
def skill_server(dynamodb_url: str, workdir: Path, ca: AlexaTestCA | None):
    port = free_port()
    env = base_env(dynamodb_url)
    if ca is None:
        env.update(PORT=str(port), SKILL_VERIFY_REQUESTS="false", SKILL_BIND_HOST="127.0.0.1")
        args = [sys.executable, "-m", "cramp_coach.webservice.serve"]
    else:
        (workdir / "root.pem").write_bytes(ca.root_pem())
        (workdir / "chain.pem").write_bytes(ca.chain_pem())
        args = [sys.executable, __file__, "--serve-signed", str(workdir), "--port", str(port)]
    url = f"http://127.0.0.1:{port}/"
    with process(args, env, workdir / "skill.log", url + "health"):
        yield url


def serve_signed(workdir: Path, port: int) -> None:
    """The web service trusting the test CA: create_app + werkzeug, as `make serve` runs it."""
    from cramp_coach.webservice.app import create_app
    from cryptography import x509
    from cryptography.x509.verification import Store
    from werkzeug.serving import make_server

    root = x509.load_pem_x509_certificate((workdir / "root.pem").read_bytes())
    chain = (workdir / "chain.pem").read_bytes()

    def fetch(url: str) -> bytes:
        if url != CERT_URL:
            raise OSError(f"404 Not Found: {url}")
        return chain

    app = create_app(skill_id=TEST_SKILL_ID, trust_store=Store([root]), fetch_chain=fetch)
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


@contextlib.contextmanager
def environ(values: dict):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# --- one simulated user --------------------------------------------------------------------


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Valid answers that say the store was too slow or failed (its deadlines at work).
    degraded: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    retries: int = 0
    cramps_sent: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Cramps the skill said it saved ("it's better": the logged card; log: no apology), and
    # saves it said failed (a save that missed its deadline may still commit afterwards).
    cramps_confirmed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    saves_refused: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def took(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)

    def failed(self, why: str) -> None:
        with self.lock:
            self.errors[why] += 1

    def degrade(self, why: str) -> None:
        with self.lock:
            self.degraded[why] += 1


class User:
    def __init__(
        self,
        url: str,
        number: int,
        ca: AlexaTestCA | None,
        tally: Tally,
        seed: int,
        think: tuple[float, float] = THINK_SECONDS,
    ):
        self.url = url
        self.think = think
        self.user_id = f"amzn1.ask.account.LOAD-{number:03d}-{uuid.uuid4().hex[:8]}"
        self.ca = ca
        self.tally = tally
        self.random = random.Random(seed * 1_000 + number)

    def envelope(self, name: str, slots: dict | None = None, attributes: dict | None = None):
        """An IntentRequest (or, by name, a SessionEndedRequest: the user went quiet)."""
        if name == "SessionEndedRequest":
            event = alexa_request(name, user_id=self.user_id, new_session=False)
            event["request"]["reason"] = "EXCEEDED_MAX_REPROMPTS"
        else:
            intent = {
                "name": name,
                "confirmationStatus": "NONE",
                "slots": {k: _slot(k, v) for k, v in (slots or {}).items()},
            }
            event = alexa_request(
                "IntentRequest",
                intent=intent,
                user_id=self.user_id,
                timestamp=datetime.now(UTC),
                new_session=attributes is None,
            )
        event["session"]["attributes"] = attributes or {}
        return event

    def send(self, kind: str, event: dict, speech: bool = True) -> dict | None:
        """POST with Alexa's retries (same body); the reply, or None after every attempt failed
        or when it was an apology (the store failed)."""
        body = json.dumps(event).encode()
        headers = {"Content-Type": "application/json"}
        if self.ca is not None:
            headers.update(self.ca.signed_headers(body))
        for attempt in range(ATTEMPTS):
            if attempt:
                with self.tally.lock:
                    self.tally.retries += 1
            started = time.monotonic()
            try:
                request = urllib.request.Request(self.url, data=body, headers=headers)
                with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as reply:
                    answer = json.loads(reply.read())
                self.tally.took(kind, time.monotonic() - started)
                said = answer.get("response", {}).get("outputSpeech", {}).get("ssml", "")
                degraded = [why for text, why in DEGRADED.items() if text in said]
                if degraded:  # the user heard an apology: Alexa would not retry this
                    self.tally.degrade(f"{kind}: {degraded[0]}")
                    return None
                if said or not speech:
                    return answer
                self.tally.failed(f"{kind}: no speech")
            except urllib.error.HTTPError as error:
                self.tally.failed(f"{kind}: HTTP {error.code}")
            except OSError as error:
                self.tally.failed(f"{kind}: {type(error).__name__}")
        return None

    def cramp_now(self) -> None:
        """A cramp talked through. It is counted when it is over: at "it's better" (the
        logged card confirms it) or, if the user just stops talking, at Alexa's
        SessionEndedRequest."""
        muscle = self.random.choice(["calf", "foot", "hamstring"])
        first = self.send("cramp now", self.envelope("CrampNowIntent", {"muscle": muscle}))
        self.tally.cramps_sent[self.user_id] += 1
        if first is None:
            return
        attributes = first.get("sessionAttributes") or {}
        if self.random.random() < 0.6:
            goodbye = self.send(
                "it's better", self.envelope("CrampEasedIntent", attributes=attributes)
            )
            card = ((goodbye or {}).get("response") or {}).get("card") or {}
            if card.get("title") == _HISTORY["card_title_logged"]:
                self.tally.cramps_confirmed[self.user_id] += 1
            else:
                self.tally.saves_refused[self.user_id] += 1
                if goodbye:
                    self.tally.degrade("it's better: no logged card")
        else:
            ended = self.envelope("SessionEndedRequest", attributes=attributes)
            self.send("session ended", ended, speech=False)

    def log_cramp(self) -> None:
        if self.send("log a cramp", self.envelope("LogCrampIntent", {"muscle": "calf"})):
            self.tally.cramps_confirmed[self.user_id] += 1
        else:
            self.tally.saves_refused[self.user_id] += 1
        self.tally.cramps_sent[self.user_id] += 1

    def run(self, until: float) -> None:
        self.tally.cramps_sent[self.user_id] = 0
        self.send("keep count", self.envelope("KeepCountIntent"))
        actions = [
            (0.35, self.cramp_now),
            (0.25, self.log_cramp),
            (0.25, lambda: self.send("how many", self.envelope("CrampCountIntent"))),
            (0.15, lambda: self.send("tip", self.envelope("TipIntent"))),
        ]
        for _ in range(MAX_REQUESTS_PER_USER):
            if time.monotonic() >= until:
                return
            pick, total = self.random.random(), 0.0
            for share, action in actions:
                total += share
                if pick < total:
                    action()
                    break
            time.sleep(self.random.uniform(*self.think))


# --- the run and its report ----------------------------------------------------------------


@dataclass
class Report:
    users: int
    seconds: float
    requests: int
    throughput: float
    latency: dict[str, tuple[int, float, float]]  # kind -> (count, p50 ms, p99 ms)
    errors: dict[str, int]
    degraded: dict[str, int]
    retries: int
    cramps_sent: int
    cramps_confirmed: int
    cramps_stored: int
    counts_checked: int
    count_mismatches: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.count_mismatches and self.counts_checked == self.users

    def text(self) -> str:
        lines = [
            f"users {self.users}, {self.seconds:.0f} s, {self.requests} requests, "
            f"{self.throughput:.1f} requests/s, {self.retries} retries",
            f"{'request':<14}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}",
        ]
        for kind, (count, p50, p99) in sorted(self.latency.items()):
            lines.append(f"{kind:<14}{count:>7}{p50:>9.0f}{p99:>9.0f}")
        lines.append(f"errors: {dict(self.errors) or 'none'}")
        lines.append(f"degraded (store past its deadline): {dict(self.degraded) or 'none'}")
        lines.append(
            f"counts: {self.counts_checked} users checked; cramps sent {self.cramps_sent}, "
            f"confirmed saved {self.cramps_confirmed}, stored {self.cramps_stored}; "
            f"{len(self.count_mismatches)} users with a wrong count"
        )
        lines.extend(f"  {m}" for m in self.count_mismatches[:10])
        return "\n".join(lines)


def exact(count: int, items: int, sent: int, confirmed: int, refused: int) -> bool:
    """The user's count is right: the counter matches the cramps kept (nothing twice), every
    confirmed cramp is kept, nothing was invented; and with no save refused, every cramp sent
    is kept (those counted at the session's end included, which nothing confirms)."""
    return count == items and confirmed <= items <= sent and (refused > 0 or items == sent)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def stored_counts(dynamodb_url: str, user_ids: list[str]) -> dict[str, tuple[int, int]]:
    """(profile cramp_count, cramp items) per user: every item of each user's partition, read
    with a plain client of its own (patient timeouts), not the skill's store code under test."""
    import boto3
    from botocore.config import Config
    from cramp_coach import store
    from cramp_coach.dynamo_client import pages

    client = boto3.client(
        "dynamodb",
        endpoint_url=dynamodb_url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(read_timeout=60, retries={"max_attempts": 5}),
    )
    found = {}
    with environ(base_env(dynamodb_url)):
        for user_id in user_ids:
            partition = pages(
                client.query,
                TableName=TABLE,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": store.user_key(user_id)}},
            )
            items = [item for page in partition for item in page["Items"]]
            profile = next((i for i in items if i["sk"]["S"] == store.PROFILE_SK), {})
            counter = int(profile.get("cramp_count", {}).get("N", "0"))
            cramps = sum(1 for i in items if i["sk"]["S"].startswith(store.CRAMP_PREFIX))
            found[user_id] = (counter, cramps)
    return found


def run(
    users: int,
    seconds: float,
    signed: bool = True,
    seed: int = 1,
    think: tuple[float, float] = THINK_SECONDS,
) -> Report:
    with tempfile.TemporaryDirectory(prefix="cramp-load-") as tmp:
        workdir = Path(tmp)
        ca = AlexaTestCA.create("Load") if signed else None
        with moto_dynamodb(workdir) as dynamodb_url:
            with skill_server(dynamodb_url, workdir, ca) as url:
                tally = Tally()
                simulated = [User(url, n, ca, tally, seed, think) for n in range(users)]
                started = time.monotonic()
                until = started + seconds
                threads = [threading.Thread(target=u.run, args=(until,)) for u in simulated]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=seconds + ATTEMPTS * REQUEST_TIMEOUT_SECONDS * 4)
                elapsed = time.monotonic() - started
            counts = stored_counts(dynamodb_url, [u.user_id for u in simulated])
    mismatches = [
        f"{user}: sent {tally.cramps_sent[user]}, confirmed {tally.cramps_confirmed[user]}, "
        f"stored count {count}, items {items}"
        for user, (count, items) in counts.items()
        if not exact(
            count,
            items,
            tally.cramps_sent[user],
            tally.cramps_confirmed[user],
            tally.saves_refused[user],
        )
    ]
    requests = sum(len(v) for v in tally.latencies.values())
    latency = {
        kind: (len(v), percentile(v, 0.5) * 1000, percentile(v, 0.99) * 1000)
        for kind, v in tally.latencies.items()
    }
    every = [s for v in tally.latencies.values() for s in v]
    if every:
        latency["(all)"] = (
            len(every),
            percentile(every, 0.5) * 1000,
            percentile(every, 0.99) * 1000,
        )
    return Report(
        users=users,
        seconds=elapsed,
        requests=requests,
        throughput=requests / elapsed,
        latency=latency,
        errors=dict(tally.errors),
        degraded=dict(tally.degraded),
        retries=tally.retries,
        cramps_sent=sum(tally.cramps_sent.values()),
        cramps_confirmed=sum(tally.cramps_confirmed.values()),
        cramps_stored=sum(items for _, items in counts.values()),
        counts_checked=len(counts),
        count_mismatches=mismatches,
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--unsigned", action="store_true", help="make serve's dev mode")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=THINK_SECONDS,
        metavar=("MIN", "MAX"),
        help="seconds a user waits between turns",
    )
    parser.add_argument("--serve-signed", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--serve-moto", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_signed:
        serve_signed(Path(args.serve_signed), args.port)
        return 0
    if args.serve_moto:
        serve_moto(args.port)
        return 0
    mode = "dev mode, unsigned" if args.unsigned else "signed, verification on"
    print(
        f"load: {args.users} users for {args.seconds:.0f} s, {args.think[0]:g}-{args.think[1]:g} s "
        f"between turns ({mode}), loopback only"
    )
    report = run(args.users, args.seconds, signed=not args.unsigned, think=tuple(args.think))
    print(report.text())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
