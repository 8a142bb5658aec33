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
def fresh_skill(monkeypatch):
    """Each test talks to a skill of its own, as a fresh container would: nothing another test's
    skill learned (device time zones, a user's consent) carries over."""
    import lambda_function
    from cramp_coach import skill

    fresh = skill.build_skill()
    monkeypatch.setattr(skill, "SKILL", fresh)
    monkeypatch.setattr(lambda_function, "SKILL", fresh)
    return fresh


# Markers for the long-running kinds of test (registered in pyproject.toml). Each of them is
# also `slow`, so `make test` (`-m "not slow"`) leaves them all to `make test-all`.
SLOW_KINDS = ("soak", "load", "bench", "fuzz", "hang", "packaging")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if any(item.get_closest_marker(kind) for kind in SLOW_KINDS):
            item.add_marker(pytest.mark.slow)
