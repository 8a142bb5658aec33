"""A DynamoDB-compatible server on loopback for local runs (demo, chat, serve, load tests).

moto's server speaks the real DynamoDB HTTP API, so the skill's boto3 calls are the same
ones it makes against AWS; only boto3's own AWS_ENDPOINT_URL_DYNAMODB points elsewhere.
Not part of the Lambda package: moto is a development dependency.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

import boto3

TTL_ATTRIBUTE = "expires_at"


def table_definition(name: str) -> dict:
    """The table as create_table arguments; infra/template.yaml declares the same keys."""
    return {
        "TableName": name,
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }


def create_table(name: str, endpoint_url: str | None = None) -> None:
    """Create the table (and its TTL setting) if it does not exist yet."""
    client = boto3.client("dynamodb", endpoint_url=endpoint_url)
    if name in client.list_tables()["TableNames"]:
        return
    client.create_table(**table_definition(name))
    client.get_waiter("table_exists").wait(TableName=name)
    client.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serialized(app):
    """Handle one DynamoDB request at a time. Real DynamoDB isolates each write and
    transaction on an item; moto's threaded server does not, and two racing conditional
    writes can both pass there. One lock gives the isolation the store relies on."""
    lock = threading.Lock()

    def handle(environ, start_response):
        with lock:
            return list(app(environ, start_response))

    return handle


def start_local_dynamodb(table_name: str | None = None):
    """Start moto's server on a free loopback port, point boto3 at it, create the table.

    Returns the server (call .stop() when done). Dummy credentials are set only if none are.
    """
    # moto is a dev dependency, imported only here.
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    class IsolatedMotoServer(ThreadedMotoServer):
        def _server_entry(self) -> None:
            app = _serialized(DomainDispatcherApplication(create_backend_app))
            self._server = make_server(
                self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log on the console
    port = free_loopback_port()
    server = IsolatedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = f"http://127.0.0.1:{port}"
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    create_table(table_name or os.environ.get("CRAMP_TABLE_NAME", "cramp-coach"))
    return server
