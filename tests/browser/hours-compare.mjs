// Compares how vangnet reads opening hours with opening_hours.js, the
// OpenStreetMap reference implementation (npm `opening_hours`): for every
// rule × instant below, the state (open / closed / unknown) and the next
// change. vangnet answers through `vangnet hours <rule> --at …` (JSON).
// Run by run.mjs with TZ=Europe/Amsterdam, because opening_hours.js reads
// a Date in the process's local time; prints disagreements as JSON and
// exits 1 when one is not in KNOWN_DIFFERENCES.
//
//   TZ=Europe/Amsterdam node tests/browser/hours-compare.mjs [binary]

import { execFileSync } from "node:child_process";
import opening_hours from "opening_hours";

const BINARY = process.argv[2] ?? process.env.VANGNET_BIN ?? "target/debug/vangnet";

/** Dutch public holidays come from the country; the state is left empty
 * because the Netherlands has no regional holidays. */
const NOMINATIM = { lat: 52.09, lon: 5.12, address: { country_code: "nl", state: "" } };

export const RULES = [
  // The demo's hours.
  "Mo-Fr 10:00-16:00; Sa 12:00-16:00",
  "Mo-Fr 08:00-18:00; Sa 09:00-17:00",
  "Mo-Su 09:00-21:00",
  "Tu,Th 19:00-22:00",
  "Mo-Su 08:00-10:00,16:00-18:00",
  "Mo-Sa 08:30-16:30",
  "Mo,We,Fr 13:00-16:00",
  // Holidays, exceptions, closures.
  "Mo-Fr 09:00-17:00; PH off",
  "Mo-Su 10:00-18:00; PH 12:00-16:00",
  "Mo-Fr 09:00-17:00; 2026 Dec 24 off",
  "Mo-Fr 09:00-17:00; Sa off; PH off; 2026 Dec 24-2027 Jan 02 off",
  "Mo-Fr 09:00-17:00; 2026 Dec 24 10:00-14:00",
  "Mo-Fr 09:00-17:00; Dec 25 off",
  // Comments: without a state unknown, with one as it says.
  'Mo-Fr 09:00-17:00 "op afspraak"',
  'Mo-Fr 09:00-17:00 open "op afspraak"',
  'Mo-Su 00:00-24:00 "op afspraak"',
  "Mo-Fr 09:00-17:00 unknown",
  // Overnight, always, never.
  "Fr-Sa 22:00-04:00",
  "Sa 22:00-26:00",
  "24/7",
  "24/7; PH off",
  "off",
  // Dutch as typed.
  "ma-vr 9-17; za 10-14; zo gesloten",
];

/** Instants in Dutch local time: ordinary days, both clock changes of
 * 2026 (29 March, 25 October), King's Day (Monday 27 April 2026), Christmas
 * (Friday 25 and Saturday 26 December 2026) and the days around it. */
export const INSTANTS = [
  "2026-11-25T11:00:00+01:00",
  "2026-11-25T08:30:00+01:00",
  "2026-11-27T23:30:00+01:00",
  "2026-11-28T02:00:00+01:00",
  "2026-11-29T12:00:00+01:00",
  "2026-03-28T21:00:00+01:00",
  "2026-03-29T01:30:00+01:00",
  "2026-03-29T09:30:00+02:00",
  "2026-10-24T23:30:00+02:00",
  "2026-10-25T02:30:00+01:00",
  "2026-10-25T09:30:00+01:00",
  "2026-04-26T20:00:00+02:00",
  "2026-04-27T11:00:00+02:00",
  "2026-12-23T18:00:00+01:00",
  "2026-12-24T11:00:00+01:00",
  "2026-12-25T11:00:00+01:00",
  "2026-12-31T12:00:00+01:00",
];

/** Where opening_hours.js is arguably wrong, or the two differ on purpose:
 * { rule, at (or "*"), field ("state" | "next"), reason }. */
export const KNOWN_DIFFERENCES = [
  {
    rule: "Sa 22:00-26:00",
    at: "2026-10-24T23:30:00+02:00",
    field: "next",
    reason:
      "02:00 happens twice the night the clocks go back; opening_hours.js closes at the first (00:00 UTC), " +
      "vangnet (the opening-hours crate) at the second (01:00 UTC). Both are 02:00 on the clock.",
  },
  ...["2026-03-28T21:00:00+01:00", "2026-03-29T01:30:00+01:00", "2026-03-29T09:30:00+02:00"].map((at) => ({
    rule: "24/7; PH off",
    at,
    field: "next",
    reason:
      "opening_hours.js counts Good Friday (3 April 2026) as a Dutch public holiday; it is not one in the " +
      "Algemene termijnenwet and most services open, so vangnet's next change is Easter Sunday.",
  })),
];

function vangnet(rule) {
  const args = ["hours", rule, ...INSTANTS.flatMap((at) => ["--at", at])];
  return JSON.parse(execFileSync(BINARY, args, { encoding: "utf8" }));
}

function reference(rule, at) {
  const oh = new opening_hours(rule, NOMINATIM, { mode: 0, tag_key: "opening_hours", locale: "nl" });
  const date = new Date(at);
  const state = oh.getUnknown(date) ? "unknown" : oh.getState(date) ? "open" : "closed";
  const limit = new Date(date.getTime() + 366 * 24 * 3600 * 1000);
  const next = oh.getNextChange(date, limit);
  return { state, next: next ? next.getTime() : null };
}

function known(rule, at, field) {
  return KNOWN_DIFFERENCES.find(
    (k) => k.rule === rule && (k.at === "*" || k.at === at) && k.field === field,
  );
}

export function compare() {
  const disagreements = [];
  for (const rule of RULES) {
    const ours = vangnet(rule);
    for (const [i, at] of INSTANTS.entries()) {
      const mine = ours.at[i];
      const theirs = reference(ours.stored, at);
      const next = mine.next_change ? new Date(mine.next_change).getTime() : null;
      const found = [];
      if (mine.state !== theirs.state) found.push(["state", mine.state, theirs.state]);
      if (next !== theirs.next) {
        found.push([
          "next",
          mine.next_change,
          theirs.next === null ? null : new Date(theirs.next).toISOString(),
        ]);
      }
      for (const [field, vangnetSays, referenceSays] of found) {
        if (!known(rule, at, field)) {
          disagreements.push({ rule, stored: ours.stored, at, field, vangnet: vangnetSays, opening_hours_js: referenceSays });
        }
      }
    }
  }
  return disagreements;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.env.TZ !== "Europe/Amsterdam") {
    console.error("run with TZ=Europe/Amsterdam");
    process.exit(2);
  }
  const disagreements = compare();
  console.log(JSON.stringify(disagreements, null, 2));
  process.exit(disagreements.length ? 1 : 0);
}
