"""`make bench` in miniature: every section runs with tiny counts and the report is complete.

No timing assertions (this machine is shared); the round-trip limits are facts, so they hold here.
"""

import sys

import pytest

from tools import bench, shipped

SECTIONS = (
    "== Targets",
    "== Cold start",
    "== Warm latency",
    "== Round trips",
    "== Lambda zip",
    "== Spoken seconds",
    "== Web service",
)


@pytest.fixture(scope="module")
def results():
    return bench.run_all(count=5, cold_runs=1)


@pytest.mark.bench
def test_report_has_every_section_and_target(results):
    text = bench.report(results)
    for section in SECTIONS:
        assert section in text
    for name, _, _ in results["targets"]:
        assert name in text
    assert len(results["targets"]) == 8


@pytest.mark.bench
def test_cramp_answer_needs_at_most_one_write_and_no_read(results):
    trips = results["round_trips"][bench.CRAMP_NOW]
    for state in ("uncached", "cached"):
        assert trips[state]["writes"] <= bench.CRAMP_MAX_WRITES
        assert trips[state]["reads"] == 0


@pytest.mark.bench
def test_no_alexa_api_call_once_the_time_zone_is_cached(results):
    for kind, trips in results["round_trips"].items():
        assert trips["cached"]["alexa_api"] == 0, kind


@pytest.mark.bench
def test_every_muscle_hears_its_whole_instruction_within_four_spoken_seconds(results):
    for name, timing in results["spoken"].items():
        ends = timing["first_instruction_ends"]
        assert ends is not None and ends <= bench.FIRST_INSTRUCTION_MAX_SECONDS, name


def test_spoken_timeline_counts_words_breaks_and_night_rate():
    ssml = (
        '<speak><prosody volume="soft" rate="90%">'
        '<s>one two three</s><break time="2s"/></prosody></speak>'
    )
    ((text, start, end),) = bench.spoken_timeline(ssml)
    assert text == "one two three"
    assert start == 0.0
    assert end == pytest.approx(3 / (150 * 0.9 / 60))


def test_opening_the_skill_at_night_loads_no_botocore():
    """The lazy store import holds: a fresh container's night launch (the calf stretch) never
    pays for botocore, and neither does importing the skill."""
    import json
    import subprocess

    event = json.dumps(bench.build_events({"launch": "LaunchRequest"})["launch"])
    code = (
        "import json, sys; import lambda_function; "
        "loaded = 'botocore' in sys.modules; "
        "lambda_function.lambda_handler(json.loads(sys.argv[1]), None); "
        "print(json.dumps([loaded, 'botocore' in sys.modules]))"
    )
    env = bench.child_env(PYTHONPATH=str(bench.LAMBDA_DIR))
    done = subprocess.run(
        [sys.executable, "-c", code, event], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [False, False]


@pytest.mark.bench
def test_the_shipped_zip_prints_no_syntax_warning_at_cold_start_and_source_does(results):
    """Byte code compiled with warnings off is never recompiled; the SDK sample, shipped as
    sources, prints the SDK's SyntaxWarnings at every cold start (so the count can fail)."""
    for event, by_skill in results["cold"]["rows"].items():
        assert by_skill["Cramp Coach"]["warnings"] == 0, event
        assert by_skill["Cramp Coach, NO_BYTECODE=1"]["warnings"] > 0, event
        assert by_skill["SDK sample"]["warnings"] > 0, event


def test_import_table_counts_only_what_the_handler_imports():
    log = "\n".join(
        [
            "import time:       100 |        100 | logging",
            shipped.HANDLER_IMPORTS_FOLLOW + "; the handler's imports follow --",
            "import time:       300 |        300 |   cramp_coach.content",
            "import time:       200 |        500 | lambda_function",
        ]
    )
    assert shipped.import_table(log) == {
        "cramp_coach.content": (0.0003, 0.0003),
        "lambda_function": (0.0002, 0.0005),
    }
