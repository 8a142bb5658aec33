// virtual-alexa turns each {slot} in a sample into a greedy "(.*)", so in "my {side} {muscle}"
// the first slot takes every word and the second none, and the sample never matches: Alexa
// splits such words fine. This patch gives a slot of a custom type a group of its own values
// (longest first), so the regular expression finds the split; built-in types keep "(.*)".
// Matching stays virtual-alexa's own: the same scoring, slot checks and resolution.
"use strict";

const { SamplePhrase, SamplePhraseTest } = require("virtual-core/lib/src/SampleUtterances");

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// The group for one slot, made once per model, intent and slot: building it for each of
// twenty thousand samples took most of a run.
const groups = new WeakMap();

function slotGroup(phrase, name) {
  const model = phrase.sampleUtterances.interactionModel();
  if (!groups.has(model)) groups.set(model, new Map());
  const known = groups.get(model);
  const key = `${phrase.intent}.${name}`;
  if (!known.has(key)) known.set(key, makeGroup(model, phrase.intent, name));
  return known.get(key);
}

function makeGroup(model, intent, name) {
  const slot = model.intentSchema.intent(intent).slotForName(name);
  const type = slot && model.slotTypes.slotType(slot.type);
  if (!type || type.isBuiltin()) return "(.*)";
  const words = [];
  for (const value of type.values) words.push(value.name.value, ...(value.name.synonyms || []));
  words.sort((a, b) => b.length - a.length);
  return `(${words.map(escape).join("|")})`;
}

SamplePhrase.prototype.regex = function regex() {
  if (!this._splitting) {
    const pieces = this.phrase.split(/(\{\w+\})/).map((piece) => {
      const slot = /^\{(\w+)\}$/.exec(piece);
      return slot ? slotGroup(this, slot[1]) : escape(piece);
    });
    this._splitting = new RegExp(`^${pieces.join("")}$`, "i");
  }
  return this._splitting;
};

// A sample whose own words are not all in the utterance cannot match it: skip it before its
// regular expression is built and compiled (compiling twenty thousand of them cost most of a
// run). The result is the same; only fewer samples are tried.
const NO_MATCH = { matches: () => false };
const PUNCTUATION = /[\!\"\¿\?|\#\$\%\/\(\)\=\+\-\_\<\>\*\{\}\·\¡\[\]\.\,\;\:]/g; // virtual-core's
const matchesUtterance = SamplePhrase.prototype.matchesUtterance;
SamplePhrase.prototype.matchesUtterance = function matches(utterance) {
  if (!this._literals) {
    this._literals = this.phrase.split(/\{\w+\}/).map((piece) => piece.trim().toLowerCase()).filter(Boolean);
  }
  const said = utterance.replace(PUNCTUATION, "").toLowerCase();
  if (!this._literals.every((piece) => said.includes(piece))) return NO_MATCH;
  return matchesUtterance.call(this, utterance);
};

// The original check wants a slot's words to carry their surrounding spaces.
const checkSlots = SamplePhraseTest.prototype.checkSlots;
SamplePhraseTest.prototype.checkSlots = function check(input, values) {
  return checkSlots.call(this, input, values.map((v) => (v === undefined ? v : ` ${v} `)));
};
