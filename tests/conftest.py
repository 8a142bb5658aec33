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
# A DynamoDB call made outside the `table`/`server_table` fixtures goes to a closed loopback
# port and fails at once, instead of reaching for AWS.
os.environ.setdefault("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")

# DynamoDB fixtures (`table`: moto in-process, `server_table`: moto's server on loopback).
pytest_plugins = ["dynamo"]
