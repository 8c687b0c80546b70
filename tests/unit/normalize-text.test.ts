import { describe, expect, it } from "vitest";
import { normalizeText } from "../../server/guardrails/normalize-text";

describe("normalizeText: what the always-require-approval patterns see", () => {
  it.each([
    { name: "plain text is lower-cased", input: "Docker RM cache", expected: "docker rm cache" },
    { name: "two spaces become one", input: "docker  rm cache", expected: "docker rm cache" },
    { name: "a tab separates words", input: "docker\trm cache", expected: "docker rm cache" },
    { name: "newlines and carriage returns separate words", input: "docker\r\nrm\ncache", expected: "docker rm cache" },
    { name: "a no-break space is a space", input: "docker\u00a0rm", expected: "docker rm" },
    { name: "an ideographic space is a space", input: "docker\u3000rm", expected: "docker rm" },
    { name: "em and thin spaces are spaces", input: "docker\u2003\u2009rm", expected: "docker rm" },
    { name: "leading and trailing whitespace is trimmed", input: " \t docker rm \n", expected: "docker rm" },
    { name: "a zero-width space inside a word is removed", input: "d\u200bocker rm", expected: "docker rm" },
    { name: "zero-width joiners and non-joiners are removed", input: "do\u200dck\u200cer rm", expected: "docker rm" },
    { name: "a word joiner and a byte-order mark are removed", input: "\ufeffdocker\u2060 rm", expected: "docker rm" },
    { name: "a soft hyphen is removed", input: "dock\u00ader rm", expected: "docker rm" },
    { name: "bidirectional marks are removed", input: "\u202edocker\u202c \u200erm", expected: "docker rm" },
    { name: "a variation selector is removed", input: "docker\ufe0f rm", expected: "docker rm" },
    { name: "a NUL and other controls are removed", input: "dock\u0000er\u0007 rm", expected: "docker rm" },
    { name: "fullwidth letters become plain (NFKC)", input: "ｄｏｃｋｅｒ ｒｍ", expected: "docker rm" },
    { name: "fullwidth capitals and punctuation become plain", input: "ＤＲＯＰ ＴＡＢＬＥ； ｇｉｔ －－ｆｏｒｃｅ", expected: "drop table; git --force" },
    { name: "mathematical letters become plain (NFKC)", input: "𝐝𝐨𝐜𝐤𝐞𝐫 𝚛𝚖", expected: "docker rm" },
    { name: "ligatures are split (NFKC)", input: "ﬁle rm", expected: "file rm" },
    { name: "a zero-width space between two spaces leaves one space", input: "docker \u200b rm", expected: "docker rm" },
    { name: "accents survive, composed", input: "cafe\u0301", expected: "café" },
    { name: "an invisible character between a letter and its accent lets them compose", input: "cafe\u200b\u0301", expected: "café" },
    { name: "dotted capital I lower-cases to a stable form", input: "İ", expected: "i̇".normalize("NFKC") },
    { name: "only invisible characters leave nothing", input: "\u200b\u200c\ufeff \t", expected: "" },
    { name: "the empty text stays empty", input: "", expected: "" },
  ])("$name", ({ input, expected }) => {
    expect(normalizeText(input)).toBe(expected);
  });

  it.each(["d\u200bocker\t\u00a0RM", "ｄｏｃｋｅｒ ｒｍ", "cafe\u200b\u0301 İ", " a \u200b b "])("is idempotent on %j", (input) => {
    const once = normalizeText(input);
    expect(normalizeText(once)).toBe(once);
  });
});
