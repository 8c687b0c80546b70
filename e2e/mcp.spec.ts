import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { uniqueName } from "./support/helpers";
import { actionStatus, approveWhenPending, BASE, provisionSdkAgent } from "./support/sdk-agent";

/*
 * Warden's MCP server, driven by the official MCP client over both transports: the
 * `warden-mcp` command (package.json's bin, from the SDK's build) over stdio, and /api/mcp.
 */

const TOOLS = ["claim_task", "finish_task", "guard_action", "recall_memory", "record_memory", "renew_task_lease", "report_result", "wait_for_approval"];

// The stdio server is the built SDK: building it here keeps `npm test` honest about the build.
test.beforeAll(() => {
  test.setTimeout(180_000);
  const build = spawnSync(process.execPath, ["--import", "tsx", "scripts/build-sdk.ts"], { encoding: "utf8" });
  expect(build.status, `npm run build:sdk failed:\n${build.stdout}\n${build.stderr}`).toBe(0);
});

function stdioTransport(key: string): Transport {
  const { bin } = JSON.parse(readFileSync("package.json", "utf8")) as { bin: Record<string, string> };
  // Started as an MCP client starts a command: by its path (the shebang runs node).
  return new StdioClientTransport({ command: path.resolve(bin["warden-mcp"]!), env: { WARDEN_URL: BASE, WARDEN_KEY: key }, stderr: "pipe" });
}

function httpTransport(key: string): Transport {
  return new StreamableHTTPClientTransport(new URL("/api/mcp", BASE), { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
}

/** A tool's JSON answer (the servers answer with one text block). */
function parsed(result: Awaited<ReturnType<Client["callTool"]>>): Record<string, unknown> {
  const [block] = result.content as { type: string; text: string }[];
  expect(result.isError, block?.text).toBeFalsy();
  return JSON.parse(block!.text) as Record<string, unknown>;
}

for (const [transportName, transportFor] of [
  ["stdio (warden-mcp)", stdioTransport],
  ["streamable HTTP (/api/mcp)", httpTransport],
] as const) {
  test(`over ${transportName}: lists the tools, guards actions (one waiting for an edit-then-approve) and reports the result`, async ({ request }) => {
    const { token, tool, name, key } = await provisionSdkAgent(request);
    const client = new Client({ name: "warden-e2e", version: "1.0.0" });
    await client.connect(transportFor(key));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
      const guard = tools.find((t) => t.name === "guard_action")!;
      // The tool is optional, as on POST /api/v1/actions: without one the policy caps the answer.
      expect(guard.inputSchema.required).toEqual(expect.arrayContaining(["action", "confidence"]));
      expect(guard.inputSchema.required).not.toContain("tool");
      expect(Object.keys(guard.inputSchema.properties ?? {})).toContain("tool");

      const auto = parsed(
        await client.callTool({ name: "guard_action", arguments: { action: "restart worker", tool, args: { container: "worker" }, confidence: 0.99 } }),
      );
      expect(auto).toMatchObject({ decision: "auto_execute", status: "approved", allowed: true, approvedArgs: { container: "worker" } });
      const reported = parsed(
        await client.callTool({ name: "report_result", arguments: { actionId: auto.actionId, status: "succeeded", output: { ok: true } } }),
      );
      expect(reported).toEqual({ actionId: auto.actionId, status: "succeeded" });
      expect(await actionStatus(request, key, String(auto.actionId))).toBe("succeeded");

      const asking = client.callTool({
        name: "guard_action",
        arguments: { action: "drop cache", tool, args: { keys: "*" }, confidence: 0.4, waitSeconds: 20 },
      });
      await approveWhenPending(request, token, name, { args: { keys: "session:*" } });
      expect(parsed(await asking)).toMatchObject({ decision: "require_approval", allowed: true, argsEdited: true, approvedArgs: { keys: "session:*" } });

      // Invalid input comes back as a tool error naming the field.
      const invalid = await client.callTool({ name: "guard_action", arguments: { action: "x", tool, confidence: 7 } });
      expect(invalid.isError).toBe(true);
      expect(JSON.stringify(invalid.content)).toContain("confidence");
    } finally {
      await client.close();
    }
  });
}

for (const [transportName, transportFor] of [
  ["stdio (warden-mcp)", stdioTransport],
  ["streamable HTTP (/api/mcp)", httpTransport],
] as const) {
  test(`over ${transportName}: guard_action repeated with an externalId answers with the same action as it is now, not a second one`, async ({ request }) => {
    const { tool, key } = await provisionSdkAgent(request);
    const client = new Client({ name: "warden-e2e", version: "1.0.0" });
    await client.connect(transportFor(key));
    try {
      const guard = (await client.listTools()).tools.find((t) => t.name === "guard_action")!;
      expect(JSON.stringify(guard.inputSchema.properties?.externalId)).toContain("tool-call id");
      const externalId = uniqueName("call");
      const ask = { action: "restart worker", tool, args: { container: "worker" }, confidence: 0.99, externalId };
      const first = parsed(await client.callTool({ name: "guard_action", arguments: ask }));
      expect(first).toMatchObject({ status: "approved", allowed: true });
      // Asked again before running (a client's retry): the same action, still to run once.
      const again = parsed(await client.callTool({ name: "guard_action", arguments: ask }));
      expect(again).toMatchObject({ actionId: first.actionId, status: "approved" });

      await client.callTool({ name: "report_result", arguments: { actionId: first.actionId, status: "succeeded", output: { restarted: "worker" } } });
      const after = parsed(await client.callTool({ name: "guard_action", arguments: ask }));
      expect(after).toMatchObject({ actionId: first.actionId, status: "succeeded", allowed: false, output: { restarted: "worker" } });
      expect(String(after.next)).toContain("already ran");
      const found = await request.get(`/api/v1/actions?externalId=${encodeURIComponent(externalId)}`, { headers: { Authorization: `Bearer ${key}` } });
      expect(((await found.json()) as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([first.actionId]);
    } finally {
      await client.close();
    }
  });

  test(`over ${transportName}: a suspend ends a pending guard_action at once, with the reason`, async ({ request }) => {
    const { token, tool, name, key } = await provisionSdkAgent(request);
    const client = new Client({ name: "warden-e2e", version: "1.0.0" });
    await client.connect(transportFor(key));
    const auth = { Authorization: `Bearer ${token}` };
    try {
      const asking = client.callTool({ name: "guard_action", arguments: { action: "drop the cache", tool, confidence: 0.3, waitSeconds: 45 } });
      await expect
        .poll(
          async () =>
            ((await (await request.get(`/api/v1/approvals?status=pending&agent=${name}`, { headers: auth })).json()) as { items: unknown[] }).items.length,
        )
        .toBe(1);
      const suspendedAt = Date.now();
      expect((await request.post("/api/v1/control/suspend", { headers: auth, data: { scope: `agent:${name}`, reason: "mcp drill" } })).status()).toBe(200);
      const answer = parsed(await asking);
      expect(Date.now() - suspendedAt).toBeLessThan(3_000);
      expect(answer).toMatchObject({ status: "expired", allowed: false });
      expect(String(answer.next)).toContain("suspended: mcp drill");
    } finally {
      await request.post("/api/v1/control/resume", { headers: auth, data: { scope: `agent:${name}`, reason: "drill over" } });
      await client.close();
    }
  });
}

test("over stdio, a long wait sends progress notifications and never outlasts 50 s", async ({ request }) => {
  test.setTimeout(90_000);
  const { tool, key } = await provisionSdkAgent(request);
  const client = new Client({ name: "warden-e2e", version: "1.0.0" });
  await client.connect(stdioTransport(key));
  try {
    const progress: number[] = [];
    const began = Date.now();
    const result = await client.callTool(
      { name: "guard_action", arguments: { action: "rotate every key", tool, confidence: 0.3, waitSeconds: 300 } },
      undefined,
      { onprogress: (p) => progress.push(p.progress), timeout: 58_000 },
    );
    const answer = parsed(result);
    expect(Date.now() - began).toBeLessThan(55_000);
    expect(answer).toMatchObject({ status: "pending_approval", allowed: false });
    expect(String(answer.next)).toContain("wait_for_approval");
    expect(progress.length).toBeGreaterThanOrEqual(3);
  } finally {
    await client.close();
  }
});

test("/api/mcp refuses a request without an agent key, and a personal token", async ({ request }) => {
  const initialize = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "e2e", version: "1" } },
  };
  const headers = { accept: "application/json, text/event-stream", "content-type": "application/json" };

  const anonymous = await request.post("/api/mcp", { headers, data: initialize });
  expect(anonymous.status()).toBe(401);
  expect(anonymous.headers()["www-authenticate"]).toContain("Bearer");
  expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
  const forged = await request.post("/api/mcp", { headers: { ...headers, Authorization: "Bearer wdn_agent_not-a-real-key" }, data: initialize });
  expect(forged.status()).toBe(401);

  const { token } = await provisionSdkAgent(request);
  const person = await request.post("/api/mcp", { headers: { ...headers, Authorization: `Bearer ${token}` }, data: initialize });
  expect(person.status()).toBe(403);

  // The official client without a key cannot connect either.
  const client = new Client({ name: "warden-e2e", version: "1.0.0" });
  await expect(client.connect(new StreamableHTTPClientTransport(new URL("/api/mcp", BASE)))).rejects.toThrow();
});
