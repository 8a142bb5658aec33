"""A short load run (10 users, 10 s) in the suite: the full one is `make load`.

Real processes on loopback: moto's DynamoDB server, the signed web service, threads as users.
"""

import pytest

from tools.load import run

# Three processes for ten seconds and more. `make test-all` runs it.
pytestmark = pytest.mark.load


def test_ten_users_for_ten_seconds_lose_and_double_count_nothing():
    report = run(users=10, seconds=10, think=(0.2, 1.0))  # busier users: more in 10 s
    print(report.text())
    assert report.errors == {}
    assert report.degraded == {}  # 10 users: the store keeps within its deadlines
    assert report.counts_checked == 10
    assert report.count_mismatches == []
    assert report.cramps_sent >= 20  # the users really logged cramps
    assert report.cramps_stored == report.cramps_sent  # every cramp kept, none twice
    assert 0 < report.cramps_confirmed <= report.cramps_stored
    assert report.requests >= 60
    assert report.latency["(all)"][2] < 2000  # p99 under 2 s on a loaded 2-core machine
