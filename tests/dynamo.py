"""DynamoDB for tests: moto in-process (mock_aws) or moto's server on loopback, and a
counter of the skill's own DynamoDB calls by operation (botocore event hooks)."""

from __future__ import annotations

import collections
import os
import uuid

import boto3
import pytest
from cramp_coach import store
from cramp_coach.dynamo_client import pages
from cramp_coach.memory_store import InMemoryStore
from moto import mock_aws

from tools import local_dynamodb

TABLE = "cramp-coach-test"
DYNAMO = store.DynamoStore()  # the skill's store, for tests that read or seed it directly


@pytest.fixture
def table(monkeypatch):
    """An empty table in moto's in-process mock; the store's client is made inside it."""
    monkeypatch.setenv("CRAMP_TABLE_NAME", TABLE)
    monkeypatch.setenv("USER_HASH_SALT", "test-salt")
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    # boto3's default session is kept across tests: making it anew costs more than the test.
    with mock_aws(config={"core": {"reset_boto3_session": False}}):
        store.reset_client()
        local_dynamodb.create_table(TABLE)
        yield TABLE
    store.reset_client()


@pytest.fixture
def memory(monkeypatch) -> InMemoryStore:
    """The in-memory CrampStore behind lambda_handler, for journey tests that need a store but
    not DynamoDB itself; moto stays for the store's own, fault and end-to-end tests."""
    from container import serve

    kept = InMemoryStore()
    serve(monkeypatch, kept)
    return kept


@pytest.fixture(params=["dynamodb", "memory"])
def cramp_store(request):
    """Each CrampStore implementation in turn: the contract tests hold for both."""
    if request.param == "dynamodb":
        request.getfixturevalue("table")
        return store.DynamoStore()
    return InMemoryStore()


@pytest.fixture
def server_table(monkeypatch):
    """An empty table on moto's HTTP server (real sockets, real concurrency).

    moto's servers in one process share their data, so each test gets its own table.
    """
    name = f"{TABLE}-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("CRAMP_TABLE_NAME", name)
    monkeypatch.setenv("USER_HASH_SALT", "test-salt")
    before = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
    server = local_dynamodb.start_local_dynamodb(name)
    store.reset_client()
    try:
        yield name
    finally:
        server.stop()
        store.reset_client()
        if before is None:
            os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
        else:
            os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = before


def all_items(table_name: str = TABLE) -> list[dict]:
    """Every item in the table (a Scan: tests only, the skill never scans)."""
    scan = boto3.client("dynamodb").scan
    return [item for page in pages(scan, TableName=table_name) for item in page["Items"]]


class CallCounter:
    """Counts the store client's DynamoDB operations (GetItem, Query, TransactWriteItems...)."""

    READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}

    def __init__(self):
        self.calls: collections.Counter = collections.Counter()
        store.client().meta.events.register("before-call.dynamodb.*", self._seen)

    def _seen(self, model, **_):
        self.calls[model.name] += 1

    def reset(self) -> None:
        self.calls.clear()

    @property
    def reads(self) -> int:
        return sum(n for op, n in self.calls.items() if op in self.READS)

    @property
    def writes(self) -> int:
        return sum(n for op, n in self.calls.items() if op not in self.READS)
