"""`make serve`: the skill as an HTTP endpoint on 127.0.0.1:${PORT:-5000}, path `/`.

Environment:
  PORT                      port to listen on (default 5000; 0 picks a free one)
  SKILL_BIND_HOST           address to bind (default 127.0.0.1)
  SKILL_ID                  the skill id requests must carry (required to answer in verified mode)
  SKILL_VERIFY_REQUESTS     "false" = dev mode for unsigned local tools; loopback binds only
  AWS_ENDPOINT_URL_DYNAMODB if unset, a local moto DynamoDB server is started for this process
  CRAMP_TABLE_NAME          the table (default cramp-coach), created on the local server

For a real Echo, run it behind a TLS reverse proxy, or use the gunicorn command in the README.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
DEFAULT_TABLE_NAME = "cramp-coach"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

DEV_MODE_WARNING = """
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!!  DEV MODE: SKILL_VERIFY_REQUESTS=false. Requests are NOT verified:         !!
!!  no signature, certificate or timestamp checks. For local tools only       !!
!!  (virtual-alexa, bst). Never expose this server to a network.              !!
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
"""


class ServeConfigError(ValueError):
    """The environment asks for something `serve` refuses to do."""


@dataclass(frozen=True)
class ServeSettings:
    host: str
    port: int
    verify_requests: bool
    skill_id: str | None
    table_name: str
    dynamodb_endpoint: str | None


def parse_bool(name: str, raw: str | None, default: bool) -> bool:
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ServeConfigError(f"{name} must be true or false, not {raw!r}")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name other than localhost could resolve anywhere


def settings_from_env(env: Mapping[str, str]) -> ServeSettings:
    """Read and check the environment; raise ServeConfigError with the reason if it is unsafe."""
    host = env.get("SKILL_BIND_HOST") or DEFAULT_HOST
    raw_port = env.get("PORT") or str(DEFAULT_PORT)
    try:
        port = int(raw_port)
    except ValueError:
        raise ServeConfigError(f"PORT must be a number, not {raw_port!r}") from None
    verify_requests = parse_bool(
        "SKILL_VERIFY_REQUESTS", env.get("SKILL_VERIFY_REQUESTS"), default=True
    )
    if not verify_requests and not is_loopback(host):
        raise ServeConfigError(
            f"SKILL_VERIFY_REQUESTS=false is only allowed on a loopback address, and "
            f"SKILL_BIND_HOST is {host!r}. Unverified requests must never come from a network."
        )
    return ServeSettings(
        host=host,
        port=port,
        verify_requests=verify_requests,
        skill_id=env.get("SKILL_ID") or None,
        table_name=env.get("CRAMP_TABLE_NAME") or DEFAULT_TABLE_NAME,
        dynamodb_endpoint=env.get("AWS_ENDPOINT_URL_DYNAMODB") or None,
    )


def main() -> int:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    # Quiet library chatter; the local moto server's request lines are werkzeug INFO records.
    for noisy in ("botocore", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        settings = settings_from_env(os.environ)
    except ServeConfigError as error:
        print(f"make serve: refusing to start: {error}", file=sys.stderr)
        return 2
    local_dynamodb = None
    if settings.dynamodb_endpoint is None:
        # Before the skill is imported: its boto3 clients read the endpoint when they are made.
        from tools.local_dynamodb import start_local_dynamodb

        local_dynamodb = start_local_dynamodb(settings.table_name)
    print(f"DynamoDB: {os.environ['AWS_ENDPOINT_URL_DYNAMODB']} table {settings.table_name}")
    try:
        return run_server(settings)
    finally:
        if local_dynamodb is not None:
            local_dynamodb.stop()


def run_server(settings: ServeSettings) -> int:
    from werkzeug.serving import make_server

    from cramp_coach.webservice.app import create_app

    app = create_app(verify_requests=settings.verify_requests, skill_id=settings.skill_id)
    server = make_server(
        settings.host, settings.port, app, threaded=True, request_handler=_skill_request_handler()
    )
    if not settings.verify_requests:
        print(DEV_MODE_WARNING, file=sys.stderr)
    elif not settings.skill_id:
        print(
            "WARNING: SKILL_ID is not set, so every Alexa request will be refused (HTTP 400). "
            "Set SKILL_ID to your skill's id, or SKILL_VERIFY_REQUESTS=false for local tools.",
            file=sys.stderr,
        )
    mode = "verification ON" if settings.verify_requests else "verification OFF, dev mode"
    url_host = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(f"Cramp Coach listening on http://{url_host}:{server.port}/ ({mode})", flush=True)
    # `kill` (SIGTERM) stops the server like Ctrl-C does, so the local DynamoDB is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _skill_request_handler():
    """Werkzeug's handler, logging this server's requests as `cramp_coach.http`.

    The local moto server also runs on werkzeug; its request lines stay quiet under the
    `werkzeug` logger, so the log shows only the skill's own traffic.
    """
    from werkzeug.serving import WSGIRequestHandler

    http_log = logging.getLogger("cramp_coach.http")

    class SkillRequestHandler(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            http_log.info('%s "%s" %s', self.address_string(), self.requestline, code)

    return SkillRequestHandler


if __name__ == "__main__":
    sys.exit(main())
