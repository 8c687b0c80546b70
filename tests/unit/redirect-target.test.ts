import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pathOnOrigin } from "../../server/http/server-origin";

const ORIGIN = "http://127.0.0.1:11480";

/** Where a browser on a page of Warden lands when sent to `target`, whichever way it is read. */
function landings(target: string): string[] {
  return [
    new URL(target, `${ORIGIN}/login?next=x`).origin, // a relative Location or a client navigation
    new URL(`${ORIGIN}${target}`).origin, // next-auth's `${baseUrl}${url}`
  ];
}

// The pieces open redirects are made of: slashes both ways, characters URL parsers drop or
// fold, encodings, schemes, user info, other hosts and this one.
const PIECES = [
  "/",
  "//",
  "\\",
  "\t",
  "\n",
  "\r",
  " ",
  "\u0000",
  "\u00a0",
  "%2F",
  "%5C",
  "%09",
  "%2f%2f",
  ".",
  "..",
  "@",
  ":",
  "?",
  "#",
  "evil.example",
  "EVIL.example",
  "evil.example:80",
  "127.0.0.1:11480",
  "127.0.0.1",
  "localhost",
  "\u3002",
  "ｅｖｉｌ.example",
  "http:",
  "https:",
  "HTTP:",
  "javascript:",
  "data:",
  "file:",
  "ftp:",
  "inbox",
  "fleet?x=1",
  "#top",
];
const crafted = fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }).map((parts) => parts.join(""));
const anything = fc.oneof(crafted, fc.string({ unit: "binary", maxLength: 40 }), fc.webUrl({ withQueryParameters: true, withFragments: true }));

describe("pathOnOrigin: a next or callback target stays on Warden", () => {
  it.each([
    ["/\\evil.example"],
    ["/\t/evil.example"],
    ["//evil.example"],
    ["https://evil.example"],
    ["/\\/evil.example"],
    ["\\\\evil.example"],
    ["javascript:alert(1)"],
    [`${ORIGIN}@evil.example/`],
    ["http://127.0.0.1:11481/inbox"],
  ])("sends %j home", (target) => {
    expect(pathOnOrigin(target, ORIGIN)).toBe("/");
  });

  it.each([
    ["/inbox", "/inbox"],
    ["/actions?status=failed#row-3", "/actions?status=failed#row-3"],
    [`${ORIGIN}/fleet`, "/fleet"],
    ["/./\\/evil.example", "/evil.example"], // a path on this host, never a scheme-relative URL
    ["inbox", "/inbox"],
    ["http:evil.example", "/evil.example"], // same scheme, no slashes: a relative path
    ["", "/"],
    [null, "/"],
  ])("keeps a path on this server: %j -> %j", (target, expected) => {
    expect(pathOnOrigin(target, ORIGIN)).toBe(expected);
  });

  it("no generated target leaves the origin, however the answer is read", () => {
    fc.assert(
      fc.property(anything, (target) => {
        const path = pathOnOrigin(target, ORIGIN);
        expect(path.startsWith("/")).toBe(true);
        expect(path[1] === "/" || path[1] === "\\").toBe(false);
        for (const landed of landings(path)) expect(landed).toBe(ORIGIN);
      }),
      { numRuns: 5000 },
    );
  });

  it("holds behind an HTTPS proxy's origin too", () => {
    fc.assert(
      fc.property(anything, (target) => {
        const origin = "https://warden.example.com";
        const path = pathOnOrigin(target, origin);
        expect(new URL(path, `${origin}/login`).origin).toBe(origin);
        expect(new URL(`${origin}${path}`).origin).toBe(origin);
      }),
      { numRuns: 2000 },
    );
  });
});
