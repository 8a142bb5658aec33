"""What request verification costs per request, in process (Flask test client, no network).

    PYTHONPATH=lambda:tests .venv/bin/python tools/webservice_overhead.py [requests]

Prints median and p95 milliseconds for: dev mode (no verification), verified with the signing
certificate cached, and verified with a cold cache (chain check on every request). Request
signing is done before timing; the skill answers a LaunchRequest each time.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from cramp_coach.skill import SKILL
from cramp_coach.webservice.app import create_app
from signing import TEST_SKILL_ID, alexa_request, shared_test_ca


def timed_posts(requests: list[tuple[bytes, dict]], fresh_app_each_time: bool, **app_options):
    """Milliseconds per POST; a fresh app (cold certificate cache) per request if asked."""
    timings = []
    client = create_app(skill=SKILL, **app_options).test_client()
    for body, headers in requests:
        if fresh_app_each_time:
            client = create_app(skill=SKILL, **app_options).test_client()
        start = time.perf_counter()
        response = client.post("/", data=body, headers=headers)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.json
    return timings


def summary(label: str, timings: list[float]) -> str:
    p95 = statistics.quantiles(timings, n=20)[18]
    return f"{label:<34} median {statistics.median(timings):6.2f} ms   p95 {p95:6.2f} ms"


def main(count: int) -> None:
    ca = shared_test_ca()
    verified = {
        "skill_id": TEST_SKILL_ID,
        "trust_store": ca.trust_store(),
        "fetch_chain": ca.fetcher(),
    }
    signed = []
    for _ in range(count):
        body = json.dumps(alexa_request("LaunchRequest")).encode()
        signed.append((body, ca.signed_headers(body)))
    unsigned = [(body, {"Content-Type": "application/json"}) for body, _ in signed]

    dev = timed_posts(unsigned, False, verify_requests=False)
    cached = timed_posts(signed, False, **verified)
    cold = timed_posts(signed, True, **verified)
    print(f"{count} LaunchRequests each, Flask test client, in process")
    print(summary("dev mode (no verification)", dev))
    print(summary("verified, certificate cached", cached))
    print(summary("verified, cold cache (chain check)", cold))
    print(f"chain fetches: {len(ca.fetched_urls)} (1 for the cached run + 1 per cold request)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
