"""Writes the guide's slot types in parts/guide.json from the names in content/en/.

A remedy, medicine, cause or question the skill can answer is named in content (`names`, the
first one being the slot value, the rest synonyms); the slot values must match, or Alexa would
resolve a name the content cannot answer. Run after editing names, then `make models`:

    python interaction_model/guide_slots.py          # rewrite the types in parts/guide.json
    python interaction_model/guide_slots.py --check  # exit 1 if they are out of date
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONTENT = HERE.parent / "content" / "en"
PART = HERE / "parts" / "guide.json"

# slot type -> the content topics whose items' `names` become its values
SLOT_TOPICS = {
    "RemedyType": ("remedies",),
    "MedicineType": ("medicines",),
    "CauseType": ("causes", "stress_anxiety"),  # a cause slot also hears "stress", "anxiety"
    "CrampTopicType": ("faqs",),
}


def _items(topic: str) -> list[dict]:
    with (CONTENT / f"{topic}.toml").open("rb") as handle:
        return tomllib.load(handle)["item"]


def _value(item: dict) -> dict:
    names = [name.lower() for name in item["names"]]
    return {"id": item["id"], "name": {"value": names[0], "synonyms": names[1:]}}


def slot_types() -> list[dict]:
    faqs = {item["id"]: item for item in _items("faqs")}
    types = []
    for name, topics in SLOT_TOPICS.items():
        items = [item for item in _items(topics[0]) if item.get("names")]
        items += [faqs[extra] for extra in topics[1:]]
        types.append({"name": name, "values": [_value(item) for item in items]})
    return types


def main(argv: list[str]) -> int:
    part = json.loads(PART.read_text())
    fresh = {**part, "types": slot_types()}
    if "--check" in argv:
        if fresh != part:
            print("guide slot types are stale; run: python interaction_model/guide_slots.py")
            return 1
        return 0
    PART.write_text(json.dumps(fresh, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
