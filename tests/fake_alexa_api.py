"""A fake Alexa API on a loopback port: the Reminders API and the Settings API's time zone.

Real HTTP (http.server in a thread), so the skill's own ApiClient, deadlines and JSON are
exercised end to end. It checks the Authorization header (Bearer apiAccessToken) and every
reminder body the way the real API would reject it, keeps reminders in memory, logs each
request as "METHOD /path", and can be told to answer 401, 403, 429, 5xx or to hang.
Shared by tests/test_bedtime.py and the demo.

    with FakeAlexaApi(time_zone="Europe/London") as api:
        handler = api.serving(lambda_handler)   # every envelope now points at the fake
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ACCESS_TOKEN = "fake-api-access-token"
CONSENT_TOKEN = "fake-consent-token"
REMINDERS = "/v1/alerts/reminders"
TIME_ZONE_PATH = re.compile(r"/v2/devices/(?P<device>[^/]+)/settings/System\.timeZone")
LOCAL_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?")  # no Z, no offset
LOCALE = re.compile(r"[a-z]{2}-[A-Z]{2}")


@dataclass
class Fault:
    status: int | None  # the HTTP status to answer with, or None with `hang`
    hang: float  # seconds to wait before answering (past the skill's deadline)
    times: int  # how many requests it applies to
    prefix: str  # which paths it applies to


def reminder_problems(body: dict) -> list[str]:
    """Why the Reminders API would refuse this nightly reminder body (empty: it is fine)."""
    problems = []
    trigger = body.get("trigger") or {}
    if trigger.get("type") != "SCHEDULED_ABSOLUTE":
        problems.append(f"trigger.type {trigger.get('type')!r}")
    scheduled = trigger.get("scheduledTime") or ""
    if not LOCAL_DATE_TIME.fullmatch(scheduled):
        problems.append(f"scheduledTime {scheduled!r} is not a local date-time")
    try:
        ZoneInfo(trigger.get("timeZoneId") or "")
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"timeZoneId {trigger.get('timeZoneId')!r}")
    recurrence = trigger.get("recurrence") or {}
    rules = recurrence.get("recurrenceRules") or []
    if len(rules) != 1 or "FREQ=DAILY" not in rules[0].split(";"):
        problems.append(f"recurrenceRules {rules!r} is not one daily rule")
    elif LOCAL_DATE_TIME.fullmatch(scheduled):
        hour, minute = int(scheduled[11:13]), int(scheduled[14:16])
        if f"BYHOUR={hour}" not in rules[0] or f"BYMINUTE={minute}" not in rules[0]:
            problems.append(f"rule {rules[0]!r} disagrees with scheduledTime {scheduled!r}")
    if not LOCAL_DATE_TIME.fullmatch(recurrence.get("startDateTime") or ""):
        problems.append("recurrence.startDateTime is not a local date-time")
    content = ((body.get("alertInfo") or {}).get("spokenInfo") or {}).get("content") or []
    if not content:
        problems.append("alertInfo.spokenInfo.content is empty")
    for spoken in content:
        if not LOCALE.fullmatch(spoken.get("locale") or ""):
            problems.append(f"spoken locale {spoken.get('locale')!r}")
        if not (spoken.get("text") or "").strip():
            problems.append("spoken text is empty")
    if not body.get("requestTime"):
        problems.append("requestTime is missing")
    return problems


class FakeAlexaApi:
    def __init__(self, time_zone: str = "America/New_York", token: str = ACCESS_TOKEN):
        self.token = token
        self.granted = True  # the user's reminders permission; False: 401 on reminders
        self.default_time_zone = time_zone
        self.time_zones: dict[str, str] = {}  # device id -> zone, when not the default
        self.reminders: dict[str, dict] = {}  # alert token -> the reminder as GET shows it
        self.log: list[str] = []  # "METHOD /path", in order
        self.problems: list[str] = []  # reminder bodies it had to refuse
        self._faults: list[Fault] = []
        # (status, raw body): answer every authorised request with exactly this (fuzzing)
        self.canned: tuple[int, bytes] | None = None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True  # a hung answer never blocks stop()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # --- life cycle -----------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeAlexaApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeAlexaApi:
        return self.start()

    def __exit__(self, *_) -> None:
        self.stop()

    # --- what tests tell it ---------------------------------------------------------

    def fail(
        self, status: int | None = None, hang: float = 0.0, times: int = 1, prefix: str = REMINDERS
    ) -> None:
        """Answer the next `times` requests under `prefix` with `status`, or hang first."""
        with self._lock:
            self._faults.append(Fault(status or 504, hang, times, prefix))

    def calls(self, since: int = 0) -> list[str]:
        """Reminders API calls (not the time-zone look-ups) from log position `since`."""
        return [c for c in self.log[since:] if f" {REMINDERS}" in c]

    def serving(self, handler, consent: bool | None = None, device_id: str | None = None):
        """`handler` (lambda_handler) with every envelope pointed at this fake API; the
        envelope carries a consent token when `consent` (default: when `granted`)."""

        def pointed(event, context=None):
            return handler(point_at(event, self, consent=consent, device_id=device_id), context)

        return pointed

    # --- used by the request handler ------------------------------------------------

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if path.startswith(fault.prefix) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def _new_token(self) -> str:
        return f"fake-alert-{next(self._ids)}"


def _error(code: str, message: str) -> dict:
    return {"code": code, "message": message}


def _handler_for(api: FakeAlexaApi):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet: pytest shows failures, not traffic
            pass

        def _send(self, status: int, body=None) -> None:
            self._send_raw(status, b"" if body is None else json.dumps(body).encode())

        def _send_raw(self, status: int, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                return json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return {}

        def _serve(self) -> None:
            path = self.path.split("?", 1)[0]
            with api._lock:
                api.log.append(f"{self.command} {path}")
            if self.headers.get("Authorization") != f"Bearer {api.token}":
                return self._send(401, _error("UNAUTHORIZED", "bad or missing access token"))
            if api.canned is not None:
                return self._send_raw(*api.canned)
            fault = api._take_fault(path)
            if fault:
                time.sleep(fault.hang)
                return self._send(fault.status, _error("FAULT", f"told to answer {fault.status}"))
            if path.startswith(REMINDERS) and not api.granted:
                return self._send(401, _error("UNAUTHORIZED", "reminders permission not granted"))
            zone = TIME_ZONE_PATH.fullmatch(path)
            if zone and self.command == "GET":
                device = zone["device"]
                return self._send(200, api.time_zones.get(device, api.default_time_zone))
            if path == REMINDERS:
                return self._collection()
            if path.startswith(REMINDERS + "/"):
                return self._one(path[len(REMINDERS) + 1 :])
            return self._send(404, _error("NOT_FOUND", path))

        def _collection(self) -> None:
            if self.command == "GET":
                alerts = list(api.reminders.values())
                return self._send(200, {"totalCount": str(len(alerts)), "alerts": alerts})
            if self.command == "POST":
                body = self._body()
                if self._refused(body):
                    return
                token = api._new_token()
                api.reminders[token] = self._stored(token, body, version=1)
                return self._send(200, self._summary(token))
            return self._send(405, _error("METHOD_NOT_ALLOWED", self.command))

        def _one(self, token: str) -> None:
            if token not in api.reminders:
                return self._send(404, _error("NOT_FOUND", "no such reminder"))
            if self.command == "GET":
                return self._send(200, api.reminders[token])
            if self.command == "PUT":
                body = self._body()
                if self._refused(body):
                    return
                version = int(api.reminders[token]["version"]) + 1
                api.reminders[token] = self._stored(token, body, version=version)
                return self._send(200, self._summary(token))
            if self.command == "DELETE":
                del api.reminders[token]
                return self._send(200)
            return self._send(405, _error("METHOD_NOT_ALLOWED", self.command))

        def _refused(self, body: dict) -> bool:
            problems = reminder_problems(body)
            if problems:
                api.problems.extend(problems)
                self._send(400, _error("INVALID_REQUEST", "; ".join(problems)))
            return bool(problems)

        @staticmethod
        def _stored(token: str, body: dict, version: int) -> dict:
            stamp = "2026-11-26T00:00:00.000"
            return {
                "alertToken": token,
                "createdTime": stamp,
                "updatedTime": stamp,
                "trigger": body["trigger"],
                "alertInfo": body["alertInfo"],
                "pushNotification": body.get("pushNotification", {"status": "ENABLED"}),
                "status": "ON",
                "version": str(version),
            }

        @staticmethod
        def _summary(token: str) -> dict:
            stored = api.reminders[token]
            return {
                "alertToken": token,
                "createdTime": stored["createdTime"],
                "updatedTime": stored["updatedTime"],
                "status": "ON",
                "version": stored["version"],
                "href": f"{REMINDERS}/{token}",
            }

        do_GET = do_POST = do_PUT = do_DELETE = _serve

    return Handler


def point_at(
    event: dict, api: FakeAlexaApi, consent: bool | None = None, device_id: str | None = None
) -> dict:
    """The envelope, talking to `api`: its endpoint, its token, and the permission (or not)."""
    consent = api.granted if consent is None else consent
    system = event["context"]["System"]
    system["apiEndpoint"] = api.url
    system["apiAccessToken"] = api.token
    if device_id:
        system["device"]["deviceId"] = device_id
    for user in (system["user"], (event.get("session") or {}).get("user")):
        if user is None:
            continue
        if consent:
            user["permissions"] = {"consentToken": CONSENT_TOKEN}
        else:
            user.pop("permissions", None)
    return event


def permission_answer(event: dict, status: str, code: str = "200", token: str = "") -> dict:
    """Turn an envelope into Alexa's Connections.Response to the reminders AskFor."""
    old = event["request"]
    event["request"] = {
        "type": "Connections.Response",
        "requestId": old["requestId"],
        "timestamp": old["timestamp"],
        "locale": old["locale"],
        "name": "AskFor",
        "status": {"code": code, "message": "OK" if code == "200" else "Error"},
        "payload": {"permissionScope": "alexa::alerts:reminders:skill:readwrite", "status": status},
        "token": token,
    }
    return event
