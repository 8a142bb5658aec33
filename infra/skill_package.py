"""Assemble an ASK CLI skill package from infra/skill.json and interaction_model/ into build/.

Layout (the SMAPI skill package format that `ask deploy` uploads):
    build/skill-package/skill.json          the manifest, endpoint and privacy URL filled in
    build/skill-package/interactionModels/custom/<locale>.json
    build/skill-package/assets/images/*.png the store icons (infra/assets, drawn by infra/icons.py)
    build/ask-resources.json, build/.ask/ask-states.json
                                            `cd build && ask deploy --target skill-metadata`

It refuses a placeholder privacy URL, a non-Lambda endpoint, manifest locales without a model,
and example phrases the model cannot understand (certification rejects those).

The edition (--edition, or CRAMP_EDITION; default full) picks the manifest and models: the
store-safe edition's manifest is skill.json changed by infra/store-safe.json (no history in the
description and testing instructions, no personal information, no SkillDisabled event), and
its models are interaction_model/store-safe/.

Usage: python infra/skill_package.py --endpoint-arn ARN --privacy-url URL [--skill-id ID]
       python infra/skill_package.py --check --privacy-url URL    (before deploying)
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import os
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lambda"))

from cramp_coach.config import EDITIONS, FULL  # noqa: E402
from cramp_coach.webservice.privacy_page import is_placeholder_host  # noqa: E402

MANIFEST = ROOT / "infra" / "skill.json"
MODELS_DIR = ROOT / "interaction_model"
STORE_SAFE_CHANGES = ROOT / "infra" / "store-safe.json"
DEFAULT_OUT = ROOT / "build" / "skill-package"

# A function ARN, optionally qualified by a version or alias (the stack outputs the `live` alias).
LAMBDA_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$"
)
SKILL_ID = re.compile(r"^amzn1\.ask\.skill\.[0-9a-fA-F-]{36}$")
LOCALE_FILE = re.compile(r"^[a-z]{2}-[A-Z]{2}\.json$")
# The store icons (infra/icons.py draws them); the manifest names them file://assets/images/...
ASSETS_DIR = ROOT / "infra" / "assets"


class PackageError(ValueError):
    """A value the skill package cannot be built with; the message says which and why."""


def load_manifest(path: Path = MANIFEST, edition: str = FULL) -> dict:
    manifest = json.loads(path.read_text(encoding="utf-8"))
    return manifest if edition == FULL else store_safe_manifest(manifest)


def check_edition(edition: str) -> str:
    if edition not in EDITIONS:
        raise PackageError(f"edition {edition!r} is not one of {list(EDITIONS)}")
    return edition


def models_dir_for(edition: str) -> Path:
    return MODELS_DIR if check_edition(edition) == FULL else MODELS_DIR / edition


def store_safe_manifest(manifest: dict, changes_path: Path = STORE_SAFE_CHANGES) -> dict:
    """The manifest of the edition that keeps nothing: what it says, declares and subscribes."""
    changes = json.loads(changes_path.read_text(encoding="utf-8"))
    changed = copy.deepcopy(manifest)
    body = changed["manifest"]
    publishing = body["publishingInformation"]
    for locale, listing in publishing["locales"].items():
        for sentence, replacement in changes["description_sentences"].items():
            if sentence not in listing["description"]:
                raise PackageError(
                    f"{locale} description no longer says {sentence[:60]!r}...: update "
                    f"{changes_path.name} so the store-safe listing promises no history"
                )
            listing["description"] = listing["description"].replace(sentence, replacement)
    publishing["testingInstructions"] = changes["testingInstructions"]
    body["privacyAndCompliance"]["usesPersonalInfo"] = changes["usesPersonalInfo"]
    body.pop("events", None)  # SkillDisabled: nothing to delete
    return changed


def model_files(models_dir: Path = MODELS_DIR) -> dict[str, Path]:
    """Interaction models by locale: interaction_model/en-US.json -> {"en-US": path}."""
    return {
        path.stem: path
        for path in sorted(models_dir.glob("*.json"))
        if LOCALE_FILE.match(path.name)
    }


def manifest_locales(manifest: dict) -> set[str]:
    return set(manifest["manifest"]["publishingInformation"]["locales"])


def check_endpoint_arn(arn: str) -> str:
    if not LAMBDA_ARN.match(arn or ""):
        raise PackageError(f"endpoint {arn!r} is not a Lambda function ARN (use the stack output)")
    return arn


def check_privacy_url(url: str) -> str:
    """The privacy policy must be a real https page: Alexa requires one for a skill storing data."""
    parsed = urlparse(url or "")
    host = (parsed.hostname or "").lower()
    if parsed.scheme != "https" or not host:
        raise PackageError(f"privacy URL {url!r} must be an https URL")
    if "replace" in url.lower() or is_placeholder_host(host):
        raise PackageError(f"privacy URL {url!r} is a placeholder; publish your policy first")
    return url


def normalise(text: str) -> str:
    """Lower case, plain apostrophes, no punctuation, single spaces: how Alexa hears words."""
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"[^a-z0-9'{} ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@functools.cache  # the same few thousand samples are matched against every phrase checked
def sample_pattern(sample: str) -> re.Pattern:
    """A sample utterance as a regex: literal words, and a named group for each {slot}."""
    parts = re.split(r"\{(\w+)\}", normalise(sample))
    regex = "".join(
        f"(?P<{part}>.+?)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$")


def slot_values(model: dict) -> dict[str, set[str]]:
    """Every value and synonym of each custom slot type, normalised."""
    values: dict[str, set[str]] = {}
    for slot_type in model["interactionModel"]["languageModel"].get("types", []):
        names = values.setdefault(slot_type["name"], set())
        for value in slot_type.get("values", []):
            names.add(normalise(value["name"]["value"]))
            names.update(normalise(synonym) for synonym in value["name"].get("synonyms", []))
    return values


# Enough of the built-in slot types to tell a plausible value from any words at all: a bare
# "{time}" sample must not make "order pizza" an utterance.
_NUMBER = (
    r"(\d+|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|oh)"
)
_NUMBERS = rf"{_NUMBER}( {_NUMBER})*"
_BUILT_IN_VALUES = {
    "AMAZON.NUMBER": re.compile(rf"^{_NUMBERS}$"),
    "AMAZON.TIME": re.compile(
        rf"^((half past|quarter past|quarter to) )?({_NUMBERS}( o'clock)?|noon|midnight)"
        r"( ?(am|pm|a m|p m|in the morning|in the evening|at night|tonight))?$"
        r"|^(tonight|this evening|bedtime|night|morning|evening)$"
    ),
    "AMAZON.DATE": re.compile(
        r"^(today|tonight|yesterday|tomorrow|last night|this week|last week|this month|"
        r"last month|(on )?(monday|tuesday|wednesday|thursday|friday|saturday|sunday))$"
    ),
    "AMAZON.DURATION": re.compile(rf"^({_NUMBERS}|a|an) (seconds?|minutes?|hours?|days?|weeks?)$"),
}


def slot_value_fits(slot_type: str, heard: str, custom_values: dict[str, set[str]]) -> bool:
    """A custom type takes its values and synonyms; a built-in one what looks like its kind."""
    if slot_type in custom_values:
        return heard in custom_values[slot_type]
    recogniser = _BUILT_IN_VALUES.get(slot_type)
    return bool(recogniser and recogniser.match(heard))


def utterance_matches(utterance: str, model: dict) -> bool:
    """True if some sample of some intent, with valid slot values, says exactly utterance."""
    custom_values = slot_values(model)
    for intent in model["interactionModel"]["languageModel"]["intents"]:
        slot_types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            match = sample_pattern(sample).match(utterance)
            if match and all(
                slot_value_fits(slot_types.get(name, ""), heard, custom_values)
                for name, heard in match.groupdict().items()
            ):
                return True
    return False


# How users start a skill, from Alexa's "invoking custom skills" phrasing.
LAUNCH_VERBS = ("open", "launch", "start", "begin", "talk to", "load", "run", "use")
REQUEST_VERBS = ("ask", "tell")
CONNECTING_WORDS = ("to", "for", "about", "that", "if", "whether", "and")


def example_phrase_matches(phrase: str, model: dict) -> bool:
    """'Alexa, open X' names the invocation; 'Alexa, ask X for Y' needs Y to be an utterance."""
    invocation = normalise(model["interactionModel"]["languageModel"]["invocationName"])
    words = re.sub(r"^alexa ", "", normalise(phrase))
    if any(words == f"{verb} {invocation}" for verb in LAUNCH_VERBS):
        return True
    for verb in REQUEST_VERBS:
        prefix = f"{verb} {invocation} "
        if not words.startswith(prefix):
            continue
        request = words[len(prefix) :]
        candidates = [request]
        first, _, rest = request.partition(" ")
        if first in CONNECTING_WORDS and rest:
            candidates.append(rest)
        return any(utterance_matches(candidate, model) for candidate in candidates)
    return False


def unmatched_example_phrases(manifest: dict, models: dict[str, Path]) -> list[str]:
    """Example phrases (per locale) that the locale's interaction model cannot understand."""
    unmatched = []
    for locale, info in manifest["manifest"]["publishingInformation"]["locales"].items():
        model = json.loads(models[locale].read_text(encoding="utf-8"))
        unmatched += [
            f"{locale}: {phrase}"
            for phrase in info.get("examplePhrases", [])
            if not example_phrase_matches(phrase, model)
        ]
    return unmatched


def check_locales_match(manifest: dict, models: dict[str, Path]) -> None:
    published, modelled = manifest_locales(manifest), set(models)
    if published != modelled:
        raise PackageError(
            f"manifest locales {sorted(published)} differ from models {sorted(modelled)}"
        )


def filled_manifest(manifest: dict, endpoint_arn: str, privacy_url: str) -> dict:
    """A copy of the manifest with the endpoint (skill and events) and privacy URL set."""
    filled = copy.deepcopy(manifest)
    body = filled["manifest"]
    body["apis"]["custom"]["endpoint"]["uri"] = check_endpoint_arn(endpoint_arn)
    if "events" in body:  # the store-safe edition subscribes to none
        body["events"]["endpoint"]["uri"] = endpoint_arn
    for locale in body["privacyAndCompliance"]["locales"].values():
        locale["privacyPolicyUrl"] = check_privacy_url(privacy_url)
    return filled


def ask_project_files(skill_id: str, profile: str) -> dict[str, dict]:
    """ASK CLI v2 project files pointing `ask deploy` at the package and at the existing skill.

    The skill id lives in .ask/ask-states.json: without it `ask deploy` would create a new skill.
    """
    if not SKILL_ID.match(skill_id):
        raise PackageError(f"skill id {skill_id!r} does not look like amzn1.ask.skill.<uuid>")
    return {
        "ask-resources.json": {
            "askcliResourcesVersion": "2020-03-31",
            "profiles": {profile: {"skillMetadata": {"src": "./skill-package"}}},
        },
        ".ask/ask-states.json": {
            "askcliStatesVersion": "2020-03-31",
            "profiles": {profile: {"skillId": skill_id}},
        },
    }


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def preflight(
    privacy_url: str,
    manifest_path: Path = MANIFEST,
    models_dir: Path | None = None,
    edition: str = FULL,
) -> None:
    """Everything that can be checked before the endpoint exists: run before deploying."""
    manifest = load_manifest(manifest_path, edition)
    check_privacy_url(privacy_url)
    models = model_files(models_dir or models_dir_for(edition))
    check_locales_match(manifest, models)
    unmatched = unmatched_example_phrases(manifest, models)
    if unmatched:
        raise PackageError(f"example phrases the model does not understand: {unmatched}")


def assemble(
    out_dir: Path,
    endpoint_arn: str,
    privacy_url: str,
    skill_id: str | None = None,
    profile: str = "default",
    manifest_path: Path = MANIFEST,
    models_dir: Path | None = None,
    assets_dir: Path = ASSETS_DIR,
    edition: str = FULL,
) -> Path:
    """Write the skill package to out_dir (replacing it) and return out_dir."""
    models_dir = models_dir or models_dir_for(edition)
    manifest = load_manifest(manifest_path, edition)
    filled = filled_manifest(manifest, endpoint_arn, privacy_url)
    preflight(privacy_url, manifest_path, models_dir, edition)
    models = model_files(models_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    write_json(out_dir / "skill.json", filled)
    for locale, path in models.items():
        model = json.loads(path.read_text(encoding="utf-8"))
        write_json(out_dir / "interactionModels" / "custom" / f"{locale}.json", model)
    shutil.copytree(assets_dir, out_dir / "assets")
    if skill_id:
        for name, content in ask_project_files(skill_id, profile).items():
            write_json(out_dir.parent / name, content)
    return out_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, before deploying")
    parser.add_argument("--endpoint-arn", help="SkillEndpointArn stack output")
    parser.add_argument("--privacy-url", default=os.environ.get("PRIVACY_URL", ""))
    parser.add_argument("--skill-id", default=os.environ.get("SKILL_ID"))
    parser.add_argument("--profile", default=os.environ.get("ASK_PROFILE", "default"))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--edition", default=os.environ.get("CRAMP_EDITION") or FULL)
    args = parser.parse_args(argv)
    try:
        edition = check_edition(args.edition)
        if args.check:
            preflight(args.privacy_url, edition=edition)
            print(f"skill package inputs ({edition} edition) are deployable")
            return 0
        if not args.endpoint_arn:
            parser.error("--endpoint-arn is required (the stack's SkillEndpointArn output)")
        out = assemble(
            args.out,
            args.endpoint_arn,
            args.privacy_url,
            args.skill_id,
            args.profile,
            edition=edition,
        )
    except PackageError as error:
        print(f"skill_package: {error}", file=sys.stderr)
        return 2
    print(f"skill package written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
