"""Cold start of the zip as shipped, run the way Lambda runs it, against the ASK SDK sample.

Both skills are laid out as Lambda unpacks them: Cramp Coach from the zip `make package` builds
(infra/package.py, byte code compiled ahead) and, for the before/after, the same zip built with
NO_BYTECODE=1; the hello-world sample the way the SDK's docs ship it (`pip install ask-sdk-core
-t`, the same wheels, sources only, no byte code). Each folder is made read-only, as /var/task is,
so nothing compiled at run time is kept. Every run is a fresh interpreter of the runtime's own
version (`python3.12 -I -S -B`: no site-packages, no environment, nothing written), with only the
unpacked folder on sys.path, then a folder standing in for what the runtime provides (boto3 and
its dependencies, compiled, as in the Lambda image). Runs of all skills and both requests are
interleaved, so a burst of load elsewhere on the machine hits them all; medians are reported.

Only the standard library at the top: bench.py imports this module.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROVIDED_BY_RUNTIME = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
IMPORT_TABLE_ROWS = 15

# First it loads what Lambda's Python runtime (awslambdaric's bootstrap) has loaded before it
# imports a handler, and installs a log handler as that runtime does, so neither skill is
# charged for the runtime's own imports and both pay for writing their log lines. Then it
# imports the handler and answers one request. CPU time: wall time on a shared 2-core machine
# includes waiting for a core. argv: event file, then the folders to put on sys.path.
CHILD = """
import importlib, json, logging, os, sys, time, traceback
from concurrent.futures import ThreadPoolExecutor
log_handler = logging.StreamHandler(open(os.devnull, "w"))
log_handler.setFormatter(logging.Formatter("[%(levelname)s] %(asctime)s %(message)s"))
logging.getLogger().addHandler(log_handler)
with open(sys.argv[1]) as handle:
    event = json.load(handle)
wall, cpu = time.perf_counter, time.process_time
marks = [(wall(), cpu())]
print("-- the runtime is up; the handler's imports follow --", file=sys.stderr, flush=True)
sys.path[0:0] = sys.argv[2:]
lambda_function = importlib.import_module("lambda_function")
marks.append((wall(), cpu()))
response = lambda_function.lambda_handler(event, None)
marks.append((wall(), cpu()))
assert response["response"]["outputSpeech"]["ssml"], response
(w0, c0), (w1, c1), (w2, c2) = marks
print(json.dumps({"import": c1 - c0, "first": c2 - c1, "wall": w2 - w0}))
"""
LAMBDA_FLAGS = ["-I", "-S", "-B"]


def load_package_module():
    """infra/package.py: the one place that builds the zip and finds the runtime's Python."""
    spec = importlib.util.spec_from_file_location("package", ROOT / "infra" / "package.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_only(folder: Path) -> Path:
    """Like Lambda's /var/task: no file or folder under it can be written."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    return folder


def writable(folder: Path) -> None:
    """Undo read_only so the folder can be deleted."""
    if folder.exists():
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def unpack(zip_path: Path, target: Path) -> Path:
    writable(target)
    shutil.rmtree(target, ignore_errors=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(target)
    return read_only(target)


def hello_world_as_shipped(package, source: str, target: Path) -> Path:
    """The sample as its docs ship it: its handler plus `pip install -t` of the same wheels,
    sources only (pip's --no-compile here, as the zip of a fresh `pip install -t` on another
    Python version holds no byte code this runtime can use)."""
    writable(target)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    package.install_dependencies(package.fetch_wheels(), target)
    package.strip_dependencies(target)
    (target / "lambda_function.py").write_text(source)
    return read_only(target)


def runtime_libraries(python: str, target: Path) -> Path:
    """What the Lambda runtime puts after /var/task: boto3 and its dependencies, compiled.

    Copied from this interpreter's installed copies (pure Python), then compiled by the
    runtime's version, as the Lambda image ships them."""
    writable(target)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in PROVIDED_BY_RUNTIME:
        module = __import__(name)
        source = Path(module.__file__)
        if source.name == "__init__.py":
            shutil.copytree(
                source.parent, target / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copyfile(source, target / source.name)
    command = [python, "-W", "ignore", "-m", "compileall", "-q", "-j", "0", str(target)]
    subprocess.run(command, check=True, capture_output=True)
    return read_only(target)


def run_child(python: str, event_file: Path, path: list[Path], env: dict) -> dict:
    command = [python, *LAMBDA_FLAGS, "-c", CHILD, str(event_file), *map(str, path)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"cold start child failed:\n{done.stderr[-3000:]}")
    timings = json.loads(done.stdout.strip().splitlines()[-1])
    timings["total"] = timings["import"] + timings["first"]
    timings["warnings"] = len(re.findall(r"\bSyntaxWarning\b", done.stderr))
    return timings


HANDLER_IMPORTS_FOLLOW = "-- the runtime is up"


def import_table(log: str) -> dict[str, tuple[float, float]]:
    """module -> (self seconds, cumulative seconds), from `python -X importtime`: only what
    the handler imports (and answering the request), not the runtime's own start-up."""
    table: dict[str, tuple[float, float]] = {}
    _, _, handler_part = log.partition(HANDLER_IMPORTS_FOLLOW)
    for line in handler_part.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if found:
            self_us, cumulative_us, _, name = found.groups()
            table[name] = (int(self_us) / 1e6, int(cumulative_us) / 1e6)
    return table


def import_times(python: str, event_file: Path, path: list[Path], env: dict, runs: int) -> dict:
    """Median self and cumulative import time per module over `runs` fresh processes."""
    tables = []
    for _ in range(runs):
        command = [python, *LAMBDA_FLAGS, "-X", "importtime", "-c", CHILD, str(event_file)]
        done = subprocess.run(
            [*command, *map(str, path)], env=env, capture_output=True, text=True, check=True
        )
        tables.append(import_table(done.stderr))
    names = {name for table in tables for name in table}
    median = {
        name: tuple(
            statistics.median(table.get(name, (0.0, 0.0))[i] for table in tables) for i in (0, 1)
        )
        for name in names
    }
    return dict(sorted(median.items(), key=lambda kv: -kv[1][0]))


def measure(
    work: Path,
    hello_source: str,
    events: dict[str, Path],
    runs: int,
    env: dict[str, str],
    importtime_runs: int = 5,
) -> dict:
    """Build the shipped layouts, then time fresh interpreters, interleaved; medians.

    events: {"cramp": file, "night launch": file}. env: the children's environment (a store
    endpoint, dummy credentials); -I keeps every PYTHON* variable out anyway.
    """
    package = load_package_module()
    python = package.find_runtime_python()
    work.mkdir(parents=True, exist_ok=True)
    shipped_zip = package.build(work / "cramp-coach.zip", bytecode=True)
    source_zip = package.build(work / "cramp-coach-no-bytecode.zip", bytecode=False)
    runtime = runtime_libraries(python, work / "runtime")
    skills = {
        "Cramp Coach": [unpack(shipped_zip, work / "task-skill"), runtime],
        "Cramp Coach, NO_BYTECODE=1": [unpack(source_zip, work / "task-skill-source"), runtime],
        "SDK sample": [hello_world_as_shipped(package, hello_source, work / "task-hello"), runtime],
    }
    samples: dict[str, dict[str, list[dict]]] = {
        event: {skill: [] for skill in skills} for event in events
    }
    for _ in range(runs):
        for event, event_file in events.items():
            for skill, path in skills.items():
                samples[event][skill].append(run_child(python, event_file, path, env))
    result: dict = {
        "python": python,
        "runs": runs,
        "zip_bytes": shipped_zip.stat().st_size,
        "zip_sha256": _sha256(shipped_zip),
        "no_bytecode_zip_bytes": source_zip.stat().st_size,
        "zip_path": str(shipped_zip),
        "rows": {},
    }
    for event, by_skill in samples.items():
        result["rows"][event] = {
            skill: {
                key: statistics.median(run[key] for run in runs_of)
                for key in ("import", "first", "total", "wall", "warnings")
            }
            for skill, runs_of in by_skill.items()
        }
    result["imports"] = import_times(
        python, events["cramp"], skills["Cramp Coach"], env, importtime_runs
    )
    return result


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def report_lines(result: dict, targets: dict[str, float]) -> list[str]:
    """The headline section of the bench report."""
    out = [
        f"== Cold start as shipped (Lambda's way: {Path(result['python']).name} "
        f"{' '.join(LAMBDA_FLAGS)}, read-only unpacked zip; medians of {result['runs']} "
        "interleaved runs)",
        "  CPU ms: import lambda_function + first answer = total [wall of the two];",
        "  SyntaxWarnings printed. The ratio is the totals', against the SDK sample.",
    ]
    for event, by_skill in result["rows"].items():
        base = by_skill["SDK sample"]["total"]
        target = targets.get(event)
        out.append(f"  {event}" + (f" (target <= {target:.1f}x the sample):" if target else ":"))
        for skill, c in by_skill.items():
            out.append(
                f"    {skill:27} {c['import'] * 1e3:6.1f} + {c['first'] * 1e3:5.1f} = "
                f"{c['total'] * 1e3:6.1f} [{c['wall'] * 1e3:6.1f}]  {c['total'] / base:4.2f}x"
                f"  warnings {c['warnings']:.0f}"
            )
    out.append(
        f"  zip: {result['zip_bytes'] / 1e6:.2f} MB with byte code "
        f"({result['no_bytecode_zip_bytes'] / 1e6:.2f} MB without), sha256 "
        f"{result['zip_sha256'][:16]}..."
    )
    out.append(
        f"  import time, cramp answer, top {IMPORT_TABLE_ROWS} modules by self time "
        "(-X importtime, shipped zip, medians; ms):"
    )
    out.append(f"    {'module':44} {'self':>7} {'cumulative':>11}")
    for name, (own, cumulative) in list(result["imports"].items())[:IMPORT_TABLE_ROWS]:
        out.append(f"    {name:44} {own * 1e3:7.2f} {cumulative * 1e3:11.2f}")
    heavy = ("ssl", "http.client", "email", "boto3", "botocore", "jsonschema", "requests")
    loaded = [name for name in heavy if name in result["imports"]]
    out.append(f"  imported for the cramp answer from {heavy}: {', '.join(loaded) or 'none'}")
    return out


def cleanup(work: Path) -> None:
    """Make the read-only folders deletable again (the caller owns `work`)."""
    for name in ("task-skill", "task-skill-source", "task-hello", "runtime"):
        writable(work / name)


if __name__ == "__main__":  # pragma: no cover - use make bench
    sys.exit("run `make bench`")
