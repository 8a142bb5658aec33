"""TimeoutApiClient against a real HTTP server on loopback: answers, errors, and a hung server."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from ask_sdk_model.services import ApiClientRequest
from cramp_coach.alexa_api import TimeoutApiClient
from envelopes import NIGHT, intent, speech_of


class _Handler(BaseHTTPRequestHandler):
    zone = "Europe/London"
    seen: list = []

    def do_GET(self):  # noqa: N802 - http.server's naming
        _Handler.seen.append((self.path, self.headers.get("Authorization")))
        if "System.timeZone" in self.path:
            self._send(200, json.dumps(self.zone).encode())
        else:
            self._send(404, b'{"message": "no such setting"}')

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        self._send(201, self.rfile.read(length))

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Handler.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _request(method: str, url: str, body=None) -> ApiClientRequest:
    headers = [("Authorization", "Bearer token"), ("Content-type", "application/json")]
    return ApiClientRequest(url=url, method=method, headers=headers, body=body)


def test_answer_status_headers_and_body_come_back(api):
    url = f"{api}/v2/devices/D1/settings/System.timeZone?x=1"
    reply = TimeoutApiClient(timeout_seconds=2).invoke(_request("GET", url))
    assert reply.status_code == 200
    assert json.loads(reply.body) == "Europe/London"
    assert ("Content-Type", "application/json") in reply.headers
    assert _Handler.seen == [("/v2/devices/D1/settings/System.timeZone?x=1", "Bearer token")]


def test_an_error_status_is_an_answer_not_an_exception(api):
    reply = TimeoutApiClient(timeout_seconds=2).invoke(_request("GET", f"{api}/v2/other"))
    assert reply.status_code == 404
    assert "no such setting" in reply.body


def test_a_dict_body_is_sent_as_json(api):
    reply = TimeoutApiClient().invoke(_request("POST", f"{api}/v1/alerts", body={"a": 1}))
    assert reply.status_code == 201
    assert json.loads(reply.body) == {"a": 1}


def test_a_server_that_never_answers_times_out():
    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(1)
        url = f"http://127.0.0.1:{hole.getsockname()[1]}/v2/devices/D/settings/System.timeZone"
        started = time.monotonic()
        with pytest.raises(OSError):
            TimeoutApiClient(timeout_seconds=0.2).invoke(_request("GET", url))
        assert time.monotonic() - started < 1.0


def test_the_settings_api_zone_decides_the_night_voice(api):
    from lambda_function import lambda_handler

    # 08:00 UTC is 3 a.m. in New York (the en-US default) but 8 a.m. in London. A launch
    # asks the Settings API (a cramp answer does not wait for it).
    event = intent("AMAZON.HelpIntent", {}, at=NIGHT, new=True)
    event["context"]["System"]["apiEndpoint"] = api
    event["context"]["System"]["device"]["deviceId"] = "amzn1.ask.device.LONDON-TEST"
    response = lambda_handler(event, None)
    assert 'volume="soft"' not in speech_of(response)
    assert response["sessionAttributes"]["tz"] == "Europe/London"
    cramp = intent(
        "CrampNowIntent",
        {"muscle": "calf"},
        at=NIGHT,
        new=False,
        attributes=response["sessionAttributes"],
    )
    cramp["context"]["System"]["apiEndpoint"] = "http://127.0.0.1:9"
    assert 'volume="soft"' not in speech_of(lambda_handler(cramp, None))  # the session's zone
