"""Content checks: every file fits the schema, every spoken line is one breath and valid SSML,
every item cites real sources, and nothing repeats a claim docs/evidence.md says not to repeat."""

from __future__ import annotations

import json
import re
import string
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cramp_coach.speech import Speech
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
SCHEMA = json.loads((CONTENT / "schema.json").read_text())
REGISTRY = Registry().with_resource(SCHEMA["$id"], Resource.from_contents(SCHEMA))
FILES = sorted(CONTENT.rglob("*.toml"))
SOURCES = tomllib.loads((CONTENT / "sources.toml").read_text())
MAX_WORDS = 35
MAX_SENTENCE_WORDS = 25
LOCALE_FACTS = [
    read_facts["locale"]
    for read_facts in (tomllib.loads(p.read_text()) for p in CONTENT.glob("*/locale.toml"))
]
# What a placeholder may become when spoken: the longest value in any locale, so the
# one-breath limits hold in every market.
PLACEHOLDER_VALUES = {
    "leg": "your right leg",
    **{
        key: max((facts[key] for facts in LOCALE_FACTS), key=lambda v: len(v.split()))
        for key in ("emergency_number", "urgent_care", "maternity_care", "maternity_now")
    },
}


def read(path: Path) -> dict:
    return tomllib.loads(path.read_text())


def validator_for(kind: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"{SCHEMA['$id']}#/$defs/files/{kind}"}, registry=REGISTRY)


def schema_kind(path: Path) -> str:
    return path.stem if path.stem in SCHEMA["$defs"]["files"] else "topic"


def topic_files() -> list[Path]:
    return [p for p in FILES if p.stem not in ("phrases", "locale", "sources")]


def all_items() -> list[tuple[str, dict]]:
    return [(p.stem, item) for p in topic_files() for item in read(p).get("item", [])]


def phrase_lines() -> list[tuple[str, str]]:
    lines = []
    for path in (p for p in FILES if p.stem == "phrases"):
        for table, entries in read(path).items():
            lines += [(f"{path.parent.name}/{table}.{key}", text) for key, text in entries.items()]
    return lines


def filled(text: str) -> str:
    """Placeholders filled the way the skill fills them (phrases get a sample value)."""
    fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    values = {name: PLACEHOLDER_VALUES.get(name, "calf") for name in fields}
    return text.format(**values)


def spoken_texts() -> list[tuple[str, str]]:
    """Every text the skill may say aloud: item speeches and UI phrases (not card-only lines)."""
    texts = [(f"{topic}:{item['id']}", filled(item["speech"])) for topic, item in all_items()]
    texts += [(key, filled(text)) for key, text in phrase_lines() if ".card_" not in key]
    return texts


def every_text() -> list[tuple[str, str]]:
    """Everything a user can hear or read: speeches, cards and phrases."""
    texts = spoken_texts()
    texts += [(f"{t}:{i['id']}:card", filled(i["card"])) for t, i in all_items() if "card" in i]
    texts += [(key, filled(text)) for key, text in phrase_lines() if ".card_" in key]
    return texts


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def words(text: str) -> list[str]:
    return text.split()


# --- schema --------------------------------------------------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CONTENT)))
def test_every_content_file_fits_the_schema(path):
    errors = [e.message for e in validator_for(schema_kind(path)).iter_errors(read(path))]
    assert errors == []


@pytest.mark.parametrize(
    ("kind", "bad"),
    [
        ("remedies", {"kind": "drink", "grade": "miracle cure", "names": ["x"]}),
        ("remedies", {"kind": "drink", "grade": "no evidence", "names": []}),
        ("medicines", {"group": "statin", "names": ["x"]}),  # no `linked`
        ("relief", {"muscle": "elbow", "step": 1, "hold": True}),
        ("tips", {"evidence": "trust me"}),
        ("tips", {"evidence": "expert opinion", "price": "9.99"}),  # unknown field
        ("red_flags", {"level": "whenever"}),
        ("topic", {"sources": []}),
    ],
)
def test_the_schema_rejects_broken_items(kind, bad):
    item = {"id": "x", "speech": "Say this.", "sources": ["nhs-leg-cramps"], **bad}
    assert list(validator_for(kind).iter_errors({"item": [item]}))


def test_red_flag_items_may_carry_extra_fields_for_the_safety_journey():
    item = {
        "id": "calf_swollen",
        "level": "urgent",
        "symptoms": ["swollen calf"],
        "hazard": "H2",
        "action": "same-day care",
        "speech": "Get care today.",
        "sources": ["nhs-dvt"],
    }
    assert not list(validator_for("red_flags").iter_errors({"item": [item]}))


# --- one breath, valid SSML ----------------------------------------------------------


@pytest.mark.parametrize(("where", "text"), spoken_texts(), ids=lambda v: str(v)[:40])
def test_every_spoken_text_is_one_breath(where, text):
    assert len(words(text)) <= MAX_WORDS, f"{where}: {len(words(text))} words"
    for sentence in sentences(text):
        assert len(words(sentence)) <= MAX_SENTENCE_WORDS, f"{where}: {sentence!r}"


def test_every_spoken_text_is_valid_ssml_day_and_night():
    for where, text in spoken_texts():
        for night in (False, True):
            root = ET.fromstring(Speech(text).ssml(night))
            assert root.tag == "speak", where
            assert "".join(root.itertext()) == text, where


def test_markup_characters_in_content_cannot_break_ssml():
    root = ET.fromstring(Speech("Salt & pepper <b> 5 > 3").ssml(True))
    assert "".join(root.itertext()) == "Salt & pepper <b> 5 > 3"


# --- sources -------------------------------------------------------------------------


def test_every_item_cites_at_least_one_source_that_exists():
    for topic, item in all_items():
        assert item.get("sources"), f"{topic}:{item['id']} cites nothing"
        missing = [s for s in item["sources"] if s not in SOURCES]
        assert missing == [], f"{topic}:{item['id']} cites unknown {missing}"


def test_every_source_has_a_name_a_card_can_show():
    assert all(entry.get("name") for entry in SOURCES.values())


# --- claims not to repeat, advertising, links ----------------------------------------

NEGATION = re.compile(
    r"\b(no|not|never|unlikely|without|rather than|isn't|aren't|hasn't|haven't|don't|doesn't|"
    r"won't|can't|cannot)\b|n't\b",
    re.IGNORECASE,
)
CLAIM_VERB = r"(prevents?|stops?|cures?|helps?|works?|reduces?|relieves?|eases?|fixes|fix)"
# docs/evidence.md, "Claims not to repeat": each a pattern that must never match any text.
FORBIDDEN_ALWAYS = {
    "lemon/citrate and calcium crystals": r"crystal",
    "tart cherry juice or melatonin prevents cramps": r"(cherr(y|ies)|melatonin)\w*( juice)? "
    r"(prevents|stops|cures|will prevent|can prevent|will stop|can stop)",
    "coconut water or bone broth stops cramps": r"(coconut water|bone broth) "
    r"(stops|prevents|cures|will stop|can stop|can prevent)",
    "pickle juice prevents night cramps": r"pickle (juice|brine) "
    r"(prevents|stops|cures|will prevent|can prevent|helps prevent)",
    "B vitamins stop cramps in 86%": r"86 ?(%|percent|per cent)|"
    r"b vitamins? (stop|prevent|cure)s?\b",
    "diet plans": r"diet plan",
    "advertising": r"\b(buy|order now|discount|coupon|sponsored|promo code|free trial|"
    r"subscribe|shop now|best price|\d+% off)\b",
}
# Claims that are forbidden unless the sentence plainly negates them.
FORBIDDEN_UNNEGATED = {
    "tart cherry juice or melatonin helps": rf"(cherr(y|ies)|melatonin)\b.*\b{CLAIM_VERB}\b",
    "coconut water or bone broth helps": rf"(coconut water|bone broth)\b.*\b{CLAIM_VERB}\b",
    "pickle juice helps night cramps": rf"pickle\b.*\b{CLAIM_VERB}\b",
    "cramps are mainly dehydration or low minerals": r"(mainly|mostly|usually|main cause|"
    r"caused by|due to|because of)\b.*\b(dehydrat\w*|low (minerals?|magnesium|potassium|"
    r"salts?|electrolytes?|calcium)|electrolytes?|minerals?)\b",
}


def test_the_forbidden_patterns_catch_the_claims_they_are_for():
    claims = [
        "Lemon water stops calcium crystals that cause cramps.",
        "Tart cherry juice prevents cramps.",
        "The melatonin in cherries helps you avoid cramps.",
        "Coconut water stops cramps fast.",
        "Bone broth helps with cramps.",
        "Pickle juice prevents night cramps.",
        "B vitamins stop cramps in 86% of people.",
        "Night cramps are mainly caused by dehydration.",
        "Try our diet plan.",
        "Buy magnesium now.",
    ]
    for claim in claims:
        assert forbidden_in(claim), claim


def forbidden_in(text: str) -> list[str]:
    found = [name for name, p in FORBIDDEN_ALWAYS.items() if re.search(p, text, re.I)]
    for sentence in sentences(text):
        if NEGATION.search(sentence):
            continue
        found += [name for name, p in FORBIDDEN_UNNEGATED.items() if re.search(p, sentence, re.I)]
    return found


def test_no_text_repeats_a_claim_evidence_md_says_not_to_repeat():
    offenders = {where: forbidden_in(text) for where, text in every_text() if forbidden_in(text)}
    assert offenders == {}


LINK = re.compile(r"https?:|www\.|\.(com|org|net|gov|uk|nz|ie|io)\b|@\w", re.IGNORECASE)


def test_no_links_in_anything_a_user_hears_or_reads():
    assert [where for where, text in every_text() if LINK.search(text)] == []


# --- quinine, tonic water, stopping medicines ----------------------------------------

QUININE = re.compile(r"quinine|tonic", re.IGNORECASE)
WARNING_WORDS = re.compile(
    r"\bnot\b|n't\b|\bno\b|never|avoid|warn|risk|serious|outweigh|banned|sensitive",
    re.IGNORECASE,
)


def test_quinine_and_tonic_water_appear_only_as_not_recommended():
    for topic, item in all_items():
        text = " ".join([item["speech"], item.get("card", "")])
        if QUININE.search(text):
            assert topic == "remedies", f"{topic}:{item['id']} mentions quinine or tonic"
            assert item["grade"] == "not recommended", item["id"]
            assert "not recommended" in item["speech"].lower(), item["id"]
    for key, text in phrase_lines():
        assert not QUININE.search(text), key


def test_every_sentence_about_quinine_or_tonic_water_is_a_warning():
    for where, text in every_text():
        for sentence in sentences(text):
            if QUININE.search(sentence):
                assert WARNING_WORDS.search(sentence), f"{where}: {sentence!r}"


def test_quinine_and_tonic_water_are_graded_not_recommended():
    remedies = {item["id"]: item for item in read(CONTENT / "en" / "remedies.toml")["item"]}
    assert remedies["quinine"]["grade"] == "not recommended"
    assert remedies["tonic_water"]["grade"] == "not recommended"


STOP_ADVICE = re.compile(r"stop taking|stop using|come off|quit taking|discontinue", re.I)
STOP_ANYTHING = re.compile(r"(\w+'?\w*\s+)?stop (it|one|them|a statin|a prescribed|treatment)")


def test_nothing_advises_stopping_a_medicine():
    for where, text in every_text():
        assert not STOP_ADVICE.search(text), where
        for match in STOP_ANYTHING.finditer(text):
            before = (match.group(1) or "").strip().lower()
            assert before in ("don't", "never", "not"), f"{where}: {match.group(0)!r}"


def test_every_medicine_answer_sends_you_to_the_prescriber_and_says_not_to_stop():
    for item in read(CONTENT / "en" / "medicines.toml")["item"]:
        assert "prescriber or pharmacist" in item["speech"], item["id"]
        assert re.search(r"(don't|never) stop", item["speech"]), item["id"]
        assert re.search(r"never stop|do not stop|keep using", item["card"], re.I), item["id"]


# --- honest strength of evidence ------------------------------------------------------

HEDGE = re.compile(
    r"\bmay\b|\bmight\b|expert|not tested|hasn't been tested|weak|isn't proven|suggest|mixed",
    re.IGNORECASE,
)


def test_tips_on_weak_evidence_say_so_in_the_spoken_words():
    for item in read(CONTENT / "en" / "tips.toml")["item"]:
        if item["evidence"] in ("weak evidence", "expert opinion"):
            assert HEDGE.search(item["speech"]), item["id"]


def test_medicines_without_a_source_say_we_do_not_know():
    for item in read(CONTENT / "en" / "medicines.toml")["item"]:
        if not item["linked"]:
            assert item["speech"].startswith("I don't have reliable information"), item["id"]


# --- the topics the guide must cover -------------------------------------------------------


def test_the_guide_covers_every_topic_it_promises():
    en = CONTENT / "en"
    assert len(read(en / "tips.toml")["item"]) >= 20
    assert read(en / "causes.toml")["item"][0]["id"] == "overview"
    remedies = {item["id"] for item in read(en / "remedies.toml")["item"]}
    assert remedies >= {
        "water",
        "coconut_water",
        "tart_cherry_juice",
        "herbal_tea",
        "bone_broth",
        "electrolyte_drinks",
        "turmeric_milk",
        "lemon_honey_water",
        "pickle_juice",
        "tonic_water",
        "magnesium",
        "quinine",
        "vitamin_b",
        "pregnancy_supplements",
    }
    names = {n.lower() for i in read(en / "medicines.toml")["item"] for n in i["names"]}
    assert names >= {
        "furosemide",
        "lasix",
        "hydrochlorothiazide",
        "atorvastatin",
        "lipitor",
        "simvastatin",
        "zocor",
        "rosuvastatin",
        "crestor",
        "nifedipine",
        "salbutamol",
        "albuterol",
        "raloxifene",
        "teriparatide",
        "naproxen",
        "iron sucrose",
        "conjugated estrogens",
        "antidepressants",
        "antipsychotics",
    }
    faqs = {item["id"] for item in read(en / "faqs.toml")["item"]}
    assert faqs >= {
        "prevent",
        "during",
        "natural_remedies",
        "conditions",
        "stress_anxiety",
        "see_doctor",
    }
    kinds = {item["kind"] for item in read(en / "pregnancy.toml")["item"]}
    assert kinds >= {"helps", "avoid", "get_help"}


def test_the_documented_topic_table_matches_the_item_counts():
    doc = (ROOT / "docs" / "content-and-locales.md").read_text()
    rows = re.findall(r"^\| `(\w+)\.toml` \| (\d+) \|", doc, re.M)
    assert rows, "topic table not found in docs/content-and-locales.md"
    for topic, count in rows:
        assert len(read(CONTENT / "en" / f"{topic}.toml")["item"]) == int(count), topic
