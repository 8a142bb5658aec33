"""Builds the ASK interaction model for each locale from the journey parts and phrase templates.

Each journey owns parts/<journey>.json (intents with their slots, slot types) and may own
phrases/<journey>.toml: the ways people say each intent, as templates, so coverage grows by
adding a phrase to a list, not by copying sentences:

    [words]                                   # named lists of alternatives; "" = leave it out
    lead = ["", "help", "ow"]
    part = ["my {muscle}", "my {side} {muscle}"]
    [intents.CrampNowIntent]
    patterns = ["<lead> <part> is cramping"]  # <name> takes each alternative in turn
    slot_samples.time = ["{time}", "at {time}"]  # only while the skill elicits that slot
    [locales.en-GB.words]                     # local words, added for one market
    part = ["me {muscle}"]
    [locales.en-GB.intents.CrampNowIntent]
    patterns = ["..."]

A part may still list plain "samples" and local "locales" words in its JSON; both are kept.
Every built model is checked against Alexa's rules (see RULES below) and the build fails on
any breach. The built <locale>.json files are committed because ASK CLI, SMAPI and
virtual-alexa read them; `--check` fails when one is stale or breaks a rule.

    python interaction_model/build.py          # write the models
    python interaction_model/build.py --check  # exit 1 if a model is stale or breaks a rule

Two editions (CRAMP_EDITION in the skill): the full one (<locale>.json here) and the
store-safe one (store-safe/<locale>.json), which keeps no history: the history part's intents
and types are left out, and one NoHistoryIntent takes their plain samples, so "delete my
history" is heard and answered with "I keep no record" rather than guessed at.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
INVOCATION_NAME = "cramp coach"
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
EDITIONS = {"full": HERE, "store-safe": HERE / "store-safe"}  # edition -> where its models go
HISTORY_PART = "history"  # parts/history.json: left out of the store-safe edition
NO_HISTORY_INTENT = "NoHistoryIntent"

# Alexa's rules for samples, and our own budgets kept well inside its limits.
RULES = """\
- only letters, spaces, apostrophes, periods and {slot} references: no digits or symbols
- every {slot} is declared on its intent, and appears at most once in a sample
- no sample is only slots (a bare slot takes unrelated words; a slot said alone belongs in
  the slot's own samples, heard only while the skill elicits it); a built-in slot
  (AMAZON.TIME takes any words) needs at least two words of its own around it
- every slot sample names the slot it answers
- no sample belongs to two intents, and no sample of one intent is matched by a sample
  of another once its custom slot values are filled in
- at most MAX_SAMPLE_CHARS characters in a sample, MAX_INTENT_SAMPLES samples an intent,
  MAX_MODEL_SAMPLES samples and MAX_MODEL_BYTES bytes a model"""
MAX_SAMPLE_CHARS = 120
MAX_INTENT_SAMPLES = 3000
MAX_MODEL_SAMPLES = 20000
MAX_MODEL_BYTES = 1_000_000  # the rendered <locale>.json
ALLOWED = re.compile(r"[A-Za-z' .{}]+")
SLOT_REF = re.compile(r"\{(\w+)\}")
WORD_REF = re.compile(r"<(\w+)>")


class ModelError(ValueError):
    """A built model breaks one of Alexa's rules."""


# --- templates -----------------------------------------------------------------------------


def expand(pattern: str, words: dict[str, list[str]], depth: int = 0) -> list[str]:
    """Every sentence a pattern stands for: each <name> replaced by each of its words."""
    found = WORD_REF.search(pattern)
    if found is None:
        return [" ".join(pattern.split())]
    if depth > 10:
        raise ModelError(f"<{found[1]}> refers to itself")
    if found[1] not in words:
        raise ModelError(f"'{pattern}' uses <{found[1]}>, which no [words] list defines")
    out = []
    for word in words[found[1]]:
        filled = pattern[: found.start()] + word + pattern[found.end() :]
        out.extend(expand(filled, words, depth + 1))
    return out


def _words(phrases: dict, locale: str) -> dict[str, list[str]]:
    words = {name: list(values) for name, values in phrases.get("words", {}).items()}
    local = phrases.get("locales", {}).get(locale, {}).get("words", {})
    for name, values in local.items():
        words[name] = [*words.get(name, []), *values]
    return words


def samples_from_phrases(phrases: dict, intent: str, locale: str) -> list[str]:
    words = _words(phrases, locale)
    patterns = [
        *phrases.get("intents", {}).get(intent, {}).get("patterns", []),
        *phrases.get("locales", {})
        .get(locale, {})
        .get("intents", {})
        .get(intent, {})
        .get("patterns", []),
    ]
    out = []
    for pattern in patterns:
        for sample in expand(pattern, words):
            slots = SLOT_REF.findall(sample)
            if sample and len(slots) == len(set(slots)):  # a slot twice: not a sentence
                out.append(sample)
    return out


def _unique(items: list[str]) -> list[str]:
    seen, out = set(), []
    for item in items:
        key = item.lower()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


# --- the model ------------------------------------------------------------------------------


def load_parts(edition: str = "full") -> list[tuple[dict, dict]]:
    """(part, phrases) per journey, in file order; the store-safe edition's history part is
    one NoHistoryIntent with the history intents' plain samples."""
    out = []
    for path in sorted((HERE / "parts").glob("*.json")):
        template = HERE / "phrases" / f"{path.stem}.toml"
        phrases = tomllib.loads(template.read_text()) if template.is_file() else {}
        part = json.loads(path.read_text())
        if edition != "full" and path.stem == HISTORY_PART:
            part, phrases = _no_history_part(part, phrases), {}
        out.append((part, phrases))
    return out


def _no_history_part(part: dict, phrases: dict) -> dict:
    """The history part as the store-safe edition has it: no slots, no types, one intent."""
    locales: dict[str, dict] = {}
    for locale in LOCALES:
        said = [_intent(i, part, phrases, locale)["samples"] for i in part.get("intents", [])]
        plain = _unique([s for samples in said for s in samples if "{" not in s])
        locales[locale] = {"samples": {NO_HISTORY_INTENT: plain}}
    return {"intents": [{"name": NO_HISTORY_INTENT, "samples": []}], "locales": locales}


def _intent(intent: dict, part: dict, phrases: dict, locale: str) -> dict:
    extra = part.get("locales", {}).get(locale, {})
    samples = _unique(
        [
            *intent.get("samples", []),
            *extra.get("samples", {}).get(intent["name"], []),
            *samples_from_phrases(phrases, intent["name"], locale),
        ]
    )
    slot_samples = phrases.get("intents", {}).get(intent["name"], {}).get("slot_samples", {})
    slots = [
        {**slot, "samples": slot_samples[slot["name"]]} if slot["name"] in slot_samples else slot
        for slot in intent.get("slots", [])
    ]
    built = {**intent, "samples": samples}
    if slots:
        built["slots"] = slots
    return built


def _types(part: dict, locale: str) -> list[dict]:
    added_all = part.get("locales", {}).get(locale, {}).get("synonyms", {})
    types = []
    for slot_type in part.get("types", []):
        added = added_all.get(slot_type["name"], {})
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
    return types


def _dialog(intents: list[dict]) -> dict | None:
    """The dialog model for intents whose slots the skill elicits (slots with samples)."""
    elicited = [i for i in intents if any("samples" in s for s in i.get("slots", []))]
    if not elicited:
        return None
    return {
        "intents": [
            {
                "name": intent["name"],
                "confirmationRequired": False,
                "prompts": {},
                "slots": [
                    {
                        "name": slot["name"],
                        "type": slot["type"],
                        "confirmationRequired": False,
                        "elicitationRequired": False,
                        "prompts": {},
                    }
                    for slot in intent["slots"]
                ],
            }
            for intent in elicited
        ],
        "delegationStrategy": "SKILL_RESPONSE",
    }


def build(locale: str, edition: str = "full") -> dict:
    intents, types = [], []
    for part, phrases in load_parts(edition):
        intents.extend(_intent(i, part, phrases, locale) for i in part.get("intents", []))
        types.extend(_types(part, locale))
    model: dict = {
        "languageModel": {"invocationName": INVOCATION_NAME, "intents": intents, "types": types}
    }
    dialog = _dialog(intents)
    if dialog:
        model["dialog"] = dialog
    return {"interactionModel": model}


# --- Alexa's rules ---------------------------------------------------------------------------


def _custom_words(types: list[dict]) -> dict[str, list[str]]:
    return {
        t["name"]: [w for v in t["values"] for w in (v["name"]["value"], *v["name"]["synonyms"])]
        for t in types
    }


def _sample_problems(intent: dict, sample: str) -> list[str]:
    problems = []
    declared = {s["name"]: s["type"] for s in intent.get("slots", [])}
    slots = SLOT_REF.findall(sample)
    literal = SLOT_REF.sub(" ", sample).split()
    if not ALLOWED.fullmatch(sample):
        problems.append("has a digit or symbol")
    if len(sample) > MAX_SAMPLE_CHARS:
        problems.append(f"is longer than {MAX_SAMPLE_CHARS} characters")
    for name in slots:
        if name not in declared:
            problems.append(f"uses undeclared {{{name}}}")
    if len(slots) != len(set(slots)):
        problems.append("uses a slot twice")
    built_in = [n for n in slots if declared.get(n, "").startswith("AMAZON.")]
    if slots and not literal:
        problems.append("is only slots (it would take unrelated words)")
    elif built_in and len(literal) < 2:
        problems.append(f"gives {{{built_in[0]}}} (takes any words) fewer than two words")
    return problems


def _pieces(sample: str, declared: dict[str, str], words: dict[str, set[str]]):
    """A sample as literal words and slot value sets; None when a built-in slot (which
    takes any words) makes it open-ended."""
    pieces: list = []
    for piece in re.split(r"(\{\w+\})", sample.lower()):
        slot = SLOT_REF.fullmatch(piece)
        if slot is None:
            pieces.extend(piece.split())
        elif declared.get(slot[1], "") in words:
            pieces.append(words[declared[slot[1]]])
        else:
            return None
    return pieces


def _matches(pieces: list, said: list[str]) -> bool:
    """Whether the words `said` are this sample with some of its slots' values filled in."""
    if not pieces:
        return not said
    first, rest = pieces[0], pieces[1:]
    if isinstance(first, str):
        return bool(said) and said[0] == first and _matches(rest, said[1:])
    return any(
        " ".join(said[:n]) in first and _matches(rest, said[n:]) for n in range(1, len(said) + 1)
    )


def check(model: dict) -> list[str]:
    """Every way a built model breaks Alexa's rules, as readable lines."""
    language = model["interactionModel"]["languageModel"]
    intents, words = language["intents"], _custom_words(language.get("types", []))
    problems, owner = [], defaultdict(set)
    total = 0
    for intent in intents:
        samples = intent.get("samples", [])
        total += len(samples)
        if len(samples) > MAX_INTENT_SAMPLES:
            problems.append(f"{intent['name']}: {len(samples)} samples, over {MAX_INTENT_SAMPLES}")
        for sample in samples:
            found = _sample_problems(intent, sample)
            problems += [f"{intent['name']}: '{sample}' {p}" for p in found]
            owner[sample.lower()].add(intent["name"])
        for slot in intent.get("slots", []):
            for sample in slot.get("samples", []):
                if f"{{{slot['name']}}}" not in sample:
                    problems.append(f"{intent['name']}.{slot['name']}: '{sample}' lacks the slot")
    if total > MAX_MODEL_SAMPLES:
        problems.append(f"{total} samples in the model, over {MAX_MODEL_SAMPLES}")
    problems += [f"'{s}' belongs to {sorted(n)}" for s, n in owner.items() if len(n) > 1]
    problems += _conflicts(intents, words)
    return problems


def _conflicts(intents: list[dict], words: dict[str, list[str]]) -> list[str]:
    """A plain sample of one intent that a slotted sample of another intent also matches."""
    values = {name: {w.lower() for w in names} for name, names in words.items()}
    # Plain samples by their first word, their last word and both: a slotted sample is
    # compared only with those that start and end as it does.
    by_first, by_last, by_ends = defaultdict(list), defaultdict(list), defaultdict(list)
    for intent in intents:
        for sample in intent.get("samples", []):
            if "{" not in sample:
                said = sample.lower().split()
                by_first[said[0]].append((said, intent["name"]))
                by_last[said[-1]].append((said, intent["name"]))
                by_ends[said[0], said[-1]].append((said, intent["name"]))
    everyone = [c for group in by_first.values() for c in group]
    found = []
    for intent in intents:
        declared = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for sample in (s for s in intent.get("samples", []) if "{" in s):
            pieces = _pieces(sample, declared, values)
            if pieces is None:
                continue
            first, last = (p if isinstance(p, str) else None for p in (pieces[0], pieces[-1]))
            if first and last:
                candidates = by_ends.get((first, last), [])
            elif first or last:
                candidates = by_first.get(first, []) if first else by_last.get(last, [])
            else:
                candidates = everyone
            literal = {p for p in pieces if isinstance(p, str)}
            for said, other in candidates:
                if other == intent["name"] or not literal <= set(said):
                    continue
                if _matches(pieces, said):
                    found.append(
                        f"'{' '.join(said)}' ({other}) is also '{sample}' ({intent['name']})"
                    )
    return found


def render(model: dict) -> str:
    return json.dumps(model, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    built, broken = {}, []
    for (edition, folder), locale in ((e, lo) for e in EDITIONS.items() for lo in LOCALES):
        model = build(locale, edition)
        built[folder / f"{locale}.json"] = text = render(model)
        broken += [f"{edition} {locale}: {p}" for p in check(model)]
        if len(text.encode()) > MAX_MODEL_BYTES:
            broken.append(f"{edition} {locale}: {len(text.encode())} bytes, over {MAX_MODEL_BYTES}")
    stale = [
        str(p.relative_to(HERE))
        for p, text in built.items()
        if not p.is_file() or p.read_text() != text
    ]
    if not broken and "--check" not in argv:
        for path, text in built.items():
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
        stale = []
    if broken:
        heading = "the interaction model breaks Alexa's rules:"
        print(heading, *broken[:60], sep="\n  ", file=sys.stderr)
        if len(broken) > 60:
            print(f"  ... and {len(broken) - 60} more", file=sys.stderr)
        return 1
    if stale:
        print(f"stale interaction models: {', '.join(stale)}; run: make models", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
