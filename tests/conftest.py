import os

# lambda/, tests/ and the repository root are on sys.path through pyproject's `pythonpath`.

# Tests never reach AWS: dummy credentials and a region, always.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
# ... and DynamoDB, unless a test sets up moto, is a refused loopback port: never AWS itself.
os.environ.setdefault("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")

# Stored user ids are salted; the skill refuses to start without a salt.
os.environ.setdefault("USER_HASH_SALT", "test-salt")

# DynamoDB fixtures (`table`: moto in-process, `server_table`: moto's server on loopback).
pytest_plugins = ["dynamo"]

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def skill(monkeypatch):
    """The skill lambda_handler serves, built afresh for each test, as a new container would
    build it: what a warm container remembers (device time zones, what a user consented to)
    never carries from one test to the next. On DynamoDB, as deployed."""
    from container import serve

    return serve(monkeypatch)


# Markers for the long-running kinds of test (registered in pyproject.toml). Each of them is
# also `slow`, so `make test` (`-m "not slow"`) leaves them all to `make test-all`.
SLOW_KINDS = ("soak", "load", "bench", "fuzz", "hang", "packaging")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if any(item.get_closest_marker(kind) for kind in SLOW_KINDS):
            item.add_marker(pytest.mark.slow)
