// Whitespace of any kind, including the control characters that are whitespace (tab, newline…):
// each run becomes one space, so `docker\trm` and `docker  rm` read as `docker rm`.
const WHITESPACE = /[\p{White_Space}]+/gu;
// What a person cannot see: control and format characters (zero-width spaces and joiners, the
// byte-order mark, soft hyphens, bidirectional marks) and every other default-ignorable code
// point (variation selectors, fillers). Removed, so `d\u200bocker` reads as `docker`.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

// A few rounds always suffice: each one that changes the text removes characters or settles
// its normal form.
const MAX_ROUNDS = 8;

function round(text: string): string {
  // Whitespace goes before the invisible characters: a tab is a control character too, and must
  // separate words, not join them.
  return text.normalize("NFKC").toLowerCase().replace(WHITESPACE, " ").replace(INVISIBLE, "");
}

/**
 * Text as the always-require-approval patterns see it: Unicode NFKC (fullwidth `ｄｏｃｋｅｒ` and
 * other compatibility forms become `docker`), invisible characters removed, whitespace collapsed
 * to single spaces and trimmed, lower case. Pure, and idempotent: normalizing twice changes
 * nothing (tests/unit/normalize-text.test.ts).
 */
export function normalizeText(text: string): string {
  // Repeated until nothing changes: lower-casing can leave text NFKC writes differently (İ → i̇),
  // and removing an invisible character can let two spaces, or a letter and its accent, meet.
  let current = text;
  for (let i = 0; i < MAX_ROUNDS; i++) {
    const next = round(current);
    if (next === current) break;
    current = next;
  }
  return current.trim();
}
