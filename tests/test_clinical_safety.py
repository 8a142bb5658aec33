"""The clinical safety case, checked: every hazard in docs/clinical-safety.md is mitigated by
the real lambda_handler in every market, and the hazard log points at tests that exist.

Levels are written out by hand in tests/test_red_flags.py (EXPECTED_LEVEL), never read from
content/, so a content edit that lowers a level fails here.
"""

from __future__ import annotations

import ast
import json
import re
import string
import tomllib
from pathlib import Path

import pytest
from cramp_coach import triage
from cramp_coach.content import content_for
from envelopes import Conversation, local_moment, plain, speech_of
from lambda_function import lambda_handler
from test_red_flags import EXPECTED_LEVEL, ends, level_heard, report, said_first

from tools import triage_probes

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
SAFETY_CASE = ROOT / "docs" / "clinical-safety.md"
LOCALES = sorted(p.parent.name for p in CONTENT.glob("*/locale.toml"))
EMERGENCIES = sorted(i for i, level in EXPECTED_LEVEL.items() if level == "emergency")
URGENT = sorted(i for i, level in EXPECTED_LEVEL.items() if level == "urgent")
# The market's same-day service, by name, as a listener would hear it (the list).
SAME_DAY_SERVICE = {
    "en-US": "urgent care",
    "en-CA": "urgent care",
    "en-GB": "NHS 111",
    "en-AU": "healthdirect on 1800 022 222",
    "en-IN": "hospital",
}
MATERNITY_NOW = {
    "en-US": "labor and delivery",
    "en-CA": "labour and delivery",
    "en-GB": "maternity unit",
    "en-AU": "maternity unit",
    "en-IN": "maternity hospital",
}


def facts(locale: str) -> dict:
    return tomllib.loads((CONTENT / locale / "locale.toml").read_text())["locale"]


def at_3am(locale: str) -> str:
    return local_moment(locale, 3)


# --- H1 missed emergency, H6 emergency advice not heard ----------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("symptom_id", EMERGENCIES)
def test_every_emergency_says_the_markets_number_first_in_the_normal_voice_at_night(
    locale, symptom_id
):
    response = report(symptom_id, locale=locale, at=at_3am(locale))
    number = facts(locale)["emergency_number"]
    assert said_first(response) == f"Call {number} now."
    assert f'<say-as interpret-as="digits">{number}</say-as>' in speech_of(response)
    assert "<prosody" not in speech_of(response), "whispered at 3 a.m."
    assert ends(response)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_cold_numb_leg_is_an_emergency_in_the_words_people_use(locale):
    talk = Conversation(lambda_handler, at=at_3am(locale), locale=locale)
    response = talk.say("SymptomIntent", symptom=("cold", "cold_pale"), symptomTwo=("numb", "numb"))
    assert said_first(response) == f"Call {facts(locale)['emergency_number']} now."
    assert "cold, pale or blue" in plain(speech_of(response))


# --- H2 under-called urgency, and the place named -----------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("symptom_id", URGENT)
def test_every_urgent_answer_names_the_markets_same_day_service(locale, symptom_id):
    response = report(symptom_id, locale=locale, at=at_3am(locale))
    first = said_first(response)
    assert level_heard(response, locale) == "urgent", first
    named = SAME_DAY_SERVICE[locale] in first or MATERNITY_NOW[locale] in first
    maternity_today = facts(locale)["maternity_care"] in first
    assert named or maternity_today, first
    assert ends(response)
    assert "<prosody" not in speech_of(response)
    assert response["response"]["card"]["title"] == first


@pytest.mark.parametrize("locale", LOCALES)
def test_the_same_day_service_is_the_one_for_the_market(locale):
    assert SAME_DAY_SERVICE[locale] in facts(locale)["urgent_care"]
    assert MATERNITY_NOW[locale] in facts(locale)["maternity_now"]


# "Get medical care", "get urgent help", or a sentence that starts "Get help": no place named.
VAGUE_CARE = re.compile(
    r"\bget (urgent |medical |prompt )(care|help|advice)\b|(^|[.!?:;]\s*)get help\b", re.I
)


@pytest.mark.parametrize("locale", LOCALES)
def test_no_answer_says_only_get_medical_care(locale):
    """At night a person needs a number or a place, never just 'get medical care'."""
    content = content_for(locale)
    for topic in content.topics():
        for item in content.items(topic):
            for text in (item.speech, item.card):
                filled = triage.fill(content, text.replace("{leg}", "your leg"))
                assert not VAGUE_CARE.search(filled), (topic, item.id, filled)


@pytest.mark.parametrize(
    "others", [(), ("new_medicine",), ("keeps_waking",), ("pregnant",), ("restless_urge",)]
)
def test_stomach_cramps_never_reach_see_a_doctor_soon(others):
    response = report(("stomach cramps", "belly_pain"), *others)
    assert level_heard(response) in ("emergency", "urgent"), plain(speech_of(response))
    in_a_cramp = Conversation(lambda_handler).say("CrampNowIntent", muscle=("stomach", None))
    assert level_heard(in_a_cramp) == "urgent"


@pytest.mark.parametrize("locale", LOCALES)
def test_pregnancy_warning_signs_go_to_the_maternity_unit_now(locale):
    talk = Conversation(lambda_handler, at=at_3am(locale), locale=locale)
    response = talk.say(
        "SymptomIntent", symptom=("pregnant", "pregnant"), symptomTwo=("belly pain", "belly_pain")
    )
    f = facts(locale)
    said = plain(speech_of(response))
    assert said_first(response) == f"Contact {f['maternity_now']} now."
    assert f"call {f['emergency_number']}" in said.lower()
    assert ends(response)
    bleeding = report(("vaginal bleeding", "pregnancy_warning"), locale=locale)
    assert said_first(bleeding) == f"Contact {f['maternity_now']} now."


def test_a_clot_risk_context_raises_a_leg_symptom_and_says_why():
    response = report(("long flight", "clot_risk"), ("tender", "tender"))
    said = plain(speech_of(response))
    assert level_heard(response) == "urgent"
    assert "Travel, surgery, bed rest" in said
    with_chest = report(("long flight", "clot_risk"), ("short of breath", "breathless"))
    assert said_first(with_chest) == "Call 911 now."
    assert "blood clot" in plain(speech_of(with_chest))


def test_statin_muscle_pain_is_same_day_in_triage_and_in_the_medicine_answer():
    assert level_heard(report(("dark urine", "dark_urine"))) == "urgent"
    assert level_heard(report(("a statin", "statin"))) == "urgent"
    for statin in ("statins", "atorvastatin", "simvastatin", "rosuvastatin"):
        response = Conversation(lambda_handler).say("MedicineIntent", medicine=statin)
        said = plain(speech_of(response))
        assert "dark urine, contact urgent care or your doctor today" in said, statin


def test_dirty_wound_is_same_day_and_tetanus_signs_are_an_emergency():
    wound = report(("dirty wound", "cut_soil"))
    assert level_heard(wound) == "urgent"
    assert "tetanus booster" in plain(speech_of(wound))
    assert said_first(report(("lockjaw", "tetanus_signs"))) == "Call 911 now."
    assert said_first(report("cut_soil", "long_cramp")) == "Call 911 now."


def test_cauda_equina_signs_are_an_emergency():
    for heard in (("numb bottom", "saddle_numb"), ("can't pee", "bladder_bowel")):
        assert said_first(report(heard)) == "Call 911 now."


# --- H5 misheard or unplaced, not a cramp -------------------------------------------------


def test_restless_legs_is_recognised_as_not_a_cramp():
    said = plain(speech_of(report(("restless legs", "restless_urge"))))
    assert said.startswith("See your doctor if it keeps disturbing your sleep.")
    assert "isn't a cramp" in said


# --- H3 harmful technique or remedy -------------------------------------------------------


def test_standing_stretches_say_to_hold_a_wall_or_chair():
    content = content_for("en-US")
    for item in content.items("relief"):
        if re.search(r"\bstand\b", item.speech, re.I):
            assert re.search(r"wall|chair", item.speech + item.card, re.I), item.id
            assert re.search(r"wall|chair", item.speech, re.I), f"{item.id}: say it aloud"


def test_warmth_is_never_advised_on_numb_skin():
    content = content_for("en-US")
    for topic in ("relief", "tips"):
        for item in content.items(topic):
            if re.search(r"warm|heat|hot", item.card, re.I) and topic == "relief":
                assert "numb" in item.card.lower(), item.id
    warm_tip = content.item("tips", "warmth")
    assert "numb" in warm_tip.card.lower()


def test_painkiller_answers_carry_the_ibuprofen_cautions():
    for locale in LOCALES:
        card = content_for(locale).item("faqs", "painkillers").card.lower()
        for caution in ("pregnan", "kidney", "stomach", "heart", "blood thinner"):
            assert caution in card, (locale, caution)


def test_magnesium_is_evidence_it_does_not_help_with_the_kidney_caution():
    magnesium = content_for("en-US").item("remedies", "magnesium")
    assert magnesium.get("grade") == "evidence it doesn't help"
    assert "kidney" in magnesium.card.lower()


def test_stretching_is_never_said_to_prevent_cramps():
    content = content_for("en-US")
    for topic in ("tips", "faqs", "pregnancy"):
        for item in content.items(topic):
            text = f"{item.speech} {item.card}"
            if "stretch" in text.lower():
                assert not re.search(r"\bstretch\w*[^.]*\bprevents?\b", text, re.I), item.id


@pytest.mark.parametrize("locale", LOCALES)
def test_quinine_is_told_per_market_with_the_stop_and_get_help_signs(locale):
    content = content_for(locale)
    quinine = content.item("remedies", "quinine")
    text = triage.fill(content, quinine.card)
    assert quinine.get("grade") == "not recommended"
    if locale == "en-US":
        assert "FDA" in text
    else:
        assert "prescription" in text.lower() and "review" in text.lower()
    for sign in ("bruising", "bleeding", "fever", "rash", "ringing", "sight"):
        assert sign in text.lower(), (locale, sign)


def test_the_skill_says_it_is_for_adults():
    help_text = " ".join(content_for("en-US").table("phrases").values())
    assert "adults" in help_text


# --- H7 stale or unsourced content --------------------------------------------------------


def test_every_source_is_named_precisely():
    sources = tomllib.loads((CONTENT / "sources.toml").read_text())
    for source_id, source in sources.items():
        assert source.get("title") and source.get("publisher"), source_id
        assert re.match(r"^https://[^/]+/.+", source["url"]), f"{source_id}: a bare site"
        assert "year" in source or source.get("living") is True, source_id
        if source.get("kind") in ("systematic review", "review article", "study"):
            assert "pmid" in source or "doi" in source, source_id


def test_garrison_2012_is_cited_only_for_diuretics_statins_and_long_acting_inhalers():
    content = content_for("en-US")
    for topic in content.topics():
        for item in content.items(topic):
            if "garrison-2012" in item.sources:
                if (topic, item.id) == ("causes", "medicines"):
                    assert "diuretics" in item.card and "statins" in item.card
                    continue  # the overview that names the drugs the study looked at
                assert topic == "medicines", (topic, item.id)
                group = item.get("group")
                assert group in ("diuretic", "statin", "beta-agonist", "blood pressure"), item.id
                assert item.id != "salbutamol"  # a short-acting reliever: not studied


def test_garrison_2012_is_never_said_to_have_found_a_single_drug():
    # The study reported drug classes and subclasses (thiazide-type, loop, potassium-sparing
    # diuretics; LABAs alone or with a steroid), not single medicines.
    content = content_for("en-US")
    said = {}
    for item in content.items("medicines"):
        if "garrison-2012" not in item.sources:
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", item.card):
            if "prescription study" in sentence:
                assert not re.search(r"\bafter (it|them)\b", sentence) or item.id in (
                    "diuretics",
                    "long_acting_beta_agonists",
                ), (item.id, sentence)
                said[item.id] = sentence
    assert "thiazide-type diuretics" in said["hydrochlorothiazide"]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_placeholder_in_content_has_the_locales_fact(locale):
    content = content_for(locale)
    for topic in content.topics():
        for item in content.items(topic):
            for text in (item.speech, item.card):
                names = {n for _, n, _, _ in string.Formatter().parse(text) if n}
                names -= {"leg"}  # the mid-cramp journey fills the side
                for name in names:
                    assert content.fact(name), (locale, topic, item.id, name)


# --- the hazard log itself ----------------------------------------------------------------


def hazard_ids() -> set[str]:
    return set(re.findall(r"^### (H\d+)\b", SAFETY_CASE.read_text(), re.M))


def test_every_red_flag_item_names_a_hazard_in_the_log():
    logged = hazard_ids()
    for item in triage.rules(content_for("en-US")):
        assert item.get("hazard") in logged, item.id


def test_the_hazard_log_names_only_tests_that_exist():
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", SAFETY_CASE.read_text())
    assert len(named) >= 20
    for path, name in named:
        tree = ast.parse((ROOT / path).read_text())
        functions = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert name in functions, f"{path}::{name}"
    for hazard in hazard_ids():
        section = SAFETY_CASE.read_text().split(f"### {hazard}", 1)[1].split("\n### ", 1)[0]
        assert "`tests/" in section, f"{hazard} has no test"


# --- held-out probes ------------------------------------------------------------------------


def model_phrases(locale: str = "en-US") -> set[str]:
    model = json.loads((ROOT / "interaction_model" / f"{locale}.json").read_text())
    language = model["interactionModel"]["languageModel"]
    phrases = {s.lower() for i in language["intents"] for s in i.get("samples", [])}
    for slot_type in language["types"]:
        for value in slot_type["values"]:
            names = [value["name"]["value"], *value["name"].get("synonyms", [])]
            phrases |= {n.lower() for n in names}
    return phrases


def test_the_held_out_probes_are_not_copied_into_the_model():
    known = model_phrases()
    for said, _ in triage_probes.load_probes():
        assert said.lower() not in known, said


# Measured with tools/triage_probes.py; the floor only rises. No probe expected to be
# an emergency may be lost or under-called.
PROBE_FLOOR = 27


def test_the_held_out_probes_reach_their_level():
    outcomes = triage_probes.run("en-US")
    right = [o for o in outcomes if o.heard == o.expected]
    assert len(right) >= PROBE_FLOOR, [o for o in outcomes if o.heard != o.expected]
    for o in outcomes:
        if o.heard is not None:
            assert not triage_probes._less_urgent(o.heard, o.expected), o


def test_in_pregnancy_a_word_that_cannot_be_placed_goes_to_the_maternity_unit_now():
    response = report(("pregnant", "pregnant"), ("I'm spotting a bit", None))
    assert said_first(response) == "Contact labor and delivery or your OB-GYN now."
    assert "couldn't place" in plain(speech_of(response))
    assert '"I\'m spotting a bit"' in response["response"]["card"]["content"]
