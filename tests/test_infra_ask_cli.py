"""The ASK CLI pinned in infra/ask-cli starts (ask-cli 2.30.7 alone crashes through antlr4ts)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ASK_DIR = Path(__file__).resolve().parents[1] / "infra" / "ask-cli"


def test_the_pin_overrides_the_broken_antlr4ts_and_the_lock_agrees():
    package = json.loads((ASK_DIR / "package.json").read_text())
    assert package["dependencies"]["ask-cli"].startswith("2.30.")
    assert package["overrides"]["antlr4ts"] == "0.5.0-alpha.4"
    lock = json.loads((ASK_DIR / "package-lock.json").read_text())
    resolved = {
        path: entry["version"]
        for path, entry in lock["packages"].items()
        if path.endswith("node_modules/antlr4ts")
    }
    assert resolved and set(resolved.values()) == {"0.5.0-alpha.4"}, resolved


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_ask_version_runs_after_the_same_install_make_deploy_does():
    ask = ASK_DIR / "node_modules" / ".bin" / "ask"
    if not ask.exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=ASK_DIR, check=True, timeout=600
        )
    result = subprocess.run([str(ask), "--version"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("2.30.")
