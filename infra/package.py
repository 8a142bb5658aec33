"""Build the Lambda deployment zip, build/cramp-coach.zip: the same bytes for the same inputs.

What goes in: lambda/lambda_function.py, the cramp_coach package (without the self-hosting web
service), content/, and the runtime dependencies from lambda/requirements.txt as wheels for the
Lambda platform (Linux arm64, CPython 3.12). Not boto3/botocore: the Lambda runtime provides them.

Reproducible: entries sorted, every timestamp 1980-01-01, every mode 0644, no __pycache__, pinned
transitive dependencies (infra/lambda-constraints.txt), wheels cached in build/wheels/.

Usage: python infra/package.py [--output build/cramp-coach.zip]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD_DIR = ROOT / "build"
DEFAULT_ZIP = BUILD_DIR / "cramp-coach.zip"
WHEEL_CACHE = BUILD_DIR / "wheels"
REQUIREMENTS = ROOT / "lambda" / "requirements.txt"
CONSTRAINTS = ROOT / "infra" / "lambda-constraints.txt"

# Must match Runtime and Architectures in infra/template.yaml.
LAMBDA_PLATFORM_FLAGS = [
    "--platform",
    "manylinux2014_aarch64",
    "--only-binary=:all:",
    "--python-version",
    "3.12",
    "--implementation",
    "cp",
]
# The Lambda Python runtime ships these; a copy in the zip would only add size and version skew.
PROVIDED_BY_RUNTIME = ("boto3", "botocore", "s3transfer", "jmespath")
# Parts of the package that only the self-hosted web service or the developer needs.
EXCLUDED_PACKAGE_DIRS = {"webservice", "tests", "__pycache__"}
EXCLUDED_PACKAGE_FILES = {"local_dynamodb.py"}  # moto-backed local server: development only
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
    """Byte code (Lambda compiles on import) and pip's install bookkeeping."""
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


def copy_tree(
    source: Path,
    destination: Path,
    excluded_dirs: set[str],
    excluded_files: frozenset[str] = frozenset(),
) -> None:
    """Copy source files (no caches, no excluded sub-packages or files) into destination."""
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if any(part in excluded_dirs for part in relative.parts) or path.suffix == ".pyc":
            continue
        if relative.as_posix() in excluded_files:
            continue
        if path.is_file():
            (destination / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination / relative)


def copy_skill_sources(target: Path) -> None:
    """The handler module, the skill package and the content it speaks."""
    shutil.copyfile(ROOT / "lambda" / "lambda_function.py", target / "lambda_function.py")
    copy_tree(
        ROOT / "lambda" / "cramp_coach",
        target / "cramp_coach",
        EXCLUDED_PACKAGE_DIRS,
        frozenset(EXCLUDED_PACKAGE_FILES),
    )
    copy_tree(ROOT / "content", target / "content", {"__pycache__"})


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


def build(zip_path: Path = DEFAULT_ZIP, work_dir: Path | None = None) -> Path:
    """Build the deployment zip at zip_path and return its path."""
    wheel_dir = fetch_wheels()
    if work_dir is not None:
        write_zip(stage(work_dir, wheel_dir), zip_path)
        return zip_path
    with tempfile.TemporaryDirectory(prefix="cramp-package-") as temporary:
        write_zip(stage(Path(temporary), wheel_dir), zip_path)
    return zip_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_ZIP, help="where to write the zip")
    args = parser.parse_args(argv)
    zip_path = build(args.output.resolve())
    print(report(zip_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
