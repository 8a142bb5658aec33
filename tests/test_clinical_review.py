"""`make clinical-review` runs, and its document covers every content item and phrase in every
locale, with sources and a grade for each, so nothing the skill says escapes review."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cramp_coach.content import content_for

from tools import clinical_review

ROOT = Path(__file__).resolve().parents[1]


def test_make_clinical_review_writes_the_document(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lambda")}
    run = subprocess.run(
        [sys.executable, "tools/clinical_review.py", "--out", str(tmp_path / "review.md")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    document = (tmp_path / "review.md").read_text()
    assert document.startswith("# Cramp Coach: clinical review document")


def test_the_review_covers_every_item_in_every_locale():
    document = clinical_review.render()
    sections = document.split("\n## ")
    for locale in clinical_review.locales():
        section = next(s for s in sections if s.startswith(f"{locale}\n"))
        content = content_for(locale)
        for topic in content.topics():
            for item in content.items(topic):
                block = section.split(f"#### `{topic}.{item.id}`\n", 1)
                assert len(block) == 2, (locale, topic, item.id)
                body = block[1].split("\n\n", 1)[0]
                assert "- Said (1): " in body and "- Card: " in body, (locale, item.id)
                assert "- Grade: " in body, (locale, item.id)
                assert "- Sources: `" in body, (locale, item.id)
                assert "{" not in body.replace("{leg}", ""), (locale, item.id, "unfilled")
        for key in content.table("phrases"):
            assert f"- `phrases.{key}`: " in section, (locale, key)
    for source_id in content_for("en-US").sources:
        assert f"- `{source_id}`: " in document, source_id


def test_unchecked_sources_are_listed_first_and_checked_ones_show_their_date():
    document = clinical_review.render()
    first = document.split("## Sources to open and confirm first", 1)[1].split("\n## ", 1)[0]
    rest = document.split("## All sources", 1)[1].split("\n## ", 1)[0]
    sources = content_for("en-US").sources
    dated = {s: source["checked"] for s, source in sources.items() if source.get("checked")}
    assert dated, "no source records the date it was opened"
    for source_id, source in sources.items():
        if source.get("checked") is False:
            assert f"`{source_id}`" in first, source_id
    for source_id, date in dated.items():
        assert f"`{source_id}`" not in first, source_id
        line = next(line for line in rest.splitlines() if line.startswith(f"- `{source_id}`: "))
        assert line.endswith(f"(opened by a reviewer {date})"), line
