"""Builds the ASK interaction model for each locale from the journey parts in parts/.

Each journey owns one parts/<journey>.json ({"intents": [...], "types": [...]}), so journeys
can change their own words without touching each other's. The English samples are shared by
every locale; a part may add local words under "locales":
    {"locales": {"en-GB": {"samples": {"CrampNowIntent": ["cramp in me {muscle}"]},
                           "synonyms": {"MuscleType": {"calf": ["calve"]}}}}}
The built <locale>.json files are committed because ASK CLI, SMAPI and virtual-alexa read
them; `--check` fails when stale.

    python interaction_model/build.py          # write the models
    python interaction_model/build.py --check  # exit 1 if a committed model is out of date
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
INVOCATION_NAME = "cramp coach"
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")


def load_parts() -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted((HERE / "parts").glob("*.json"))]


def _with_local_words(part: dict, locale: str) -> tuple[list, list]:
    """The part's intents and types, plus the samples and synonyms it adds for this locale."""
    extra = part.get("locales", {}).get(locale, {})
    intents = [
        {
            **intent,
            "samples": [
                *intent.get("samples", []),
                *extra.get("samples", {}).get(intent["name"], []),
            ],
        }
        for intent in part.get("intents", [])
    ]
    types = []
    for slot_type in part.get("types", []):
        added = extra.get("synonyms", {}).get(slot_type["name"], {})
        values = [
            {
                **v,
                "name": {
                    **v["name"],
                    "synonyms": [*v["name"].get("synonyms", []), *added.get(v["id"], [])],
                },
            }
            for v in slot_type["values"]
        ]
        types.append({**slot_type, "values": values})
    return intents, types


def build(locale: str) -> dict:
    intents, types = [], []
    for part in load_parts():
        part_intents, part_types = _with_local_words(part, locale)
        intents.extend(part_intents)
        types.extend(part_types)
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
