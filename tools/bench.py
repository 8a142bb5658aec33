"""make bench: what a cramping user waits for, measured against a hello-world ASK SDK skill.

Every figure is a ratio against a minimal ASK SDK skill measured in the same run on the same
interpreter, because absolute milliseconds on a shared 2-core machine say little about Lambda.
Sections: cold start, warm latency (DynamoDB by moto in-process, and with the store timing out),
round trips, the Lambda zip, spoken seconds, and the web service. Writes build/bench/report.txt
and build/bench/latency.png, and prints the report.

The in-process measurements run in child processes of this script (`--worker ...`), so each
starts with clean imports, its own moto and its own boto3 clients; this module imports only the
standard library at the top, so a child's import timings are not flattered by the parent.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import datetime as dt
import io
import json
import logging
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAMBDA_DIR = ROOT / "lambda"
OUT_DIR = ROOT / "build" / "bench"
TABLE = "cramp-coach-bench"

# What a listener hears: 150 words a minute by day; the night voice's prosody rate slows it.
WORDS_PER_MINUTE = 150
SENTENCE_GAP_SECONDS = 0.25  # the short pause Alexa leaves at each sentence end (estimate)

# The speed targets (docs/performance.md).
COLD_START_MAX_RATIO = 1.5
WARM_CRAMP_MAX_RATIO = 2.0
CRAMP_MAX_WRITES = 1
CRAMP_MAX_READS = 0
FIRST_INSTRUCTION_MAX_SECONDS = 4.0
ZIP_MAX_BYTES = 5_000_000

READ_CALLS = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"}
WRITE_CALLS = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}

# Request types, and the intent names each journey may use; the first one the interaction
# model declares is measured, and a type with none (journey not landed yet) is skipped.
REQUEST_TYPES = {
    "launch": ("LaunchRequest",),
    "cramp now": ("CrampNowIntent",),
    "still cramping": ("StillCrampingIntent",),
    "tip": ("TipIntent",),
    "history": ("CrampHistoryIntent",),
    "triage": ("SymptomIntent", "WhenToWorryIntent"),
}
# Slot values that make each intent a typical request of its type.
SLOTS = {"CrampNowIntent": {"muscle": "calf"}, "SymptomIntent": {"symptom": "swollen"}}
CRAMP_NOW = "cramp now"

HELLO_WORLD_SOURCE = '''"""Hello world, shaped like the ASK SDK's sample skill: the baseline."""

import logging

import ask_sdk_core.utils as ask_utils
from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.skill_builder import SkillBuilder

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)


class LaunchRequestHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return ask_utils.is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input):
        speak_output = "Welcome, you can say Hello or Help. Which would you like to try?"
        return handler_input.response_builder.speak(speak_output).ask(speak_output).response


class HelloWorldIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return ask_utils.is_intent_name("HelloWorldIntent")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.speak("Hello World!").response


class HelpIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return ask_utils.is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input):
        speak_output = "You can say hello to me! How can I help?"
        return handler_input.response_builder.speak(speak_output).ask(speak_output).response


class CancelOrStopIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return ask_utils.is_intent_name("AMAZON.CancelIntent")(
            handler_input
        ) or ask_utils.is_intent_name("AMAZON.StopIntent")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.speak("Goodbye!").response


class SessionEndedRequestHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return ask_utils.is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.response


class IntentReflectorHandler(AbstractRequestHandler):
    """Any other intent (the bench sends the skill's own): says which one it was."""

    def can_handle(self, handler_input):
        return ask_utils.is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input):
        intent_name = ask_utils.get_intent_name(handler_input)
        speak_output = "You just triggered " + intent_name + "."
        return handler_input.response_builder.speak(speak_output).response


class CatchAllExceptionHandler(AbstractExceptionHandler):
    def can_handle(self, handler_input, exception):
        return True

    def handle(self, handler_input, exception):
        logger.error(exception, exc_info=True)
        speak_output = "Sorry, I had trouble doing what you asked. Please try again."
        return handler_input.response_builder.speak(speak_output).ask(speak_output).response


sb = SkillBuilder()
sb.add_request_handler(LaunchRequestHandler())
sb.add_request_handler(HelloWorldIntentHandler())
sb.add_request_handler(HelpIntentHandler())
sb.add_request_handler(CancelOrStopIntentHandler())
sb.add_request_handler(SessionEndedRequestHandler())
sb.add_request_handler(IntentReflectorHandler())
sb.add_exception_handler(CatchAllExceptionHandler())
lambda_handler = sb.lambda_handler()
'''

# Run in a fresh interpreter: import the skill, answer one request, report both times.
# First it loads what Lambda's Python runtime (awslambdaric's bootstrap) has loaded before it
# imports a handler, and installs a log handler as that runtime does, so neither skill is
# charged for the runtime's own imports and both pay for writing their log lines.
# argv: event file, then the folders to put first on sys.path (the skill, its dependencies).
COLD_START_CHILD = """
import importlib, json, logging, os, sys, time, traceback
from concurrent.futures import ThreadPoolExecutor
log_handler = logging.StreamHandler(open(os.devnull, "w"))
log_handler.setFormatter(logging.Formatter("[%(levelname)s] %(asctime)s %(message)s"))
logging.getLogger().addHandler(log_handler)
with open(sys.argv[1]) as handle:
    event = json.load(handle)
wall, cpu = time.perf_counter, time.process_time
marks = [(wall(), cpu())]
sys.path[0:0] = sys.argv[2:]
lambda_function = importlib.import_module("lambda_function")
marks.append((wall(), cpu()))
response = lambda_function.lambda_handler(event, None)
marks.append((wall(), cpu()))
assert response["response"]["outputSpeech"]["ssml"], response
(w0, c0), (w1, c1), (w2, c2) = marks
print(json.dumps({"import": c1 - c0, "first": c2 - c1, "wall": w2 - w0}))
"""


# --- small helpers ---------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value at or above `fraction` of the samples."""
    if not values:
        return float("nan")
    ranked = sorted(values)
    return ranked[min(len(ranked) - 1, max(0, int(round(fraction * len(ranked))) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def hello_world_dir() -> Path:
    """Write the baseline skill's source into build/ (fresh each run) and return its folder."""
    folder = OUT_DIR / "hello_world"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lambda_function.py").write_text(HELLO_WORLD_SOURCE)
    return folder


def model_intents() -> set[str]:
    model = json.loads((ROOT / "interaction_model" / "en-US.json").read_text())
    return {i["name"] for i in model["interactionModel"]["languageModel"]["intents"]}


def request_types() -> dict[str, str | None]:
    """Each request type -> the intent (or request) name to send, None when not built yet."""
    intents = model_intents() | {"LaunchRequest"}
    return {
        kind: next((name for name in names if name in intents), None)
        for kind, names in REQUEST_TYPES.items()
    }


def child_env(**extra: str) -> dict[str, str]:
    # Each child chooses its own store: moto in-process, a loopback server, or a black hole.
    inherited = ("PYTHONPATH", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL")
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    env.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        CRAMP_TABLE_NAME=TABLE,
        PYTHONDONTWRITEBYTECODE="1",  # Lambda's /var/task is read-only: no .pyc is written there
    )
    env.update(extra)
    return env


def start_worker(name: str, count: int) -> subprocess.Popen:
    """Start this script as `--worker name` in a fresh interpreter."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", name]
    environment = child_env(
        PYTHONPATH=os.pathsep.join([str(LAMBDA_DIR), str(ROOT / "tests"), str(ROOT)])
    )
    return subprocess.Popen(
        [*command, "--count", str(count)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def worker_result(name: str, process: subprocess.Popen) -> dict:
    """Wait for a worker and return its JSON answer (the last line it printed)."""
    out, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"bench worker {name} failed:\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def run_worker(name: str, count: int) -> dict:
    return worker_result(name, start_worker(name, count))


# --- events ----------------------------------------------------------------------------


def build_events(kinds: dict[str, str | None]) -> dict[str, dict]:
    """One night-time envelope per request type, from the test fixtures (tests/envelopes.py)."""
    import envelopes

    events: dict[str, dict] = {}
    for kind, name in kinds.items():
        if name is None:
            continue
        if name == "LaunchRequest":
            events[kind] = envelopes.launch(at=envelopes.NIGHT)
        else:
            events[kind] = envelopes.intent(name, SLOTS.get(name), at=envelopes.NIGHT, new=True)
    return events


def follow_up_after(handler, events: dict[str, dict]) -> None:
    """'Still cramping' makes sense one minute into an episode: carry the session along."""
    if "still cramping" not in events or CRAMP_NOW not in events:
        return
    import envelopes

    first = handler(copy.deepcopy(events[CRAMP_NOW]), None)
    follow = events["still cramping"]
    follow["session"]["attributes"] = first.get("sessionAttributes") or {}
    follow["session"]["new"] = False
    follow["request"]["timestamp"] = envelopes.shift(envelopes.NIGHT, minutes=1)


def fresh(event: dict, n: int) -> dict:
    """A copy with its own request id and one of 100 users (a user's history stays small)."""
    event = copy.deepcopy(event)
    event["request"]["requestId"] = f"amzn1.echo-api.request.bench-{n}"
    user = f"amzn1.ask.account.BENCH{n % 100}"
    event["session"]["user"]["userId"] = user
    event["context"]["System"]["user"]["userId"] = user
    return event


def time_requests(handler, event: dict, count: int, budget_seconds: float) -> list[tuple]:
    """(seconds for the request, seconds of it inside DynamoDB calls) per request."""
    samples: list[tuple[float, float]] = []
    deadline = time.perf_counter() + budget_seconds
    for n in range(count):
        request = fresh(event, n)
        DYNAMODB_SECONDS.clear()
        started = time.perf_counter()
        handler(request, None)
        samples.append((time.perf_counter() - started, sum(DYNAMODB_SECONDS)))
        if time.perf_counter() > deadline:
            break
    return samples


def summary(samples: list[tuple[float, float]]) -> dict:
    total = [whole for whole, _ in samples]
    return {
        "n": len(samples),
        "median": median(total),
        "p99": percentile(total, 0.99),
        "in_dynamodb": median([store for _, store in samples]),
    }


# --- worker side: counters and the skills, in a child interpreter ----------------------

DYNAMODB_CALLS: list[str] = []
DYNAMODB_SECONDS: list[float] = []  # each call's time from botocore's before-call to after-call
_CALL = threading.local()


def _count_dynamodb_call(event_name: str, **_: object) -> None:
    DYNAMODB_CALLS.append(event_name.rsplit(".", 1)[-1])
    _CALL.started = time.perf_counter()


def _time_dynamodb_call(**_: object) -> None:
    started = getattr(_CALL, "started", None)
    if started is not None:
        DYNAMODB_SECONDS.append(time.perf_counter() - started)
        _CALL.started = None


def install_dynamodb_counter() -> None:
    """Count every DynamoDB call of every client, via botocore's before-call events."""
    import botocore.session

    original = botocore.session.Session.create_client

    def create_client(self, *args, **kwargs):
        client = original(self, *args, **kwargs)
        events = client.meta.events
        events.register("before-call.dynamodb.*", _count_dynamodb_call, unique_id="bench-count")
        for done in ("after-call.dynamodb.*", "after-call-error.dynamodb.*"):
            events.register(done, _time_dynamodb_call, unique_id=f"bench-{done}")
        return client

    botocore.session.Session.create_client = create_client


ALEXA_API_CALLS: list[str] = []


def install_alexa_api_counter() -> None:
    """Count every Alexa API call the skill makes, at its ApiClient."""
    from cramp_coach import alexa_api

    original = alexa_api.TimeoutApiClient.invoke

    def invoke(self, request):
        ALEXA_API_CALLS.append(request.url)
        return original(self, request)

    alexa_api.TimeoutApiClient.invoke = invoke


def quiet_logging() -> None:
    """Lambda writes every log record out; send them to /dev/null so the cost is still paid."""
    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the process
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.getLogger().addHandler(handler)


def load_hello_world():
    import importlib.util

    path = hello_world_dir() / "lambda_function.py"
    spec = importlib.util.spec_from_file_location("hello_world_lambda_function", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.lambda_handler


def measure_latency(count: int, budget_seconds: float, warmup: int = 50) -> dict:
    """Warm latency per request type for the skill, and the hello-world skill's for comparison."""
    from lambda_function import lambda_handler

    kinds = request_types()
    events = build_events(kinds)
    follow_up_after(lambda_handler, events)
    hello = load_hello_world()
    result: dict = {"skill": {}, "hello": {}, "skipped": {}}
    for kind, name in kinds.items():
        if name is None:
            result["skipped"][kind] = f"no {'/'.join(REQUEST_TYPES[kind])} in the model yet"
            continue
        time_requests(lambda_handler, events[kind], min(warmup, count), budget_seconds)
        samples = time_requests(lambda_handler, events[kind], count, budget_seconds)
        result["skill"][kind] = summary(samples)
    for kind in ("launch", CRAMP_NOW):
        time_requests(hello, events[kind], min(warmup, count), budget_seconds)
        samples = time_requests(hello, events[kind], count, budget_seconds)
        result["hello"]["launch" if kind == "launch" else "intent"] = summary(samples)
    return result


class SettingsApi:
    """The Alexa Settings API's time-zone answer, on loopback: what the skill would be told."""

    def __init__(self, zone: str = "America/New_York"):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        answer = json.dumps(zone).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


def count_round_trips() -> dict:
    """DynamoDB and Alexa API calls per request type, with the device's zone cached or not."""
    from lambda_function import lambda_handler

    kinds = request_types()
    events = build_events(kinds)
    follow_up_after(lambda_handler, events)
    api = SettingsApi()
    result: dict = {}
    try:
        for n, (kind, event) in enumerate(events.items()):
            device = f"amzn1.ask.device.BENCH-RT-{n}"
            counts = {}
            for state in ("uncached", "cached"):  # the first ask fills the container's cache
                request = fresh(event, 10_000 + n * 2 + len(counts))
                request["context"]["System"]["device"]["deviceId"] = device
                request["context"]["System"]["apiEndpoint"] = api.url
                DYNAMODB_CALLS.clear()
                ALEXA_API_CALLS.clear()
                lambda_handler(request, None)
                calls = list(DYNAMODB_CALLS)
                counts[state] = {
                    "reads": sum(c in READ_CALLS for c in calls),
                    "writes": sum(c in WRITE_CALLS for c in calls),
                    "dynamodb": calls,
                    "alexa_api": len(ALEXA_API_CALLS),
                }
            result[kind] = counts
    finally:
        api.stop()
    return result


# --- spoken seconds ----------------------------------------------------------------------


def spoken_timeline(ssml: str) -> list[tuple[str, float, float]]:
    """(sentence, starts at, ends at) in seconds, from words at the stated rate plus breaks."""
    rate = 1.0
    found = re.search(r'<prosody[^>]*rate="(\d+)%"', ssml)
    if found:
        rate = int(found.group(1)) / 100
    words_per_second = WORDS_PER_MINUTE * rate / 60
    clock = 0.0
    timeline = []
    for part in re.finditer(r'<s>(.*?)</s>|<break time="(\d+)(ms|s)"/>', ssml):
        sentence, amount, unit = part.groups()
        if sentence is not None:
            text = re.sub(r"<[^>]+>", " ", sentence)
            duration = len(text.split()) / words_per_second
            timeline.append((text, clock, clock + duration))
            clock += duration + SENTENCE_GAP_SECONDS
        else:
            clock += int(amount) / (1000 if unit == "ms" else 1)
    return timeline


def instruction_timing(ssml: str, instructions: set[str]) -> dict:
    timeline = spoken_timeline(ssml)
    total = timeline[-1][2] if timeline else 0.0
    for text, start, end in timeline:
        if text.strip() in instructions:
            return {
                "first_instruction_starts": start,
                "first_instruction_ends": end,
                "total": total,
            }
    return {"first_instruction_starts": None, "first_instruction_ends": None, "total": total}


def measure_spoken() -> dict:
    """For each muscle: when the first instruction starts and ends, and the whole answer."""
    from xml.sax.saxutils import escape

    import envelopes
    from cramp_coach.content import content_for
    from lambda_function import lambda_handler

    content = content_for("en-US")
    legs = content.table("legs").values()
    relief = content.items("relief")
    instructions = {escape(i.speech.format(leg=leg)) for i in relief for leg in legs}
    result = {}
    for muscle in sorted({i.get("muscle") for i in relief}):
        for moment, at in (("night", envelopes.NIGHT), ("day", envelopes.DAY)):
            event = envelopes.intent("CrampNowIntent", {"muscle": muscle}, at=at, new=True)
            ssml = envelopes.speech_of(lambda_handler(event, None))
            result[f"{muscle} ({moment})"] = instruction_timing(ssml, instructions)
    ssml = envelopes.speech_of(lambda_handler(envelopes.launch(at=envelopes.NIGHT), None))
    result["open the skill (night)"] = instruction_timing(ssml, instructions)
    return result


# --- workers ---------------------------------------------------------------------------


def worker_moto(count: int) -> dict:
    """Warm latency, round trips and spoken seconds with DynamoDB by moto in this process."""
    import moto

    install_dynamodb_counter()
    install_alexa_api_counter()
    quiet_logging()
    with moto.mock_aws():
        from tools.local_dynamodb import create_table

        create_table(TABLE)
        return {
            "latency": measure_latency(count, budget_seconds=30),
            "round_trips": count_round_trips(),
            "spoken": measure_spoken(),
        }


class BlackHole:
    """A TCP server on loopback that accepts connections and never answers: a hung store."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                self.held.append(self.sock.accept()[0])


def worker_timeout(count: int) -> dict:
    """Warm latency while every DynamoDB call hangs until the store's own timeout."""
    hole = BlackHole()
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = hole.url
    quiet_logging()
    latency = measure_latency(count, budget_seconds=HUNG_STORE_BUDGET_SECONDS, warmup=0)
    return {"latency": latency, "endpoint": hole.url}


WEB_ROUNDS = 5  # the two apps take turns, so a burst of load elsewhere hits both


def worker_web(count: int) -> dict:
    """Requests per second through the Flask app on one worker: signed and cached vs off.

    A LaunchRequest (by day it touches no store), the same signed body every time: what is
    compared is the verification, with the certificate chain fetched once and cached.
    """
    try:
        import signing
        from cramp_coach.webservice.app import create_app
    except ImportError as error:
        return {"skipped": f"web service not on this branch yet ({error.name})"}
    import moto

    quiet_logging()
    with moto.mock_aws():
        from cramp_coach.skill import SKILL

        from tools.local_dynamodb import create_table

        create_table(TABLE)
        ca = signing.shared_test_ca()
        skill_id = getattr(signing, "TEST_SKILL_ID", "amzn1.ask.skill.bench")
        event = signing.alexa_request("LaunchRequest", skill_id=skill_id)
        event["context"]["System"]["apiEndpoint"] = "http://127.0.0.1:9"  # never an Amazon host
        body = json.dumps(event).encode()
        verified = create_app(
            skill=SKILL, skill_id=skill_id, trust_store=ca.trust_store(), fetch_chain=ca.fetcher()
        )
        apps = {
            "verified (cached certificate)": (verified.test_client(), ca.signed_headers(body)),
            "verification off": (
                create_app(skill=SKILL, verify_requests=False).test_client(),
                {"Content-Type": "application/json"},
            ),
        }
        for name, (client, headers) in apps.items():
            first = client.post("/", data=body, headers=headers)  # fetches the certificate
            if first.status_code != 200:
                return {"skipped": f"{name}: HTTP {first.status_code} {first.data[:200]!r}"}
        seconds = max(0.2, min(4.0, count / 500))
        totals = {name: [0, 0.0] for name in apps}
        for _ in range(WEB_ROUNDS):
            for name, (client, headers) in apps.items():
                done, started = 0, time.perf_counter()
                while time.perf_counter() - started < seconds / WEB_ROUNDS:
                    client.post("/", data=body, headers=headers)
                    done += 1
                totals[name][0] += done
                totals[name][1] += time.perf_counter() - started
        rps = {name: done / spent for name, (done, spent) in totals.items()}
        return {"rps": rps, "seconds": seconds, "fetches": len(ca.fetched_urls)}


HUNG_STORE_BUDGET_SECONDS = 10.0  # per request type


WORKERS = {"moto": worker_moto, "timeout": worker_timeout, "web": worker_web}


# --- parent side: sections -------------------------------------------------------------


def cold_start_layouts(deps: Path, work: Path) -> dict[str, dict[str, list[Path]]]:
    """Where each skill's code comes from, per way of shipping it (sys.path folders).

    - installed: dependencies from this venv (byte code compiled at install), our code from
      source. The target is judged on this one: it isolates what our own code costs.
    - as packed: everything from source, as infra/package.py packs the zip (no .pyc) and as
      Lambda then runs it (/var/task is read-only, so nothing compiled is ever kept).
    - packed with .pyc: the same files with byte code compiled ahead (unchecked-hash).
    """
    hello = hello_world_dir()
    compiled = work / "compiled"
    for source, name in ((deps, "deps"), (LAMBDA_DIR, "skill"), (hello, "hello")):
        shutil.copytree(source, compiled / name, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash"]
        + [str(compiled)],
        check=True,
    )
    return {
        "installed": {"skill": [LAMBDA_DIR], "hello": [hello]},
        "as packed": {"skill": [LAMBDA_DIR, deps], "hello": [hello, deps]},
        "packed with .pyc": {
            "skill": [compiled / "skill", compiled / "deps"],
            "hello": [compiled / "hello", compiled / "deps"],
        },
    }


def cold_start(runs: int, layouts: dict[str, dict[str, list[Path]]]) -> dict:
    """Fresh interpreters importing each skill and answering one cramp request, interleaved."""
    import envelopes

    from tools.local_dynamodb import start_local_dynamodb

    cramp = OUT_DIR / "cold_start_event.json"
    cramp.write_text(json.dumps(envelopes.intent("CrampNowIntent", {"muscle": "calf"})))
    launch = OUT_DIR / "cold_start_launch.json"  # at night: the calf stretch, no store call
    launch.write_text(json.dumps(envelopes.launch(at=envelopes.NIGHT)))
    rows = [(layout, skills, cramp) for layout, skills in layouts.items()]
    rows.append(("installed, opening the skill at night", layouts["installed"], launch))
    saved = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto server's access log
    server = start_local_dynamodb(TABLE)  # the store answers over loopback HTTP, as in Lambda
    env = child_env(
        AWS_ENDPOINT_URL_DYNAMODB=os.environ["AWS_ENDPOINT_URL_DYNAMODB"],
        CRAMP_CONTENT_DIR=str(ROOT / "content"),  # for the compiled copy of lambda/
    )
    samples: dict = {}
    importtimes: dict = {"skill": [], "hello": []}
    try:
        for n in range(runs):
            for layout, skills, event_file in rows:
                for name, path in skills.items():
                    command = [sys.executable, "-c", COLD_START_CHILD, str(event_file)]
                    command += [str(folder) for folder in path]
                    into = samples.setdefault(layout, {}).setdefault(name, [])
                    into.append(run_cold_child(command, env))
                    if layout == "installed" and n < max(3, runs // 3):
                        command[1:1] = ["-X", "importtime"]
                        done = subprocess.run(
                            command, env=env, capture_output=True, text=True, check=True
                        )
                        importtimes[name].append(import_costs(done.stderr))
    finally:
        server.stop()
        if saved is None:
            os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
        else:
            os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = saved
    result: dict = {"runs": runs, "layouts": {}}
    for layout, skills in samples.items():
        result["layouts"][layout] = {
            name: {
                key: median([run[key] for run in runs_of])
                for key in ("import", "first", "total", "wall", "process")
            }
            for name, runs_of in skills.items()
        }
    result["modules"] = {name: median_costs(found) for name, found in importtimes.items()}
    return result


def run_cold_child(command: list[str], env: dict[str, str]) -> dict[str, float]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    process = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"cold start child failed:\n{done.stderr[-3000:]}")
    timings = json.loads(done.stdout)
    return {**timings, "total": timings["import"] + timings["first"], "process": process}


def import_costs(importtime_log: str) -> dict[str, float]:
    """Seconds of import self-time per top-level package, from `python -X importtime`."""
    costs: dict[str, float] = {}
    for line in importtime_log.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if found:
            package = found.group(2).split(".")[0]
            costs[package] = costs.get(package, 0.0) + int(found.group(1)) / 1e6
    return costs


def median_costs(runs: list[dict[str, float]]) -> dict[str, float]:
    names = {name for run in runs for name in run}
    costs = {name: median([run.get(name, 0.0) for run in runs]) for name in names}
    return dict(sorted(costs.items(), key=lambda kv: -kv[1]))


def _package_target_exists() -> bool:
    return re.search(r"^package:", (ROOT / "Makefile").read_text(), re.M) is not None


def runtime_requirements() -> list[str]:
    lines = (LAMBDA_DIR / "requirements.txt").read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


PROVIDED_BY_LAMBDA = ("boto3", "botocore", "s3transfer", "jmespath")


def install_runtime_deps(target: Path, use_pip: bool) -> None:
    """What `pip install --target` would put in the zip (minus what Lambda's runtime has).

    Without pip (the smoke test, offline), copy the same distributions' files from this venv.
    """
    if use_pip:
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        command += ["--no-compile", "--target", str(target), *runtime_requirements()]
        subprocess.run(command, check=True, capture_output=True)
    else:
        copy_installed_distributions(target)
    for entry in list(target.iterdir()):
        if entry.name.split("-")[0].lower() in PROVIDED_BY_LAMBDA:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def copy_installed_distributions(target: Path) -> None:
    from importlib import metadata

    from packaging.requirements import Requirement  # pytest's own dependency

    wanted = [re.split(r"[=<>!~ ;\[]", r)[0] for r in runtime_requirements()]
    seen: set[str] = set()
    while wanted:
        name = wanted.pop().lower().replace("_", "-")
        if name in seen or name in PROVIDED_BY_LAMBDA:
            continue
        seen.add(name)
        dist = metadata.distribution(name)
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                wanted.append(requirement.name)
        for file in dist.files or []:
            source = Path(dist.locate_file(file))
            if source.is_file() and ".." not in file.parts and source.suffix != ".pyc":
                destination = target / file
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, destination)


def zip_of(folders: list[tuple[Path, str]], bytecode: bool = False) -> bytes:
    """A deflated zip of each (folder, name in the zip), without the web service, and
    without byte code unless asked (folders compiled ahead, unchecked-hash)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder, prefix in folders:
            for path in sorted(folder.rglob("*")):
                relative = path.relative_to(folder)
                skip = {"webservice", *([] if bytecode else ["__pycache__"])} & set(relative.parts)
                if path.is_file() and not skip and (bytecode or path.suffix != ".pyc"):
                    archive.write(path, str(Path(prefix) / relative))
    return buffer.getvalue()


def zip_parts(data: bytes, top: int = 8) -> list[tuple[str, int]]:
    """The zip's largest top-level parts (package folders, dist-info grouped) by packed size."""
    parts: dict[str, int] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            head = info.filename.split("/")[0]
            if head.endswith((".dist-info", ".egg-info")):
                head = "*.dist-info"
            parts[head] = parts.get(head, 0) + info.compress_size
    return sorted(parts.items(), key=lambda kv: -kv[1])[:top]


def lambda_zip(deps: Path, offline: bool = False) -> dict:
    """The deployment zip's size: `make package` when it exists, else what it would pack.

    offline (the smoke test): always the estimate, from this venv's installed copies.
    """
    packed = None
    if _package_target_exists() and not offline:
        done = subprocess.run(["make", "-s", "package"], cwd=ROOT, capture_output=True, text=True)
        packed = ROOT / "build" / "cramp-coach.zip" if done.returncode == 0 else None
        if packed is None:
            print(f"make package failed, estimating instead:\n{done.stderr[-1000:]}", flush=True)
    if packed is not None:
        data = packed.read_bytes()
        how = "make package -> build/cramp-coach.zip"
    else:
        data = zip_of([(LAMBDA_DIR, "."), (ROOT / "content", "content"), (deps, ".")])
        how = (
            "estimate: lambda/ without webservice + content/ + "
            + ("this venv's copies of" if offline else "pip install --target")
            + " lambda/requirements.txt, less boto3/botocore"
        )
    return {"bytes": len(data), "how": how, "parts": zip_parts(data)}


# --- the report --------------------------------------------------------------------------


def run_all(count: int, cold_runs: int, offline: bool = False) -> dict:
    """Every section; `offline` (the smoke test) copies dependencies from this venv, no pip."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    hello_world_dir()
    results: dict = {"when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}
    results["settings"] = {"count": count, "cold_runs": cold_runs, "python": sys.version.split()[0]}
    # The hung-store run mostly waits on sockets: it goes on beside the rest. Each of its
    # requests may wait for the store's deadline, so a few per type say what a user waits.
    hung = start_worker("timeout", max(1, min(count // 10, 200)))
    with tempfile.TemporaryDirectory() as work:
        deps = Path(work) / "deps"
        install_runtime_deps(deps, use_pip=not offline)
        layouts = cold_start_layouts(deps, Path(work))
        results["cold"] = cold_start(cold_runs, layouts)
        results["zip"] = lambda_zip(deps, offline)
        compiled = layouts["packed with .pyc"]["skill"]
        with_pyc = zip_of(
            [(compiled[0], "."), (ROOT / "content", "content"), (compiled[1], ".")], bytecode=True
        )
        results["zip"]["with_pyc_bytes"] = len(with_pyc)
    results.update(run_worker("moto", count))
    results["web"] = run_worker("web", count)
    results["latency_timeout"] = worker_result("timeout", hung)["latency"]
    results["targets"] = targets(results)
    return results


def targets(r: dict) -> list[tuple[str, bool, str]]:
    installed = r["cold"]["layouts"]["installed"]
    cold = ratio(installed["skill"]["total"], installed["hello"]["total"])
    cramp = r["latency"]["skill"].get(CRAMP_NOW, {}).get("median", float("nan"))
    warm = ratio(cramp, r["latency"]["hello"]["intent"]["median"])
    trips = r["round_trips"].get(CRAMP_NOW, {})
    writes = max((t["writes"] for t in trips.values()), default=0)
    reads = max((t["reads"] for t in trips.values()), default=0)
    api_cached = max((t["cached"]["alexa_api"] for t in r["round_trips"].values()), default=0)
    # The whole instruction must have been heard by 4 s, not merely begun.
    ends = [
        s["first_instruction_ends"]
        for s in r["spoken"].values()
        if s["first_instruction_ends"] is not None
    ]
    latest = max(ends, default=float("inf"))
    return [
        ("cold start <= 1.5x hello-world", cold <= COLD_START_MAX_RATIO, f"{cold:.2f}x"),
        ("warm cramp-now median <= 2x hello-world", warm <= WARM_CRAMP_MAX_RATIO, f"{warm:.2f}x"),
        (
            "cramp answer: <= 1 DynamoDB write, 0 reads",
            writes <= CRAMP_MAX_WRITES and reads <= CRAMP_MAX_READS,
            f"{writes} write(s), {reads} read(s)",
        ),
        ("no Alexa API call when the zone is cached", api_cached == 0, f"{api_cached} call(s)"),
        (
            "first instruction heard in full within 4 spoken seconds",
            latest <= FIRST_INSTRUCTION_MAX_SECONDS,
            f"latest end {latest:.1f} s",
        ),
        ("zip < 5 MB", r["zip"]["bytes"] < ZIP_MAX_BYTES, f"{r['zip']['bytes'] / 1e6:.2f} MB"),
    ]


def report(r: dict) -> str:
    out: list[str] = []
    add = out.append
    s = r["settings"]
    add(f"Cramp Coach bench, {r['when']}, Python {s['python']}, this machine (2 cores, shared)")
    add(f"command: make bench  (count={s['count']}, cold runs={s['cold_runs']})")
    add("")
    add("== Targets")
    for name, ok, detail in r["targets"]:
        add(f"  {'PASS' if ok else 'MISS'}  {name}: {detail}")
    add("")
    cold = r["cold"]
    add(f"== Cold start (fresh interpreter, medians of {cold['runs']} processes per row)")
    add("  CPU ms: import lambda_function + first answer (a calf cramp; in the last row,")
    add("  opening the skill at night) = total [wall clock of the two; of the whole process].")
    add("  CPU time, because wall time on this shared 2-core machine includes waiting for a")
    add("  core. The ratio is the totals'; the target is judged on 'installed'. Layouts:")
    add("  installed = dependencies byte-compiled (venv), our code compiled at import;")
    add("  as packed = nothing byte-compiled, as infra/package.py packs the zip (Lambda's")
    add("  /var/task is read-only, so it compiles every module at every cold start);")
    add("  packed with .pyc = the same files compiled ahead (compileall, unchecked-hash).")
    for layout, skills in cold["layouts"].items():
        add(f"  {layout}:")
        for name, label in (("skill", "Cramp Coach"), ("hello", "hello world")):
            c = skills[name]
            add(
                f"    {label:12} {c['import'] * 1e3:6.1f} + {c['first'] * 1e3:5.1f} = "
                f"{c['total'] * 1e3:6.1f} [{c['wall'] * 1e3:6.1f}; {c['process'] * 1e3:6.1f}]"
            )
        add(f"    ratio {ratio(skills['skill']['total'], skills['hello']['total']):.2f}x")
    add("  import self-time by package (-X importtime, installed, medians): Cramp Coach vs hello")
    modules = cold["modules"]
    for package, cost in list(modules["skill"].items())[:14]:
        add(f"    {package:24} {ms(cost):>12}  vs {ms(modules['hello'].get(package, 0.0))}")
    heavy = [p for p in ("boto3", "botocore") if p in modules["skill"]]
    add(f"  boto3/botocore imported for the first cramp answer: {', '.join(heavy) or 'no'}")
    add("")
    add("== Warm latency through lambda_handler (median / p99)")
    lat, slow, hello = r["latency"], r["latency_timeout"], r["latency"]["hello"]
    for kind in REQUEST_TYPES:
        if kind in lat["skipped"]:
            add(f"  {kind:15} skipped: {lat['skipped'][kind]}")
            continue
        base = hello["launch" if kind == "launch" else "intent"]["median"]
        a, b = lat["skill"][kind], slow["skill"].get(kind)
        line = (
            f"  {kind:15} moto {ms(a['median'])} / {ms(a['p99'])} (n={a['n']}, "
            f"{ratio(a['median'], base):.2f}x hello; in DynamoDB calls {ms(a['in_dynamodb'])})"
        )
        if b:
            line += f"; store hung: {ms(b['median'])} / {ms(b['p99'])} (n={b['n']})"
        add(line)
    for kind, h in hello.items():
        add(f"  hello {kind:9} {ms(h['median'])} / {ms(h['p99'])} (n={h['n']})")
    add("")
    add("== Round trips per request (DynamoDB calls; Alexa API calls: zone uncached -> cached)")
    for kind, t in r["round_trips"].items():
        u, c = t["uncached"], t["cached"]
        add(
            f"  {kind:15} DynamoDB {c['reads']} read(s), {c['writes']} write(s) "
            f"{c['dynamodb'] or ''}; Alexa API {u['alexa_api']} -> {c['alexa_api']}"
        )
    add("")
    z = r["zip"]
    add(f"== Lambda zip: {z['bytes'] / 1e6:.2f} MB ({z['how']})")
    if "with_pyc_bytes" in z:
        add(f"  with byte code compiled ahead (.pyc): {z['with_pyc_bytes'] / 1e6:.2f} MB")
    for part, size in z["parts"]:
        add(f"    {part:28} {size / 1e3:9.1f} kB")
    add("")
    add(
        f"== Spoken seconds ({WORDS_PER_MINUTE} words a minute, times the night prosody rate; "
        f"breaks; {SENTENCE_GAP_SECONDS}s between sentences)"
    )
    for name, t in r["spoken"].items():
        if t["first_instruction_starts"] is None:
            add(f"  {name:24} no instruction found; whole answer {t['total']:.1f} s")
            continue
        add(
            f"  {name:24} first instruction {t['first_instruction_starts']:.1f}-"
            f"{t['first_instruction_ends']:.1f} s, whole first answer {t['total']:.1f} s"
        )
    add("")
    web = r["web"]
    if "skipped" in web:
        add(f"== Web service: skipped: {web['skipped']}")
    else:
        add(
            f"== Web service (Flask test client, one worker, {web['seconds']:.1f} s each, "
            f"a LaunchRequest; certificate fetched {web['fetches']} time(s))"
        )
        rps = web["rps"]
        for name, value in rps.items():
            add(f"  {name:30} {value:8.0f} requests/s")
        values = list(rps.values())
        add(f"  verified / off: {ratio(values[0], values[1]):.2f}")
    return "\n".join(out) + "\n"


def plot(r: dict, path: Path) -> None:
    """Median and p99 per request type: moto store, hung store, and hello world."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lat, slow = r["latency"], r["latency_timeout"]
    kinds = list(lat["skill"])
    labels = [*kinds, "hello launch", "hello intent"]
    series = {
        "median (moto)": [lat["skill"][k]["median"] for k in kinds]
        + [lat["hello"]["launch"]["median"], lat["hello"]["intent"]["median"]],
        "p99 (moto)": [lat["skill"][k]["p99"] for k in kinds]
        + [lat["hello"]["launch"]["p99"], lat["hello"]["intent"]["p99"]],
        "median (store hung)": [slow["skill"].get(k, {}).get("median", 0) for k in kinds] + [0, 0],
    }
    figure, axes = plt.subplots(figsize=(9, 4.5))
    width = 0.27
    for n, (name, values) in enumerate(series.items()):
        positions = [i + (n - 1) * width for i in range(len(labels))]
        axes.bar(positions, [v * 1000 for v in values], width, label=name)
    axes.set_xticks(range(len(labels)), labels, rotation=20)
    axes.set_yscale("log")
    axes.set_ylabel("milliseconds (log)")
    axes.set_title(f"Cramp Coach warm latency by request type ({r['when']})")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="warm requests per type")
    parser.add_argument("--cold-runs", type=int, default=12, help="fresh processes per skill")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.count)))
        return 0
    sys.path[:0] = [str(LAMBDA_DIR), str(ROOT / "tests"), str(ROOT)]
    results = run_all(args.count, args.cold_runs)
    text = report(results)
    (OUT_DIR / "report.txt").write_text(text)
    (OUT_DIR / "results.json").write_text(json.dumps(results, indent=1, default=str))
    plot(results, OUT_DIR / "latency.png")
    print(text, end="")
    print(f"written: {OUT_DIR / 'report.txt'}, {OUT_DIR / 'latency.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
