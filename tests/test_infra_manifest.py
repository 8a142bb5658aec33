"""infra/skill.json and the skill package: what the skill store shows is true and deployable.

Example phrases must be things the interaction model understands (certification tries them),
the locales must be the ones we have models for, and the deploy refuses placeholders.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "infra"))

import skill_package  # noqa: E402  (infra/skill_package.py)

DISCLAIMER = (
    "Cramp Coach gives general information only. It is not a substitute for professional "
    "medical advice, diagnosis or treatment. In an emergency, call your local emergency number."
)
ENDPOINT = "arn:aws:lambda:us-east-1:123456789012:function:cramp-coach-dev:live"
PRIVACY_URL = "https://cramp.coach/privacy"
SKILL_ID = "amzn1.ask.skill.0f4e5d1a-9c2b-4f3e-8a7d-1b2c3d4e5f60"


@pytest.fixture(scope="module")
def manifest() -> dict:
    return skill_package.load_manifest()


@pytest.fixture(scope="module")
def models() -> dict[str, Path]:
    return skill_package.model_files()


def en_us(manifest: dict) -> dict:
    return manifest["manifest"]["publishingInformation"]["locales"]["en-US"]


def test_manifest_locales_are_exactly_the_interaction_models(manifest, models):
    assert "en-US" in models
    assert skill_package.manifest_locales(manifest) == set(models)
    privacy_locales = set(manifest["manifest"]["privacyAndCompliance"]["locales"])
    assert privacy_locales == set(models)


def test_every_example_phrase_is_understood_by_the_model(manifest, models):
    phrases = en_us(manifest)["examplePhrases"]
    assert 1 <= len(phrases) <= 3  # the skill store shows at most three
    assert phrases[0] == "Alexa, open cramp coach"
    assert skill_package.unmatched_example_phrases(manifest, models) == []


def test_a_phrase_the_model_does_not_know_is_caught(manifest, models):
    wrong = copy.deepcopy(manifest)
    en_us(wrong)["examplePhrases"] = [
        "Alexa, tell cramp coach my elbow is cramping",  # not a MuscleType value
        "Alexa, ask cramp coach to order pizza",  # no such sample
        "Alexa, open cramp couch",  # not the invocation name
    ]
    unmatched = skill_package.unmatched_example_phrases(wrong, models)
    assert [phrase for phrase in unmatched if phrase.startswith("en-US:")] == [
        f"en-US: {phrase}" for phrase in en_us(wrong)["examplePhrases"]
    ]


def test_slot_samples_match_values_and_synonyms_only():
    model = json.loads(skill_package.model_files()["en-US"].read_text())
    understood = skill_package.example_phrase_matches
    assert understood("Alexa, tell cramp coach my left calf is cramping", model)
    assert understood("Alexa, tell cramp coach I have a cramp in my charley horse", model)
    assert not understood("Alexa, tell cramp coach my left elbow is cramping", model)


def test_built_in_slots_take_values_of_their_kind_only():
    model = json.loads(skill_package.model_files()["en-US"].read_text())
    understood = skill_package.example_phrase_matches
    assert understood("Alexa, ask cramp coach to remind me to stretch every night at ten pm", model)
    assert understood("Alexa, ask cramp coach to remind me at nine thirty", model)
    # A bare "{time}" sample must not make any words at all an utterance.
    assert not understood("Alexa, ask cramp coach to remind me at pizza", model)
    assert not understood("Alexa, tell cramp coach order pizza", model)


def test_what_the_description_tells_people_to_say_works(manifest, models):
    """Every phrase quoted in a store description is something the skill understands."""
    for locale, listing in manifest["manifest"]["publishingInformation"]["locales"].items():
        model = json.loads(models[locale].read_text())
        quoted = re.findall(r'"([^"]+)"', listing["description"])
        assert quoted, locale
        for phrase in quoted:
            words = skill_package.normalise(phrase)
            understood = skill_package.example_phrase_matches(
                phrase, model
            ) or skill_package.utterance_matches(words, model)
            assert understood, f"{locale}: {phrase!r}"


def test_store_listing_carries_the_medical_disclaimer(manifest):
    locale = en_us(manifest)
    assert locale["name"] == "Cramp Coach"
    assert DISCLAIMER in locale["description"]
    assert len(locale["summary"]) <= 160
    assert manifest["manifest"]["publishingInformation"]["category"] == "HEALTH_AND_FITNESS"


def test_privacy_and_compliance_answers_are_truthful(manifest):
    answers = manifest["manifest"]["privacyAndCompliance"]
    assert answers["allowsPurchases"] is False
    assert answers["usesPersonalInfo"] is True  # cramp history, stored with consent
    assert answers["isChildDirected"] is False
    assert answers["isExportCompliant"] is True
    assert answers["containsAds"] is False


def test_skill_hears_when_it_is_disabled_and_may_set_reminders(manifest):
    body = manifest["manifest"]
    events = [subscription["eventName"] for subscription in body["events"]["subscriptions"]]
    assert events == ["SKILL_DISABLED"]
    permissions = [permission["name"] for permission in body["permissions"]]
    # Time zone comes from the Settings API, which needs no permission.
    assert permissions == ["alexa::alerts:reminders:skill:readwrite"]


def test_manifest_declares_exactly_the_permissions_and_events_the_code_uses(manifest):
    sources = "".join(path.read_text() for path in (ROOT / "lambda" / "cramp_coach").rglob("*.py"))
    asked_for = set(re.findall(r"alexa::[a-z:]+", sources))
    declared = {permission["name"] for permission in manifest["manifest"]["permissions"]}
    assert declared == asked_for
    # The SkillDisabled subscription has a handler that deletes the user's data.
    assert 'is_request_type("AlexaSkillEvent.SkillDisabled")' in sources


def test_the_checked_in_manifest_cannot_be_deployed_as_it_is(manifest, models, tmp_path):
    placeholder = en_us_privacy_url(manifest)
    with pytest.raises(skill_package.PackageError, match="placeholder"):
        skill_package.assemble(tmp_path / "skill-package", ENDPOINT, placeholder)
    with pytest.raises(skill_package.PackageError, match="https"):
        skill_package.assemble(tmp_path / "skill-package", ENDPOINT, "http://cramp.coach/privacy")
    with pytest.raises(skill_package.PackageError, match="Lambda"):
        skill_package.assemble(
            tmp_path / "skill-package",
            manifest["manifest"]["apis"]["custom"]["endpoint"]["uri"],
            PRIVACY_URL,
        )


def en_us_privacy_url(manifest: dict) -> str:
    return manifest["manifest"]["privacyAndCompliance"]["locales"]["en-US"]["privacyPolicyUrl"]


def test_skill_package_has_the_ask_cli_layout_with_endpoint_and_models(models, tmp_path):
    out = skill_package.assemble(tmp_path / "skill-package", ENDPOINT, PRIVACY_URL, SKILL_ID)
    written = json.loads((out / "skill.json").read_text())["manifest"]
    assert written["apis"]["custom"]["endpoint"]["uri"] == ENDPOINT
    assert written["events"]["endpoint"]["uri"] == ENDPOINT
    assert en_us_privacy_url({"manifest": written}) == PRIVACY_URL
    for locale, source in models.items():
        packaged = out / "interactionModels" / "custom" / f"{locale}.json"
        assert json.loads(packaged.read_text()) == json.loads(source.read_text())
    resources = json.loads((tmp_path / "ask-resources.json").read_text())
    assert resources["profiles"]["default"] == {"skillMetadata": {"src": "./skill-package"}}
    # The existing skill's id, so `ask deploy` updates it instead of creating another skill.
    states = json.loads((tmp_path / ".ask" / "ask-states.json").read_text())
    assert states["profiles"]["default"] == {"skillId": SKILL_ID}


def test_skill_package_refuses_a_model_without_a_listing(manifest, tmp_path):
    models_dir = tmp_path / "models"
    models_dir.mkdir()
    model = skill_package.model_files()["en-US"].read_text()
    for locale in ("en-US", "en-GB"):
        (models_dir / f"{locale}.json").write_text(model)
    with pytest.raises(skill_package.PackageError, match="locales"):
        skill_package.assemble(tmp_path / "out", ENDPOINT, PRIVACY_URL, models_dir=models_dir)


# --- make deploy refuses to start without what it needs ---------------------------------------


def run_deploy(**variables: str) -> subprocess.CompletedProcess:
    environment = {"PATH": os.environ["PATH"], "PYTHON": sys.executable, **variables}
    return subprocess.run(
        ["bash", str(ROOT / "infra" / "deploy.sh")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,  # the deploy builds the zip (byte code by Python 3.12) and runs preflight
        check=False,
    )


@pytest.mark.packaging
@pytest.mark.parametrize(
    ("variables", "complaint"),
    [
        ({"STAGE": "dev", "PRIVACY_URL": PRIVACY_URL}, "SKILL_ID"),
        ({"SKILL_ID": SKILL_ID, "PRIVACY_URL": PRIVACY_URL}, "STAGE"),
        ({"SKILL_ID": SKILL_ID, "STAGE": "dev"}, "PRIVACY_CONTACT"),
        (
            {"SKILL_ID": SKILL_ID, "STAGE": "dev", "PRIVACY_CONTACT": "me@example.com"},
            "placeholder",
        ),
        ({"SKILL_ID": SKILL_ID, "STAGE": "prod", "PRIVACY_URL": PRIVACY_URL}, "ALARM_TOPIC_ARN"),
        (
            {
                "SKILL_ID": SKILL_ID,
                "STAGE": "dev",
                "PRIVACY_URL": "https://REPLACE-WITH-YOUR-PRIVACY-POLICY.invalid/cramp-coach/privacy",
            },
            "is a placeholder",
        ),
    ],
)
def test_deploy_refuses_missing_or_placeholder_values(variables, complaint):
    completed = run_deploy(**variables)
    assert completed.returncode == 2
    assert complaint in completed.stderr


# --- make deploy drives sam, aws and ask with the right arguments ------------------------------
# The real tools need AWS and Amazon accounts; these stand-ins record each call and answer the
# two questions deploy.sh asks (does the stack exist, what is its endpoint output).

STACK_BUCKET = "cramp-coach-dev-privacypagebucket-1a2b3c"
STACK_PAGE = f"https://{STACK_BUCKET}.s3.us-east-1.amazonaws.com/privacy.html"
FAKE_TOOL = """#!/usr/bin/env bash
echo "$(basename "$0") $* @ $PWD" >> "$CALLS"
tool="$(basename "$0")"
if [[ $tool == aws && "$*" == *SkillEndpointArn* ]]; then echo "{endpoint}"; exit 0; fi
if [[ $tool == aws && "$*" == *PrivacyPolicyUrl* ]]; then echo "{page}"; exit 0; fi
if [[ $tool == aws && "$*" == *PrivacyPageBucketName* ]]; then echo "{bucket}"; exit 0; fi
if [[ $tool == aws && "$*" == s3* ]]; then exit 0; fi
if [[ "$(basename "$0")" == aws ]]; then [[ -n "${{STACK_EXISTS:-}}" ]] || exit 254; fi
exit 0
"""


@pytest.fixture
def fake_tools(tmp_path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sam", "aws", "ask"):
        path = bin_dir / tool
        path.write_text(FAKE_TOOL.format(endpoint=ENDPOINT, page=STACK_PAGE, bucket=STACK_BUCKET))
        path.chmod(0o755)
    return {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "CALLS": str(tmp_path / "calls.log"),
        "ASK_CLI": str(bin_dir / "ask"),
    }


def deploy_calls(environment: dict[str, str]) -> list[str]:
    return Path(environment["CALLS"]).read_text().splitlines()


@pytest.mark.packaging
def test_first_deploy_passes_skill_id_stage_and_salt_then_updates_the_skill(fake_tools):
    variables = {"SKILL_ID": SKILL_ID, "STAGE": "dev", "PRIVACY_URL": PRIVACY_URL}
    completed = run_deploy(**fake_tools, **variables, USER_HASH_SALT="ab" * 32)
    assert completed.returncode == 0, completed.stderr
    calls = deploy_calls(fake_tools)
    (sam,) = [call for call in calls if call.startswith("sam deploy")]
    assert "--template-file infra/template.yaml" in sam
    assert "--stack-name cramp-coach-dev" in sam
    assert f"SkillId={SKILL_ID}" in sam and "Stage=dev" in sam
    assert "UserHashSalt=" + "ab" * 32 in sam
    (ask,) = [call for call in calls if call.startswith("ask ")]
    assert "deploy --target skill-metadata" in ask and ask.endswith(str(ROOT / "build"))
    packaged = json.loads((ROOT / "build" / "skill-package" / "skill.json").read_text())
    assert packaged["manifest"]["apis"]["custom"]["endpoint"]["uri"] == ENDPOINT


@pytest.mark.packaging
def test_later_deploys_keep_the_salt_and_a_first_deploy_needs_one(fake_tools):
    variables = {"SKILL_ID": SKILL_ID, "STAGE": "dev", "PRIVACY_URL": PRIVACY_URL}
    later = run_deploy(**fake_tools, **variables, STACK_EXISTS="1", SKIP_SKILL_UPDATE="1")
    assert later.returncode == 0, later.stderr
    (sam,) = [call for call in deploy_calls(fake_tools) if call.startswith("sam deploy")]
    assert "UserHashSalt" not in sam  # sam deploy keeps the stack's previous value

    first = run_deploy(**fake_tools, **variables)
    assert first.returncode == 2
    assert "USER_HASH_SALT" in first.stderr


@pytest.mark.packaging
def test_preflight_stops_a_deploy_whose_phrases_the_model_does_not_know(manifest, tmp_path):
    wrong = copy.deepcopy(manifest)
    for locale in wrong["manifest"]["publishingInformation"]["locales"].values():
        locale["examplePhrases"] = ["Alexa, ask cramp coach to order pizza"]
    path = tmp_path / "skill.json"
    path.write_text(json.dumps(wrong))
    with pytest.raises(skill_package.PackageError, match="order pizza"):
        skill_package.preflight(PRIVACY_URL, manifest_path=path)


@pytest.mark.packaging
def test_without_a_url_of_your_own_the_stacks_page_is_published_and_named(fake_tools):
    variables = {"SKILL_ID": SKILL_ID, "STAGE": "dev", "PRIVACY_CONTACT": "privacy@cramp.coach"}
    completed = run_deploy(**fake_tools, **variables, USER_HASH_SALT="ab" * 32)
    assert completed.returncode == 0, completed.stderr
    calls = deploy_calls(fake_tools)
    (upload,) = [call for call in calls if call.startswith("aws s3 cp")]
    assert f"build/privacy.html s3://{STACK_BUCKET}/privacy.html" in upload
    assert "text/html" in upload
    page = (ROOT / "build" / "privacy.html").read_text()
    assert "privacy@cramp.coach" in page and "delete my history" in page
    packaged = json.loads((ROOT / "build" / "skill-package" / "skill.json").read_text())
    assert en_us_privacy_url(packaged) == STACK_PAGE
    # The preflight ran (and passed) before the stack was touched.
    assert "preflight: 9 checks passed" in completed.stdout  # with check_edition
    assert completed.stdout.index("preflight") < completed.stdout.index("sam deploy")


def test_skill_package_carries_the_icons_the_manifest_names(tmp_path):
    from icons import png_size

    out = skill_package.assemble(tmp_path / "skill-package", ENDPOINT, PRIVACY_URL)
    written = json.loads((out / "skill.json").read_text())["manifest"]
    for locale, listing in written["publishingInformation"]["locales"].items():
        for key, size in (("smallIconUri", 108), ("largeIconUri", 512)):
            relative = listing[key].removeprefix("file://")
            assert listing[key].startswith("file://assets/images/"), locale
            assert png_size((out / relative).read_bytes()) == (size, size)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/privacy",
        "https://www.example.net/privacy",
        "https://docs.example.org/cramp",
        "https://cramp.test/privacy",
        "http://cramp.coach/privacy",
    ],
)
def test_placeholder_and_plain_http_privacy_urls_are_refused(url):
    with pytest.raises(skill_package.PackageError):
        skill_package.check_privacy_url(url)


def test_a_real_domain_that_ends_like_a_placeholder_is_accepted():
    assert skill_package.check_privacy_url("https://myexample.com/privacy")
