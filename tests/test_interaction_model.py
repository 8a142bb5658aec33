"""The interaction models are valid ASK models, built from the parts, with no ambiguity."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODELS = sorted((ROOT / "interaction_model").glob("*-*.json"))
SLOT_REF = re.compile(r"\{(\w+)\}")


def language_model(path: Path) -> dict:
    return json.loads(path.read_text())["interactionModel"]["languageModel"]


def normalise(sample: str) -> str:
    return re.sub(r"\s+", " ", sample.lower().strip())


def test_models_exist_and_are_up_to_date():
    assert MODELS, "no interaction_model/<locale>.json"
    build = subprocess.run(
        [sys.executable, str(ROOT / "interaction_model" / "build.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_invocation_name_is_two_lowercase_words(path):
    name = language_model(path)["invocationName"]
    assert re.fullmatch(r"[a-z]+ [a-z]+", name)


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_every_slot_in_a_sample_is_declared_with_a_defined_type(path):
    model = language_model(path)
    custom_types = {t["name"] for t in model.get("types", [])}
    for intent in model["intents"]:
        declared = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            for name in SLOT_REF.findall(sample):
                assert name in declared, f"{intent['name']}: '{sample}' uses undeclared {{{name}}}"
        for slot_type in declared.values():
            assert slot_type.startswith("AMAZON.") or slot_type in custom_types, slot_type


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_no_utterance_belongs_to_two_intents(path):
    owners = Counter()
    seen = {}
    for intent in language_model(path)["intents"]:
        for sample in {normalise(s) for s in intent.get("samples", [])}:
            owners[sample] += 1
            seen.setdefault(sample, []).append(intent["name"])
    clashes = {s: seen[s] for s, n in owners.items() if n > 1}
    assert not clashes, clashes


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_custom_slot_values_have_ids_and_unique_synonyms(path):
    for slot_type in language_model(path).get("types", []):
        spoken = Counter()
        for value in slot_type["values"]:
            assert value.get("id"), f"{slot_type['name']}: a value without an id"
            name = value["name"]
            for word in [name["value"], *name.get("synonyms", [])]:
                spoken[word.lower()] += 1
        doubled = [w for w, n in spoken.items() if n > 1]
        assert not doubled, f"{slot_type['name']}: {doubled} resolve to two values"


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_the_cramp_intent_has_enough_ways_to_say_it(path):
    intents = {i["name"]: i for i in language_model(path)["intents"]}
    assert len(intents["CrampNowIntent"]["samples"]) >= 40
    muscles = {
        v["id"]
        for t in language_model(path)["types"]
        if t["name"] == "MuscleType"
        for v in t["values"]
    }
    assert {"calf", "foot", "hamstring", "quadriceps", "shin"} <= muscles


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_required_built_in_intents_are_present(path):
    names = {i["name"] for i in language_model(path)["intents"]}
    required = {
        "AMAZON.YesIntent",
        "AMAZON.NoIntent",
        "AMAZON.HelpIntent",
        "AMAZON.StopIntent",
        "AMAZON.CancelIntent",
        "AMAZON.RepeatIntent",
        "AMAZON.FallbackIntent",
        "AMAZON.NavigateHomeIntent",
    }
    assert required <= names
