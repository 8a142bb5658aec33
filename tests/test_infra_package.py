"""make package: the Lambda zip is small, reproducible, and answers Alexa with only boto3 beside it.

The zip is built once for this module (pip downloads the Linux arm64 wheels once per machine into
build/wheels/; later builds unpack them from there in a few seconds).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "infra"))

import package  # noqa: E402  (infra/package.py)

# Builds the Lambda zip from Linux arm64 wheels (downloaded once per machine). `make test-all`.
pytestmark = pytest.mark.packaging

PROVIDED_BY_LAMBDA = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
SMALL_ENOUGH_BYTES = 5 * 1024 * 1024
TABLE = "cramp-coach-zip-test"


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("package")


@pytest.fixture(scope="module")
def built_zip(build_dir) -> Path:
    return package.build(build_dir / "cramp-coach.zip", work_dir=build_dir / "work")


@pytest.fixture(scope="module")
def names(built_zip) -> list[str]:
    with zipfile.ZipFile(built_zip) as archive:
        return archive.namelist()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_zip_holds_the_handler_the_package_and_the_content(names):
    assert "lambda_function.py" in names
    assert "cramp_coach/skill.py" in names
    assert "content/sources.toml" in names
    assert any(name.startswith("content/en/") for name in names)
    assert any(name.startswith("ask_sdk_core/") for name in names)


def test_zip_leaves_out_boto3_the_web_service_tests_and_caches(names):
    provided = ("boto3/", "botocore/", "s3transfer/", "jmespath/")
    assert not [name for name in names if name.startswith(provided)]
    assert not [name for name in names if "webservice" in name or "/tests/" in name]
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    assert "cramp_coach/local_dynamodb.py" not in names
    assert not [name for name in names if name.endswith(".dist-info/RECORD")]


def test_zip_is_built_for_lambda_arm64(names):
    compiled = [name for name in names if name.endswith(".so")]
    assert compiled, "expected charset-normalizer's compiled modules"
    assert all("aarch64" in name and "cpython-312" in name for name in compiled)


def test_zip_is_small(built_zip):
    size = built_zip.stat().st_size
    print(package.report(built_zip))
    assert size < SMALL_ENOUGH_BYTES


def test_entries_are_sorted_with_fixed_times_and_modes(built_zip, names):
    assert names == sorted(names)
    with zipfile.ZipFile(built_zip) as archive:
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0), info.filename
            assert info.external_attr >> 16 == 0o100644, info.filename


def test_same_inputs_give_byte_identical_zips(built_zip, build_dir):
    again = package.build(build_dir / "again.zip", work_dir=build_dir / "work-again")
    assert sha256(again) == sha256(built_zip)


def test_file_times_and_permissions_on_disk_do_not_change_the_zip(built_zip, build_dir, tmp_path):
    staged = build_dir / "work-again" / "root"
    handler = staged / "lambda_function.py"
    os.utime(handler, (1_900_000_000, 1_900_000_000))
    handler.chmod(0o755)
    rezipped = tmp_path / "rezipped.zip"
    package.write_zip(staged, rezipped)
    assert sha256(rezipped) == sha256(built_zip)


def test_a_changed_file_changes_the_zip(built_zip, build_dir, tmp_path):
    """The byte-identity checks above can fail: different content gives a different zip."""
    staged = tmp_path / "root"
    shutil.copytree(build_dir / "work-again" / "root", staged)
    (staged / "content" / "sources.toml").write_text("# edited\n", encoding="utf-8")
    edited = tmp_path / "edited.zip"
    package.write_zip(staged, edited)
    assert sha256(edited) != sha256(built_zip)


# --- the zip answers a LaunchRequest in a clean interpreter ------------------------------------

ANSWER_ONE_REQUEST = """
import json, sys
sys.path[:0] = json.loads(sys.argv[1])
for development_only in ("flask", "moto", "pytest") if sys.argv[2] == "clean" else ():
    try:
        __import__(development_only)
    except ImportError:
        pass
    else:
        raise SystemExit(development_only + " is importable: the interpreter is not clean")
import lambda_function, cramp_coach
response = lambda_function.lambda_handler(json.load(sys.stdin), None)
print(json.dumps({"from": cramp_coach.__file__, "path": sys.path, "response": response}))
"""


@pytest.fixture(scope="module")
def unzipped(built_zip, build_dir) -> Path:
    target = build_dir / "unzipped"
    with zipfile.ZipFile(built_zip) as archive:
        archive.extractall(target)
    return target


@pytest.fixture(scope="module")
def lambda_runtime_libraries(build_dir) -> Path:
    """What the Lambda Python runtime puts beside the code: boto3 and its dependencies only."""
    runtime = build_dir / "runtime"
    runtime.mkdir()
    for name in PROVIDED_BY_LAMBDA:
        module = __import__(name)
        source = Path(module.__file__)
        source = source.parent if source.name == "__init__.py" else source
        (runtime / source.name).symlink_to(source)
    return runtime


@pytest.fixture(scope="module")
def dynamodb_endpoint():
    """A DynamoDB-compatible server on loopback with the skill's table, for any read or write."""
    from moto.server import ThreadedMotoServer

    from tools.local_dynamodb import create_table, free_loopback_port

    port = free_loopback_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    create_table(TABLE, endpoint_url=endpoint)
    yield endpoint
    server.stop()


def answer(paths: list[Path], event: dict, endpoint: str, isolated: bool) -> dict:
    """Run one request through lambda_handler in a fresh interpreter with only `paths` added."""
    flags = ["-I", "-S"] if isolated else ["-I"]  # -S: not even the venv's site-packages
    environment = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        "CRAMP_TABLE_NAME": TABLE,
        "USER_HASH_SALT": "zip-test-salt-0123456789abcdef0123456789",
    }
    completed = subprocess.run(
        [
            sys.executable,
            *flags,
            "-c",
            ANSWER_ONE_REQUEST,
            json.dumps([str(p) for p in paths]),
            "clean" if isolated else "dev",
        ],
        input=json.dumps(event),
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_zip_answers_a_launch_request_like_the_source_does(
    unzipped, lambda_runtime_libraries, dynamodb_endpoint
):
    from envelopes import launch, plain, speech_of

    event = launch()
    from_zip = answer([unzipped, lambda_runtime_libraries], event, dynamodb_endpoint, True)
    from_source = answer([ROOT / "lambda"], event, dynamodb_endpoint, False)

    assert Path(from_zip["from"]).is_relative_to(unzipped)
    spoken = plain(speech_of(from_zip["response"]))
    assert len(spoken.split()) >= 5, spoken
    assert from_zip["response"] == from_source["response"]
    assert not [entry for entry in from_zip["path"] if "site-packages" in entry]
