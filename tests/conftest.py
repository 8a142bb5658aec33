import os

# lambda/, tests/ and the repository root are on sys.path through pyproject's `pythonpath`.

# Tests never reach AWS: dummy credentials and a region, always.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
# ... and DynamoDB, unless a test sets up moto, is a refused loopback port: never AWS itself.
os.environ.setdefault("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")

# DynamoDB fixtures (`table`: moto in-process, `server_table`: moto's server on loopback).
pytest_plugins = ["dynamo"]

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_time_zone_cache():
    """Each test starts with no cached device time zones (the cache lives per container)."""
    from cramp_coach import clock

    clock._TZ_CACHE.clear()
    yield
    clock._TZ_CACHE.clear()


# Markers for the long-running kinds of test (registered in pyproject.toml). Each of them is
# also `slow`, so `make test` (`-m "not slow"`) leaves them all to `make test-all`.
SLOW_KINDS = ("soak", "load", "bench", "fuzz", "hang", "packaging")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if any(item.get_closest_marker(kind) for kind in SLOW_KINDS):
            item.add_marker(pytest.mark.slow)
