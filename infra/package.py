"""Build the Lambda deployment zip, build/cramp-coach.zip: the same bytes for the same inputs.

What goes in: lambda/lambda_function.py, the cramp_coach package (without the self-hosting web
service), content/, and the runtime dependencies from lambda/requirements.txt as wheels for the
Lambda platform (Linux arm64, CPython 3.12). Not boto3/botocore: the Lambda runtime provides them.

Byte code: every module is compiled ahead by the Lambda runtime's own Python version (the
template's Runtime, found on PATH, through pyenv or uv, or at $LAMBDA_PYTHON), as unchecked-hash
.pyc files with warnings suppressed. Lambda's code directory is read-only, so without them every
cold start compiles every module it imports (and prints the SDK's SyntaxWarnings); with them, the
runtime loads them without looking at the source. NO_BYTECODE=1 (or --no-bytecode) builds without.

Content: content/ as written (TOML), plus each file's data as JSON beside it, which the skill
reads instead (see cramp_coach/content.py).

Reproducible: entries sorted, every timestamp 1980-01-01, every mode 0644, pinned transitive
dependencies (infra/lambda-constraints.txt), wheels cached in build/wheels/, byte code compiled
with a fixed hash seed and file names as Lambda sees them (/var/task/...).

Usage: python infra/package.py [--output build/cramp-coach.zip] [--no-bytecode]
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD_DIR = ROOT / "build"
DEFAULT_ZIP = BUILD_DIR / "cramp-coach.zip"
WHEEL_CACHE = BUILD_DIR / "wheels"
REQUIREMENTS = ROOT / "lambda" / "requirements.txt"
CONSTRAINTS = ROOT / "infra" / "lambda-constraints.txt"
TEMPLATE = ROOT / "infra" / "template.yaml"
# Where Lambda unpacks the zip: the file names compiled into the byte code (tracebacks show them).
LAMBDA_TASK_ROOT = "/var/task"
# Lambda architecture -> the wheel platform tag pip downloads for it.
WHEEL_PLATFORMS = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}


def lambda_runtime(template: Path = TEMPLATE) -> tuple[str, str]:
    """(Python version, architecture) of the function in the SAM template, e.g. ("3.12", "arm64").

    The template's `Runtime: pythonX.Y` is the one place the version is written: the wheels and
    the byte-code compiler both take it from there.
    """
    text = template.read_text(encoding="utf-8")
    versions = set(re.findall(r"^\s*Runtime:\s*python(3\.\d+)\s*$", text, re.M))
    architectures = set(re.findall(r"^\s*Architectures:\s*\n\s*-\s*(\w+)", text, re.M))
    if len(versions) != 1 or len(architectures) != 1:
        raise SystemExit(
            f"{template}: expected one Python Runtime and one Architecture, "
            f"found {sorted(versions)} and {sorted(architectures)}"
        )
    return versions.pop(), architectures.pop()


PYTHON_VERSION, ARCHITECTURE = lambda_runtime()
LAMBDA_PLATFORM_FLAGS = [
    "--platform",
    WHEEL_PLATFORMS[ARCHITECTURE],
    "--only-binary=:all:",
    "--python-version",
    PYTHON_VERSION,
    "--implementation",
    "cp",
]
# The Lambda Python runtime ships these; a copy in the zip would only add size and version skew.
PROVIDED_BY_RUNTIME = ("boto3", "botocore", "s3transfer", "jmespath")
# Parts of the package that only the self-hosted web service or the developer needs.
EXCLUDED_PACKAGE_DIRS = {"webservice", "tests", "__pycache__"}
# Files in installed distributions that nothing reads at run time.
EXCLUDED_DIST_INFO_FILES = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644


def pip(*args: str) -> None:
    """Run pip quietly from the interpreter running this script."""
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet", *args]
    subprocess.run(command, check=True)


def dependency_key() -> str:
    """Identify the dependency set: requirements, pins and target platform."""
    digest = hashlib.sha256()
    for path in (REQUIREMENTS, CONSTRAINTS):
        digest.update(path.read_bytes())
    digest.update(" ".join(LAMBDA_PLATFORM_FLAGS).encode())
    return digest.hexdigest()


def fetch_wheels(cache_dir: Path = WHEEL_CACHE) -> Path:
    """Download the Lambda-platform wheels once per dependency set; later builds reuse them."""
    key = dependency_key()
    wheel_dir = cache_dir / key[:16]
    if (wheel_dir / "complete").exists():
        return wheel_dir
    if wheel_dir.exists():
        shutil.rmtree(wheel_dir)
    pip(
        "download",
        "-r",
        str(REQUIREMENTS),
        "-c",
        str(CONSTRAINTS),
        "--dest",
        str(wheel_dir),
        *LAMBDA_PLATFORM_FLAGS,
    )
    (wheel_dir / "complete").write_text(key + "\n")
    return wheel_dir


def install_dependencies(wheel_dir: Path, target: Path) -> None:
    """Unpack the already-resolved wheels into target, without byte-compiling."""
    wheels = sorted(str(path) for path in wheel_dir.glob("*.whl"))
    pip(
        "install",
        "--no-index",
        "--no-deps",
        "--no-compile",
        "--target",
        str(target),
        *LAMBDA_PLATFORM_FLAGS,
        *wheels,
    )


def is_unused_file(path: Path) -> bool:
    """Stray byte code (compile_bytecode makes the zip's own) and pip's install bookkeeping."""
    if path.suffix == ".pyc":
        return True
    return path.parent.name.endswith(".dist-info") and path.name in EXCLUDED_DIST_INFO_FILES


def strip_dependencies(target: Path) -> None:
    """Remove what the runtime provides and what nothing reads at run time."""
    for name in PROVIDED_BY_RUNTIME:
        if (target / name).exists():
            raise SystemExit(f"{name} ended up in the zip; the Lambda runtime provides it")
    for path in sorted(target.rglob("*"), reverse=True):
        if path.is_dir() and path.name in {"__pycache__", "tests"}:
            shutil.rmtree(path)
        elif path.is_file() and is_unused_file(path):
            path.unlink()
    # Console scripts (e.g. charset-normalizer's `normalizer`) cannot run in Lambda anyway.
    if (target / "bin").exists():
        shutil.rmtree(target / "bin")


def copy_tree(source: Path, destination: Path, excluded_dirs: set[str]) -> None:
    """Copy source files (no caches, no excluded sub-packages) into destination."""
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if any(part in excluded_dirs for part in relative.parts) or path.suffix == ".pyc":
            continue
        if path.is_file():
            (destination / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination / relative)


def copy_skill_sources(target: Path) -> None:
    """The handler module, the skill package and the content it speaks."""
    shutil.copyfile(ROOT / "lambda" / "lambda_function.py", target / "lambda_function.py")
    copy_tree(ROOT / "lambda" / "cramp_coach", target / "cramp_coach", EXCLUDED_PACKAGE_DIRS)
    copy_tree(ROOT / "content", target / "content", {"__pycache__"})
    compile_content(target / "content")


def _compiled_content_path():
    """cramp_coach.content.compiled_path (standard library only): the reader names the file."""
    if str(ROOT / "lambda") not in sys.path:
        sys.path.insert(0, str(ROOT / "lambda"))
    from cramp_coach.content import compiled_path

    return compiled_path


def compile_content(content: Path) -> None:
    """Each TOML file's data as JSON beside it, where the skill looks first: parsing TOML
    (pure Python) is most of a fresh container's first answer; the C JSON parser is not."""
    compiled_path = _compiled_content_path()
    for path in sorted(content.rglob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        compiled_path(path).write_text(text, encoding="utf-8")


# --- byte code, compiled by the runtime's own Python version ---------------------------------

NO_BYTECODE_COST = (
    "building WITHOUT byte code: Lambda's code directory is read-only, so every cold start "
    "compiles every module it imports (about three times the cold-start CPU; docs/cold-start.md) "
    "and logs the SDK's SyntaxWarnings"
)


class NoMatchingPython(SystemExit):
    """No interpreter of the Lambda runtime's version on this machine."""


def _version_of(executable: str) -> str | None:
    """ "X.Y" of the Python at `executable`, or None if it does not run (e.g. a pyenv shim)."""
    try:
        done = subprocess.run(
            [executable, "-I", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _candidates(version: str) -> list[str]:
    """Where a Python X.Y may be: $LAMBDA_PYTHON, PATH, pyenv's versions, uv's managed ones."""
    found = [os.environ["LAMBDA_PYTHON"]] if os.environ.get("LAMBDA_PYTHON") else []
    if sys.version.startswith(version + "."):
        found.append(sys.executable)
    found += filter(None, [shutil.which(f"python{version}")])
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    pattern = f"{pyenv_root}/versions/{version}.*/bin/python{version}"
    found += sorted(glob.glob(pattern), reverse=True)
    if shutil.which("uv"):
        done = subprocess.run(
            ["uv", "python", "find", "--no-project", version],
            capture_output=True,
            text=True,
            check=False,
        )
        found += [done.stdout.strip()] if done.returncode == 0 and done.stdout.strip() else []
    return found


def find_runtime_python(version: str = PYTHON_VERSION) -> str:
    """An interpreter of the Lambda runtime's minor version: byte code is specific to it."""
    explicit = os.environ.get("LAMBDA_PYTHON")
    for candidate in _candidates(version):
        if _version_of(candidate) == version:
            return candidate
        if candidate == explicit:
            raise NoMatchingPython(f"LAMBDA_PYTHON={explicit} is not a working Python {version}")
    raise NoMatchingPython(
        f"No Python {version} found, and the Lambda runtime is python{version} "
        f"(infra/template.yaml). The zip's byte code must be compiled by that version.\n"
        f"Get one, then run `make package` again:\n"
        f"  pyenv install {version}          (found in ~/.pyenv/versions/ automatically)\n"
        f"  uv python install {version}      (found through `uv python find`)\n"
        f"  apt install python{version}      (or your system's package; found on PATH)\n"
        f"  LAMBDA_PYTHON=/path/to/python{version} make package\n"
        f"Or build without byte code (slower cold starts): NO_BYTECODE=1 make package"
    )


def compile_bytecode(root: Path, python: str) -> None:
    """Compile every module under root into __pycache__, the way the Lambda runtime reads it.

    unchecked-hash: the runtime loads the .pyc without comparing it to the source (a zip's file
    times mean nothing, and checking would cost a read and a hash per module). -W ignore: the
    warnings some dependencies' sources raise (invalid escape sequences) are compiled away, and
    since nothing is recompiled at run time they never reach the logs. Fixed hash seed and
    file names under /var/task: the same bytes on every machine.
    """
    command = [python, "-s", "-W", "ignore", "-m", "compileall", "-q", "-f", "-r", "100"]
    command += ["--invalidation-mode", "unchecked-hash", "-s", str(root), "-p", LAMBDA_TASK_ROOT]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    environment["PYTHONHASHSEED"] = "0"  # set constants (frozensets) marshal in a fixed order
    done = subprocess.run([*command, str(root)], env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"compiling byte code failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def stage(work_dir: Path, wheel_dir: Path) -> Path:
    """Lay out the zip's contents in work_dir/root and return that directory."""
    root = work_dir / "root"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    install_dependencies(wheel_dir, root)
    strip_dependencies(root)
    copy_skill_sources(root)
    return root


def write_zip(source_dir: Path, zip_path: Path) -> None:
    """Zip source_dir with sorted entries, fixed times and modes: same files, same bytes."""
    files = sorted(
        (path for path in source_dir.rglob("*") if path.is_file()),
        key=lambda path: path.relative_to(source_dir).as_posix(),
    )
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    partial = zip_path.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(source_dir).as_posix(), FIXED_ZIP_TIME)
            info.external_attr = FILE_MODE << 16
            info.create_system = 3  # Unix, whatever machine builds it
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    partial.replace(zip_path)


def largest_parts(zip_path: Path, count: int = 8) -> list[tuple[str, int]]:
    """Compressed bytes per top-level entry (package or file), largest first."""
    sizes: dict[str, int] = {}
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            top = info.filename.split("/", 1)[0]
            sizes[top] = sizes.get(top, 0) + info.compress_size
    return sorted(sizes.items(), key=lambda item: (-item[1], item[0]))[:count]


def report(zip_path: Path) -> str:
    """A short human summary: size, digest and what takes the room."""
    data = zip_path.read_bytes()
    lines = [
        f"{zip_path.relative_to(ROOT) if zip_path.is_relative_to(ROOT) else zip_path}: "
        f"{len(data) / 1024:.0f} KiB, sha256 {hashlib.sha256(data).hexdigest()}",
        "largest parts (compressed):",
    ]
    lines += [f"  {size / 1024:8.0f} KiB  {name}" for name, size in largest_parts(zip_path)]
    return "\n".join(lines)


def bytecode_wanted() -> bool:
    """False when the deployer opted out with NO_BYTECODE=1 (any value but empty, 0, no)."""
    return os.environ.get("NO_BYTECODE", "").strip().lower() in ("", "0", "no", "false")


def build(
    zip_path: Path = DEFAULT_ZIP, work_dir: Path | None = None, bytecode: bool | None = None
) -> Path:
    """Build the deployment zip at zip_path and return its path.

    bytecode: None follows NO_BYTECODE; the interpreter is looked for before any work is done.
    """
    if bytecode is None:
        bytecode = bytecode_wanted()
    python = find_runtime_python() if bytecode else None
    if python is None:
        print(f"warning: {NO_BYTECODE_COST}", file=sys.stderr)
    wheel_dir = fetch_wheels()
    with tempfile.TemporaryDirectory(prefix="cramp-package-") as temporary:
        root = stage(work_dir or Path(temporary), wheel_dir)
        if python is not None:
            compile_bytecode(root, python)
            print(f"byte code compiled by {python}", file=sys.stderr)
        write_zip(root, zip_path)
    return zip_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_ZIP, help="where to write the zip")
    parser.add_argument(
        "--no-bytecode", action="store_true", help="no .pyc (slower cold starts); NO_BYTECODE=1"
    )
    args = parser.parse_args(argv)
    try:
        zip_path = build(args.output.resolve(), bytecode=False if args.no_bytecode else None)
    except NoMatchingPython as error:
        print(f"make package: {error}", file=sys.stderr)
        return 2
    print(report(zip_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
