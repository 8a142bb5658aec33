"""The guide through the real lambda_handler: tips, causes, remedies, medicines, pregnancy and
the common questions, with full request envelopes and the session carried between turns."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from cramp_coach import store, tips
from cramp_coach.content import content_for
from dynamo import DYNAMO, all_items
from envelopes import DAY, NIGHT, Conversation, first_sentence, plain, speech_of
from lambda_function import lambda_handler

ROOT = Path(__file__).resolve().parents[1]
CONTENT = content_for("en-US")
FACTS = tomllib.loads((ROOT / "content/en-US/locale.toml").read_text())["locale"]
TIP_IDS = [item.id for item in CONTENT.items("tips")]
# New York (the en-US default zone; the Settings API is unreachable in tests) is UTC-5 in November.
AT_1959 = "2026-11-27T00:59:00Z"
AT_2000 = "2026-11-27T01:00:00Z"
AT_2159 = "2026-11-27T02:59:00Z"
AT_2200 = "2026-11-27T03:00:00Z"


@pytest.fixture(autouse=True)
def _no_aws(monkeypatch):
    """DynamoDB on a refused loopback port unless a test asks for moto's `table`: no test
    here can reach AWS, and answers that do not need the store must not wait for it."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")
    store.reset_client()
    yield
    store.reset_client()


def said(response: dict) -> str:
    return plain(speech_of(response))


def spoken(item) -> str:
    return item.speech.format(**FACTS)


def card(response: dict) -> dict:
    return response["response"]["card"]


def ends(response: dict) -> bool:
    return response["response"]["shouldEndSession"]


def tip_heard(response: dict) -> str:
    """Which tip a response spoke (its speech opens with the tip's words)."""
    text = said(response)
    matches = [i.id for i in CONTENT.items("tips") if text.startswith(spoken(i))]
    assert len(matches) == 1, text
    return matches[0]


def assert_card_cites(response: dict, item) -> None:
    text = card(response)["content"]
    for name in CONTENT.source_names(item.sources):
        assert name in text
    assert item.card.format(**FACTS) in text
    assert CONTENT.phrase("card_disclaimer", emergency_number="911") in text


# --- tips ------------------------------------------------------------------------------


def test_tips_never_repeat_until_all_are_heard_in_one_session(memory):
    chat = Conversation(lambda_handler, at=DAY)
    heard = [tip_heard(chat.say("TipIntent"))]
    for _ in range(len(TIP_IDS) - 1):
        response = chat.say("AMAZON.YesIntent")
        assert not ends(response)
        heard.append(tip_heard(response))
    assert sorted(heard) == sorted(TIP_IDS)  # every tip once, none twice
    assert CONTENT.phrase("tips_round_done") in said(response)
    again = tip_heard(chat.say("TipIntent"))  # a new round starts, but not with the last tip
    assert again != heard[-1]


def test_a_tip_card_carries_the_tip_its_evidence_and_its_sources(memory):
    response = Conversation(lambda_handler, at=DAY).say("TipIntent")
    item = CONTENT.item("tips", tip_heard(response))
    assert card(response)["title"] == CONTENT.phrase("card_title_tip")
    assert_card_cites(response, item)
    assert f"Evidence: {item.get('evidence')}." in card(response)["content"]


def test_no_to_another_tip_says_goodbye_and_ends(memory):
    chat = Conversation(lambda_handler, at=DAY)
    chat.say("TipIntent")
    response = chat.say("AMAZON.NoIntent")
    assert said(response) == CONTENT.phrase("stop_day")
    assert ends(response)


def test_a_consenting_users_rotation_carries_over_to_the_next_nights(table):
    user = "amzn1.ask.account.TIPS"
    DYNAMO.update_profile(user, consent=store.CONSENT_YES)
    heard = []
    while len(heard) < len(TIP_IDS):  # three tips a night, each night a new session
        chat = Conversation(lambda_handler, at=DAY, user=user)
        heard.append(tip_heard(chat.say("TipIntent")))
        for _ in range(2):
            if len(heard) < len(TIP_IDS):
                heard.append(tip_heard(chat.say("AMAZON.YesIntent")))
        assert ends(chat.say("AMAZON.NoIntent"))
    assert sorted(heard) == sorted(TIP_IDS)  # across sessions, still no repeats
    assert DYNAMO.load_profile(user).get("tips_heard") == heard


def test_without_consent_the_rotation_stays_in_the_session_and_nothing_is_stored(table):
    user = "amzn1.ask.account.NOCONSENT"
    chat = Conversation(lambda_handler, at=DAY, user=user)
    chat.say("TipIntent")
    chat.say("AMAZON.YesIntent")
    assert DYNAMO.load_profile(user) is None
    assert all_items(table) == []
    DYNAMO.refuse_consent(user)
    chat = Conversation(lambda_handler, at=DAY, user=user)
    chat.say("TipIntent")
    assert DYNAMO.load_profile(user).get("tips_heard") is None


def test_when_the_store_fails_the_user_still_hears_a_tip(table, monkeypatch):
    monkeypatch.setenv("CRAMP_TABLE_NAME", "no-such-table")
    store.reset_client()
    response = Conversation(lambda_handler, at=DAY, user="amzn1.ask.account.X").say("TipIntent")
    assert tip_heard(response) in TIP_IDS


@pytest.mark.parametrize("seed", range(20))
def test_the_rotation_covers_every_tip_each_round_and_never_repeats_back_to_back(seed):
    rng = random.Random(seed)
    ids = [f"tip{n}" for n in range(7)]
    seen: list[str] = []
    order = []
    for _ in range(len(ids) * 3):
        tip = tips.next_tip(seen, ids, rng)
        seen = tips.after_hearing(seen, tip, ids)
        order.append(tip)
    for start in range(0, len(order), len(ids)):
        assert sorted(order[start : start + len(ids)]) == ids
    assert all(a != b for a, b in zip(order, order[1:], strict=False))


def test_a_tip_removed_from_the_content_never_stalls_the_rotation():
    seen = ["gone", "a"]
    assert tips.next_tip(seen, ["a", "b"]) == "b"
    seen = tips.after_hearing(seen, "b", ["a", "b"])
    assert seen == ["a", "b"] and tips.round_complete(seen, ["a", "b"])
    assert tips.next_tip(seen, ["a", "b"]) == "a"  # a new round, not the tip just heard
    assert tips.after_hearing(seen, "a", ["a", "b"]) == ["a"]


def test_the_session_memory_keeps_the_rotation_between_turns():
    session: dict = {}
    tips.SessionTipMemory(session).save(["a", "b"])
    assert tips.SessionTipMemory(session).load() == ["a", "b"]
    assert tips.SessionTipMemory({"tips_heard": "garbage"}).load() == []


# --- the evening launch ------------------------------------------------------------------


@pytest.mark.parametrize("at", [AT_2000, AT_2159])
def test_an_evening_launch_offers_tonights_tip_and_yes_gives_it(at, memory):
    chat = Conversation(lambda_handler, at=at)
    response = chat.launch()
    assert said(response) == CONTENT.phrase("evening_launch")
    assert not ends(response)
    tip = chat.say("AMAZON.YesIntent")
    assert tip_heard(tip) in TIP_IDS
    assert "prosody" not in speech_of(tip)  # not yet night: the normal voice


def test_an_evening_launch_still_lets_a_cramping_user_name_the_muscle(memory):
    chat = Conversation(lambda_handler, at=AT_2000)
    chat.launch()
    response = chat.say("CrampNowIntent", muscle="calf")
    calf = CONTENT.item("relief", "calf.flex").speech.format(leg="your leg")
    assert first_sentence(response) == calf


def test_from_ten_at_night_the_launch_leads_with_the_calf_stretch_not_the_tip(memory):
    response = Conversation(lambda_handler, at=AT_2200).launch()
    calf = CONTENT.item("relief", "calf.flex").speech.format(leg="your leg")
    assert first_sentence(response) == calf
    assert CONTENT.phrase("evening_launch") not in said(response)


def test_before_eight_in_the_evening_the_launch_is_the_day_welcome(memory):
    response = Conversation(lambda_handler, at=AT_1959).launch()
    assert CONTENT.phrase("launch_day") in plain(speech_of(response))
    assert "tonight's" not in plain(speech_of(response))


# --- causes, pregnancy (told one item at a time) ---------------------------------------


@pytest.mark.parametrize(
    ("intent", "topic"), [("CausesIntent", "causes"), ("PregnancyIntent", "pregnancy")]
)
def test_walk_through_a_topic_item_by_item_with_yes(intent, topic):
    chat = Conversation(lambda_handler, at=DAY)
    items = CONTENT.items(topic)
    response = chat.say(intent)
    for n, item in enumerate(items):
        if n:
            response = chat.say("AMAZON.YesIntent")
        assert said(response).startswith(spoken(item))
        assert_card_cites(response, item)
    assert ends(response)  # the last item closes the conversation


def test_causes_open_with_the_honest_idiopathic_framing():
    response = Conversation(lambda_handler, at=DAY).say("CausesIntent")
    assert said(response).startswith("Most night cramps have no single known cause.")


def test_pregnancy_tells_when_to_get_help_in_the_locales_words():
    red_leg = CONTENT.item("pregnancy", "red_leg")
    assert FACTS["maternity_care"] in spoken(red_leg)
    assert CONTENT.fact("maternity_care") in spoken(red_leg)


@pytest.mark.parametrize(
    "cause", [i for i in CONTENT.items("causes") if i.get("names")], ids=lambda i: i.id
)
def test_every_named_cause_answers_with_its_item(cause):
    response = Conversation(lambda_handler, at=DAY).say("CausesIntent", cause=cause.id)
    assert said(response) == spoken(cause)
    assert_card_cites(response, cause)


def test_asking_if_stress_causes_cramps_gets_the_honest_answer():
    response = Conversation(lambda_handler, at=DAY).say(
        "CausesIntent", cause=("anxiety", "stress_anxiety")
    )
    assert first_sentence(response).startswith("I don't have good evidence")


# --- remedies and drinks ----------------------------------------------------------------


@pytest.mark.parametrize("remedy", CONTENT.items("remedies"), ids=lambda i: i.id)
def test_every_remedy_answers_with_its_grade_on_the_card(remedy):
    heard = remedy.get("names")[-1]  # a synonym, the way Alexa resolves it
    response = Conversation(lambda_handler, at=DAY).say("RemedyIntent", remedy=(heard, remedy.id))
    assert said(response) == spoken(remedy)
    assert remedy.get("grade") in card(response)["title"]
    assert_card_cites(response, remedy)
    assert ends(response)


@pytest.mark.parametrize("remedy", ["quinine", "tonic_water"])
def test_quinine_and_tonic_water_answers_say_not_recommended_first(remedy):
    response = Conversation(lambda_handler, at=NIGHT).say("RemedyIntent", remedy=remedy)
    assert "is not recommended" in first_sentence(response)
    assert card(response)["title"].endswith("not recommended")


def test_what_should_i_drink_gets_the_honest_drinks_answer():
    response = Conversation(lambda_handler, at=DAY).say("RemedyIntent")
    assert said(response) == spoken(CONTENT.item("faqs", "what_to_drink"))


@pytest.mark.parametrize("remedy", [("mustard", None), ("snake oil", "snake_oil")])
def test_an_unknown_remedy_gets_an_honest_answer_and_the_general_advice(remedy):
    response = Conversation(lambda_handler, at=DAY).say("RemedyIntent", remedy=remedy)
    general = CONTENT.item("faqs", "natural_remedies")
    assert said(response) == f"{CONTENT.phrase('remedy_unknown')} {spoken(general)}"
    assert f'"{remedy[0]}"' in card(response)["content"]  # the card says what we didn't know
    assert_card_cites(response, general)


# --- medicines ----------------------------------------------------------------------------


@pytest.mark.parametrize("medicine", CONTENT.items("medicines"), ids=lambda i: i.id)
def test_every_medicine_answers_and_sends_you_to_your_prescriber(medicine):
    response = Conversation(lambda_handler, at=DAY).say("MedicineIntent", medicine=medicine.id)
    assert said(response) == spoken(medicine)
    assert "prescriber or pharmacist" in said(response)
    assert_card_cites(response, medicine)


@pytest.mark.parametrize(
    ("brand", "generic"),
    [
        ("Lasix", "furosemide"),
        ("Lipitor", "atorvastatin"),
        ("Zocor", "simvastatin"),
        ("Crestor", "rosuvastatin"),
        ("Ventolin", "salbutamol"),
    ],
)
def test_a_brand_name_resolves_to_its_medicine(brand, generic):
    # What Alexa sends for "I take Lasix": the heard brand, resolved to the generic's id.
    response = Conversation(lambda_handler, at=DAY).say("MedicineIntent", medicine=(brand, generic))
    assert generic in said(response).lower()
    assert brand in card(response)["title"]
    # and the model really resolves the brand to that id
    values = {v["id"]: v for v in slot_type("MedicineType")["values"]}
    assert brand.lower() in values[generic]["name"]["synonyms"]


@pytest.mark.parametrize("medicine", [("prozium", None), ("wonderpill", "wonderpill")])
def test_an_unknown_medicine_gets_an_honest_answer_never_a_guess(medicine):
    response = Conversation(lambda_handler, at=DAY).say("MedicineIntent", medicine=medicine)
    general = CONTENT.item("causes", "medicines")
    assert first_sentence(response) == CONTENT.phrase("medicine_unknown")
    assert said(response) == f"{CONTENT.phrase('medicine_unknown')} {spoken(general)}"
    assert "Don't stop" in said(response)


def test_which_medicines_cause_cramps_gets_the_general_answer():
    response = Conversation(lambda_handler, at=DAY).say("MedicineIntent")
    assert said(response) == spoken(CONTENT.item("causes", "medicines"))


# --- the common questions -----------------------------------------------------------------


@pytest.mark.parametrize("faq", CONTENT.items("faqs"), ids=lambda i: i.id)
def test_every_common_question_answers(faq):
    response = Conversation(lambda_handler, at=DAY).say("FaqIntent", question=faq.id)
    assert said(response) == spoken(faq)
    assert_card_cites(response, faq)


def test_a_question_we_cannot_place_gets_the_menu_not_a_guess():
    response = Conversation(lambda_handler, at=DAY).say("FaqIntent", question=("gout", None))
    assert said(response) == f"{CONTENT.phrase('faq_unknown')} {CONTENT.phrase('faq_menu')}"
    assert not ends(response)


def test_answers_at_night_use_the_soft_voice(memory):
    response = Conversation(lambda_handler, at=NIGHT).say("TipIntent")
    assert "<prosody" in speech_of(response)


# --- the interaction model ------------------------------------------------------------------


def model() -> dict:
    return json.loads((ROOT / "interaction_model" / "en-US.json").read_text())


def slot_type(name: str) -> dict:
    types = model()["interactionModel"]["languageModel"]["types"]
    return next(t for t in types if t["name"] == name)


def test_the_guide_slot_types_match_the_content_names():
    check = [sys.executable, str(ROOT / "interaction_model" / "guide_slots.py"), "--check"]
    assert subprocess.run(check, capture_output=True).returncode == 0


def test_guide_samples_are_unique_and_slots_are_defined():
    language = model()["interactionModel"]["languageModel"]
    samples = Counter(s.lower() for i in language["intents"] for s in i.get("samples", []))
    assert [s for s, n in samples.items() if n > 1] == []
    defined = {t["name"] for t in language["types"]}
    guide = json.loads((ROOT / "interaction_model" / "parts" / "guide.json").read_text())
    built = {i["name"]: i for i in language["intents"]}  # samples come from phrases/guide.toml
    for intent in guide["intents"]:
        for slot in intent.get("slots", []):
            assert slot["type"] in defined
            assert any(f"{{{slot['name']}}}" in s for s in built[intent["name"]]["samples"])


def test_no_name_resolves_to_two_values():
    for type_name in ("RemedyType", "MedicineType", "CauseType", "CrampTopicType"):
        names = [
            name
            for value in slot_type(type_name)["values"]
            for name in [value["name"]["value"], *value["name"]["synonyms"]]
        ]
        assert [n for n, c in Counter(names).items() if c > 1] == [], type_name


@pytest.mark.parametrize(
    "utterance",
    [
        "give me a tip",
        "tonight's tip",
        "how do I stop getting cramps",
        "why do I get cramps at night",
        "does {remedy} work",
        "what should I drink",
        "should I take {remedy}",
        "can {medicine} cause cramps",
        "I take {medicine}",
        "leg cramps in pregnancy",
    ],
)
def test_the_guides_example_utterances_are_in_the_model(utterance):
    samples = {
        s
        for i in model()["interactionModel"]["languageModel"]["intents"]
        for s in i.get("samples", [])
    }
    assert utterance in samples


@pytest.mark.parametrize(
    ("words", "intent", "slots"),
    [
        ("ask cramp coach for tonight's tip", "TipIntent", {}),
        ("how do I stop getting cramps", "TipIntent", {}),
        ("why do I get cramps at night", "CausesIntent", {}),
        ("can stress cause cramps", "CausesIntent", {"cause": "stress_anxiety"}),
        ("does pickle juice work", "RemedyIntent", {"remedy": "pickle_juice"}),
        ("should I take magnesium", "RemedyIntent", {"remedy": "magnesium"}),
        ("what should I drink", "RemedyIntent", {}),
        ("can atorvastatin cause cramps", "MedicineIntent", {"medicine": "atorvastatin"}),
        ("I take Lasix", "MedicineIntent", {"medicine": "furosemide"}),
        ("leg cramps in pregnancy", "PregnancyIntent", {}),
        ("tell me about natural remedies", "FaqIntent", {"question": "natural_remedies"}),
    ],
)
def test_what_people_say_resolves_through_the_model(words, intent, slots):
    from tools.utterances import Resolver

    resolved = Resolver("en-US").resolve(words)
    assert resolved.intent == intent
    assert {k: v[1] for k, v in resolved.slots.items()} == slots


@pytest.mark.parametrize("locale", ["en-US", "en-GB", "en-CA", "en-AU", "en-IN"])
def test_guide_answers_use_each_markets_own_urgent_care(locale):
    local = content_for(locale)
    chat = Conversation(lambda_handler, at=DAY, locale=locale)
    response = chat.say("CausesIntent", cause="lookalikes")
    assert f"contact {local.fact('urgent_care')}." in said(response)
    assert f"call {local.fact('emergency_number')}" in card(response)["content"]
