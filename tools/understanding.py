"""`make understanding`: the held-out phrase set through virtual-alexa against `make serve`.

Starts the skill's web service on a free loopback port in development mode (unsigned
requests, loopback only), installs the pinned client with `npm ci` when needed, runs
nlu-client/understanding.js, and stops the server. Arguments after the script go to the client
(`--short 12` for a few phrases per locale, `--json path` for the numbers).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "lambda")]  # when run as a script

from tools.load import process  # noqa: E402
from tools.local_dynamodb import free_loopback_port  # noqa: E402

CLIENT = ROOT / "nlu-client"


def install_client() -> None:
    if not (CLIENT / "node_modules" / "virtual-alexa").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=CLIENT, check=True)


def server_env(port: int) -> dict:
    env = {
        **os.environ,
        "PORT": str(port),
        "SKILL_BIND_HOST": "127.0.0.1",
        "SKILL_VERIFY_REQUESTS": "false",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "lambda"), str(ROOT)]),  # serve uses tools/
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    env.pop("AWS_ENDPOINT_URL_DYNAMODB", None)  # serve starts its own local DynamoDB
    return env


def run(client_args: list[str]) -> subprocess.CompletedProcess:
    if shutil.which("node") is None:
        raise RuntimeError("node is not installed")
    install_client()
    port = free_loopback_port()
    url = f"http://127.0.0.1:{port}/"
    serve = [sys.executable, "-m", "cramp_coach.webservice.serve"]
    with (
        tempfile.TemporaryDirectory() as workdir,
        process(serve, server_env(port), Path(workdir) / "serve.log", url + "health", 60),
    ):
        return subprocess.run(
            ["node", str(CLIENT / "understanding.js"), "--url", url] + client_args,
            capture_output=True,
            text=True,
            env={**os.environ, "AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE": "1"},
        )


def main(argv: list[str]) -> int:
    result = run(argv)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
