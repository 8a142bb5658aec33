"""`make serve` and the gunicorn entry point, run as real processes on free loopback ports."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
from cramp_coach.webservice.serve import ServeConfigError, is_loopback, settings_from_env
from signing import TEST_SKILL_ID, alexa_request

REPO = Path(__file__).resolve().parent.parent
SERVE = [sys.executable, "-m", "cramp_coach.webservice.serve"]
GUNICORN = [
    sys.executable,
    "-m",
    "gunicorn",
    "--bind",
    "127.0.0.1:0",
    "--workers",
    "1",
    "cramp_coach.webservice.wsgi:app",
]


def clean_env(**overrides: str) -> dict[str, str]:
    """A child environment without the parent's AWS or skill settings, plus `overrides`."""
    keep = {"PATH", "HOME", "LANG", "TMPDIR"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(PYTHONPATH=str(REPO / "lambda"), PYTHONUNBUFFERED="1")
    env.update(overrides)
    return env


class Output:
    """The child's merged stdout/stderr, read by a thread so waiting never blocks on a pipe."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.lines: list[str] = []
        self._read = 0
        self._changed = threading.Condition()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()

    def wait_for(self, pattern: str, timeout: float = 30) -> re.Match:
        """The next line matching `pattern`; fail showing all output if none comes in time."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                while self._read < len(self.lines):
                    line = self.lines[self._read]
                    self._read += 1
                    match = re.search(pattern, line)
                    if match:
                        return match
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.process.poll() is not None:
                    break
                self._changed.wait(timeout=min(remaining, 0.5))
        self.process.kill()
        pytest.fail(f"no line matching {pattern!r}; output was:\n{''.join(self.lines)}")


def start(command: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, Output]:
    process = subprocess.Popen(
        command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    return process, Output(process)


def stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=15)
    finally:
        process.kill()


def post_json(url: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "::1", "localhost", "LOCALHOST"])
def test_dev_mode_is_allowed_on_loopback(host):
    settings = settings_from_env({"SKILL_VERIFY_REQUESTS": "false", "SKILL_BIND_HOST": host})

    assert is_loopback(host)
    assert settings.verify_requests is False


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "myhost.example"])
def test_dev_mode_is_refused_on_any_other_address(host):
    with pytest.raises(ServeConfigError, match="loopback"):
        settings_from_env({"SKILL_VERIFY_REQUESTS": "false", "SKILL_BIND_HOST": host})


def test_verification_is_on_by_default_on_127_0_0_1_port_5000():
    settings = settings_from_env({})

    assert (settings.host, settings.port, settings.verify_requests) == ("127.0.0.1", 5000, True)


def test_a_verified_server_may_bind_any_address():
    assert settings_from_env({"SKILL_BIND_HOST": "0.0.0.0"}).verify_requests is True


@pytest.mark.parametrize("raw", ["flase", "maybe", "2"])
def test_an_unreadable_verify_setting_is_refused_not_guessed(raw):
    with pytest.raises(ServeConfigError, match="true or false"):
        settings_from_env({"SKILL_VERIFY_REQUESTS": raw})


def test_serve_refuses_to_start_unverified_on_a_public_address():
    env = clean_env(SKILL_VERIFY_REQUESTS="false", SKILL_BIND_HOST="0.0.0.0", PORT="0")

    result = subprocess.run(SERVE, env=env, cwd=REPO, capture_output=True, text=True, timeout=60)

    assert result.returncode != 0
    assert "refusing to start" in result.stderr and "loopback" in result.stderr
    assert "listening" not in result.stdout


@pytest.mark.slow
def test_serve_starts_local_dynamodb_and_answers_over_http_in_dev_mode():
    process, output = start(SERVE, clean_env(SKILL_VERIFY_REQUESTS="false", PORT="0"))
    try:
        dynamodb = output.wait_for(r"DynamoDB: (http://127\.0\.0\.1:\d+) table (\S+)")
        assert "DEV MODE" in output.wait_for(r"DEV MODE").group(0)
        base = output.wait_for(r"listening on (http://127\.0\.0\.1:\d+)/").group(1)

        health_status, health = get_json(f"{base}/health")
        status, reply = post_json(f"{base}/", json.dumps(alexa_request()).encode())

        table = boto3.client(
            "dynamodb",
            endpoint_url=dynamodb.group(1),
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        ttl = table.describe_time_to_live(TableName=dynamodb.group(2))
    finally:
        exit_code = stop(process)

    assert (health_status, health) == (200, {"status": "ok", "verify_requests": False})
    assert status == 200 and reply["response"]["outputSpeech"]["ssml"]
    assert dynamodb.group(2) == "cramp-coach"
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at"
    assert exit_code == 0


@pytest.mark.slow
def test_serve_verifies_by_default_and_uses_a_given_dynamodb_endpoint():
    # A DynamoDB endpoint is given, so no local server is started: the given one is used.
    given_endpoint = "http://127.0.0.1:9"
    env = clean_env(PORT="0", SKILL_ID=TEST_SKILL_ID, AWS_ENDPOINT_URL_DYNAMODB=given_endpoint)
    process, output = start(SERVE, env)
    try:
        dynamodb = output.wait_for(r"DynamoDB: (\S+) table")
        base = output.wait_for(r"listening on (http://127\.0\.0\.1:\d+)/ \(verification ON")
        status, reply = post_json(f"{base.group(1)}/", json.dumps(alexa_request()).encode())
    finally:
        stop(process)

    assert dynamodb.group(1) == given_endpoint
    assert status == 400
    assert "SignatureCertChainUrl" in reply["reason"]


@pytest.mark.slow
def test_gunicorn_serves_the_production_app_with_verification_on():
    env = clean_env(SKILL_ID=TEST_SKILL_ID, AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:9")
    process, output = start(GUNICORN, env)
    try:
        base = output.wait_for(r"Listening at: (http://127\.0\.0\.1:\d+)").group(1)
        health = get_json(f"{base}/health")
        status, reply = post_json(f"{base}/", json.dumps(alexa_request()).encode())
    finally:
        stop(process)

    assert health == (200, {"status": "ok", "verify_requests": True})
    assert status == 400 and "SignatureCertChainUrl" in reply["reason"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"SKILL_ID": TEST_SKILL_ID, "SKILL_VERIFY_REQUESTS": "false"}, "is not allowed"),
        ({}, "SKILL_ID must be set"),
    ],
    ids=["dev-mode", "no-skill-id"],
)
def test_gunicorn_refuses_to_serve_unsafely(settings, complaint):
    env = clean_env(**settings)

    result = subprocess.run(GUNICORN, env=env, cwd=REPO, capture_output=True, text=True, timeout=60)

    assert result.returncode != 0
    assert complaint in result.stdout + result.stderr
