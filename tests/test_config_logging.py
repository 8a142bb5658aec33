"""LOG_LEVEL never stops the function and never makes the AWS SDK log secrets or health
data; without USER_HASH_SALT the skill refuses to start."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cramp_coach.config import load_settings
from cramp_coach.observability import OWN_LOGGERS, QUIET_LOGGERS, configure_logging
from envelopes import DAY, Conversation
from lambda_function import lambda_handler

REPO = Path(__file__).resolve().parents[1]
ANSWER_ONE_LAUNCH = (
    "import json, lambda_function, envelopes;"
    "r = lambda_function.lambda_handler(envelopes.launch(), None);"
    "print(json.dumps(r)[:40])"
)


def run_skill(**env: str) -> subprocess.CompletedProcess:
    """Import the Lambda entry point in a fresh process (as a cold start does) and answer once."""
    child = {k: v for k, v in os.environ.items() if k not in ("LOG_LEVEL", "USER_HASH_SALT")}
    child.update(PYTHONPATH=os.pathsep.join([str(REPO / "lambda"), str(REPO / "tests")]), **env)
    return subprocess.run(
        [sys.executable, "-c", ANSWER_ONE_LAUNCH],
        env=child,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("raw", "level", "said"),
    [
        ("debug", logging.DEBUG, False),
        (" Warning ", logging.WARNING, False),
        ("INFO", logging.INFO, False),
        ("", logging.INFO, False),
        ("verbose", logging.INFO, True),
        ("10", logging.INFO, True),
    ],
)
def test_log_level_in_any_case_or_unknown_falls_back_to_info(monkeypatch, raw, level, said):
    monkeypatch.setenv("LOG_LEVEL", raw)
    settings = load_settings()
    assert settings.log_level == level
    assert (settings.log_level_given is not None) is said


@pytest.mark.parametrize("raw", ["debug", "verbose", ""])
def test_an_odd_log_level_does_not_stop_the_function(raw):
    result = run_skill(LOG_LEVEL=raw, USER_HASH_SALT="s")
    assert result.returncode == 0, result.stderr[-2000:]
    assert '{"version": "1.0"' in result.stdout
    assert result.stderr.count("names no log level") == (1 if raw == "verbose" else 0)


@pytest.fixture
def restore_levels():
    names = OWN_LOGGERS + QUIET_LOGGERS
    saved = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def test_debug_logs_neither_aws_secrets_nor_cramp_items(table, monkeypatch, caplog, restore_levels):
    monkeypatch.setenv("AWS_SESSION_TOKEN", "SECRET-SESSION-TOKEN")
    caplog.set_level(logging.DEBUG)  # the root at DEBUG, as a runtime may set it
    configure_logging(logging.DEBUG)
    chat = Conversation(lambda_handler, at=DAY)
    chat.launch()
    chat.say("KeepCountIntent")
    chat.say("AMAZON.YesIntent")
    chat.say("LogCrampIntent", muscle="hamstring")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert any(
        r.name.startswith("cramp_coach") and r.levelno == logging.INFO for r in caplog.records
    )
    assert not [r for r in caplog.records if r.name.split(".")[0] in QUIET_LOGGERS]
    for secret in ("SECRET-SESSION-TOKEN", "testing", "hamstring"):
        assert secret not in logged


def test_the_skill_refuses_to_start_without_a_salt():
    for env in ({}, {"USER_HASH_SALT": "   "}):
        result = run_skill(**env)
        assert result.returncode != 0
        assert "USER_HASH_SALT is not set" in result.stderr
    assert run_skill(USER_HASH_SALT="a-salt").returncode == 0
