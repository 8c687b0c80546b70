import { describe, expect, it } from "vitest";
import { deriveSealingKey, openSecret, sealSecret } from "@/server/lib/secret-box";
import { slackRequestProblem, slackSignature } from "@/server/notifications/slack/slack-signature";
import { pickSlackChannel } from "@/server/notifications/slack/slack-route";

describe("Slack request signatures", () => {
  // The worked example of Slack's "Verifying requests from Slack".
  const secret = "8f742231b10e8888abcd99yyyzzz85a5";
  const timestamp = "1531420618";
  const body =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
  const signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

  it("match Slack's documented example", () => {
    expect(slackSignature(secret, timestamp, body)).toBe(signature);
    expect(slackRequestProblem({ signingSecret: secret, timestamp, signature, body, nowSeconds: 1531420618 + 60 })).toBeNull();
  });

  it.each([
    { name: "a stale timestamp", change: { nowSeconds: 1531420618 + 301 }, problem: /five minutes/ },
    { name: "a timestamp from the future", change: { nowSeconds: 1531420618 - 301 }, problem: /five minutes/ },
    { name: "no timestamp", change: { timestamp: null }, problem: /Timestamp/ },
    { name: "no signature", change: { signature: null }, problem: /missing X-Slack-Signature/ },
    { name: "another body", change: { body: `${body}&x=1` }, problem: /does not match/ },
    { name: "another secret", change: { signingSecret: "another" }, problem: /does not match/ },
    { name: "a short signature", change: { signature: "v0=abc" }, problem: /does not match/ },
  ])("refuse $name", ({ change, problem }) => {
    expect(slackRequestProblem({ signingSecret: secret, timestamp, signature, body, nowSeconds: 1531420618, ...change })).toMatch(problem);
  });
});

describe("Slack channel routes", () => {
  const routes = [
    { minRisk: "critical" as const, channel: "#critical" },
    { team: "ops", tool: "docker.restart", channel: "#ops-docker" },
    { team: "ops", channel: "#ops" },
  ];
  it.each([
    { action: { team: "dev", tool: "db.drop", risk: "critical" }, channel: "#critical" },
    { action: { team: "ops", tool: "docker.restart", risk: "high" }, channel: "#ops-docker" },
    { action: { team: "ops", tool: "git.push", risk: "low" }, channel: "#ops" },
    { action: { team: "dev", tool: null, risk: "low" }, channel: "#approvals" },
  ])("$action.team/$action.tool/$action.risk → $channel", ({ action, channel }) => {
    expect(pickSlackChannel(routes, "#approvals", action)).toBe(channel);
  });
  it("a minimum risk takes that risk and above", () => {
    expect(pickSlackChannel([{ minRisk: "high", channel: "#hot" }], "#all", { team: "x", tool: "t", risk: "critical" })).toBe("#hot");
    expect(pickSlackChannel([{ minRisk: "high", channel: "#hot" }], "#all", { team: "x", tool: "t", risk: "medium" })).toBe("#all");
  });
});

describe("sealed secrets", () => {
  const key = deriveSealingKey("instance key material, 32+ chars long");
  it("open to what was sealed, and each sealing differs", () => {
    const a = sealSecret(key, "xoxb-secret-token");
    expect(a).not.toContain("xoxb");
    expect(openSecret(key, a)).toBe("xoxb-secret-token");
    expect(sealSecret(key, "xoxb-secret-token")).not.toBe(a);
  });
  it("refuse another key and any change", () => {
    const sealed = sealSecret(key, "smtp password");
    expect(() => openSecret(deriveSealingKey("other material"), sealed)).toThrow();
    const parts = sealed.split(".");
    parts[3] = Buffer.from("tampered").toString("base64url");
    expect(() => openSecret(key, parts.join("."))).toThrow();
    expect(() => openSecret(key, "plain text")).toThrow(/not a sealed secret/);
  });
});
