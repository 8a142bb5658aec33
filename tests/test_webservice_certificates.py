"""Fetching and trusting Alexa's certificate chain: the real fetcher against a loopback server,
and the default trust store built from the certifi bundle."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import certifi
import pytest
from cramp_coach.webservice import certificates
from cramp_coach.webservice.certificates import (
    MAX_CHAIN_BYTES,
    fetch_certificate_chain,
    load_root_certificates,
)
from signing import shared_test_ca


class ChainServer(BaseHTTPRequestHandler):
    """/chain.pem answers at once, /slow.pem after 1 s, /huge.pem with more than the cap."""

    def do_GET(self) -> None:
        if self.path == "/slow.pem":
            time.sleep(1)
        body = {
            "/chain.pem": shared_test_ca().chain_pem(),
            "/slow.pem": shared_test_ca().chain_pem(),
            "/huge.pem": b"x" * (MAX_CHAIN_BYTES + 10),
        }.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the slow answer meets a client that already gave up: a broken pipe, expected


@pytest.fixture(scope="module")
def chain_host():
    server = QuietServer(("127.0.0.1", 0), ChainServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=10)


def test_the_fetcher_returns_the_published_chain(chain_host):
    assert fetch_certificate_chain(f"{chain_host}/chain.pem") == shared_test_ca().chain_pem()


def test_the_fetcher_gives_up_after_its_short_timeout(chain_host, monkeypatch):
    monkeypatch.setattr(certificates, "CERT_FETCH_TIMEOUT_SECONDS", 0.2)
    started = time.monotonic()

    with pytest.raises(OSError):
        fetch_certificate_chain(f"{chain_host}/slow.pem")

    assert time.monotonic() - started < 0.9


def test_the_fetcher_refuses_a_chain_larger_than_the_cap(chain_host):
    with pytest.raises(ValueError, match="larger than"):
        fetch_certificate_chain(f"{chain_host}/huge.pem")


def test_the_fetcher_reports_a_missing_chain(chain_host):
    with pytest.raises(OSError):
        fetch_certificate_chain(f"{chain_host}/missing.pem")


def test_the_timeout_is_short_next_to_alexas_eight_seconds():
    assert certificates.CERT_FETCH_TIMEOUT_SECONDS <= 2


def test_the_default_roots_include_amazons_and_survive_odd_old_roots():
    with open(certifi.where(), "rb") as bundle:
        roots = load_root_certificates(bundle.read())
    names = {root.subject.rfc4514_string() for root in roots}

    assert len(roots) > 100
    assert any("CN=Amazon Root CA 1" in name for name in names)
    # Starfield's G2 root has a non-positive serial number: cryptography warns but loads it.
    assert any("Starfield Services Root Certificate Authority - G2" in name for name in names)


def test_an_unreadable_root_is_skipped_not_fatal():
    good = shared_test_ca().root_pem()
    broken = b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"

    roots = load_root_certificates(broken + good)

    assert [r.subject for r in roots] == [shared_test_ca().root.subject]
