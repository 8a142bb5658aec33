"""The production server against slow clients: 50 connections trickling headers or a body
must not stop anyone else being answered, and each is closed once it misses the deadline.

Loopback only, and bounded in time: the server runs in this process with a short deadline.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request

import pytest
from cramp_coach.skill import SKILL
from cramp_coach.webservice.app import create_app
from cramp_coach.webservice.production import LIMITS, make_server
from signing import TEST_SKILL_ID, alexa_request, shared_test_ca

# Real sockets held open for seconds: `make test-slow` runs it.
pytestmark = pytest.mark.slow

SLOW_CLIENTS = 50
READ_DEADLINE = 3.0  # seconds; production uses READ_DEADLINE_SECONDS


@pytest.fixture
def server():
    ca = shared_test_ca()
    app = create_app(
        skill=SKILL, skill_id=TEST_SKILL_ID, trust_store=ca.trust_store(), fetch_chain=ca.fetcher()
    )
    server = make_server(app, "127.0.0.1", 0, read_deadline=READ_DEADLINE)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    host, port = server.socket.getsockname()[:2]
    yield f"http://{host}:{port}", (host, port), ca
    server.trigger.pull_trigger(lambda: [d.close() for d in list(server._map.values())])
    thread.join(timeout=10)
    server.task_dispatcher.shutdown()


class Trickler:
    """One slow client: headers byte by byte, or whole headers and then a body byte by byte."""

    def __init__(self, address, body_too: bool):
        self.sock = socket.create_connection(address, timeout=5)
        if body_too:
            self.sock.sendall(
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 4000\r\n\r\n"
            )
            self.pending = b"{" + b" " * 3999
        else:
            self.pending = b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 4000
        self.closed_by_server = False

    def send_a_byte(self) -> None:
        if self.closed_by_server or not self.pending:
            return
        try:
            self.sock.sendall(self.pending[:1])
            self.pending = self.pending[1:]
        except OSError:
            self.closed_by_server = True

    def check_closed(self) -> bool:
        """Whether the server has closed this connection (EOF or reset)."""
        self.sock.setblocking(False)
        try:
            self.closed_by_server = self.closed_by_server or self.sock.recv(4096) == b""
        except BlockingIOError:
            pass
        except OSError:
            self.closed_by_server = True
        finally:
            self.sock.setblocking(True)
        return self.closed_by_server


def timed(call) -> float:
    started = time.monotonic()
    call()
    return time.monotonic() - started


def test_fifty_slow_clients_do_not_stop_normal_requests(server):
    base, address, ca = server
    slow = [Trickler(address, body_too=i % 2 == 1) for i in range(SLOW_CLIENTS)]
    body = json.dumps(alexa_request()).encode()

    def health() -> None:
        with urllib.request.urlopen(base + "/health", timeout=5) as reply:
            assert json.loads(reply.read())["status"] == "ok"

    def launch() -> None:
        headers = {**ca.signed_headers(body), "Content-Type": "application/json"}
        request = urllib.request.Request(base + "/", data=body, headers=headers)
        with urllib.request.urlopen(request, timeout=5) as reply:
            assert json.loads(reply.read())["response"]["outputSpeech"]["ssml"]

    latencies = []
    deadline = time.monotonic() + READ_DEADLINE - 0.5
    while time.monotonic() < deadline:  # the slow clients trickle all the while
        for client in slow:
            client.send_a_byte()
        latencies.append(timed(health))
        latencies.append(timed(launch))
        time.sleep(0.1)

    assert len(latencies) >= 6
    assert max(latencies) < 2.0, latencies  # with 50 slow clients a thread each, this would hang
    assert sum(c.closed_by_server for c in slow) == 0  # they were still held, not refused


def test_a_client_too_slow_to_send_one_request_is_closed(server):
    base, address, _ = server
    slow = [Trickler(address, body_too=i % 2 == 1) for i in range(SLOW_CLIENTS)]
    give_up = time.monotonic() + READ_DEADLINE + 2 * LIMITS["cleanup_interval"] + 2
    while time.monotonic() < give_up and not all(c.check_closed() for c in slow):
        for client in slow:
            client.send_a_byte()  # still sending: the idle timeout alone would never fire
        time.sleep(0.2)
    assert all(c.closed_by_server for c in slow)
    with urllib.request.urlopen(base + "/health", timeout=5) as reply:
        assert reply.status == 200
