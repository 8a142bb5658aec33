"""The store-safe edition (CRAMP_EDITION=store-safe), through the real lambda_handler with
full envelopes: every journey that remains works, nothing asks for consent or mentions a
history unless asked, and no call ever reaches a store. Then its interaction model, skill
package, privacy page and stack. The full edition is what every other suite tests."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import lambda_function
import pytest
from cfn_editions import for_edition
from cfnlint.decode import decode_str
from container import serve
from cramp_coach import config, store
from cramp_coach.content import content_for
from cramp_coach.journeys.no_history import HISTORY_INTENTS
from cramp_coach.skill import REQUEST_HANDLERS, build_skill
from cramp_coach.webservice import privacy_page
from envelopes import DAY, NIGHT, Conversation, plain, shift, skill_disabled, speech_of
from fake_alexa_api import FakeAlexaApi
from test_infra_manifest import SKILL_ID, deploy_calls, fake_tools, run_deploy  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "infra"))
import preflight  # noqa: E402  (infra/preflight.py)
import skill_package  # noqa: E402  (infra/skill_package.py)

C = content_for("en-US")
USER = "amzn1.ask.account.STORESAFE"
STRETCH = "Straighten your left leg, pull your toes toward you."
NO_HISTORY = C.phrase("no_history")
TIP_IDS = [item.id for item in C.items("tips")]
# Words that would mean the skill asked to keep something or talked of a kept history.
KEEPING_WORDS = ("private count", "keep count", "history", "consent", "saved", "logged")
AT_2100 = "2026-11-27T02:00:00Z"  # 21:00 in New York on the 26th: the evening launch


class UntouchableStore:
    """A CrampStore that records any call: the store-safe edition must make none."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name: str):
        def called(*args, **kwargs):
            self.calls.append(name)
            raise AssertionError(f"the store-safe edition called store.{name}")

        return called


@pytest.fixture
def untouchable(monkeypatch):
    """lambda_handler running the store-safe edition, with a store that must stay untouched
    and a DynamoDB client that fails the test if anything asks for one."""
    monkeypatch.setenv("CRAMP_EDITION", "store-safe")
    monkeypatch.delenv("USER_HASH_SALT")  # nothing is hashed, so no salt is needed to start
    dynamo_clients: list[str] = []
    monkeypatch.setattr(store, "client", lambda: dynamo_clients.append("client") or 1 / 0)
    kept = UntouchableStore()
    serve(monkeypatch, kept)
    yield kept
    assert kept.calls == [], "the store-safe edition touched the store"
    assert dynamo_clients == [], "the store-safe edition asked for a DynamoDB client"


def said(response: dict) -> str:
    return plain(speech_of(response))


def ends(response: dict) -> bool:
    return response["response"].get("shouldEndSession") is True


def keeps_quiet_about_keeping(response: dict) -> None:
    words = (said(response) + " " + json.dumps(response["response"].get("card", {}))).lower()
    assert not [w for w in KEEPING_WORDS if w in words], said(response)
    assert (response.get("sessionAttributes") or {}).get("asking") not in ("consent", "delete")


def chat(at: str = NIGHT, user: str = USER) -> Conversation:
    return Conversation(lambda_function.lambda_handler, at=at, user=user)


# --- a cramp, start to end ----------------------------------------------------------------


def test_a_cramp_is_coached_to_its_end_without_a_consent_question(untouchable):
    night = chat()
    first = night.say("CrampNowIntent", muscle="calf", side="left")
    assert said(first).startswith(STRETCH)
    still = night.say("StillCrampingIntent")
    assert said(still) and not ends(still)
    better = night.say("CrampEasedIntent")
    assert said(better).startswith(C.phrase("better_night"))
    assert ends(better), "the goodbye asks nothing"
    for response in (first, still, better):
        keeps_quiet_about_keeping(response)


def test_an_episode_left_to_time_out_is_not_recorded_anywhere(untouchable):
    night = chat()
    night.say("CrampNowIntent", muscle="foot")
    night.end()  # the user fell asleep: the full edition would count the cramp here
    night.launch()


def test_by_day_the_notice_is_said_once_a_session_and_at_night_not_before_the_stretch(
    untouchable,
):
    notice = C.phrase("first_use_notice", emergency_number="911").split(".")[1].strip()
    day = chat(at=DAY)
    opened = day.launch()
    assert notice in said(opened) and said(opened).endswith(C.phrase("launch_day"))
    keeps_quiet_about_keeping(opened)
    again = day.say("CrampNowIntent", muscle="calf")  # same session
    day.say("CrampEasedIntent")
    assert notice not in said(again) + said(day.last)
    assert notice in said(chat(at=shift(DAY, days=1)).launch()), "nothing remembers a user"
    night = chat().launch()
    assert said(night).startswith("Straighten your leg") and notice not in said(night)


# --- what needs memory in the full edition ----------------------------------------------------


def test_tonights_tip_differs_on_two_nights_running(untouchable):
    heard = []
    for night in range(2):
        evening = chat(at=shift(AT_2100, days=night))
        assert said(evening.launch()) == C.phrase("evening_launch")
        tip = evening.say("AMAZON.YesIntent")
        heard.append(said(tip)[:60])
        keeps_quiet_about_keeping(tip)
    assert heard[0] != heard[1]


def test_a_week_of_nightly_tips_never_repeats_on_consecutive_nights(untouchable):
    heard = [
        said(chat(at=shift(AT_2100, days=n)).say("TipIntent"))[:60] for n in range(len(TIP_IDS))
    ]
    assert all(a != b for a, b in zip(heard, heard[1:], strict=False))
    assert len(set(heard)) == len(TIP_IDS), "over as many nights as tips, each one once"


def test_more_tips_in_one_session_still_rotate(untouchable):
    day = chat(at=DAY)
    first = said(day.say("TipIntent"))
    second = said(day.say("AMAZON.YesIntent"))
    assert first != second


def test_the_bedtime_reminder_is_set_and_found_through_alexa_alone(untouchable):
    with FakeAlexaApi() as api:
        bedside = Conversation(api.serving(lambda_function.lambda_handler), at=DAY, user=USER)
        asked = bedside.say("SetReminderIntent", time="22:00")
        assert said(asked) == "I'll remind you every night at 10 PM to stretch. Shall I set it?"
        done = bedside.say("AMAZON.YesIntent")
        assert said(done).startswith("Done.")
        assert len(api.reminders) == 1
        found = Conversation(api.serving(lambda_function.lambda_handler), at=DAY, user=USER)
        assert "10 PM" in said(found.say("ListRemindersIntent"))
        assert api.problems == []


# --- asked about a history it does not keep ---------------------------------------------------


@pytest.mark.parametrize("intent", ["NoHistoryIntent", *HISTORY_INTENTS])
@pytest.mark.parametrize("at", [DAY, NIGHT])
def test_history_questions_hear_plainly_that_nothing_is_kept(untouchable, intent, at):
    response = chat(at=at).say(intent)
    assert said(response).startswith(NO_HISTORY)
    assert not ends(response), "they may still have a cramp to name"
    assert (response.get("sessionAttributes") or {}).get("asking") is None


def test_a_session_claiming_a_consent_or_delete_question_changes_nothing(untouchable):
    for question in ("consent", "delete"):
        forged = chat(at=DAY)
        forged.attributes = {"asking": question, "pending_cramp": {"at": "x"}}
        forged.new = False
        response = forged.say("AMAZON.YesIntent")
        assert said(response) == C.phrase("fallback")
        keeps_quiet_about_keeping(response)


def test_disabling_the_skill_is_acknowledged_with_nothing_to_delete(untouchable):
    event = skill_disabled(USER, at=DAY)
    response = lambda_function.lambda_handler(event, None)
    assert "outputSpeech" not in response.get("response", {})


def test_help_and_fallback_make_sense_without_a_history(untouchable):
    for name in ("AMAZON.HelpIntent", "AMAZON.FallbackIntent"):
        keeps_quiet_about_keeping(chat(at=DAY).say(name))


# --- the switch itself --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["storesafe", "on", "history", "FULL EDITION"])
def test_an_unknown_edition_stops_the_skill_at_start_with_what_to_set(monkeypatch, value):
    monkeypatch.setenv("CRAMP_EDITION", value)
    with pytest.raises(config.ConfigError, match="'full'.*'store-safe'"):
        build_skill(store=UntouchableStore())


@pytest.mark.parametrize(
    ("value", "edition"), [(None, "full"), ("", "full"), (" Store-Safe ", "store-safe")]
)
def test_unset_is_the_full_edition_and_case_does_not_matter(monkeypatch, value, edition):
    if value is None:
        monkeypatch.delenv("CRAMP_EDITION", raising=False)
    else:
        monkeypatch.setenv("CRAMP_EDITION", value)
    assert config.load_settings().edition == edition


def test_the_full_edition_still_needs_its_salt_and_keeps_its_history_journeys(monkeypatch):
    monkeypatch.setenv("CRAMP_EDITION", "full")
    monkeypatch.setenv("USER_HASH_SALT", "")
    with pytest.raises(config.ConfigError, match="USER_HASH_SALT"):
        build_skill(store=UntouchableStore())
    names = {n for h in REQUEST_HANDLERS for n in getattr(h, "names", ())}
    assert {"WhichLegIntent", "CrampHistoryIntent"} <= names and "NoHistoryIntent" not in names


# --- the interaction model ------------------------------------------------------------------


def store_safe_models() -> dict[str, dict]:
    folder = skill_package.models_dir_for("store-safe")
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


def intents_of(model: dict) -> dict[str, dict]:
    return {i["name"]: i for i in model["interactionModel"]["languageModel"]["intents"]}


def test_the_skill_knows_every_history_intent_the_full_model_has():
    """A history intent added to the model but not to no_history.HISTORY_INTENTS would reach
    a store-safe skill as an unknown intent instead of hearing that nothing is kept."""
    part = json.loads((ROOT / "interaction_model" / "parts" / "history.json").read_text())
    assert set(HISTORY_INTENTS) == {intent["name"] for intent in part["intents"]}


def test_the_store_safe_model_has_no_history_intent_and_hears_history_questions():
    models = store_safe_models()
    assert sorted(models) == sorted(skill_package.model_files())
    for locale, model in models.items():
        intents = intents_of(model)
        assert not set(HISTORY_INTENTS) & set(intents), locale
        samples = {s.lower() for s in intents["NoHistoryIntent"]["samples"]}
        assert {"delete my history", "how many cramps have i had", "log a cramp"} <= samples
        assert all("{" not in s for s in samples), "no slots: nothing to keep"
        types = {t["name"] for t in model["interactionModel"]["languageModel"]["types"]}
        assert "HistoryPeriodType" not in types


def test_the_store_safe_model_keeps_every_other_intent_of_the_full_one():
    full = json.loads((skill_package.MODELS_DIR / "en-US.json").read_text())
    safe = store_safe_models()["en-US"]
    assert set(intents_of(full)) - set(HISTORY_INTENTS) == set(intents_of(safe)) - {
        "NoHistoryIntent"
    }
    for name, intent in intents_of(safe).items():
        if name != "NoHistoryIntent":
            assert intent == intents_of(full)[name], name


# --- manifest, preflight, privacy page -------------------------------------------------------


def test_the_store_safe_manifest_promises_and_subscribes_to_nothing_kept():
    manifest = skill_package.load_manifest(edition="store-safe")["manifest"]
    assert "events" not in manifest
    assert manifest["privacyAndCompliance"]["usesPersonalInfo"] is False
    assert manifest["permissions"] == [{"name": "alexa::alerts:reminders:skill:readwrite"}]
    for listing in manifest["publishingInformation"]["locales"].values():
        assert "delete my history" not in listing["description"]
        assert "keeps nothing about you" in listing["description"]
        assert preflight.DISCLAIMER in listing["description"]
    assert "keeps nothing" in manifest["publishingInformation"]["testingInstructions"]
    full = skill_package.load_manifest()["manifest"]
    assert full["events"]["subscriptions"] == [{"eventName": "SKILL_DISABLED"}]


def test_a_reworded_full_description_stops_the_store_safe_package(tmp_path):
    manifest = json.loads(skill_package.MANIFEST.read_text())
    for listing in manifest["manifest"]["publishingInformation"]["locales"].values():
        listing["description"] = listing["description"].replace("simple history", "full log")
    with pytest.raises(skill_package.PackageError, match="promises no history"):
        skill_package.store_safe_manifest(manifest)


def test_the_store_safe_package_is_assembled_with_its_own_models(tmp_path):
    endpoint = "arn:aws:lambda:us-east-1:123456789012:function:cramp-coach-dev:live"
    out = skill_package.assemble(
        tmp_path / "pkg", endpoint, "https://cramp.coach/privacy", edition="store-safe"
    )
    packaged = json.loads((out / "skill.json").read_text())["manifest"]
    assert "events" not in packaged
    model = json.loads((out / "interactionModels/custom/en-GB.json").read_text())
    assert "NoHistoryIntent" in intents_of(model) and "LogCrampIntent" not in intents_of(model)


def edition_checks(edition: str, **changes) -> list[str]:
    inputs = preflight.Inputs(edition=edition, **changes)
    return preflight.check_edition(inputs) + preflight.check_models(inputs)


def test_preflight_passes_each_editions_own_package():
    assert edition_checks("full") == []
    assert edition_checks("store-safe") == []


def test_preflight_catches_a_store_safe_package_built_from_the_full_model():
    problems = edition_checks("store-safe", models_dir=skill_package.MODELS_DIR)
    assert any("history intent LogCrampIntent" in p for p in problems)


def test_each_edition_publishes_the_policy_that_says_what_it_keeps(monkeypatch):
    details = {
        "contact": "privacy@cramp.coach",
        "operator": "Cramp Coach Ltd",
        "region": "eu-west-1",
        "retention_days": "400",
        "log_retention_days": "30",
    }
    monkeypatch.setenv("CRAMP_EDITION", "store-safe")
    safe = privacy_page.render(details)
    assert "keeps <strong>nothing about you</strong>" in safe
    assert "delete my history" in safe  # ...only to say there is nothing to delete
    assert "Shall I keep a private count" not in safe and "DynamoDB" not in safe
    monkeypatch.setenv("CRAMP_EDITION", "full")
    full = privacy_page.render(details)
    assert "Shall I keep a private count" in full and "eu-west-1" in full


# --- the stack -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store_safe_stack() -> dict:
    template, errors = decode_str((ROOT / "infra" / "template.yaml").read_text())
    assert not errors
    return for_edition(template, "store-safe")


def test_the_store_safe_stack_has_no_table_and_no_table_permission(store_safe_stack):
    resources = store_safe_stack["Resources"]
    assert not [r for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table"]
    text = json.dumps(resources, default=str)
    assert "dynamodb:" not in text and "CrampTable" not in text
    variables = resources["SkillFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["CRAMP_EDITION"] == {"Ref": "Edition"}
    assert "CRAMP_TABLE_NAME" not in variables and "USER_HASH_SALT" not in variables
    assert "TableName" not in store_safe_stack["Outputs"]
    assert store_safe_stack["Parameters"]["Edition"]["AllowedValues"] == ["full", "store-safe"]


def test_the_full_edition_cannot_deploy_without_a_salt(store_safe_stack):
    rule = store_safe_stack["Rules"]["HistoryNeedsASalt"]
    assert rule["RuleCondition"] == {"Fn::Equals": [{"Ref": "Edition"}, "full"]}


@pytest.mark.slow
def test_the_store_safe_stack_after_the_sam_transform_lints_clean(tmp_path, monkeypatch):
    from cfnlint.api import lint_file
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    class NoManagedPolicies:
        def load(self) -> dict:
            return {}

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    sam = yaml_parse((ROOT / "infra" / "template.yaml").read_text())
    sam["Resources"]["SkillFunction"]["Properties"]["CodeUri"] = "s3://artefacts/cramp-coach.zip"
    parameters = {
        "SkillId": "amzn1.ask.skill.0f4e5d1a-9c2b-4f3e-8a7d-1b2c3d4e5f60",
        "Stage": "dev",
        "Edition": "store-safe",
    }
    deployed = transform(sam, parameters, NoManagedPolicies())
    path = tmp_path / "deployed.json"
    path.write_text(json.dumps(deployed))
    assert [str(match) for match in lint_file(path)] == []


@pytest.mark.packaging
def test_a_store_safe_deploy_needs_no_salt_and_ships_the_store_safe_package(
    fake_tools,  # noqa: F811  (the fixture, imported from test_infra_manifest)
):
    variables = {"SKILL_ID": SKILL_ID, "STAGE": "dev", "PRIVACY_CONTACT": "privacy@cramp.coach"}
    completed = run_deploy(**fake_tools, **variables, EDITION="store-safe")
    assert completed.returncode == 0, completed.stderr
    (sam,) = [c for c in deploy_calls(fake_tools) if c.startswith("sam deploy")]
    assert "Edition=store-safe" in sam and "UserHashSalt" not in sam
    page = (ROOT / "build" / "privacy.html").read_text()
    assert "nothing about you" in page
    packaged = json.loads((ROOT / "build" / "skill-package" / "skill.json").read_text())
    assert "events" not in packaged["manifest"]
