import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lambda"))
sys.path.insert(0, str(ROOT / "tests"))

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
def _fresh_time_zone_cache():
    """Each test starts with no cached device time zones (the cache lives per container)."""
    from cramp_coach import clock

    clock._TZ_CACHE.clear()
    yield
    clock._TZ_CACHE.clear()
