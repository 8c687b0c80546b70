import { describe, expect, it } from "vitest";
import { putPolicyRoute } from "../../server/policy/policy-routes";
import { getCurrentPolicy } from "../../server/policy/current-policy";
import { call, db, makeUserWithToken, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";

const suffix = () => unique("c").slice(2);

describe("the always-require-approval patterns, over the API", () => {
  // The spellings that ran on their own at 0.99 before (issue 13), and more of the same.
  it.each([
    { name: "two spaces", action: () => `docker  rm cache-${suffix()}` },
    { name: "a tab", action: () => `docker\trm cache-${suffix()}` },
    { name: "a zero-width space inside the command", action: () => `d\u200bocker rm cache-${suffix()}` },
    { name: "the long form", action: () => `docker container rm cache-${suffix()}` },
    { name: "fullwidth letters", action: () => `ｄｏｃｋｅｒ ｒｍ cache-${suffix()}` },
    { name: "upper case with a no-break space", action: () => `DOCKER\u00a0STOP web-${suffix()}` },
    { name: "a force flag after the branch", action: () => `git push origin main-${suffix()} -f` },
    { name: "force with lease", action: () => `git push --force-with-lease origin main-${suffix()}` },
    { name: "SQL in lower case", action: () => `psql -c 'drop table users_${suffix().replace(/-/g, "")}'` },
  ])("$name waits for a human at 0.99", async ({ action }) => {
    const tool = await makeTool({ scopes: [] });
    const { key } = await makeGrantedAgent([tool.name]);
    const response = await propose(key, { tool: tool.name, action: action(), confidence: 0.99 });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ decision: "require_approval", status: "pending_approval" });
    expect(response.json.reasons.map((r: { code: string }) => r.code)).toContain("always_requires_approval");
  });

  it.each([
    { name: "a command in an args value", args: () => ({ cmd: `docker rm cache-${suffix()}` }) },
    { name: "a command nested deep in the args", args: () => ({ plan: { steps: [{ run: { sh: `docker rm cache-${suffix()}` } }] } }) },
    { name: "a command as an argv list", args: () => ({ argv: ["docker", "rm", `cache-${suffix()}`] }) },
    { name: "a command as an args key", args: () => ({ [`DROP TABLE t${suffix().replace(/-/g, "")}`]: true }) },
    { name: "a tool name in the args", args: () => ({ call: "send_email", to: `board-${suffix()}@example.test` }) },
  ])("$name waits for a human at 0.99", async ({ args }) => {
    const tool = await makeTool({ scopes: [] });
    const { key } = await makeGrantedAgent([tool.name]);
    const response = await propose(key, { tool: tool.name, action: `run maintenance ${suffix()}`, args: args(), confidence: 0.99 });
    expect(response.json.decision).toBe("require_approval");
    expect(response.json.reasons.map((r: { code: string }) => r.code)).toContain("always_requires_approval");
  });

  it("a pattern in the resource counts too", async () => {
    const tool = await makeTool({ scopes: [] });
    const { key } = await makeGrantedAgent([tool.name]);
    const response = await propose(key, { tool: tool.name, action: `notify ${suffix()}`, resource: "mail/send_email", confidence: 0.99 });
    expect(response.json.decision).toBe("require_approval");
  });

  it.each(["docker ps", "git push origin main", "docker restart web", "dropdown table"])(
    "the harmless neighbour %j matches no pattern and runs at 0.99",
    async (words) => {
      const tool = await makeTool({ scopes: [] });
      const { key } = await makeGrantedAgent([tool.name]);
      const response = await propose(key, { tool: tool.name, action: `${words} ${suffix()}`, confidence: 0.99 });
      // Runs on its own, or with a notification where a lesson another suite recorded matches it.
      expect(response.json.status).toBe("approved");
      expect(response.json.reasons.map((r: { code: string }) => r.code)).not.toContain("always_requires_approval");
    },
  );
});

describe("patterns are checked when a policy is saved", () => {
  async function save(patterns: string[], baseVersion?: number) {
    const { token } = await makeUserWithToken("admin");
    const current = await getCurrentPolicy(db, { fresh: true });
    return call(putPolicyRoute, {
      token,
      body: {
        document: { ...current.document, alwaysRequireApproval: [...current.document.alwaysRequireApproval, ...patterns] },
        comment: "patterns",
        baseVersion: baseVersion ?? current.version,
      },
    });
  }

  it.each([
    { pattern: "re:git push (", problem: "not a valid regular expression" },
    { pattern: "re:(a)\\1", problem: "not a valid regular expression" },
    { pattern: "re:(?<=rm)x", problem: "not a valid regular expression" },
    { pattern: "re:.*", problem: "matches empty text" },
    { pattern: "\u200b", problem: "no visible characters" },
  ])("$pattern is refused with a 400 naming its field, and nothing is saved", async ({ pattern, problem }) => {
    const before = await getCurrentPolicy(db, { fresh: true });
    const response = await save([pattern]);
    expect(response.status).toBe(400);
    const index = before.document.alwaysRequireApproval.length;
    expect(response.json.error.details).toEqual([{ field: `document.alwaysRequireApproval.${index}`, message: expect.stringContaining(problem) }]);
    expect((await getCurrentPolicy(db, { fresh: true })).document.alwaysRequireApproval).not.toContain(pattern);
  });

  it("a valid regular expression passes validation (the stale base version then refuses the save, so this test changes nothing)", async () => {
    const response = await save(["re:git\\s+push\\s+.*(-f|--force)", "re:(a+)+$"], 0);
    expect(response.status).toBe(409);
  });
});
