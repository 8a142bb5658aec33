"""infra/preflight.py: passes on the repository, and each check fails on the input it guards.

Every broken input is a copy of the real one with one thing wrong, so a check that stopped
looking would let it through and its test would fail.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "infra"))

import icons  # noqa: E402  (infra/icons.py)
import package  # noqa: E402  (infra/package.py)
import preflight  # noqa: E402  (infra/preflight.py)

PRIVACY_URL = "https://cramp.coach/privacy"


# Every check runs against a real zip built by infra/package.py (byte code by Python 3.12): seconds
# of CPU, so these run with the packaging suite (`make test-slow`, and CI).
pytestmark = pytest.mark.packaging


@pytest.fixture(scope="module")
def real_zip(tmp_path_factory) -> Path:
    build_dir = tmp_path_factory.mktemp("preflight-zip")
    return package.build(build_dir / "cramp-coach.zip", work_dir=build_dir / "work")


@pytest.fixture
def inputs(tmp_path, real_zip) -> preflight.Inputs:
    """Copies of every input the preflight reads, for one test to break."""
    shutil.copy(ROOT / "infra" / "skill.json", tmp_path / "skill.json")
    shutil.copytree(ROOT / "interaction_model", tmp_path / "models", ignore=_only_models)
    shutil.copytree(ROOT / "infra" / "assets", tmp_path / "assets_root" / "assets")
    shutil.copy(ROOT / "content" / "en" / "phrases.toml", tmp_path / "phrases.toml")
    shutil.copytree(ROOT / "lambda" / "cramp_coach", tmp_path / "code")
    shutil.copy(ROOT / "infra" / "template.yaml", tmp_path / "template.yaml")
    shutil.copy(real_zip, tmp_path / "cramp-coach.zip")
    shutil.copy(ROOT / "docs" / "privacy.md", tmp_path / "privacy.md")
    return preflight.Inputs(
        manifest=tmp_path / "skill.json",
        models_dir=tmp_path / "models",
        assets_dir=tmp_path / "assets_root",
        phrases=tmp_path / "phrases.toml",
        code_dir=tmp_path / "code",
        template=tmp_path / "template.yaml",
        zip_path=tmp_path / "cramp-coach.zip",
        privacy_policy=tmp_path / "privacy.md",
        privacy_url=PRIVACY_URL,
    )


def _only_models(directory: str, names: list[str]) -> list[str]:
    return [name for name in names if not name.endswith(".json") or directory.endswith("parts")]


def edit_json(path: Path, change: Callable[[dict], None]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def edit_text(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def listing(data: dict, locale: str = "en-GB") -> dict:
    return data["manifest"]["publishingInformation"]["locales"][locale]


def language_model(data: dict) -> dict:
    return data["interactionModel"]["languageModel"]


def intent(data: dict, name: str) -> dict:
    (found,) = [i for i in language_model(data)["intents"] if i["name"] == name]
    return found


def problems_of(check, inputs: preflight.Inputs) -> list[str]:
    inputs._cache.clear()
    return check(inputs)


# --- the repository passes ---------------------------------------------------------------------


def test_the_repository_passes_every_check(inputs):
    assert preflight.run(inputs) == []


def test_the_command_passes_on_the_repository_and_names_the_checks(real_zip):
    completed = subprocess.run(
        [sys.executable, str(ROOT / "infra" / "preflight.py"), "--zip", str(real_zip)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PRIVACY_URL": PRIVACY_URL},
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert f"{len(preflight.CHECKS)} checks passed" in completed.stdout


def test_the_command_fails_with_each_problem_on_its_own_line(tmp_path):
    completed = subprocess.run(
        [sys.executable, str(ROOT / "infra" / "preflight.py"), "--zip", str(tmp_path / "no.zip")],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PRIVACY_URL": "https://www.example.com/privacy"},
        timeout=120,
    )
    assert completed.returncode == 1
    assert "check_urls: privacy URL: " in completed.stderr
    assert (
        "check_zip_runtime: " in completed.stderr and "missing (make package)" in completed.stderr
    )


# --- icons -------------------------------------------------------------------------------------


def test_icons_a_wrong_size_is_caught(inputs):
    small = inputs.assets_dir / "assets" / "images" / "small-icon.png"
    small.write_bytes(icons.png(64))
    problems = problems_of(preflight.check_icons, inputs)
    assert any("smallIconUri is 64x64, must be 108x108" in p for p in problems), problems


def test_icons_a_missing_file_or_uri_is_caught(inputs):
    (inputs.assets_dir / "assets" / "images" / "large-icon.png").unlink()
    edit_json(inputs.manifest, lambda m: listing(m, "en-IN").pop("smallIconUri"))
    problems = problems_of(preflight.check_icons, inputs)
    assert any("largeIconUri" in p and "missing" in p for p in problems), problems
    assert any(p.startswith("en-IN: smallIconUri ''") for p in problems), problems


def test_icons_a_file_that_is_not_a_png_is_caught(inputs):
    (inputs.assets_dir / "assets" / "images" / "large-icon.png").write_bytes(b"GIF89a....")
    problems = problems_of(preflight.check_icons, inputs)
    assert any("is not a PNG" in p for p in problems), problems


def test_the_committed_icons_are_the_drawing():
    assert icons.main(["--check"]) == 0


# --- URLs --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://example.net/privacy",
        "https://REPLACE-WITH-YOUR-PRIVACY-POLICY.invalid/cramp-coach/privacy",
        "http://cramp.coach/privacy",
    ],
)
def test_urls_a_placeholder_or_plain_http_privacy_url_is_caught(inputs, url):
    inputs.privacy_url = url
    assert problems_of(preflight.check_urls, inputs)


def test_urls_a_placeholder_anywhere_in_the_manifest_is_caught(inputs):
    def add_terms(m: dict) -> None:
        m["manifest"]["privacyAndCompliance"]["locales"]["en-US"]["termsOfUseUrl"] = (
            "https://www.example.org/terms"
        )

    edit_json(inputs.manifest, add_terms)
    problems = problems_of(preflight.check_urls, inputs)
    assert any("termsOfUseUrl" in p for p in problems), problems


def test_urls_without_a_url_the_published_policy_must_exist(inputs):
    inputs.privacy_url = None
    assert problems_of(preflight.check_urls, inputs) == []
    inputs.privacy_policy.unlink()
    assert problems_of(preflight.check_urls, inputs)


# --- example phrases ---------------------------------------------------------------------------


def test_example_phrases_must_start_with_alexa(inputs):
    edit_json(
        inputs.manifest, lambda m: listing(m)["examplePhrases"].__setitem__(0, "open cramp coach")
    )
    problems = problems_of(preflight.check_example_phrases, inputs)
    assert problems == ["en-GB: example phrase 'open cramp coach' must start with 'Alexa, '"]


def test_example_phrases_the_locales_model_does_not_understand_are_caught(inputs):
    # en-GB's model lacks the phrase's muscle while en-US still has it: checked per locale.
    edit_json(
        inputs.manifest,
        lambda m: listing(m)["examplePhrases"].__setitem__(
            1, "Alexa, tell cramp coach my elbow is cramping"
        ),
    )
    problems = problems_of(preflight.check_example_phrases, inputs)
    assert problems == [
        "en-GB: the model does not understand 'Alexa, tell cramp coach my elbow is cramping'"
    ]


def test_example_phrases_more_than_three_are_caught(inputs):
    edit_json(
        inputs.manifest, lambda m: listing(m)["examplePhrases"].append("Alexa, open cramp coach")
    )
    problems = problems_of(preflight.check_example_phrases, inputs)
    assert any("4 example phrases" in p for p in problems), problems


# --- disclaimer and store text -----------------------------------------------------------------


def test_disclaimer_missing_from_a_description_is_caught(inputs):
    edit_text(inputs.manifest, "It is not a substitute for professional medical advice", "Hi")
    problems = problems_of(preflight.check_disclaimer, inputs)
    assert len(problems) == 5 and all("lacks 'not a substitute" in p for p in problems)


def test_disclaimer_missing_from_the_spoken_notice_is_caught(inputs):
    edit_text(
        inputs.phrases, "It is not a substitute for professional medical advice.", "Sleep well."
    )
    problems = problems_of(preflight.check_disclaimer, inputs)
    assert problems and all("first_use_notice" in p for p in problems)


def test_store_text_a_diagnostic_claim_is_caught(inputs):
    edit_text(
        inputs.manifest, "suggests when to seek care", "tells you when a symptom needs a doctor"
    )
    problems = problems_of(preflight.check_store_text, inputs)
    assert any("reads as diagnosis" in p for p in problems), problems


def test_store_text_a_third_party_name_is_caught(inputs):
    edit_json(inputs.manifest, lambda m: listing(m)["keywords"].append("Mayo Clinic cramps"))
    problems = problems_of(preflight.check_store_text, inputs)
    assert problems == ["en-GB.keywords: names 'Mayo'; say 'public health sources'"]


# --- permissions and events --------------------------------------------------------------------


def test_permissions_a_declared_permission_the_code_never_asks_for_is_caught(inputs):
    edit_json(
        inputs.manifest,
        lambda m: m["manifest"]["permissions"].append({"name": "alexa::profile:email:read"}),
    )
    problems = problems_of(preflight.check_permissions_and_events, inputs)
    assert problems == [
        "permission alexa::profile:email:read is declared but the code never asks for it"
    ]


def test_permissions_an_event_without_a_handler_is_caught(inputs):
    edit_json(
        inputs.manifest,
        lambda m: m["manifest"]["events"]["subscriptions"].append(
            {"eventName": "SKILL_PERMISSION_ACCEPTED"}
        ),
    )
    problems = problems_of(preflight.check_permissions_and_events, inputs)
    assert problems == [
        "event SKILL_PERMISSION_ACCEPTED: no handler takes AlexaSkillEvent.SkillPermissionAccepted"
    ]


def test_permissions_the_disabled_event_needs_its_deleting_handler(inputs):
    history = inputs.code_dir / "journeys" / "history" / "deletion.py"
    edit_text(history, 'is_request_type("AlexaSkillEvent.SkillDisabled")', "False")
    problems = problems_of(preflight.check_permissions_and_events, inputs)
    assert problems == ["event SKILL_DISABLED: no handler takes AlexaSkillEvent.SkillDisabled"]


# --- model rules -------------------------------------------------------------------------------


def test_models_digits_in_a_slot_value_are_caught(inputs):
    edit_text(inputs.models_dir / "en-US.json", '"vitamin b twelve"', '"vitamin b12"')
    problems = problems_of(preflight.check_models, inputs)
    assert problems == ["en-US: RemedyType value 'vitamin b12' has digits"]


def test_models_digits_or_punctuation_in_a_sample_are_caught(inputs):
    def spoil(model: dict) -> None:
        intent(model, "AMAZON.HelpIntent").setdefault("samples", []).extend(
            ["help me in 2 minutes", "what now?"]
        )

    edit_json(inputs.models_dir / "en-US.json", spoil)
    problems = problems_of(preflight.check_models, inputs)
    assert "en-US: sample 'help me in 2 minutes' has digits; spell numbers out" in problems
    assert "en-US: sample 'what now?' has punctuation Alexa refuses" in problems


def test_models_a_duplicate_sample_in_one_intent_is_caught(inputs):
    def repeat(model: dict) -> None:
        samples = intent(model, "AMAZON.HelpIntent").setdefault("samples", [])
        samples += ["what can you do", "What can you do"]

    edit_json(inputs.models_dir / "en-CA.json", repeat)
    problems = problems_of(preflight.check_models, inputs)
    assert any(p.startswith("en-CA: duplicate sample 'What can you do'") for p in problems)


def test_models_the_same_sample_in_two_intents_is_a_conflict(inputs):
    def conflict(model: dict) -> None:
        help_intent = intent(model, "AMAZON.HelpIntent")
        plain = [
            sample
            for other in language_model(model)["intents"]
            if other is not help_intent
            for sample in other.get("samples", [])
            if "{" not in sample
        ]
        help_intent.setdefault("samples", []).append(plain[0])

    edit_json(inputs.models_dir / "en-AU.json", conflict)
    problems = problems_of(preflight.check_models, inputs)
    assert any(p.startswith("en-AU: conflicting sample") for p in problems), problems


def test_models_a_slot_the_intent_does_not_declare_is_caught(inputs):
    def undeclared(model: dict) -> None:
        intent(model, "AMAZON.HelpIntent").setdefault("samples", []).append("help with {thing}")

    edit_json(inputs.models_dir / "en-US.json", undeclared)
    problems = problems_of(preflight.check_models, inputs)
    assert "en-US: AMAZON.HelpIntent sample 'help with {thing}': no slot thing" in problems


def test_models_a_synonym_meaning_two_values_is_caught(inputs):
    def ambiguous(model: dict) -> None:
        types = {t["name"]: t for t in language_model(model)["types"]}
        values = types["RemedyType"]["values"]
        values[1]["name"].setdefault("synonyms", []).append(values[0]["name"]["value"])

    edit_json(inputs.models_dir / "en-GB.json", ambiguous)
    problems = problems_of(preflight.check_models, inputs)
    assert any("RemedyType" in p and "means both" in p for p in problems), problems


def test_models_a_bad_invocation_name_is_caught(inputs):
    def rename(model: dict) -> None:
        language_model(model)["invocationName"] = "Cramp Coach 2"

    edit_json(inputs.models_dir / "en-IN.json", rename)
    problems = problems_of(preflight.check_models, inputs)
    assert any("invocation name 'Cramp Coach 2'" in p for p in problems), problems


def test_models_a_locale_without_a_listing_is_caught(inputs):
    shutil.copy(inputs.models_dir / "en-US.json", inputs.models_dir / "fr-FR.json")
    problems = problems_of(preflight.check_models, inputs)
    assert any("differ from models" in p for p in problems), problems


# --- the zip's runtime -------------------------------------------------------------------------


def add_to_zip(path: Path, name: str, data: bytes = b"") -> None:
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(name, data)


def test_zip_byte_code_for_another_python_is_caught(inputs):
    add_to_zip(inputs.zip_path, "cramp_coach/__pycache__/skill.cpython-311.pyc")
    problems = problems_of(preflight.check_zip_runtime, inputs)
    assert problems == [
        "cramp_coach/__pycache__/skill.cpython-311.pyc: built for cpython-311, runtime is 3.12"
    ]


def test_zip_a_template_runtime_change_without_a_rebuild_is_caught(inputs):
    edit_text(inputs.template, "Runtime: python3.12", "Runtime: python3.13")
    problems = problems_of(preflight.check_zip_runtime, inputs)
    # The extension modules of the dependencies were built for 3.12.
    assert problems and all("runtime is 3.13" in p for p in problems), problems


def test_zip_x86_code_and_foreign_wheels_are_caught(inputs):
    add_to_zip(inputs.zip_path, "fast/_speed.abi3.x86_64-linux-gnu.so")
    add_to_zip(inputs.zip_path, "fast-1.0.dist-info/WHEEL", b"Tag: cp311-cp311-manylinux_aarch64\n")
    problems = problems_of(preflight.check_zip_runtime, inputs)
    assert "fast/_speed.abi3.x86_64-linux-gnu.so: x86_64 code; the function runs on arm64" in (
        problems
    )
    assert any("fast-1.0.dist-info/WHEEL: wheel cp311" in p for p in problems), problems


def test_zip_missing_is_caught(inputs):
    inputs.zip_path.unlink()
    assert problems_of(preflight.check_zip_runtime, inputs) == [
        f"{inputs.zip_path} is missing (make package)"
    ]
