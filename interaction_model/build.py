"""Builds the ASK interaction model for each locale from the journey parts in parts/.

Each journey owns one parts/<journey>.json ({"intents": [...], "types": [...]}), so journeys
can change their own words without touching each other's. The built <locale>.json files are
committed because ASK CLI, SMAPI and virtual-alexa read them; `--check` fails when stale.

    python interaction_model/build.py          # write the models
    python interaction_model/build.py --check  # exit 1 if a committed model is out of date
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
INVOCATION_NAME = "cramp coach"
LOCALES = ("en-US",)


def load_parts() -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted((HERE / "parts").glob("*.json"))]


def build(locale: str) -> dict:
    intents, types = [], []
    for part in load_parts():
        intents.extend(part.get("intents", []))
        types.extend(part.get("types", []))
    return {
        "interactionModel": {
            "languageModel": {
                "invocationName": INVOCATION_NAME,
                "intents": intents,
                "types": types,
            }
        }
    }


def render(model: dict) -> str:
    return json.dumps(model, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    stale = []
    for locale in LOCALES:
        path = HERE / f"{locale}.json"
        text = render(build(locale))
        if "--check" in argv:
            if not path.is_file() or path.read_text() != text:
                stale.append(path.name)
        else:
            path.write_text(text)
    if stale:
        print(f"stale interaction models: {', '.join(stale)}; run: make models", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
