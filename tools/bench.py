"""make bench: what a cramping user waits for, measured against a hello-world ASK SDK skill.

Every figure is a ratio against a minimal ASK SDK skill measured in the same run, because
absolute milliseconds on a shared 2-core machine say little about Lambda. The headline is the
cold start of the zip as shipped, run the way Lambda runs it, against the SDK sample as its
docs ship it (tools/shipped.py). Then: warm latency (DynamoDB by moto in-process, and with
the store timing out), round trips, the Lambda zip, spoken seconds, and the web service. Writes
build/bench/report.txt and build/bench/latency.png, and prints the report.

The in-process measurements run in child processes of this script (`--worker ...`), so each
starts with clean imports, its own moto and its own boto3 clients; this module imports only the
standard library at the top, so a child's import timings are not flattered by the parent.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import datetime as dt
import json
import logging
import os
import re
import socket
import statistics
import subprocess
import sys
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

# The speed targets (docs/performance.md, docs/cold-start.md): the cold start of the zip as
# shipped against the SDK sample as shipped.
COLD_START_MAX_RATIOS = {"cramp": 0.5, "night launch": 0.6}
WARM_CRAMP_MAX_RATIO = 2.0
CRAMP_MAX_WRITES = 1
CRAMP_MAX_READS = 0
FIRST_INSTRUCTION_MAX_SECONDS = 4.0
ZIP_MAX_BYTES = 10_000_000

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
        USER_HASH_SALT="bench-salt",
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


def cold_start_as_shipped(runs: int, work: Path) -> dict:
    """The headline: the shipped zip's cold start against the SDK sample's (tools/shipped.py).

    The store answers over loopback HTTP (moto's server), as DynamoDB would in Lambda, and so
    does the Settings API that a night launch asks for the device's time zone."""
    import envelopes

    from tools import shipped
    from tools.local_dynamodb import start_local_dynamodb

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    saved = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
    server = start_local_dynamodb(TABLE)
    api = SettingsApi()
    env = child_env(AWS_ENDPOINT_URL_DYNAMODB=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
    events = {
        "cramp": envelopes.intent("CrampNowIntent", {"muscle": "calf"}, at=envelopes.NIGHT),
        "night launch": envelopes.launch(at=envelopes.NIGHT),  # the calf stretch, no store call
    }
    files = {}
    for name, event in events.items():
        event["context"]["System"]["apiEndpoint"] = api.url
        files[name] = OUT_DIR / f"cold_start_{name.replace(' ', '_')}.json"
        files[name].write_text(json.dumps(event))
    try:
        importtime_runs = max(1, min(5, runs // 2))  # the smoke test's single run: one
        return shipped.measure(work, HELLO_WORLD_SOURCE, files, runs, env, importtime_runs)
    finally:
        api.stop()
        server.stop()
        shipped.cleanup(work)
        if saved is None:
            os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
        else:
            os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = saved


def zip_parts(zip_path: Path, top: int = 8) -> list[tuple[str, int]]:
    """The zip's largest top-level parts (package folders, dist-info grouped) by packed size."""
    parts: dict[str, int] = {}
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            head = info.filename.split("/")[0]
            if head.endswith((".dist-info", ".egg-info")):
                head = "*.dist-info"
            parts[head] = parts.get(head, 0) + info.compress_size
    return sorted(parts.items(), key=lambda kv: -kv[1])[:top]


# --- the report --------------------------------------------------------------------------


def run_all(count: int, cold_runs: int) -> dict:
    """Every section: the shipped cold start first, then the in-process measurements."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    hello_world_dir()
    results: dict = {"when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}
    results["settings"] = {"count": count, "cold_runs": cold_runs, "python": sys.version.split()[0]}
    results["cold"] = cold_start_as_shipped(cold_runs, OUT_DIR / "shipped")
    zip_path = Path(results["cold"]["zip_path"])
    results["zip"] = {
        "bytes": zip_path.stat().st_size,
        "how": "infra/package.py (make package), as timed above",
        "parts": zip_parts(zip_path),
        "no_bytecode_bytes": results["cold"]["no_bytecode_zip_bytes"],
    }
    # The hung-store run mostly waits on sockets: it goes on beside the rest. Each of its
    # requests may wait for the store's deadline, so a few per type say what a user waits.
    hung = start_worker("timeout", max(1, min(count // 10, 200)))
    results.update(run_worker("moto", count))
    results["web"] = run_worker("web", count)
    results["latency_timeout"] = worker_result("timeout", hung)["latency"]
    results["targets"] = targets(results)
    return results


def targets(r: dict) -> list[tuple[str, bool, str]]:
    rows = r["cold"]["rows"]
    cold = {
        event: ratio(rows[event]["Cramp Coach"]["total"], rows[event]["SDK sample"]["total"])
        for event in COLD_START_MAX_RATIOS
    }
    warnings = max(rows[event]["Cramp Coach"]["warnings"] for event in rows)
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
        *(
            (
                f"cold start as shipped, {event} <= {limit}x the SDK sample as shipped",
                cold[event] <= limit,
                f"{cold[event]:.2f}x",
            )
            for event, limit in COLD_START_MAX_RATIOS.items()
        ),
        ("no SyntaxWarning at cold start", warnings == 0, f"{warnings:.0f} printed"),
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
        ("zip < 10 MB", r["zip"]["bytes"] < ZIP_MAX_BYTES, f"{r['zip']['bytes'] / 1e6:.2f} MB"),
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
    for line in shipped_report_lines(r["cold"]):
        add(line)
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
    add(f"  without byte code (NO_BYTECODE=1): {z['no_bytecode_bytes'] / 1e6:.2f} MB")
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


def shipped_report_lines(cold: dict) -> list[str]:
    from tools import shipped

    return shipped.report_lines(cold, COLD_START_MAX_RATIOS)


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
    os.environ.setdefault("USER_HASH_SALT", "bench-salt")
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
