import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emailDomainAllowed, parseDomains, parseRoleMap, roleFromClaim } from "../../server/auth/oidc-rules";

const MAP = (() => {
  const parsed = parseRoleMap("warden-admins:admin, warden-ops:operator,warden-approvers:approver,all-staff:viewer,urn:corp:wardens:operator");
  if (!("map" in parsed)) throw new Error("map did not parse");
  return parsed.map;
})();

describe("roleFromClaim: the provider's claim → a Warden role", () => {
  it.each([
    ["one group", ["warden-ops"], "operator"],
    ["the highest of several", ["all-staff", "warden-admins", "warden-ops"], "admin"],
    ["a plain string claim", "warden-approvers", "approver"],
    ["a value holding colons", ["urn:corp:wardens"], "operator"],
    ["no mapped group", ["marketing"], null],
    ["an empty list", [], null],
    ["no claim", undefined, null],
    ["a number", 42, null],
    ["an object", { "warden-admins": true }, null],
    ["non-strings in the list are skipped", [1, null, { a: 1 }, "warden-ops"], "operator"],
    ["case matters (the provider's values are exact)", ["Warden-Admins"], null],
    ["a space-joined string is one value", "warden-admins warden-ops", null],
  ])("%s", (_name, claim, expected) => {
    expect(roleFromClaim(claim, MAP)).toBe(expected);
  });

  it("never gives a role no value maps to", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 6 }), (values) => {
        const role = roleFromClaim(values, MAP);
        if (role === null) return;
        expect(values.some((v) => MAP.get(v) === role)).toBe(true);
      }),
    );
  });
});

describe("parseRoleMap", () => {
  it("refuses unknown roles and entries without a value", () => {
    const parsed = parseRoleMap("a:admin,b:superuser,:viewer,c");
    expect("problems" in parsed && parsed.problems).toHaveLength(3);
  });
  it("an empty map maps nothing", () => {
    expect(parseRoleMap("")).toEqual({ map: new Map() });
  });
});

describe("emailDomainAllowed", () => {
  const allowed = parseDomains("example.com, @Corp.Example ");
  it.each([
    ["ana@example.com", true],
    ["Ana@EXAMPLE.COM", true],
    ["bo@corp.example", true],
    ["eve@evil.example", false],
    ["eve@sub.example.com", false], // a subdomain is another domain
    ["eve@example.com.evil.example", false],
    ["eve@notexample.com", false],
    ["example.com@evil.example", false], // the domain is after the last @
    ["eve@evil.example@example.com", true], // …which is the one a mail server would use
    ["example.com", false],
    ["@example.com", false],
    ["eve@", false],
    ["", false],
  ])("%s → %s", (email, expected) => {
    expect(emailDomainAllowed(email, allowed)).toBe(expected);
  });

  it("no list allows any address with a domain", () => {
    expect(emailDomainAllowed("anyone@anywhere.example", [])).toBe(true);
    expect(emailDomainAllowed("nobody", [])).toBe(false);
  });

  it("an allowed address is exactly one of the listed domains", () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const ok = emailDomainAllowed(email, allowed);
        expect(ok).toBe(allowed.includes(email.slice(email.lastIndexOf("@") + 1).toLowerCase()));
      }),
    );
  });
});

describe("single sign-on settings from the environment", () => {
  const SSO = { WARDEN_OIDC_ISSUER: "https://idp.example.test", WARDEN_OIDC_CLIENT_ID: "warden", WARDEN_OIDC_CLIENT_SECRET: "s3cret" };

  it("reads a complete configuration, with the map and domains parsed", async () => {
    const { parseEnv, oidcSettings } = await import("../../server/env");
    const settings = oidcSettings(
      parseEnv({ ...SSO, WARDEN_OIDC_ALLOWED_DOMAINS: "Corp.Example", WARDEN_OIDC_ROLE_CLAIM: "groups", WARDEN_OIDC_ROLE_MAP: "ops:operator" }),
    );
    expect(settings).toMatchObject({ issuer: SSO.WARDEN_OIDC_ISSUER, name: "SSO", allowedDomains: ["corp.example"], roleClaim: "groups" });
    expect(settings?.roleMap.get("ops")).toBe("operator");
    expect(oidcSettings(parseEnv({}))).toBeNull();
  });

  it("refuses half a configuration and a map naming no role", async () => {
    const { parseEnv } = await import("../../server/env");
    expect(() => parseEnv({ WARDEN_OIDC_ISSUER: SSO.WARDEN_OIDC_ISSUER })).toThrow(/together/);
    expect(() => parseEnv({ ...SSO, WARDEN_OIDC_ROLE_MAP: "ops:root" })).toThrow(/WARDEN_OIDC_ROLE_MAP/);
    expect(() => parseEnv({ WARDEN_PASSWORD_LOGIN: "no" })).toThrow(/WARDEN_PASSWORD_LOGIN/);
  });
});
