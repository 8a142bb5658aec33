"""Being understood: no bare slot takes unrelated words, a bare time is taken only while the
skill asks for one, at night "when in doubt, stretch", and the held-out phrase set through a
real client (virtual-alexa) against the web service."""

import json
import shutil
import sys
from pathlib import Path

import pytest
from checks import assert_valid_response
from cramp_coach.content import content_for
from envelopes import DAY, NIGHT, Conversation, first_sentence, plain, speech_of
from lambda_function import lambda_handler

ROOT = Path(__file__).resolve().parents[1]
CONTENT = content_for("en-US")


def first_relief(muscle: str):
    """The first technique the skill gives for a muscle (its lowest step)."""
    relief = (i for i in CONTENT.items("relief") if i.get("muscle") == muscle)
    return min(relief, key=lambda i: i.get("step"))


CALF_FIRST = first_relief("calf")
MODELS = sorted((ROOT / "interaction_model").glob("*-*.json"))


def talk(at=NIGHT):
    return Conversation(lambda_handler, at=at)


# --- when in doubt at night, stretch -----------------------------------------------------


@pytest.mark.parametrize("name", ["AMAZON.FallbackIntent", "SomethingNobodyDefinedIntent"])
def test_at_night_words_that_land_nowhere_lead_with_the_calf_stretch(name):
    response = talk().say(name)
    assert_valid_response(response)
    assert plain(first_sentence(response)) == plain(CALF_FIRST.speech.format(leg="your leg"))
    assert plain(speech_of(response)).endswith(CONTENT.phrase("fallback_night_offer"))
    assert response["response"]["shouldEndSession"] is False
    assert response["sessionAttributes"]["asking"] == "muscle"  # "Another muscle?" is open


def test_at_night_a_miss_while_the_skill_asks_a_question_asks_again():
    chat = talk()
    chat.say("SetReminderIntent")  # "What time should I remind you?"
    response = chat.say("AMAZON.FallbackIntent")
    assert plain(speech_of(response)) == CONTENT.phrase("fallback")
    assert response["response"]["shouldEndSession"] is False


def test_by_day_a_miss_gets_a_short_prompt_not_a_stretch():
    response = talk(DAY).say("AMAZON.FallbackIntent")
    assert plain(speech_of(response)) == CONTENT.phrase("fallback")
    assert len(plain(speech_of(response)).split()) <= 20


# --- no bare slot takes unrelated words ----------------------------------------------------


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_no_sample_is_a_bare_built_in_slot(path):
    sys.path.insert(0, str(ROOT / "interaction_model"))
    import build

    model = json.loads(path.read_text())
    assert build.check(model) == []
    language = model["interactionModel"]["languageModel"]
    set_reminder = next(i for i in language["intents"] if i["name"] == "SetReminderIntent")
    assert "{time}" not in set_reminder["samples"]
    time_slot = next(s for s in set_reminder["slots"] if s["name"] == "time")
    assert "{time}" in time_slot["samples"]  # heard only while the skill elicits it
    elicited = {i["name"] for i in model["interactionModel"]["dialog"]["intents"]}
    assert {"SetReminderIntent", "ChangeReminderIntent"} <= elicited


@pytest.mark.parametrize(
    "asked, intent", [("SetReminderIntent", "SetReminderIntent"), ("ChangeReminderIntent", None)]
)
def test_asking_for_a_time_elicits_the_time_slot_so_a_bare_time_is_an_answer(asked, intent):
    chat = talk(DAY)
    response = chat.say(asked)
    assert elicited(response) == [(intent or asked, "time")]
    # Alexa then sends the elicited intent with the time it heard ("ten pm" -> "22:00").
    answer = chat.say(asked, time="22:00")
    assert "10 PM" in plain(speech_of(answer))
    assert answer["sessionAttributes"]["asking"] == "bedtime_set"


def first_technique(muscle: str) -> str:
    return first_relief(muscle).speech.format(leg="your leg")


def elicited(response) -> list[tuple[str, str]]:
    directives = response["response"].get("directives", [])
    return [
        (d["updatedIntent"]["name"], d["slotToElicit"])
        for d in directives
        if d["type"] == "Dialog.ElicitSlot"
    ]


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_a_bare_muscle_or_symptom_is_only_a_slot_sample(path):
    model = json.loads(path.read_text())
    intents = {i["name"]: i for i in model["interactionModel"]["languageModel"]["intents"]}
    for intent, name in [("CrampNowIntent", "muscle"), ("SymptomIntent", "symptom")]:
        assert f"{{{name}}}" not in intents[intent]["samples"]
        assert f"my {{{name}}}" not in intents[intent]["samples"]
        slot_samples = next(s for s in intents[intent]["slots"] if s["name"] == name)["samples"]
        assert f"{{{name}}}" in slot_samples  # heard only while the skill elicits it
    elicitable = {i["name"] for i in model["interactionModel"]["dialog"]["intents"]}
    assert {"CrampNowIntent", "SymptomIntent"} <= elicitable


def test_at_night_another_muscle_is_asked_for_so_a_bare_muscle_is_an_answer():
    chat = talk()
    response = chat.say("AMAZON.FallbackIntent")  # the calf stretch, then "another muscle?"
    assert elicited(response) == [("CrampNowIntent", "muscle")]
    # Alexa then sends CrampNowIntent with the muscle it heard ("my hamstring").
    answer = chat.say("CrampNowIntent", muscle="hamstring")
    assert plain(first_technique("hamstring")) in plain(speech_of(answer))


def test_the_launch_asks_without_a_directive():
    response = talk().launch()  # a launch reply keeps a plain question: never refused
    assert_valid_response(response)
    assert elicited(response) == []
    assert response["sessionAttributes"]["asking"] == "muscle"


def test_a_name_not_placed_after_the_night_launch_is_asked_for_again_with_elicitation():
    chat = talk()
    chat.launch()  # the calf stretch, then "Another muscle? Just name it."
    response = chat.say("AMAZON.FallbackIntent")  # a bare "hamstring" after the launch
    assert elicited(response) == [("CrampNowIntent", "muscle")]
    assert plain(speech_of(response)) == CONTENT.phrase("fallback")
    assert response["sessionAttributes"]["asking"] == "muscle"
    answer = chat.say("CrampNowIntent", muscle="hamstring")
    assert plain(first_technique("hamstring")) in plain(speech_of(answer))


def test_what_do_you_notice_asks_for_the_symptom_so_a_bare_symptom_is_an_answer():
    chat = talk(DAY)
    chat.say("WhenToWorryIntent")
    response = chat.say("AMAZON.YesIntent")  # "If one of these is happening now, tell me"
    assert elicited(response) == [("SymptomIntent", "symptom")]
    answer = chat.say("SymptomIntent", symptom="chest_pain")
    assert "911" in plain(speech_of(answer))


# --- the held-out set through virtual-alexa ------------------------------------------------


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_held_out_phrases_through_virtual_alexa_land_in_their_own_journey(tmp_path):
    from tools import understanding

    numbers = tmp_path / "numbers.json"
    result = understanding.run(["--short", "12", "--min", "0", "--json", str(numbers)])
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(numbers.read_text())
    assert set(report["byLocale"]) == {"en-US", "en-GB", "en-CA", "en-AU", "en-IN"}
    wrong = [
        m
        for m in report["misses"]
        if m["got"]["intent"] not in (m["intent"], "AMAZON.FallbackIntent")
    ]
    assert wrong == [], "phrases that landed in another journey"
    unanswered = [m for m in report["misses"] if not m["got"]["answered"]]
    assert unanswered == []


def test_the_model_check_names_each_broken_rule():
    sys.path.insert(0, str(ROOT / "interaction_model"))
    import build

    def model(intents):
        muscle = {
            "name": "MuscleType",
            "values": [{"id": "calf", "name": {"value": "calf", "synonyms": []}}],
        }
        return {"interactionModel": {"languageModel": {"intents": intents, "types": [muscle]}}}

    slots = [{"name": "muscle", "type": "MuscleType"}, {"name": "time", "type": "AMAZON.TIME"}]
    problems = build.check(
        model(
            [
                {
                    "name": "A",
                    "slots": slots,
                    "samples": ["my {muscle} hurts", "at {time}", "ten 10"],
                },
                {"name": "B", "samples": ["my calf hurts", "ten 10"]},
            ]
        )
    )
    text = "\n".join(problems)
    assert "'at {time}' gives {time}" in text  # a built-in slot with one word around it
    assert "'ten 10' has a digit" in text
    assert "'ten 10' belongs to ['A', 'B']" in text
    assert "'my calf hurts' (B) is also 'my {muscle} hurts' (A)" in text
