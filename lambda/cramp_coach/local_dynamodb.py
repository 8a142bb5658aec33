"""A local DynamoDB-compatible server (moto) for `make serve`, demos and tests. Never used on AWS.

boto3 reads AWS_ENDPOINT_URL_DYNAMODB itself, so pointing that variable at the local server is all
the skill needs to use it.
"""

from __future__ import annotations

import os

import boto3

# moto accepts any credentials; these only stop boto3 from looking for real ones.
DUMMY_AWS_SETTINGS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def start_local_dynamodb(host: str = "127.0.0.1", port: int = 0):
    """Start moto's server on a free loopback port; point this process's boto3 at it.

    Sets AWS_ENDPOINT_URL_DYNAMODB and dummy credentials/region (keeping any already set).
    Returns the running ThreadedMotoServer; call `.stop()` when done.
    """
    from moto.server import ThreadedMotoServer  # a dev dependency: imported only when used

    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    bound_host, bound_port = server.get_host_and_port()
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = f"http://{bound_host}:{bound_port}"
    for name, value in DUMMY_AWS_SETTINGS.items():
        os.environ.setdefault(name, value)
    return server


def create_table(name: str) -> None:
    """Create the skill's table as infra/ defines it: pk S / sk S, on-demand, TTL on expires_at.

    Uses whatever endpoint boto3 is configured for; does nothing if the table exists.
    """
    client = boto3.client("dynamodb")
    if name in client.list_tables()["TableNames"]:
        return
    client.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(TableName=name)
    client.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"},
    )
