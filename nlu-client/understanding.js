#!/usr/bin/env node
// Runs the held-out phrase set (interaction_model/eval/<locale>.tsv) through virtual-alexa,
// a real independent Alexa client, against the skill's HTTP endpoint, and prints coverage per
// locale and per intent with every miss. Exact: the intent and every slot value must match.
//
//   node nlu-client/understanding.js --url http://127.0.0.1:5000/ [--short N] [--json out.json]
//     [--only original|added]   (one part of the set; "# section: added" starts the second)
//
// Alexa sends AMAZON.TIME and AMAZON.DATE as values ("22:00", "2026-11-28"), where virtual-alexa
// passes the words through as said; a request filter converts them as Alexa would.
// Two client fixes are explained where they are made (adjacent slots, "tell" as a launch).
// An utterance no sample matches is what Alexa would send as AMAZON.FallbackIntent: the
// runner sends that intent to the skill, so the skill's answer to it is exercised too.
"use strict";

const fs = require("fs");
const path = require("path");
const { VirtualAlexa } = require("virtual-alexa");
const { Utterance } = require("virtual-core");
require("./adjacent_slots");
const { alexaTime, alexaDate } = require("./alexa_values");

const ROOT = path.resolve(__dirname, "..");
const MODELS = path.join(ROOT, "interaction_model");
const LOCALES = ["en-US", "en-GB", "en-CA", "en-AU", "en-IN"];
const FALLBACK = "AMAZON.FallbackIntent";

function args(argv) {
  const out = { url: "http://127.0.0.1:5000/", short: 0, json: null, min: 0.95, only: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--url") out.url = argv[++i];
    else if (argv[i] === "--short") out.short = Number(argv[++i]);
    else if (argv[i] === "--json") out.json = argv[++i];
    else if (argv[i] === "--min") out.min = Number(argv[++i]);
    else if (argv[i] === "--only") out.only = argv[++i]; // one part of the set: original, added
  }
  return out;
}

function readSet(locale) {
  const rows = [];
  const text = fs.readFileSync(path.join(MODELS, "eval", `${locale}.tsv`), "utf8");
  let section = "original"; // "# section: added" starts the phrasings written after a fix
  for (const line of text.split("\n")) {
    const heading = /^# section: (\S+)/.exec(line);
    if (heading) section = heading[1];
    if (!line.trim() || line.startsWith("#")) continue;
    const [phrase, intent, slots = ""] = line.split("\t");
    const expected = {};
    for (const pair of slots.trim().split(/\s+/).filter(Boolean)) {
      const [name, value] = pair.split("=");
      expected[name] = value;
    }
    rows.push({ phrase: phrase.trim(), intent: intent.trim(), slots: expected, section });
  }
  return rows;
}

// Every n-th row, so a short run still touches every part of the set.
function shortened(rows, n) {
  if (!n || n >= rows.length) return rows;
  const step = rows.length / n;
  return Array.from({ length: n }, (_, i) => rows[Math.floor(i * step)]);
}

// What the skill receives for a slot: the resolved id for a custom type, else the value.
function received(slot) {
  const authorities = (slot.resolutions || {}).resolutionsPerAuthority || [];
  for (const authority of authorities) {
    if (authority.status && authority.status.code === "ER_SUCCESS_MATCH" && authority.values.length) {
      return authority.values[0].value.id;
    }
  }
  return slot.value;
}

function slotTypes(model) {
  const types = {};
  for (const intent of model.interactionModel.languageModel.intents) {
    for (const slot of intent.slots || []) types[`${intent.name}.${slot.name}`] = slot.type;
  }
  return types;
}

function converter(types, seen) {
  return (request) => {
    const intent = request.request && request.request.intent;
    if (!intent) return;
    for (const slot of Object.values(intent.slots || {})) {
      if (!slot.value) continue;
      const type = types[`${intent.name}.${slot.name}`];
      if (type === "AMAZON.TIME") slot.value = alexaTime(slot.value) || slot.value;
      if (type === "AMAZON.DATE") slot.value = alexaDate(slot.value, new Date()) || slot.value;
    }
    seen.intent = intent.name;
    seen.slots = {};
    for (const slot of Object.values(intent.slots || {})) {
      if (slot.value) seen.slots[slot.name] = received(slot);
    }
  };
}

// One client per locale; every phrase starts a new session, as a fresh "Alexa, ask ...".
function client(modelFile, url, locale) {
  return VirtualAlexa.Builder().interactionModelFile(modelFile).skillURL(url).locale(locale).create();
}

async function understand(alexa, types, phrase) {
  const seen = { intent: null, slots: {} };
  alexa.context().endSession();
  alexa.filter(converter(types, seen));
  // Matched as alexa.utter() does, without its guess that any phrase with "tell" or "ask"
  // in it opens the skill ("tell me a joke" is not a launch).
  const heard = new Utterance(alexa.context().interactionModel(), phrase);
  const reply = heard.matched()
    ? await alexa.request().intent(heard.intent()).slots(heard.toJSON()).send()
    : await alexa.intend(FALLBACK);
  const speech = reply && reply.response && reply.response.outputSpeech;
  return { ...seen, answered: Boolean(speech && (speech.ssml || speech.text)) };
}

function same(expected, got) {
  const a = Object.keys(expected).sort();
  const b = Object.keys(got).sort();
  return a.length === b.length && a.every((k, i) => k === b[i] && String(expected[k]) === String(got[k]));
}

function show(slots) {
  const text = Object.entries(slots).map(([k, v]) => `${k}=${v}`).join(" ");
  return text ? ` {${text}}` : "";
}

function pct(hit, all) {
  return all ? `${((100 * hit) / all).toFixed(1)}%` : "-";
}

async function main() {
  const opts = args(process.argv.slice(2));
  const results = [];
  for (const locale of LOCALES) {
    const modelFile = path.join(MODELS, `${locale}.json`);
    const types = slotTypes(JSON.parse(fs.readFileSync(modelFile, "utf8")));
    const alexa = client(modelFile, opts.url, locale);
    const rows = readSet(locale).filter((row) => !opts.only || row.section === opts.only);
    for (const row of shortened(rows, opts.short)) {
      const got = await understand(alexa, types, row.phrase);
      const exact = got.intent === row.intent && same(row.slots, got.slots) && got.answered;
      results.push({ locale, ...row, got, exact });
    }
  }
  const byLocale = {};
  const byIntent = {};
  const bySection = {};
  for (const r of results) {
    for (const [table, key] of [[byLocale, r.locale], [byIntent, r.intent], [bySection, `${r.section} ${r.locale}`]]) {
      table[key] = table[key] || { hit: 0, all: 0 };
      table[key].all++;
      if (r.exact) table[key].hit++;
    }
  }
  console.log("Coverage per locale (exact intent and slots, through virtual-alexa):");
  for (const [k, v] of Object.entries(byLocale)) console.log(`  ${k.padEnd(8)} ${String(v.hit).padStart(4)}/${String(v.all).padEnd(4)} ${pct(v.hit, v.all)}`);
  console.log("Coverage per intent (all locales):");
  for (const [k, v] of Object.entries(byIntent).sort()) console.log(`  ${k.padEnd(24)} ${String(v.hit).padStart(4)}/${String(v.all).padEnd(4)} ${pct(v.hit, v.all)}`);
  console.log("Coverage per part of the set (original phrasings, and those added after fixes):");
  for (const [k, v] of Object.entries(bySection)) console.log(`  ${k.padEnd(18)} ${String(v.hit).padStart(4)}/${String(v.all).padEnd(4)} ${pct(v.hit, v.all)}`);
  const misses = results.filter((r) => !r.exact);
  const total = results.length - misses.length;
  console.log(`Total: ${total}/${results.length} ${pct(total, results.length)}`);
  console.log(`Misses (${misses.length}):`);
  for (const m of misses) {
    const unanswered = m.got.answered ? "" : " (no spoken answer)";
    const added = m.section === "original" ? "" : ` [${m.section}]`;
    console.log(`  ${m.locale}${added} "${m.phrase}": want ${m.intent}${show(m.slots)}, got ${m.got.intent}${show(m.got.slots)}${unanswered}`);
  }
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify({ byLocale, byIntent, bySection, misses }, null, 2));
  const low = Object.entries(byLocale).filter(([, v]) => v.hit / v.all < opts.min);
  process.exitCode = low.length ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
