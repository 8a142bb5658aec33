"""Certification preflight: offline checks of what the Alexa console or a reviewer would refuse.

Each check reads the repository's own files (infra/skill.json, interaction_model/, the icons,
the first-use notice, the code, the template and the Lambda zip) and returns its problems as
sentences. `make preflight` runs them all; `make deploy` runs them before anything changes.

Usage: python infra/preflight.py [--privacy-url URL] [--zip build/cramp-coach.zip]
                                [--edition full|store-safe]
Without --privacy-url the stack publishes the edition's policy (docs/privacy.md, or
docs/privacy-store-safe.md) and that page must exist. The edition (default CRAMP_EDITION, else
full) picks the manifest and models checked (infra/skill_package.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tomllib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import icons  # noqa: E402  (infra/icons.py)
import skill_package  # noqa: E402  (infra/skill_package.py)
from cramp_coach.webservice.privacy_page import policy_for  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HISTORY_PART = ROOT / "interaction_model" / "parts" / "history.json"
# Store text that promises a kept history: never in the store-safe edition's listing.
HISTORY_PROMISES = ("delete my history", "keeps a simple history", "30-night summary")

# What Amazon's reviewers ask a health skill's description to say, and the notice to repeat.
DISCLAIMER = "not a substitute for professional medical advice"
EMERGENCY = "emergency number"
# Claims a reviewer reads as diagnosis, and sources that store text must not name (say
# "public health sources"): the skill's cards cite them, the listing does not.
DIAGNOSTIC_CLAIMS = ("tells you when", "needs a doctor", "diagnoses", "will diagnose", "cures")
THIRD_PARTY_NAMES = (
    "NHS",
    "Mayo",
    "Merck",
    "Cochrane",
    "NICE",
    "Cleveland Clinic",
    "WebMD",
    "FDA",
    "MHRA",
    "American Family Physician",
)
STORE_TEXT_FIELDS = ("name", "summary", "description", "examplePhrases", "keywords")
ICON_SIZES = {"smallIconUri": 108, "largeIconUri": 512}
ICON_URI = re.compile(r"^file://(assets/images/[A-Za-z0-9_.-]+\.png)$")
# Skill events a manifest can subscribe to, and the request type its handler must take.
EVENT_REQUEST_TYPES = {
    "SKILL_ENABLED": "AlexaSkillEvent.SkillEnabled",
    "SKILL_DISABLED": "AlexaSkillEvent.SkillDisabled",
    "SKILL_PERMISSION_ACCEPTED": "AlexaSkillEvent.SkillPermissionAccepted",
    "SKILL_PERMISSION_CHANGED": "AlexaSkillEvent.SkillPermissionChanged",
    "SKILL_ACCOUNT_LINKED": "AlexaSkillEvent.SkillAccountLinked",
}
# Characters a sample utterance may hold besides {slot} references.
SAMPLE_CHARACTERS = re.compile(r"^[A-Za-z' .\-]*$")


@dataclass
class Inputs:
    """Everything the preflight reads; tests point single fields at broken copies."""

    manifest: Path = skill_package.MANIFEST
    models_dir: Path | None = None  # the edition's (skill_package.models_dir_for)
    assets_dir: Path = ROOT / "infra"  # holds assets/images/, as the skill package does
    phrases: Path = ROOT / "content" / "en" / "phrases.toml"
    code_dir: Path = ROOT / "lambda" / "cramp_coach"
    template: Path = ROOT / "infra" / "template.yaml"
    zip_path: Path = ROOT / "build" / "cramp-coach.zip"
    privacy_policy: Path | None = None  # the edition's (privacy_page.policy_for)
    privacy_url: str | None = None
    edition: str = skill_package.FULL
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.models_dir is None:
            self.models_dir = skill_package.models_dir_for(self.edition)
        if self.privacy_policy is None:
            self.privacy_policy = policy_for(self.edition)

    @property
    def models_path(self) -> Path:
        assert self.models_dir is not None  # set in __post_init__
        return self.models_dir

    def manifest_data(self) -> dict:
        if "manifest" not in self._cache:
            self._cache["manifest"] = skill_package.load_manifest(self.manifest, self.edition)
        return self._cache["manifest"]

    def listings(self) -> dict[str, dict]:
        return self.manifest_data()["manifest"]["publishingInformation"]["locales"]

    def models(self) -> dict[str, dict]:
        return {
            locale: json.loads(path.read_text(encoding="utf-8"))
            for locale, path in skill_package.model_files(self.models_path).items()
        }

    def code(self) -> str:
        return "".join(
            path.read_text(encoding="utf-8")
            for path in sorted(self.code_dir.rglob("*.py"))
            if "webservice" not in path.parts
        )


# --- the checks ----------------------------------------------------------------------------


def check_icons(inputs: Inputs) -> list[str]:
    """Every locale names a 108x108 and a 512x512 PNG inside the skill package."""
    problems = []
    for locale, listing in inputs.listings().items():
        for key, size in ICON_SIZES.items():
            uri = listing.get(key, "")
            match = ICON_URI.match(uri)
            if not match:
                problems.append(f"{locale}: {key} {uri!r} is not file://assets/images/<name>.png")
                continue
            path = inputs.assets_dir / match[1]
            if not path.exists():
                problems.append(f"{locale}: {key} {path} is missing (make icons)")
                continue
            try:
                found = icons.png_size(path.read_bytes())
            except ValueError:
                problems.append(f"{locale}: {key} {path} is not a PNG")
                continue
            if found != (size, size):
                problems.append(f"{locale}: {key} is {found[0]}x{found[1]}, must be {size}x{size}")
    return problems


def manifest_urls(value, where: str = "manifest") -> list[tuple[str, str]]:
    """Every http(s) URL in the manifest, with where it is."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in manifest_urls(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value) for pair in manifest_urls(v, f"{where}[{i}]")]
    if isinstance(value, str) and re.match(r"^https?://", value, re.IGNORECASE):
        return [(where, value)]
    return []


def check_urls(inputs: Inputs) -> list[str]:
    """The privacy URL is a real https page; any other URL in the manifest too."""
    problems = []
    urls = [
        (where, url)
        for where, url in manifest_urls(inputs.manifest_data())
        if not where.endswith(".privacyPolicyUrl")  # filled in at package time, checked below
    ]
    if inputs.privacy_url is not None:
        urls.append(("privacy URL", inputs.privacy_url))
    elif not inputs.privacy_policy.exists():
        problems.append(f"no privacy URL given and {inputs.privacy_policy} (the page) is missing")
    for where, url in urls:
        try:
            skill_package.check_privacy_url(url)
        except skill_package.PackageError as error:
            problems.append(f"{where}: {error}")
    return problems


def check_example_phrases(inputs: Inputs) -> list[str]:
    """One to three phrases a locale; each starts "Alexa, " and its model understands it."""
    problems = []
    models = inputs.models()
    for locale, listing in inputs.listings().items():
        phrases = listing.get("examplePhrases", [])
        if not 1 <= len(phrases) <= 3:
            problems.append(f"{locale}: {len(phrases)} example phrases; the store takes 1 to 3")
        if locale not in models:
            problems.append(f"{locale}: no interaction model")
            continue
        for phrase in phrases:
            if not phrase.startswith("Alexa, "):
                problems.append(f"{locale}: example phrase {phrase!r} must start with 'Alexa, '")
            elif not skill_package.example_phrase_matches(phrase, models[locale]):
                problems.append(f"{locale}: the model does not understand {phrase!r}")
    return problems


def check_disclaimer(inputs: Inputs) -> list[str]:
    """The description and the spoken first-use notice carry the medical disclaimer."""
    problems = []
    for locale, listing in inputs.listings().items():
        description = listing.get("description", "")
        for needed in (DISCLAIMER, EMERGENCY):
            if needed not in description:
                problems.append(f"{locale}: the description lacks {needed!r}")
    phrases = tomllib.loads(inputs.phrases.read_text(encoding="utf-8"))
    notice = phrases.get("phrases", {}).get("first_use_notice", "")
    if DISCLAIMER not in notice:
        problems.append(f"first_use_notice ({inputs.phrases}) lacks {DISCLAIMER!r}")
    if "{emergency_number}" not in notice:
        problems.append("first_use_notice does not give the emergency number")
    return problems


def check_store_text(inputs: Inputs) -> list[str]:
    """No diagnostic claims and no third-party names in what the store shows."""
    problems = []
    for locale, listing in inputs.listings().items():
        for key in STORE_TEXT_FIELDS:
            value = listing.get(key, "")
            text = " ".join(value) if isinstance(value, list) else value
            for claim in DIAGNOSTIC_CLAIMS:
                if claim in text.lower():
                    problems.append(f"{locale}.{key}: {claim!r} reads as diagnosis")
            for name in THIRD_PARTY_NAMES:
                if re.search(rf"\b{re.escape(name)}\b", text):
                    problems.append(f"{locale}.{key}: names {name!r}; say 'public health sources'")
    return problems


def check_permissions_and_events(inputs: Inputs) -> list[str]:
    """Declared permissions are the ones the code asks for; each event has a handler."""
    body = inputs.manifest_data()["manifest"]
    code = inputs.code()
    problems = []
    declared = {permission["name"] for permission in body.get("permissions", [])}
    used = set(re.findall(r"alexa::[a-z:]+", code))
    problems += [
        f"permission {name} is declared but the code never asks for it"
        for name in sorted(declared - used)
    ]
    problems += [f"permission {name} is used but not declared" for name in sorted(used - declared)]
    for subscription in body.get("events", {}).get("subscriptions", []):
        name = subscription["eventName"]
        request_type = EVENT_REQUEST_TYPES.get(name)
        if request_type is None:
            problems.append(f"event {name}: unknown to the preflight; add its request type")
        elif f'is_request_type("{request_type}")' not in code:
            problems.append(f"event {name}: no handler takes {request_type}")
    return problems


def sample_shape(sample: str, slot_types: dict[str, str]) -> str:
    """A sample's words with each slot as its type: two samples of one shape conflict."""
    normalised = skill_package.normalise(sample)
    return re.sub(r"\{(\w+)\}", lambda m: "{" + slot_types.get(m[1], m[1]) + "}", normalised)


def model_problems(locale: str, model: dict) -> list[str]:
    """Invocation name, samples and slot values as the console's model build requires."""
    language = model["interactionModel"]["languageModel"]
    problems = []
    invocation = language["invocationName"]
    if not re.fullmatch(r"[a-z]+( [a-z]+)+", invocation):
        problems.append(f"{locale}: invocation name {invocation!r}: two or more lower-case words")
    seen: dict[str, str] = {}
    for intent in language["intents"]:
        slot_types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        samples = list(intent.get("samples", []))
        for slot in intent.get("slots", []):
            samples += slot.get("samples", [])
        for sample in intent.get("samples", []):
            for name in re.findall(r"\{(\w+)\}", sample):
                if name not in slot_types:
                    problems.append(f"{locale}: {intent['name']} sample {sample!r}: no slot {name}")
            # Conflicts are the same words with the same kinds of slot, wherever they are.
            shape = sample_shape(sample, slot_types)
            if shape in seen:
                kind = "duplicate" if seen[shape] == intent["name"] else "conflicting"
                problems.append(
                    f"{locale}: {kind} sample {sample!r} in {seen[shape]} and {intent['name']}"
                )
            seen.setdefault(shape, intent["name"])
        for sample in samples:
            words = re.sub(r"\{\w+\}", "", sample)
            if re.search(r"\d", words):
                problems.append(f"{locale}: sample {sample!r} has digits; spell numbers out")
            elif not SAMPLE_CHARACTERS.match(words):
                problems.append(f"{locale}: sample {sample!r} has punctuation Alexa refuses")
    for slot_type in language.get("types", []):
        owner: dict[str, str] = {}
        for value in slot_type.get("values", []):
            name = value["name"]["value"]
            for word in [name, *value["name"].get("synonyms", [])]:
                if re.search(r"\d", word):
                    problems.append(f"{locale}: {slot_type['name']} value {word!r} has digits")
                key = skill_package.normalise(word)
                if key in owner and owner[key] != name:
                    problems.append(
                        f"{locale}: {slot_type['name']} {word!r} means both {owner[key]!r} "
                        f"and {name!r}"
                    )
                owner.setdefault(key, name)
    return problems


def check_models(inputs: Inputs) -> list[str]:
    problems = []
    for locale, model in inputs.models().items():
        problems += model_problems(locale, model)
    try:
        skill_package.check_locales_match(
            inputs.manifest_data(), skill_package.model_files(inputs.models_path)
        )
    except skill_package.PackageError as error:
        problems.append(str(error))
    return problems


def check_edition(inputs: Inputs) -> list[str]:
    """The package says and does what its edition keeps: the store-safe one no history, no
    personal information, no history intents; the full one deletes on disabling."""
    body = inputs.manifest_data()["manifest"]
    events = {e["eventName"] for e in body.get("events", {}).get("subscriptions", [])}
    if inputs.edition == skill_package.FULL:
        return [] if "SKILL_DISABLED" in events else ["full edition: no SKILL_DISABLED event"]
    problems = [f"store-safe edition subscribes to {sorted(events)}"] if events else []
    if body["privacyAndCompliance"].get("usesPersonalInfo") is not False:
        problems.append("store-safe edition: usesPersonalInfo must be false")
    for locale, listing in inputs.listings().items():
        text = " ".join(str(listing.get(key, "")) for key in STORE_TEXT_FIELDS).lower()
        problems += [f"{locale}: promises {p!r}" for p in HISTORY_PROMISES if p in text]
    history = {i["name"] for i in json.loads(HISTORY_PART.read_text())["intents"]}
    for locale, model in inputs.models().items():
        names = {i["name"] for i in model["interactionModel"]["languageModel"]["intents"]}
        problems += [f"{locale}: history intent {n} in the model" for n in sorted(names & history)]
    return problems


def template_runtime(template: Path) -> str:
    """The function's Runtime in the SAM template, e.g. "3.12"."""
    found = set(re.findall(r"^\s+Runtime:\s*python(3\.\d+)\s*$", template.read_text(), re.M))
    if len(found) != 1:
        raise ValueError(f"{template}: expected one python Runtime, found {sorted(found)}")
    return found.pop()


def check_zip_runtime(inputs: Inputs) -> list[str]:
    """Byte code, extension modules and wheel tags in the zip are for the template's runtime."""
    try:
        runtime = template_runtime(inputs.template)
    except ValueError as error:
        return [str(error)]
    if not inputs.zip_path.exists():
        return [f"{inputs.zip_path} is missing (make package)"]
    tag = "cp" + runtime.replace(".", "")
    cpython = "cpython-" + runtime.replace(".", "")
    problems = []
    with zipfile.ZipFile(inputs.zip_path) as archive:
        for name in archive.namelist():
            for built_for in re.findall(r"cpython-(\d+)", name):
                if f"cpython-{built_for}" != cpython:
                    problems.append(f"{name}: built for cpython-{built_for}, runtime is {runtime}")
            if name.endswith(".so") and "x86_64" in name:
                problems.append(f"{name}: x86_64 code; the function runs on arm64")
            if name.endswith(".dist-info/WHEEL"):
                wheel_tags = re.findall(r"^Tag: (\S+)", archive.read(name).decode(), re.M)
                for wheel_tag in wheel_tags:
                    python_tag = wheel_tag.split("-")[0]
                    if (
                        python_tag.startswith("cp")
                        and python_tag != tag
                        and "abi3" not in wheel_tag
                    ):
                        problems.append(f"{name}: wheel {wheel_tag}, runtime is {runtime}")
        if "lambda_function.py" not in archive.namelist():
            problems.append(f"{inputs.zip_path} has no lambda_function.py (the template's Handler)")
    return problems


CHECKS: list[Callable[[Inputs], list[str]]] = [
    check_icons,
    check_urls,
    check_example_phrases,
    check_disclaimer,
    check_store_text,
    check_permissions_and_events,
    check_models,
    check_edition,
    check_zip_runtime,
]


def run(inputs: Inputs) -> list[str]:
    return [f"{check.__name__}: {problem}" for check in CHECKS for problem in check(inputs)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--privacy-url", default=os.environ.get("PRIVACY_URL") or None)
    parser.add_argument("--zip", type=Path, default=Inputs.zip_path)
    parser.add_argument(
        "--edition",
        default=os.environ.get("CRAMP_EDITION") or skill_package.FULL,
        choices=skill_package.EDITIONS,
    )
    args = parser.parse_args(argv)
    print(f"preflight: the {args.edition} edition")
    problems = run(Inputs(zip_path=args.zip, privacy_url=args.privacy_url, edition=args.edition))
    for problem in problems:
        print(f"preflight: {problem}", file=sys.stderr)
    if problems:
        print(f"preflight: {len(problems)} problems; fix them before deploying", file=sys.stderr)
        return 1
    print(f"preflight: {len(CHECKS)} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
