"""Amazon's APL validator (apl-suggester, npm, tools/apl/) called from the tests."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / "tools" / "apl"


def validate(payloads: dict[str, dict]) -> dict[str, dict]:
    """{name: {"document", "datasources"}} -> {name: {"document": [issues], "datasources": [...]}}.

    Skips when node is not installed; fails, saying what to run, when it is but the validator
    is not (make apl-tools)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: APL documents not validated")
    if not (TOOLS / "node_modules" / "apl-suggester").is_dir():
        pytest.fail("apl-suggester is not installed: run `make apl-tools`")
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for name, payload in payloads.items():
            path = Path(folder) / f"{len(files)}.json"
            path.write_text(json.dumps(payload))
            files[str(path)] = name
        done = subprocess.run(
            [node, str(TOOLS / "validate.js"), *files],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode in (0, 1), done.stderr
    results = {}
    for line in done.stdout.splitlines():
        result = json.loads(line)
        results[files[result["file"]]] = result
    assert len(results) == len(payloads), done.stdout
    return results


def payload_of(directive: dict) -> dict:
    return {"document": directive["document"], "datasources": directive.get("datasources", {})}
