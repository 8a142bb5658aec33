"""make package: the Lambda zip is small, reproducible, compiled for the Lambda runtime's Python,
and answers Alexa with only boto3 beside it.

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
SMALL_ENOUGH_BYTES = 10 * 1000 * 1000
TABLE = "cramp-coach-zip-test"
UNCHECKED_HASH_FLAGS = 0b01  # PEP 552: hash-based, source not checked


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


def test_zip_leaves_out_boto3_the_web_service_tests_and_pip_records(names):
    provided = ("boto3/", "botocore/", "s3transfer/", "jmespath/")
    assert not [name for name in names if name.startswith(provided)]
    assert not [name for name in names if "webservice" in name or "/tests/" in name]
    assert not [name for name in names if "local_dynamodb" in name]
    assert not [name for name in names if name.endswith(".dist-info/RECORD")]


@pytest.fixture(scope="module")
def runtime_python() -> str:
    return package.find_runtime_python()


@pytest.fixture(scope="module")
def runtime_magic(runtime_python) -> bytes:
    code = "import importlib.util, sys; sys.stdout.write(importlib.util.MAGIC_NUMBER.hex())"
    done = subprocess.run([runtime_python, "-I", "-c", code], capture_output=True, text=True)
    return bytes.fromhex(done.stdout)


def test_the_template_runtime_sets_the_wheels_and_the_compiler(runtime_python):
    runtime = next(
        line.split(":", 1)[1].strip()
        for line in (ROOT / "infra" / "template.yaml").read_text().splitlines()
        if line.strip().startswith("Runtime:")
    )
    assert runtime == f"python{package.PYTHON_VERSION}"
    assert (
        package.LAMBDA_PLATFORM_FLAGS[package.LAMBDA_PLATFORM_FLAGS.index("--python-version") + 1]
        == package.PYTHON_VERSION
    )
    version = subprocess.run(
        [runtime_python, "-I", "-c", "import sys; print(sys.version)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert version.startswith(package.PYTHON_VERSION + ".")


def test_every_module_has_unchecked_hash_byte_code_of_the_runtime_version(
    built_zip, names, runtime_magic
):
    tag = "cpython-" + package.PYTHON_VERSION.replace(".", "")
    modules = [name for name in names if name.endswith(".py")]
    assert len(modules) > 100
    with zipfile.ZipFile(built_zip) as archive:
        for module in modules:
            folder, _, file = module.rpartition("/")
            compiled = f"{folder}/__pycache__/{file[:-3]}.{tag}.pyc".lstrip("/")
            assert compiled in names, module
            header = archive.read(compiled)[:16]
            assert header[:4] == runtime_magic, compiled
            assert int.from_bytes(header[4:8], "little") == UNCHECKED_HASH_FLAGS, compiled
    assert not [name for name in names if name.endswith(".pyc") and tag not in name]


def test_content_is_shipped_as_toml_and_as_the_same_data_in_json(built_zip, names):
    import tomllib

    tomls = [name for name in names if name.startswith("content/") and name.endswith(".toml")]
    assert tomls
    with zipfile.ZipFile(built_zip) as archive:
        for name in tomls:
            assert json.loads(archive.read(name + ".json")) == tomllib.loads(
                archive.read(name).decode()
            ), name


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


def answer(
    paths: list[Path], event: dict, endpoint: str, isolated: bool, python: str = sys.executable
) -> dict:
    """Run one request through lambda_handler in a fresh interpreter with only `paths` added.

    isolated: as Lambda runs the zip (-S: not even the venv's site-packages; -B: nothing written).
    """
    flags = ["-I", "-S", "-B"] if isolated else ["-I"]
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
            python,
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
    return {**json.loads(completed.stdout.strip().splitlines()[-1]), "stderr": completed.stderr}


def test_zip_answers_a_launch_request_like_the_source_does(
    unzipped, lambda_runtime_libraries, dynamodb_endpoint, runtime_python
):
    from envelopes import launch, plain, speech_of

    event = launch()
    paths = [unzipped, lambda_runtime_libraries]
    from_zip = answer(paths, event, dynamodb_endpoint, True, runtime_python)
    from_source = answer([ROOT / "lambda"], event, dynamodb_endpoint, False)

    assert Path(from_zip["from"]).is_relative_to(unzipped)
    spoken = plain(speech_of(from_zip["response"]))
    assert len(spoken.split()) >= 5, spoken
    for reply in (from_zip, from_source):  # the SDK's user agent names the Python version
        reply["response"].pop("userAgent", None)
    assert from_zip["response"] == from_source["response"]
    assert not [entry for entry in from_zip["path"] if "site-packages" in entry]
    assert "SyntaxWarning" not in from_zip["stderr"]


def test_the_runtime_loads_the_byte_code_without_reading_the_source(
    unzipped, lambda_runtime_libraries, dynamodb_endpoint, runtime_python, tmp_path
):
    """unchecked-hash: a changed source file does not make Lambda recompile (or warn)."""
    from envelopes import launch, speech_of

    broken = tmp_path / "task"
    shutil.copytree(unzipped, broken)
    for module in ("lambda_function.py", "cramp_coach/skill.py", "ask_sdk_model/__init__.py"):
        (broken / module).write_text("this is not Python\n")
    paths = [broken, lambda_runtime_libraries]
    replied = answer(paths, launch(), dynamodb_endpoint, True, runtime_python)
    assert speech_of(replied["response"])
    assert "SyntaxWarning" not in replied["stderr"]


# --- finding the runtime's Python, and building without it ------------------------------------


def test_without_the_runtime_python_the_build_stops_and_says_how_to_get_one(
    monkeypatch, capsys, tmp_path
):
    monkeypatch.setattr(package, "_candidates", lambda version: [])
    monkeypatch.delenv("NO_BYTECODE", raising=False)
    assert package.main(["--output", str(tmp_path / "cramp-coach.zip")]) == 2
    message = capsys.readouterr().err
    version = package.PYTHON_VERSION
    assert f"No Python {version} found" in message
    for way in (f"pyenv install {version}", f"uv python install {version}", "LAMBDA_PYTHON="):
        assert way in message
    assert "NO_BYTECODE=1 make package" in message
    assert not (tmp_path / "cramp-coach.zip").exists()


def test_lambda_python_of_another_version_is_refused(monkeypatch):
    other = next(
        candidate
        for candidate in (sys.executable, shutil.which("python3"))
        if candidate and package._version_of(candidate) != package.PYTHON_VERSION
    )
    monkeypatch.setenv("LAMBDA_PYTHON", other)
    with pytest.raises(package.NoMatchingPython, match="is not a working Python"):
        package.find_runtime_python()


def test_no_bytecode_builds_sources_only_and_says_what_it_costs(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("NO_BYTECODE", "1")
    monkeypatch.setattr(package, "_candidates", lambda version: [])  # not even looked for
    assert package.main(["--output", str(tmp_path / "cramp-coach.zip")]) == 0
    warning = capsys.readouterr().err
    assert "WITHOUT byte code" in warning
    assert "every cold start compiles every module" in warning
    with zipfile.ZipFile(tmp_path / "cramp-coach.zip") as archive:
        names = archive.namelist()
    assert "cramp_coach/skill.py" in names
    assert not [name for name in names if name.endswith(".pyc") or "__pycache__" in name]
