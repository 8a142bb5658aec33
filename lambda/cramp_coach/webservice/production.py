"""The production web server: the verified app on waitress, with limits slow clients cannot beat.

    PYTHONPATH=lambda SKILL_ID=amzn1.ask.skill.... USER_HASH_SALT=... \\
        python -m cramp_coach.webservice.production    # 127.0.0.1:8000; PORT, SKILL_BIND_HOST

Why waitress (docs/security.md): its I/O loop reads each request whole, headers and body,
before a worker thread sees it, so a client trickling bytes holds one socket, never a thread.
On top of its idle timeout, every request must arrive in full within READ_DEADLINE_SECONDS of
its first byte. cramp_coach.webservice.wsgi:app is the same verified app for other servers.

Dev mode (SKILL_VERIFY_REQUESTS=false) is refused here: unverified requests are only allowed
through `make serve` on loopback.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any

from cramp_coach.config import load_settings
from cramp_coach.webservice.app import MAX_BODY_BYTES, create_app
from cramp_coach.webservice.serve import ServeConfigError, configure_server_logging, parse_bool

DEFAULT_PORT = 8000
# Headers and body together, from the first byte: an Alexa request is a few KiB.
READ_DEADLINE_SECONDS = 10
LIMITS = {
    "threads": 4,  # the skill's workers; slow clients never occupy them
    "connection_limit": 500,  # open sockets (each one file descriptor), slow or not
    "channel_timeout": 10,  # seconds without a byte before an idle connection is closed
    "cleanup_interval": 1,  # how often the deadlines above are checked
    "max_request_header_size": 16 * 1024,
    "max_request_body_size": MAX_BODY_BYTES,
    "expose_tracebacks": False,
}

log = logging.getLogger("cramp_coach.webservice")


def production_app():
    if not parse_bool("SKILL_VERIFY_REQUESTS", os.environ.get("SKILL_VERIFY_REQUESTS"), True):
        raise ServeConfigError(
            "SKILL_VERIFY_REQUESTS=false is not allowed under a WSGI server; "
            "use `make serve` on loopback for unsigned local tools"
        )
    skill_id = os.environ.get("SKILL_ID") or None
    if not skill_id:
        raise ServeConfigError("SKILL_ID must be set: it is the skill id every request must carry")
    keeps_history = load_settings().keeps_history  # an unknown CRAMP_EDITION stops here
    if keeps_history and not (os.environ.get("USER_HASH_SALT") or "").strip():
        raise ServeConfigError("USER_HASH_SALT must be set: it salts the stored user ids")
    return create_app(verify_requests=True, skill_id=skill_id)


def make_server(app: Any, host: str, port: int, read_deadline: float = READ_DEADLINE_SECONDS):
    """A waitress server for `app` with LIMITS and the whole-request deadline."""
    from waitress.channel import HTTPChannel
    from waitress.server import TcpWSGIServer

    class DeadlineChannel(HTTPChannel):
        """Remembers when the request being read began (None between requests)."""

        request_started: float | None = None

        def received(self, data: bytes) -> bool:
            if data and self.request is None:
                self.request_started = time.monotonic()
            result = super().received(data)
            if self.request is None:  # nothing partial left: the request arrived whole
                self.request_started = None
            return result

    class DeadlineServer(TcpWSGIServer):
        channel_class = DeadlineChannel

        def maintenance(self, now: float) -> None:
            super().maintenance(now)  # idle connections (channel_timeout)
            cutoff = time.monotonic() - read_deadline
            for channel in list(self.active_channels.values()):
                started = getattr(channel, "request_started", None)
                if started is not None and started < cutoff:
                    channel.will_close = True  # too slow to send one request: closed

    return DeadlineServer(app, host=host, port=port, **LIMITS)


def main() -> int:
    configure_server_logging()
    try:
        server = make_server(
            production_app(),
            os.environ.get("SKILL_BIND_HOST") or "127.0.0.1",
            int(os.environ.get("PORT") or DEFAULT_PORT),
        )
    except (ServeConfigError, ValueError) as error:
        print(f"refusing to start: {error}", file=sys.stderr)
        return 2
    host, port = server.socket.getsockname()[:2]
    print(f"Cramp Coach (production) listening on http://{host}:{port}/", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
