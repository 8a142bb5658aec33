"""`make understanding`: the held-out phrase set through virtual-alexa against `make serve`.

Starts the skill's web service on a free loopback port in development mode (unsigned
requests, loopback only), installs the pinned client with `npm ci` when needed, runs
nlu-client/understanding.js, and stops the server. Arguments after the script go to the client
(`--short 12` for a few phrases per locale, `--json path` for the numbers).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "nlu-client"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def install_client() -> None:
    if not (CLIENT / "node_modules" / "virtual-alexa").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=CLIENT, check=True)


def wait_until_listening(server: subprocess.Popen, port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the skill server exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the skill server did not start listening")


def start_server(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "PORT": str(port),
        "SKILL_BIND_HOST": "127.0.0.1",
        "SKILL_VERIFY_REQUESTS": "false",
        "PYTHONPATH": str(ROOT / "lambda"),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    env.pop("AWS_ENDPOINT_URL_DYNAMODB", None)  # serve starts its own local DynamoDB
    return subprocess.Popen(
        [sys.executable, "-m", "cramp_coach.webservice.serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def run(client_args: list[str]) -> subprocess.CompletedProcess:
    if shutil.which("node") is None:
        raise RuntimeError("node is not installed")
    install_client()
    port = free_port()
    server = start_server(port)
    try:
        wait_until_listening(server, port)
        return subprocess.run(
            ["node", str(CLIENT / "understanding.js"), "--url", f"http://127.0.0.1:{port}/"]
            + client_args,
            capture_output=True,
            text=True,
            env={**os.environ, "AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE": "1"},
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def main(argv: list[str]) -> int:
    result = run(argv)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
