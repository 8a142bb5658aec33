// AMAZON.TIME and AMAZON.DATE words turned into the values Alexa sends ("ten pm" -> "22:00",
// "half ten" -> "10:30", "yesterday" -> "2026-11-28"). Only what people say to this skill.
"use strict";

const NUMBERS = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17,
  eighteen: 18, nineteen: 19, twenty: 20, thirty: 30, forty: 40, fifty: 50,
};

function minutesFrom(words) {
  if (!words.length) return 0;
  if (words[0] === "oh" && words.length === 2) return NUMBERS[words[1]];
  if (words.length === 1) return NUMBERS[words[0]];
  if (words.length === 2 && NUMBERS[words[0]] >= 20) return NUMBERS[words[0]] + NUMBERS[words[1]];
  return undefined;
}

function pad(n) {
  return String(n).padStart(2, "0");
}

function alexaTime(said) {
  let words = said.toLowerCase().replace(/[.,]/g, "").replace(/\bp m\b/, "pm").replace(/\ba m\b/, "am")
    .replace(/o'clock/, "").split(/\s+/).filter(Boolean);
  if (words.join(" ") === "midnight") return "00:00";
  if (words.join(" ") === "noon") return "12:00";
  let half = null;
  const last = words[words.length - 1];
  if (last === "pm" || last === "am") {
    half = last;
    words = words.slice(0, -1);
  } else if (words.slice(-2).join(" ") === "at night" || words.slice(-3).join(" ") === "in the evening") {
    half = "pm";
    words = words.slice(0, words.slice(-2).join(" ") === "at night" ? -2 : -3);
  }
  let hour;
  let minute = 0;
  if (words[0] === "half" && words[1] === "past" && words.length === 3) {
    hour = NUMBERS[words[2]];
    minute = 30;
  } else if (words[0] === "half" && words.length === 2) {
    hour = NUMBERS[words[1]]; // British "half ten" is 10:30
    minute = 30;
  } else if (words[0] === "quarter" && words.length === 3 && (words[1] === "past" || words[1] === "to")) {
    hour = NUMBERS[words[2]];
    minute = 15;
    if (words[1] === "to") {
      hour -= 1;
      minute = 45;
    }
  } else {
    hour = NUMBERS[words[0]];
    minute = minutesFrom(words.slice(1));
  }
  if (hour === undefined || minute === undefined || hour > 12 || minute > 59) return null;
  if (half === "pm" && hour < 12) hour += 12;
  if (half === "am" && hour === 12) hour = 0;
  return `${pad(hour)}:${pad(minute)}`;
}

function alexaDate(said, now) {
  const day = new Date(now.getTime());
  const words = said.toLowerCase().trim();
  if (words === "today" || words === "tonight") return day.toISOString().slice(0, 10);
  if (words === "yesterday" || words === "last night") {
    day.setUTCDate(day.getUTCDate() - 1);
    return day.toISOString().slice(0, 10);
  }
  return null;
}

module.exports = { alexaTime, alexaDate };
