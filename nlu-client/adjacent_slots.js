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

function slotGroup(phrase, name) {
  const model = phrase.sampleUtterances.interactionModel();
  const slot = model.intentSchema.intent(phrase.intent).slotForName(name);
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

// The original check wants a slot's words to carry their surrounding spaces.
const checkSlots = SamplePhraseTest.prototype.checkSlots;
SamplePhraseTest.prototype.checkSlots = function check(input, values) {
  return checkSlots.call(this, input, values.map((v) => (v === undefined ? v : ` ${v} `)));
};
