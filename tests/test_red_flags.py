"""Red flags through the real lambda_handler: the action comes first, in every locale's words.

The expected level of each symptom is written out here by hand (from docs/evidence.md, "When to
get help"), not read from content/, so a content edit that changes a level fails a test.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import json
import re
import tomllib
from pathlib import Path

import pytest
from checks import assert_valid_response
from cramp_coach import triage
from cramp_coach.content import content_for
from dynamo import DYNAMO, CallCounter
from envelopes import DAY, NIGHT, Conversation, first_sentence, local_moment, plain, speech_of
from lambda_function import lambda_handler

from tools.triage_probes import level_of_text
from tools.utterances import Resolver

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
MODEL = ROOT / "interaction_model" / "en-US.json"

SEVERITY = ("emergency", "urgent", "soon", "routine")  # most serious first
EXPECTED_LEVEL = {
    # emergency: the market's emergency number first
    "chest_pain": "emergency",
    "breathless": "emergency",
    "cold_pale": "emergency",  # a leg suddenly cold, pale or blue: blood supply
    "cant_move_or_feel": "emergency",
    "tetanus_signs": "emergency",  # stiff jaw, spasms after a wound
    "saddle_numb": "emergency",  # cauda equina
    "bladder_bowel": "emergency",
    # urgent: same-day care, named for the market
    "swollen": "urgent",
    "red": "urgent",
    "warm": "urgent",
    "tender": "urgent",
    "one_leg_bigger": "urgent",
    "pregnant_swollen": "urgent",
    "pregnancy_warning": "urgent",  # maternity unit now
    "clot_risk": "urgent",
    "cut_soil": "urgent",
    "lead_mercury": "urgent",
    "long_cramp": "urgent",
    "numb": "urgent",  # Merck: cramps with loss of feeling, weakness or twitching, right away
    "weak": "urgent",
    "tingling": "urgent",
    "twitching": "urgent",
    "cramps_elsewhere": "urgent",
    "belly_pain": "urgent",  # never "see a doctor soon"
    "water_tablets": "urgent",
    "fluid_loss": "urgent",
    "statin": "urgent",  # possible muscle breakdown
    "dark_urine": "urgent",
    # soon: within a day or two
    "pain_walking": "soon",
    "new_medicine": "soon",
    # routine: see your doctor
    "muscle_shrinking": "routine",
    "keeps_waking": "routine",
    "pregnant": "routine",
    "restless_urge": "routine",
}
EMERGENCY_NUMBERS = {"en-US": "911", "en-CA": "911", "en-GB": "999", "en-AU": "000", "en-IN": "112"}
NOTICE = (
    "Cramp Coach gives general information. It is not a substitute for professional medical advice."
)

# Nothing the red-flag journey says may diagnose, name a condition as certain, tell anyone to
# stop a medicine, or mention quinine or tonic water.
FORBIDDEN = [
    r"\byou have\b",
    r"\byou've got\b",
    r"\byou are having\b",
    r"\byou're having\b",
    r"\bit is a\b",
    r"\bit's a\b",
    r"\bthis is a\b",
    r"\bis a sign of\b",
    r"\bmeans you\b",
    r"\bdiagnos",
    r"\bdefinitely\b",
    r"\bnothing to worry about\b",
    r"\bstop taking\b",
    r"(?<!n't )(?<!not )\bstop (a |your |the )?(prescribed )?(medicine|medication|tablets|pills)",
    r"\bquinine\b",
    r"\btonic water\b",
]


def locales() -> list[str]:
    return sorted(p.parent.name for p in CONTENT.glob("*/locale.toml"))


def facts(locale: str) -> dict:
    return tomllib.loads((CONTENT / locale / "locale.toml").read_text())["locale"]


def symptom_values() -> list[dict]:
    types = json.loads(MODEL.read_text())["interactionModel"]["languageModel"]["types"]
    return next(t for t in types if t["name"] == "SymptomType")["values"]


def model_phrases() -> list[tuple[str, str]]:
    """Every (words said, slot id) the model knows: each value and each synonym."""
    return [
        (phrase, value["id"])
        for value in symptom_values()
        for phrase in [value["name"]["value"], *value["name"].get("synonyms", [])]
    ]


def said_first(response: dict) -> str:
    """The first sentence as heard: inline SSML (say-as digits) taken out."""
    return re.sub(r"<[^>]+>", "", first_sentence(response))


def level_heard(response: dict, locale: str = "en-US") -> str | None:
    return level_of_text(said_first(response), locale)


# Combinations more serious than either symptom alone (written out by hand, like the levels).
COMBINATION_LEVEL = {
    frozenset({"cut_soil", "long_cramp"}): "emergency",  # spasms that won't stop after a wound
    frozenset({"cut_soil", "cramps_elsewhere"}): "emergency",  # spasms spreading after a wound
}


def most_serious(*ids: str) -> str:
    levels = [EXPECTED_LEVEL[i] for i in ids]
    levels += [level for pair, level in COMBINATION_LEVEL.items() if pair <= set(ids)]
    return min(levels, key=SEVERITY.index)


def report(*slot_values, locale: str = "en-US", at: str = NIGHT) -> dict:
    names = ("symptom", "symptomTwo", "symptomThree")
    slots = {name: value for name, value in zip(names, slot_values, strict=False)}
    response = Conversation(lambda_handler, at=at, locale=locale).say("SymptomIntent", **slots)
    assert_valid_response(response)
    return response


def everything_said(response: dict) -> str:
    body = response["response"]
    card = body.get("card") or {}
    texts = [plain(speech_of(response)), card.get("title", ""), card.get("content", "")]
    return "\n".join(texts)


def ends(response: dict) -> bool:
    return response["response"]["shouldEndSession"] is True


# --- every symptom phrase routes to its level ------------------------------------------


def test_every_symptom_in_the_model_has_an_expected_level():
    assert {v["id"] for v in symptom_values()} == set(EXPECTED_LEVEL)


def test_the_brief_phrases_are_all_in_the_model():
    said = {phrase.lower() for phrase, _ in model_phrases()}
    for phrase in (
        "swollen",
        "red",
        "hot or warm",
        "tender",
        "one leg bigger",
        "numb",
        "weak",
        "tingling",
        "the cramp won't stop",
        "it's been twenty minutes",
        "chest pain",
        "can't breathe",
        "short of breath",
        "pregnant and leg swollen",
        "cramps since a new medicine",
        "cramps in my arms",
        "cramps in my chest",
        "cramps in my belly",
        "cut with soil",
        "exposure to lead",
        "exposure to mercury",
    ):
        assert phrase in said, phrase


@pytest.mark.parametrize(("heard", "symptom_id"), model_phrases())
def test_every_phrase_routes_to_its_level(heard, symptom_id):
    response = report((heard, symptom_id))
    assert level_heard(response) == EXPECTED_LEVEL[symptom_id], plain(speech_of(response))


@functools.cache
def resolver(locale: str) -> Resolver:
    return Resolver(locale)


def say(said: str, locale: str = "en-US", talk: Conversation | None = None) -> dict:
    """What a person says, resolved by the locale's own interaction model, sent as Alexa would."""
    talk = talk or Conversation(lambda_handler, at=local_moment(locale, 12), locale=locale)
    resolved = resolver(locale).resolve(said)
    response = talk.say(resolved.intent, **resolved.slots)
    assert_valid_response(response)
    return response


@pytest.mark.parametrize("locale", locales())
def test_every_phrase_said_aloud_reaches_its_level_in_every_locales_model(locale):
    for heard, symptom_id in model_phrases():
        response = say(heard, locale)
        assert level_heard(response, locale) == EXPECTED_LEVEL[symptom_id], (heard, locale)


@pytest.mark.parametrize(
    ("said", "level"),
    [
        ("my leg is swollen and red", "urgent"),
        ("chest pain and my calf is swollen", "emergency"),
        ("I'm pregnant and my leg is swollen", "urgent"),
        ("my calf is hot and red", "urgent"),
        ("my leg is swollen red and hot", "urgent"),
        ("I can't breathe", "emergency"),
        ("I'm short of breath", "emergency"),
        ("cramp in my chest", "emergency"),
        ("it's been twenty minutes", "urgent"),
        ("the cramp won't stop", "urgent"),
        ("I've had cramps since a new medicine", "soon"),
        ("my leg is numb", "urgent"),
        ("my leg is cold and numb", "emergency"),
        ("my foot is blue", "emergency"),
        ("I can't move my leg", "emergency"),
        ("I'm pregnant and stomach cramps", "urgent"),
        ("I'm on a statin and dark urine", "urgent"),
        ("stiff jaw", "emergency"),
        ("bladder problems", "emergency"),
        ("restless legs", "routine"),
        ("tell cramp coach my leg is swollen", "urgent"),
        ("I've been exposed to lead", "urgent"),
        ("a cut with soil in it", "urgent"),
        ("stomach cramps", "urgent"),
    ],
)
def test_sentences_people_say_reach_the_right_level(said, level):
    assert level_heard(say(said)) == level


@pytest.mark.parametrize(
    ("place", "level"),
    [("chest", "emergency"), ("my chest", "emergency"), ("stomach", "urgent"), ("arm", "urgent")],
)
def test_a_cramp_in_a_red_flag_place_is_triaged_not_stretched(place, level):
    response = Conversation(lambda_handler).say("CrampNowIntent", muscle=(place, None))
    assert level_heard(response) == level
    assert "stretch" not in plain(speech_of(response)).lower()


def test_a_night_launch_answered_with_the_chest_is_an_emergency():
    talk = Conversation(lambda_handler, at=NIGHT)
    talk.launch()  # "...Another muscle? Just name it."
    response = talk.say("CrampNowIntent", muscle=("chest", None))
    assert said_first(response) == "Call 911 now."
    assert ends(response)


def test_red_flag_places_name_known_symptoms():
    assert set(content_for("en-US").table("red_flag_places").values()) <= set(EXPECTED_LEVEL)


@pytest.mark.parametrize("said", ["when should I worry about leg cramps", "should I see a doctor"])
def test_asking_when_to_worry_reaches_the_list(said):
    assert said_first(say(said)).startswith("Call 911 for chest pain")


@pytest.mark.parametrize("locale", locales())
@pytest.mark.parametrize("symptom_id", sorted(EXPECTED_LEVEL))
def test_first_sentence_names_the_action_in_the_locales_words(locale, symptom_id):
    response = report(symptom_id, locale=locale, at=local_moment(locale, 12))
    level = EXPECTED_LEVEL[symptom_id]
    assert level_heard(response, locale) == level, plain(speech_of(response))
    if level == "emergency":
        number = EMERGENCY_NUMBERS[locale]
        assert said_first(response) == f"Call {number} now."
        # read digit by digit: "nine nine nine", never "nine hundred ninety-nine"
        assert f'<say-as interpret-as="digits">{number}</say-as>' in speech_of(response)
    if level in ("emergency", "urgent"):
        assert ends(response), "an emergency or urgent answer leaves the person free to call"
        assert response["response"]["card"]["title"] == said_first(response)


@pytest.mark.parametrize("locale", locales())
def test_each_locale_has_its_emergency_number_and_same_day_care(locale):
    assert locale in EMERGENCY_NUMBERS, f"add {locale}'s emergency number to this test"
    f = facts(locale)
    assert f["emergency_number"] == EMERGENCY_NUMBERS[locale]
    assert f["urgent_care"].strip()


# --- several symptoms: the most serious level wins --------------------------------------


@pytest.mark.parametrize(("first", "second"), list(itertools.permutations(EXPECTED_LEVEL, 2)))
def test_two_symptoms_take_the_most_serious_level(first, second):
    response = report(first, second)
    assert level_heard(response) == most_serious(first, second), plain(speech_of(response))


@pytest.mark.parametrize(
    "ids",
    [
        ("swollen", "red", "warm"),
        ("new_medicine", "numb", "chest_pain"),
        ("pregnant", "keeps_waking", "tingling"),
        ("keeps_waking", "new_medicine", "pregnant"),
        ("cut_soil", "weak", "breathless"),
    ],
)
def test_three_symptoms_take_the_most_serious_level(ids):
    assert level_heard(report(*ids)) == most_serious(*ids)


def test_a_swollen_leg_with_chest_pain_is_an_emergency_about_a_clot():
    swollen_and_chest = plain(speech_of(report(("chest pain", "chest_pain"), "swollen")))
    chest_only = plain(speech_of(report("chest_pain")))
    assert swollen_and_chest.startswith("Call 911 now.")
    assert "blood clot" in swollen_and_chest
    assert "blood clot" not in chest_only


def test_pregnant_with_a_red_leg_needs_maternity_care_today():
    response = report(("I'm pregnant", "pregnant"), ("my leg is red", "red"))
    assert level_heard(response) == "urgent"
    assert said_first(response) == "Contact your OB-GYN, your midwife, or urgent care today."
    assert level_heard(report("pregnant")) == "routine"


def test_a_new_medicine_is_for_the_prescriber_and_is_not_stopped():
    said = plain(speech_of(report("new_medicine")))
    assert said.startswith("Ask your doctor or pharmacist")
    assert "don't stop a prescribed medicine on your own" in said


def test_words_alexa_could_not_match_do_not_hide_a_matched_symptom():
    response = report(("purple", None), ("swollen", "swollen"))
    assert level_heard(response) == "urgent"


@pytest.mark.parametrize("locale", locales())
def test_a_symptom_the_skill_cannot_place_is_owned_up_to_with_the_safety_line(locale):
    response = report(("my knee is purple", None), locale=locale)
    said = plain(speech_of(response))
    f = facts(locale)
    assert said_first(response) == "I couldn't place that symptom."
    assert f"call {f['emergency_number']} now" in said.lower()
    assert f"swollen, red or warm leg, contact {f['urgent_care']}" in said
    assert "my knee is purple" not in said  # never echoed into speech
    assert '"my knee is purple"' in response["response"]["card"]["content"]
    assert "<prosody" not in speech_of(response)  # it names the emergency number: normal voice


def test_a_placed_symptom_with_unplaced_words_says_both():
    response = report(("my knee is purple", None), ("numb", "numb"))
    said = plain(speech_of(response))
    assert level_heard(response) == "urgent"
    assert "I couldn't place everything you said." in said
    assert "call 911" in said.lower()
    assert '"my knee is purple"' in response["response"]["card"]["content"]


def test_an_emergency_with_unplaced_words_says_only_the_emergency():
    response = report(("my knee is purple", None), ("chest pain", "chest_pain"))
    assert said_first(response) == "Call 911 now."
    assert "couldn't place" not in plain(speech_of(response))
    assert '"my knee is purple"' in response["response"]["card"]["content"]


def test_the_most_serious_symptom_wins_whatever_order_it_is_said_in():
    assert level_heard(report("new_medicine", "numb", "breathless")) == "emergency"
    assert level_heard(report("breathless", "numb", "new_medicine")) == "emergency"


def test_the_card_lists_the_other_red_flags_heard():
    card = report("swollen", "numb")["response"]["card"]["content"]
    assert card.startswith("Contact urgent care or your doctor today for swelling")
    assert "Contact urgent care or your doctor today if cramps come with weakness" in card


# --- hand-over from the mid-cramp journey -----------------------------------------------


def cramping(at: str = NIGHT) -> Conversation:
    talk = Conversation(lambda_handler, at=at)
    talk.say("CrampNowIntent", muscle="calf")
    return talk


def test_still_cramping_after_ten_minutes_hands_over_to_triage():
    talk = cramping()
    talk.wait(minutes=11)
    response = talk.say("StillCrampingIntent")
    assert said_first(response) == "Contact urgent care or your doctor today."
    assert ends(response)
    assert response["response"]["card"]["title"] == "Contact urgent care or your doctor today."


def test_still_cramping_before_ten_minutes_keeps_coaching():
    talk = cramping()
    talk.wait(minutes=3)
    response = talk.say("StillCrampingIntent")
    assert level_heard(response) is None
    assert not ends(response)


def test_no_to_is_it_easing_after_ten_minutes_hands_over():
    talk = cramping()
    talk.wait(minutes=12)
    assert said_first(talk.say("AMAZON.NoIntent")) == "Contact urgent care or your doctor today."


def test_the_same_cramp_named_again_after_ten_minutes_hands_over():
    talk = cramping()
    talk.wait(minutes=11)
    response = talk.say("CrampNowIntent", muscle="calf")
    assert said_first(response) == "Contact urgent care or your doctor today."


def test_a_symptom_mid_cramp_goes_to_triage_first_and_ends_for_urgent():
    talk = cramping()
    response = talk.say("SymptomIntent", symptom=("my calf is swollen", "swollen"))
    assert level_heard(response) == "urgent"
    assert ends(response)
    assert "Hold it there" not in plain(speech_of(response))


def test_chest_pain_mid_cramp_is_an_emergency_and_ends_the_session():
    talk = cramping()
    response = talk.say("SymptomIntent", symptom=("I can't breathe", "breathless"))
    assert said_first(response) == "Call 911 now."
    assert ends(response)
    assert "<prosody" not in speech_of(response)  # at 3 a.m., still said in the normal voice


def test_a_soon_symptom_mid_cramp_comes_first_then_the_coaching_goes_on():
    talk = cramping()
    response = talk.say("SymptomIntent", symptom=("new tablets", "new_medicine"))
    said = plain(speech_of(response))
    assert level_heard(response) == "soon"
    assert said.endswith("Is it easing?")
    assert not ends(response)
    assert said_first(talk.say("AMAZON.YesIntent")).startswith("Good.")


def test_a_routine_symptom_in_a_cramp_past_ten_minutes_is_same_day_care():
    talk = cramping()
    talk.wait(minutes=12)
    response = talk.say("SymptomIntent", symptom=("restless legs", "restless_urge"))
    assert level_heard(response) == "urgent"
    assert ends(response)


# --- "when should I worry?" -------------------------------------------------------------


@pytest.mark.parametrize("locale", locales())
def test_when_to_worry_speaks_a_short_list_and_cards_every_red_flag(locale):
    talk = Conversation(lambda_handler, at=local_moment(locale, 12), locale=locale)
    response = talk.say("WhenToWorryIntent")
    assert_valid_response(response)
    said = plain(speech_of(response))
    number = EMERGENCY_NUMBERS[locale]
    assert said_first(response).startswith(f"Call {number} for chest pain")
    assert facts(locale)["urgent_care"] in said
    card = response["response"]["card"]["content"]
    content = content_for(locale)
    for item in triage.rules(content):
        assert triage.fill(content, item.card) in card, item.id
    assert not ends(response)
    assert plain(speech_of(talk.say("AMAZON.NoIntent"))) == "Okay. Goodbye."


def test_yes_to_when_to_worry_asks_what_they_notice_and_then_triages():
    talk = Conversation(lambda_handler, at=DAY)
    talk.say("WhenToWorryIntent")
    assert "What do you notice?" in plain(speech_of(talk.say("AMAZON.YesIntent")))
    assert level_heard(talk.say("SymptomIntent", symptom="red")) == "urgent"


# --- the first-use notice, once per user ------------------------------------------------


def day_launch(user: str, locale: str = "en-US", day: str = "2026-11-26") -> str:
    at = local_moment(locale, 12, day)
    return plain(speech_of(Conversation(lambda_handler, at=at, user=user, locale=locale).launch()))


@pytest.mark.parametrize("locale", locales())
def test_the_notice_comes_once_per_user_before_the_welcome(memory, locale):
    number = EMERGENCY_NUMBERS[locale]
    first = day_launch("amzn1.ask.account.NOTICE-A", locale=locale)
    assert first.startswith(f"{NOTICE} In an emergency, call {number} .")  # plain() spaces tags
    assert first.index(NOTICE) < first.index("Welcome to Cramp Coach")
    later = day_launch("amzn1.ask.account.NOTICE-A", locale=locale, day="2026-11-27")
    assert NOTICE not in later
    assert NOTICE in day_launch("amzn1.ask.account.NOTICE-B", locale=locale)


def test_at_night_the_stretch_comes_first_and_the_notice_after_the_goodbye(memory):
    user = "amzn1.ask.account.NIGHT-OWL"
    talk = Conversation(lambda_handler, at=NIGHT, user=user)
    launch = talk.launch()
    assert said_first(launch).startswith("Straighten your leg")
    assert NOTICE not in plain(speech_of(launch))
    talk.say("AMAZON.YesIntent")
    goodbye = plain(speech_of(talk.say("CrampEasedIntent")))
    assert goodbye.startswith("Good. Rest now, and sleep well.")
    assert goodbye.index("sleep well") < goodbye.index(NOTICE)
    assert NOTICE not in day_launch(user)


def test_the_cramp_answer_reads_no_storage_before_it_speaks(table):
    counter = CallCounter()
    talk = Conversation(lambda_handler, at=NIGHT, user="amzn1.ask.account.COUNTED")
    talk.launch()
    talk.say("AMAZON.YesIntent")
    talk.say("SymptomIntent", symptom="numb")
    assert counter.reads == 0
    # the end of the episode may look up the notice flag, and says it
    assert NOTICE in plain(speech_of(talk.say("CrampEasedIntent")))


def test_the_profile_holds_only_the_notice_flag(table):

    day_launch("amzn1.ask.account.PRIVATE")
    assert DYNAMO.load_profile("amzn1.ask.account.PRIVATE").fields == {"notice_heard": True}


def test_without_storage_the_notice_is_still_said_and_the_welcome_follows():
    said = day_launch("amzn1.ask.account.NO-TABLE")  # DynamoDB refused (conftest endpoint)
    assert said.startswith(NOTICE)
    assert "Welcome to Cramp Coach" in said


# --- nothing diagnoses ------------------------------------------------------------------


def forbidden_in(text: str) -> list[str]:
    return [pattern for pattern in FORBIDDEN if re.search(pattern, text, re.IGNORECASE)]


def test_the_forbidden_list_catches_what_it_is_for():
    for bad in (
        "You have a blood clot.",
        "It's a blood clot.",
        "Stop taking your water tablets.",
        "Stop your medicine.",
        "Try tonic water.",
        "Quinine can help.",
        "Swelling is a sign of DVT.",
    ):
        assert forbidden_in(bad), bad
    assert not forbidden_in("Don't stop a prescribed medicine on your own.")
    assert not forbidden_in("These can be signs of a blood clot.")


@pytest.mark.parametrize("locale", locales())
def test_no_red_flag_content_diagnoses(locale):
    content = content_for(locale)
    texts = [content.phrase("first_use_notice", emergency_number="911")]
    for topic in ("red_flags", "when_to_worry"):
        for item in content.items(topic):
            texts += [triage.fill(content, item.speech), triage.fill(content, item.card)]
    for text in texts:
        assert not forbidden_in(text), text


def test_no_red_flag_answer_diagnoses():
    responses = [report(symptom_id) for symptom_id in EXPECTED_LEVEL]
    responses.append(report(("something odd", None)))
    responses.append(Conversation(lambda_handler, at=DAY).say("WhenToWorryIntent"))
    for response in responses:
        said = everything_said(response)
        assert not forbidden_in(said), said


# --- the content itself -----------------------------------------------------------------


@pytest.mark.parametrize("locale", locales())
def test_red_flag_items_say_the_action_first_in_one_breath(locale):
    content = content_for(locale)
    model_ids = set(EXPECTED_LEVEL)
    for item in triage.rules(content):
        assert set(item.get("symptoms")) <= model_ids, item.id
        assert set(item.get("needs_any", ())) <= model_ids, item.id
        assert item.sources and all(s in content.sources for s in item.sources), item.id
        text = triage.fill(content, item.speech)
        assert len(text.split()) <= 35, item.id
        assert all(len(s.split()) <= 25 for s in triage.sentences(text)), item.id
        first = triage.action(content, item)
        assert level_of_text(first, locale) == item.get("level"), (item.id, first)
    for item in content.items("when_to_worry"):
        text = triage.fill(content, item.speech)
        assert len(text.split()) <= 35, item.id
        assert all(len(s.split()) <= 25 for s in triage.sentences(text)), item.id


def test_the_ten_minute_item_the_mid_cramp_journey_uses_is_there():
    item = content_for("en-US").item("red_flags", "cramp_over_10_minutes")
    assert item.get("level") == "urgent"


# --- the triage table in the clinical safety case --------------------------------------


def table_tool():
    spec = importlib.util.spec_from_file_location(
        "red_flag_table", ROOT / "tools" / "red_flag_table.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SAFETY_CASE = ROOT / "docs" / "clinical-safety.md"


def test_the_safety_case_triage_table_is_current():
    tool = table_tool()
    document = SAFETY_CASE.read_text()
    assert tool.page_with_table(document, tool.render()) == document, "run: make red-flags-table"


def test_the_triage_table_lives_in_one_place():
    """docs/red-flags.md points to the safety case's table: no second copy to go stale."""
    page = (ROOT / "docs" / "red-flags.md").read_text()
    assert "red-flags:start" not in page
    assert not re.search(r"^\| \*\*", page, re.M)
    assert "(clinical-safety.md#the-triage-table)" in page
    assert "## The triage table" in SAFETY_CASE.read_text()


def test_the_safety_case_levels_are_the_ones_these_tests_expect():
    document = SAFETY_CASE.read_text()
    by_name = {v["name"]["value"]: v["id"] for v in symptom_values()}
    rows = re.findall(
        r"^\| \*\*(.+?)\*\*.*? \| (\w+) \| (.+?) \| `\w+` \(H\d+\) \|$", document, re.M
    )
    assert {by_name[name] for name, _, _ in rows} == set(EXPECTED_LEVEL)
    for name, level, first in rows:
        assert level == EXPECTED_LEVEL[by_name[name]], name
        assert level_of_text(first, "en-US") == level, name
    combos = re.findall(r"^\| _(.+?)_ \| (\w+) \|", document, re.M)
    assert len(combos) == len(tool_combinations())
    for (said, ids), (name, level) in zip(tool_combinations(), combos, strict=True):
        assert name == said
        assert level == most_serious(*ids), said


def tool_combinations():
    return table_tool().COMBINATIONS
