import { describe, expect, it } from "vitest";
import { savePolicy } from "../../server/policy/save-policy";
import { getCurrentPolicy } from "../../server/policy/current-policy";
import { db, makeUser } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";

describe("the guardrail decision: the seed's cases", () => {
  it.each([
    {
      name: "docker rm at 0.99 still waits for a human",
      action: "docker rm cache",
      confidence: 0.99,
      expected: "require_approval",
      code: "always_requires_approval",
    },
    {
      name: "a plain action at 0.96 runs on its own",
      action: "restart the cache container",
      confidence: 0.96,
      expected: "auto_execute",
      code: "confidence_auto_execute",
    },
    {
      name: "0.80 runs with a notification",
      action: "restart the cache container",
      confidence: 0.8,
      expected: "execute_with_notification",
      code: "confidence_execute_with_notification",
    },
    {
      name: "0.50 waits for a human",
      action: "restart the cache container",
      confidence: 0.5,
      expected: "require_approval",
      code: "confidence_require_approval",
    },
    {
      name: "DROP TABLE matches case-insensitively",
      action: "psql -c 'drop table users'",
      confidence: 0.99,
      expected: "require_approval",
      code: "always_requires_approval",
    },
  ])("$name", async ({ action, confidence, expected, code }) => {
    const tool = await makeTool({ scopes: [] });
    const { key } = await makeGrantedAgent([tool.name]);
    const response = await propose(key, { tool: tool.name, action, confidence });
    expect(response.status).toBe(201);
    expect(response.json.decision).toBe(expected);
    expect(response.json.reasons.map((r: { code: string }) => r.code)).toContain(code);
    expect(response.json.policyVersion).toBeGreaterThanOrEqual(1);
    expect(Array.isArray(response.json.recalled)).toBe(true);
    if (expected === "require_approval") {
      expect(response.json.status).toBe("pending_approval");
      expect(response.json.approval.requiredApprovals).toBe(1);
      const minutes = (Date.parse(response.json.approval.expiresAt) - Date.now()) / 60_000;
      expect(minutes).toBeGreaterThan(29);
      expect(minutes).toBeLessThanOrEqual(30);
    } else {
      expect(response.json.status).toBe("approved");
      expect(response.json.approval).toBeUndefined();
    }
  });

  it("a lead agent is refused: it delegates, never executes", async () => {
    const tool = await makeTool({ scopes: [] });
    const { key } = await makeGrantedAgent([tool.name], [], { role: "lead" });
    const response = await propose(key, { tool: tool.name, confidence: 0.99 });
    expect(response.json).toMatchObject({ decision: "deny", status: "denied", reasons: [{ code: "lead_cannot_execute" }] });
  });

  it("production/db for a staging/* tool is refused", async () => {
    const tool = await makeTool({ scopes: ["staging/*"] });
    const { key } = await makeGrantedAgent([tool.name]);
    const outside = await propose(key, { tool: tool.name, resource: "production/db", confidence: 0.99 });
    expect(outside.json.decision).toBe("deny");
    expect(outside.json.reasons[0]).toMatchObject({ code: "resource_out_of_scope" });
    expect(outside.json.reasons[0].message).toContain("production/db");
    const inside = await propose(key, { tool: tool.name, resource: "staging/web", confidence: 0.99 });
    expect(inside.json.decision).toBe("auto_execute");
    const missing = await propose(key, { tool: tool.name, confidence: 0.99 });
    expect(missing.json.reasons[0].code).toBe("resource_required");
  });

  it("the agent's own scopes limit it too", async () => {
    const tool = await makeTool({ scopes: [] });
    const { key } = await makeGrantedAgent([tool.name], ["staging/*"]);
    expect((await propose(key, { tool: tool.name, resource: "production/api", confidence: 0.99 })).json.decision).toBe("deny");
  });

  it("the 11th call in a minute of a 10/minute tool is refused with Retry-After", async () => {
    const tool = await makeTool({ scopes: [], rateLimit: "10/minute" });
    const { key } = await makeGrantedAgent([tool.name]);
    for (let i = 0; i < 10; i++) {
      expect((await propose(key, { tool: tool.name, confidence: 0.99 })).json.decision).toBe("auto_execute");
    }
    const eleventh = await propose(key, { tool: tool.name, confidence: 0.99 });
    expect(eleventh.json.decision).toBe("deny");
    expect(eleventh.json.reasons[0].code).toBe("rate_limited");
    const retryAfter = Number(eleventh.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another agent has its own allowance.
    const other = await makeGrantedAgent([tool.name]);
    expect((await propose(other.key, { tool: tool.name, confidence: 0.99 })).json.decision).toBe("auto_execute");
  });

  it("unknown and ungranted tools are refused", async () => {
    const tool = await makeTool({ scopes: [] });
    const { key } = await makeGrantedAgent([]);
    expect((await propose(key, { tool: "no-such-tool", confidence: 0.99 })).json.reasons[0].code).toBe("unknown_tool");
    expect((await propose(key, { tool: tool.name, confidence: 0.99 })).json.reasons[0].code).toBe("tool_not_granted");
  });

  it("a tool that requires confirmation always waits, and a critical tool needs a quorum", async () => {
    const confirm = await makeTool({ scopes: [], requiresConfirmation: true });
    const critical = await makeTool({ scopes: [], risk: "critical" });
    const { key } = await makeGrantedAgent([confirm.name, critical.name]);
    const a = await propose(key, { tool: confirm.name, confidence: 0.99 });
    expect(a.json.decision).toBe("require_approval");
    expect(a.json.reasons.map((r: { code: string }) => r.code)).toContain("tool_requires_confirmation");
    const b = await propose(key, { tool: critical.name, confidence: 0.5 });
    expect(b.json.approval.requiredApprovals).toBe(2);
  });

  it("an execute-with-notification decision lands in the feed and queues webhooks", async () => {
    const tool = await makeTool({ scopes: [] });
    const { key } = await makeGrantedAgent([tool.name]);
    const hook = await db.webhook.create({ data: { url: "http://127.0.0.1:9/never", secret: "s", events: ["action.notify"] } });
    const response = await propose(key, { tool: tool.name, confidence: 0.8, action: "rotate logs" });
    expect(await db.notification.count({ where: { actionId: response.json.id } })).toBe(1);
    const deliveries = await db.webhookDelivery.findMany({ where: { webhookId: hook.id } });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.payload).toMatchObject({ event: "action.notify", actionId: response.json.id });
    await db.webhook.update({ where: { id: hook.id }, data: { active: false } });
  });

  it("thresholds follow the policy, with a per-agent rule", async () => {
    const tool = await makeTool({ scopes: [] });
    const { agent, key } = await makeGrantedAgent([tool.name]);
    const admin = await makeUser("admin");
    const current = await getCurrentPolicy(db, { fresh: true });
    await savePolicy(db, admin, {
      document: {
        ...current.document,
        rules: [
          ...current.document.rules,
          {
            name: `${agent.name} runs alone only at 0.99`,
            when: `agent.name == "${agent.name}" && confidence < 0.99`,
            then: { decision: "execute_with_notification" },
          },
        ],
      },
      comment: "stricter for one agent",
    });
    const response = await propose(key, { tool: tool.name, confidence: 0.96 });
    expect(response.json.decision).toBe("execute_with_notification");
    expect(response.json.policyVersion).toBe(current.version + 1);
  });

  it("every decision is in the audit log with its decision and reasons", async () => {
    const tool = await makeTool({ scopes: [] });
    const { key } = await makeGrantedAgent([tool.name]);
    const response = await propose(key, { tool: tool.name, confidence: 0.5 });
    const rows = await db.auditLog.findMany({ where: { subjectId: response.json.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ verb: "action.propose", actorType: "agent" });
    expect(rows[0]!.data).toMatchObject({ decision: "require_approval", reasons: ["confidence_require_approval"] });
  });
});
