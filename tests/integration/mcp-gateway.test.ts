import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { spawn } from "node:child_process";
import { getEventListeners } from "node:events";
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { setTracingDisabled, Usage, type Model } from "@openai/agents";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runThroughGateway } from "../../docs/examples/openai-agents-gateway";
import { actionResultRoute } from "../../server/actions/action-routes";
import { approveRoute, rejectRoute } from "../../server/approvals/approval-routes";
import { apiControlRoutes } from "../../server/control/control-routes";
import { getEffectiveControl } from "../../server/control/effective-state";
import { callThroughGateway } from "../../server/mcp-gateway/gateway-call";
import { handleGatewayRequest } from "../../server/mcp-gateway/gateway-endpoint";
import { deleteMcpServerRoute, listMcpServersRoute, putMcpServerRoute } from "../../server/mcp-gateway/mcp-server-routes";
import { clearOfferedTools } from "../../server/mcp-gateway/offered-tools";
import { MAX_CALLS_IN_FLIGHT_PER_AGENT } from "../../server/mcp-gateway/in-flight-calls";
import { refusalAuditLimits } from "../../server/mcp-gateway/refusal-audit";
import { closeUpstreams, connectionFor, startUpstreams } from "../../server/mcp-gateway/upstream-supervisor";
import { savedTools } from "../../server/mcp-gateway/upstream-tools";
import { toWebRequest, writeWebResponse } from "../../server/http/web-bridge";
import { putToolRoute } from "../../server/tools/tool-routes";
import type { PutToolRequest } from "../../server/schemas/tools";
import { createCaller } from "../../server/api/root";
import { auditRows, call, db, makeAgent, makeUser, makeUserWithToken, unique } from "../support/fixtures";

/*
 * The MCP gateway against real third-party MCP servers from npm (the reference filesystem and
 * "everything" servers, started as child processes), driven by the official MCP client over
 * streamable HTTP against Warden's gateway handler on a real HTTP server and PostgreSQL.
 */

setTracingDisabled(true);

const FILESYSTEM = path.resolve("node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
const EVERYTHING = path.resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const FAKE_UPSTREAM = path.resolve("tests/support/fake-upstream.mjs");

let http: HttpServer;
let gatewayUrl: URL;
let folder: string;
let admin: string;
let approver: string;
let operator: string;
const fs = unique("fs").replace(/-/g, "_");
const every = unique("ev").replace(/-/g, "_");

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function serverView(name: string) {
  const { json } = await call(listMcpServersRoute, { token: admin });
  return (json.servers as { name: string; health: { state: string; error: string | null; restarts: number }; tools: { name: string }[] }[]).find(
    (s) => s.name === name,
  );
}

async function putServer(name: string, body: Record<string, unknown>) {
  const answer = await call(putMcpServerRoute, { token: admin, params: { name }, body });
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  await until(`${name} ready`, async () => (await serverView(name))?.health.state === "ready" && (await serverView(name))!.tools.length > 0);
}

async function putTool(name: string, tool: PutToolRequest) {
  const answer = await call(putToolRoute, { token: admin, params: { name }, body: tool });
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
}

async function agentClient(tools: string[]) {
  const { agent, key } = await makeAgent({ tools });
  const client = new Client({ name: "gateway-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(gatewayUrl, { requestInit: { headers: { Authorization: `Bearer ${key.secret}` } } }));
  return { agent, key: key.secret, client };
}

/**
 * A stateless streamable HTTP MCP server of one tool, answering in JSON: initialize and
 * tools/list as any server; each tools/call handed to `onCall`; notifications to `onNotice`.
 */
async function statelessUpstream(
  tool: string,
  onCall: (
    response: ServerResponse,
    call: { id: number; path: string; params: { _meta?: { progressToken?: string | number }; arguments?: Record<string, unknown> } },
  ) => void,
  onNotice: (method: string) => void = () => undefined,
  onGet?: (request: IncomingMessage, response: ServerResponse) => void,
) {
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      if (request.method === "GET" && onGet) return onGet(request, response);
      if (request.method !== "POST") return void response.writeHead(405).end();
      const message = JSON.parse(body) as { id?: number; method: string; params?: Record<string, unknown> };
      if (message.id === undefined) {
        onNotice(message.method);
        return void response.writeHead(202).end();
      }
      const answer = (result: unknown) =>
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: message.id, result }));
      if (message.method === "initialize")
        return answer({ protocolVersion: "2025-06-18", capabilities: { tools: {} }, serverInfo: { name: tool, version: "1.0.0" } });
      if (message.method === "tools/list") return answer({ tools: [{ name: tool, inputSchema: { type: "object", properties: {} } }] });
      onCall(response, { id: message.id, path: request.url ?? "", params: message.params ?? {} });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, close: () => server.close() };
}

const text = (result: unknown) => ((result as CallToolResult).content as { type: string; text?: string }[]).map((b) => b.text ?? "").join("\n");
const actionIdOf = (result: unknown) => (result as CallToolResult)._meta?.["warden/actionId"] as string;

beforeAll(async () => {
  folder = realpathSync(mkdtempSync(path.join(tmpdir(), "warden-gateway-")));
  http = createServer((request, response) => {
    handleGatewayRequest(toWebRequest(request, response))
      .then((answer) => writeWebResponse(response, answer))
      .catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  gatewayUrl = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/api/mcp/gateway`);
  await startUpstreams(db);
  admin = (await makeUserWithToken("admin")).token;
  approver = (await makeUserWithToken("approver")).token;
  operator = (await makeUserWithToken("operator")).token;
  await putServer(fs, { transport: "stdio", command: process.execPath, args: [FILESYSTEM, folder] });
  await putServer(every, {
    transport: "stdio",
    command: process.execPath,
    args: [EVERYTHING, "stdio"],
    env: { WARDEN_TEST_TOKEN: "s3cret-value" },
    callTimeoutSeconds: 3,
  });
  await putTool(`${fs}.read_text_file`, { scopes: [`${folder}/*`], resourceArgument: "path", defaultConfidence: 0.99 });
  await putTool(`${fs}.write_file`, { scopes: [`${folder}/*`], resourceArgument: "path", requiresConfirmation: true, defaultConfidence: 0.99 });
  await putTool(`${every}.echo`, { scopes: [], defaultConfidence: 0.99 });
  await putTool(`${every}.get-env`, { scopes: [], defaultConfidence: 0.99 });
  await putTool(`${every}.trigger-long-running-operation`, { scopes: [], defaultConfidence: 0.99 });
}, 60_000);

afterAll(async () => {
  await call(deleteMcpServerRoute, { token: admin, params: { name: fs } });
  await call(deleteMcpServerRoute, { token: admin, params: { name: every } });
  await closeUpstreams();
  await new Promise((resolve) => http.close(resolve));
  rmSync(folder, { recursive: true, force: true });
});

describe("MCP servers as config", () => {
  it("seals secrets: shown as set, stored sealed, audited by name only, and handed to the child process", async () => {
    const view = await serverView(every);
    expect((view as unknown as { env: Record<string, string> }).env).toEqual({ WARDEN_TEST_TOKEN: "set" });
    const row = await db.mcpServer.findUniqueOrThrow({ where: { name: every } });
    expect(row.sealedSecrets).not.toContain("s3cret");
    const audits = await auditRows({ subjectId: every });
    expect(audits.length).toBeGreaterThan(0);
    expect(JSON.stringify(audits, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value))).not.toContain("s3cret");
    const { client } = await agentClient([`${every}.get-env`]);
    try {
      expect(text(await client.callTool({ name: `${every}.get-env`, arguments: {} }))).toContain("s3cret-value");
    } finally {
      await client.close();
    }
  });

  it("refuses bad configuration with errors naming the field", async () => {
    const bad = async (name: string, body: unknown, field: string) => {
      const answer = await call(putMcpServerRoute, { token: admin, params: { name }, body });
      expect(answer.status, JSON.stringify(answer.json)).toBe(400);
      expect(JSON.stringify(answer.json.error)).toContain(field);
    };
    await bad("Has.Dot", { transport: "stdio", command: "x" }, "name");
    await bad("ok", { transport: "stdio" }, "command");
    await bad("ok", { transport: "http", url: "ftp://example.com" }, "url");
    await bad("ok", { transport: "stdio", command: "node\u0000evil" }, "command");
    await bad("ok", { transport: "stdio", command: "node", env: { "BAD NAME": "x" } }, "env");
    await bad("ok", { transport: "stdio", command: "node", env: { TOKEN: null } }, "env.TOKEN");
    await bad("ok", { transport: "http", url: "https://example.com/mcp", headers: { "x-token": "a\r\nb" } }, "headers");
    await bad("ok", { transport: "stdio", command: "node", args: ["x".repeat(3000)] }, "args");
    await bad("ok", { transport: "stdio", command: "node", callTimeoutSeconds: 0 }, "callTimeoutSeconds");
    // A kept secret goes only where it was typed for: not to other arguments of the same command,
    // nor beside a new variable (NODE_OPTIONS could print it), nor with another variable changed.
    const kept = { transport: "stdio", command: process.execPath, env: { WARDEN_TEST_TOKEN: null }, callTimeoutSeconds: 3 };
    await bad(every, { ...kept, args: [EVERYTHING, "stdio", "--other"] }, "env.WARDEN_TEST_TOKEN");
    await bad(
      every,
      { ...kept, args: [EVERYTHING, "stdio"], env: { WARDEN_TEST_TOKEN: null, NODE_OPTIONS: "--import=data:text/javascript,0" } },
      "env.WARDEN_TEST_TOKEN",
    );
    expect((await call(putMcpServerRoute, { token: admin, params: { name: every }, body: { ...kept, args: [EVERYTHING, "stdio"] } })).status).toBe(200);
    // Only admins configure servers, or see them (their commands and addresses), here and in the console.
    expect((await call(putMcpServerRoute, { token: approver, params: { name: "ok" }, body: { transport: "stdio", command: "node" } })).status).toBe(403);
    expect((await call(listMcpServersRoute, { token: operator })).status).toBe(403);
    const consoleAs = (user: Awaited<ReturnType<typeof makeUser>>) => createCaller({ db, user, ip: "127.0.0.1" });
    await expect(consoleAs(await makeUser("operator")).mcpServers.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(consoleAs(await makeUser("operator")).mcpServers.delete({ name: every })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const admins = await consoleAs(await makeUser("admin")).mcpServers.list();
    expect(admins.find((s) => s.name === every)?.env).toEqual({ WARDEN_TEST_TOKEN: "set" });
  });
});

describe("the gateway", () => {
  it("lists only the tools granted to the agent, with the upstream schemas", async () => {
    const { client } = await agentClient([`${fs}.read_text_file`, `${fs}.write_file`, "some.other-tool"]);
    try {
      const { tools } = await client.listTools();
      // Named for model APIs (no dot); the Warden name is the title.
      expect(tools.map((t) => t.name).sort()).toEqual([`${fs}__read_text_file`, `${fs}__write_file`]);
      const read = tools.find((t) => t.name === `${fs}__read_text_file`)!;
      expect(read.title).toContain(`${fs}.read_text_file`);
      expect(read.inputSchema.properties).toHaveProperty("path");
    } finally {
      await client.close();
    }
  });

  it("runs a read that passes, and stores its input and output with the action", async () => {
    writeFileSync(path.join(folder, "notes.txt"), "hello from upstream");
    const { client, agent } = await agentClient([`${fs}.read_text_file`]);
    try {
      // By the name tools/list gives (the Warden name works as well, as the other tests call it).
      const result = await client.callTool({ name: `${fs}__read_text_file`, arguments: { path: path.join(folder, "notes.txt") } });
      expect(result.isError).toBeFalsy();
      expect(text(result)).toContain("hello from upstream");
      // A success is recorded as the answer goes out (the response ends once it is written).
      const action = await until("the recorded result", async () => {
        const row = await db.action.findUniqueOrThrow({ where: { id: actionIdOf(result) } });
        return row.status === "succeeded" && row;
      });
      expect(action).toMatchObject({
        agentId: agent.id,
        tool: `${fs}.read_text_file`,
        resource: path.join(folder, "notes.txt"),
        decision: "auto_execute",
        status: "succeeded",
      });
      expect(action.args).toEqual({ path: path.join(folder, "notes.txt") });
      expect(JSON.stringify(action.output)).toContain("hello from upstream");
      expect(action.completedAt).not.toBeNull();
      // Audited as the agent's success, once.
      const audited = await until("the success's audit row", async () => {
        const rows = await auditRows({ subjectId: action.id, verb: "action.succeeded" });
        return rows.length > 0 && rows;
      });
      expect(audited).toHaveLength(1);
      expect(audited[0]).toMatchObject({ actorType: "agent", actorId: agent.id });
    } finally {
      await client.close();
    }
  });

  it("holds a write for approval with progress notifications, then runs the approver's edited args", async () => {
    const { client } = await agentClient([`${fs}.write_file`]);
    try {
      const target = path.join(folder, "edited.txt");
      const progress: string[] = [];
      let heldId: string | null = null;
      const calling = client.callTool({ name: `${fs}.write_file`, arguments: { path: target, content: "as proposed" } }, undefined, {
        timeout: 60_000,
        onprogress: (p) => progress.push(p.message ?? ""),
      });
      heldId = await until(
        "the held call",
        async () => (await db.action.findFirst({ where: { tool: `${fs}.write_file`, status: "pending_approval", resource: target } }))?.id,
      );
      await until("a progress notification", async () => progress.length > 0, 15_000);
      expect(existsSync(target)).toBe(false);
      const approved = await call(approveRoute, { token: approver, params: { id: heldId }, body: { args: { path: target, content: "as edited" } } });
      expect(approved.status, JSON.stringify(approved.json)).toBe(200);
      const result = await calling;
      expect(result.isError, text(result)).toBeFalsy();
      expect(readFileSync(target, "utf8")).toBe("as edited");
      // The agent is told that what ran is not what it asked for.
      expect(text(result)).toContain(
        `Warden: an approver changed the arguments before this ran. What ran: ${JSON.stringify({ path: target, content: "as edited" })}`,
      );
      expect(progress[0]).toContain("waiting for a human");
      await until("the recorded result", async () => (await db.action.findUniqueOrThrow({ where: { id: heldId } })).status === "succeeded");
    } finally {
      await client.close();
    }
  });

  it("an approver's edit that moves the write to another path is refused, naming the argument: the scopes were checked on the proposed one", async () => {
    const { client } = await agentClient([`${fs}.write_file`]);
    try {
      const target = path.join(folder, "proposed.txt");
      const elsewhere = path.join(folder, "..", "outside-the-scope.txt");
      const calling = client.callTool({ name: `${fs}.write_file`, arguments: { path: target, content: "x" } }, undefined, { timeout: 60_000 });
      const heldId = await until("the held call", async () => (await db.action.findFirst({ where: { status: "pending_approval", resource: target } }))?.id);
      for (const args of [{ path: elsewhere, content: "x" }, { content: "x" }]) {
        const moved = await call(approveRoute, { token: approver, params: { id: heldId }, body: { args } });
        expect(moved.status, JSON.stringify(moved.json)).toBe(400);
        expect(JSON.stringify(moved.json)).toContain("args.path");
      }
      // Still waiting, unchanged: an edit that keeps the path goes through, and runs.
      expect((await db.action.findUniqueOrThrow({ where: { id: heldId } })).status).toBe("pending_approval");
      const kept = await call(approveRoute, { token: approver, params: { id: heldId }, body: { args: { path: target, content: "edited" } } });
      expect(kept.status, JSON.stringify(kept.json)).toBe(200);
      const result = await calling;
      expect(result.isError, text(result)).toBeFalsy();
      expect(readFileSync(target, "utf8")).toBe("edited");
      expect(existsSync(elsewhere)).toBe(false);
    } finally {
      await client.close();
    }
  });

  it("two identical calls held at once share one approval, and only one of them runs it", async () => {
    const { client } = await agentClient([`${fs}.write_file`]);
    try {
      const target = path.join(folder, "once.txt");
      const call1 = client.callTool({ name: `${fs}.write_file`, arguments: { path: target, content: "once" } });
      const heldId = await until("the held call", async () => (await db.action.findFirst({ where: { status: "pending_approval", resource: target } }))?.id);
      const call2 = client.callTool({ name: `${fs}.write_file`, arguments: { path: target, content: "once" } });
      await new Promise((r) => setTimeout(r, 500));
      expect(await db.action.count({ where: { resource: target } })).toBe(1);
      expect((await call(approveRoute, { token: approver, params: { id: heldId } })).status).toBe(200);
      const results = await Promise.all([call1, call2]);
      expect(results.map(actionIdOf)).toEqual([heldId, heldId]);
      expect(results.filter((r) => !r.isError)).toHaveLength(1);
      expect(text(results.find((r) => r.isError))).toContain("not run twice");
      expect(readFileSync(target, "utf8")).toBe("once");
    } finally {
      await client.close();
    }
  });

  it("a call made again after its approval landed while nobody waited runs that approval, not a second request", async () => {
    const target = path.join(folder, "later.txt");
    const first = await agentClient([`${fs}.write_file`]);
    const gaveUp = first.client.callTool({ name: `${fs}.write_file`, arguments: { path: target, content: "v1" } }).catch(() => null);
    const heldId = await until("the held call", async () => (await db.action.findFirst({ where: { status: "pending_approval", resource: target } }))?.id);
    // The client goes away (as one whose timeout ran out would), then the human approves.
    await first.client.close();
    await gaveUp;
    expect((await call(approveRoute, { token: approver, params: { id: heldId }, body: { args: { path: target, content: "v1, approved" } } })).status).toBe(200);
    // The same agent asks again with the same arguments.
    const again = new Client({ name: "gateway-test", version: "1.0.0" });
    await again.connect(new StreamableHTTPClientTransport(gatewayUrl, { requestInit: { headers: { Authorization: `Bearer ${first.key}` } } }));
    try {
      const result = await again.callTool({ name: `${fs}.write_file`, arguments: { path: target, content: "v1" } });
      expect(result.isError, text(result)).toBeFalsy();
      expect(actionIdOf(result)).toBe(heldId);
      expect(readFileSync(target, "utf8")).toBe("v1, approved");
      const asked = await db.action.findMany({ where: { resource: target }, orderBy: { createdAt: "asc" } });
      expect(asked.map((a) => a.status)).toEqual([expect.stringMatching(/executing|succeeded/), "expired"]);
      expect(asked[1]!.reason).toContain(heldId);
    } finally {
      await again.close();
    }
  });

  it("an approval given before a suspend and a resume is not run by the call made again: the resumed agent asks again", async () => {
    const target = path.join(folder, "after-resume.txt");
    const first = await agentClient([`${fs}.write_file`]);
    const gaveUp = first.client.callTool({ name: `${fs}.write_file`, arguments: { path: target, content: "v1" } }).catch(() => null);
    const heldId = await until("the held call", async () => (await db.action.findFirst({ where: { status: "pending_approval", resource: target } }))?.id);
    await first.client.close();
    await gaveUp;
    expect((await call(approveRoute, { token: approver, params: { id: heldId } })).status).toBe(200);
    const scope = `agent:${first.agent.name}`;
    expect((await call(apiControlRoutes.suspend, { token: operator, body: { scope, reason: "drill" } })).status).toBe(200);
    expect((await call(apiControlRoutes.resume, { token: operator, body: { scope, reason: "drill over" } })).status).toBe(200);
    const again = new Client({ name: "gateway-test", version: "1.0.0" });
    await again.connect(new StreamableHTTPClientTransport(gatewayUrl, { requestInit: { headers: { Authorization: `Bearer ${first.key}` } } }));
    try {
      const asking = again.callTool({ name: `${fs}.write_file`, arguments: { path: target, content: "v1" } }).catch(() => null);
      await until("a new request for a human", async () => (await db.action.count({ where: { resource: target, status: "pending_approval" } })) === 1);
      expect(existsSync(target)).toBe(false);
      await again.close();
      await asking;
    } finally {
      await again.close().catch(() => undefined);
    }
  });

  it("a call right after a resume runs, and a call after a new stop names that stop: the state that came with the key is read again before refusing", async () => {
    const { client, agent } = await agentClient([`${every}.echo`]);
    const scope = `agent:${agent.name}`;
    const echo = (message: string) => client.callTool({ name: `${every}.echo`, arguments: { message } });
    try {
      expect((await call(apiControlRoutes.suspend, { token: operator, body: { scope, reason: "drill one" } })).status).toBe(200);
      // Past the second a key is held for, then read once: the state held with the key is now the
      // suspension, for up to a second.
      await new Promise((r) => setTimeout(r, 1_100));
      expect(text(await echo("first"))).toContain("drill one");
      expect((await call(apiControlRoutes.resume, { token: operator, body: { scope, reason: "drill over" } })).status).toBe(200);
      const resumed = await echo("right after the resume");
      expect(resumed.isError, text(resumed)).toBeFalsy();
      expect(text(resumed)).toContain("right after the resume");
      expect((await call(apiControlRoutes.suspend, { token: operator, body: { scope, reason: "drill two" } })).status).toBe(200);
      const stopped = await echo("after the second suspend");
      expect(stopped.isError).toBe(true);
      expect(text(stopped)).toContain("drill two");
      expect(text(stopped)).not.toContain("drill one");
    } finally {
      await call(apiControlRoutes.resume, { token: operator, body: { scope, reason: "done" } });
      await client.close();
    }
  });

  it("refuses a denied call with isError saying why, and runs nothing", async () => {
    const { client } = await agentClient([`${fs}.read_text_file`, `${fs}.write_file`]);
    try {
      // Outside the tool's scope: denied by the guardrail.
      const outside = await client.callTool({ name: `${fs}.read_text_file`, arguments: { path: "/etc/passwd" } });
      expect(outside.isError).toBe(true);
      expect(text(outside)).toMatch(/Warden refused: .*scope/i);
      // A tool this agent was not granted.
      const ungranted = await client.callTool({ name: `${every}.echo`, arguments: { message: "hi" } });
      expect(ungranted.isError).toBe(true);
      expect(text(ungranted)).toMatch(/Warden refused: .*not granted/);
      expect((await db.action.findUniqueOrThrow({ where: { id: actionIdOf(ungranted) } })).status).toBe("denied");
      // Rejected by an approver: the reason comes back and nothing is written.
      const target = path.join(folder, "rejected.txt");
      const calling = client.callTool({ name: `${fs}.write_file`, arguments: { path: target, content: "no" } });
      const heldId = await until("the held call", async () => (await db.action.findFirst({ where: { status: "pending_approval", resource: target } }))?.id);
      expect((await call(rejectRoute, { token: approver, params: { id: heldId }, body: { reason: "not on a Friday" } })).status).toBe(200);
      const rejected = await calling;
      expect(rejected.isError).toBe(true);
      expect(text(rejected)).toContain("not on a Friday");
      expect(existsSync(target)).toBe(false);
    } finally {
      await client.close();
    }
  });

  it("on suspend: a held call ends and never runs, an in-flight upstream call is cancelled, later calls are refused at once", async () => {
    const { client, agent } = await agentClient([`${fs}.write_file`, `${every}.trigger-long-running-operation`, `${every}.echo`]);
    try {
      const target = path.join(folder, "suspended.txt");
      const held = client.callTool({ name: `${fs}.write_file`, arguments: { path: target, content: "never" } });
      await until("the held call", async () => (await db.action.findFirst({ where: { status: "pending_approval", resource: target } }))?.id);
      const upstreamProgress: number[] = [];
      const running = client.callTool({ name: `${every}.trigger-long-running-operation`, arguments: { duration: 2.5, steps: 25 } }, undefined, {
        onprogress: (p) => upstreamProgress.push(p.progress),
      });
      await until("the upstream call to run", async () => upstreamProgress.length > 0, 10_000);
      const started = Date.now();
      const suspended = await call(apiControlRoutes.suspend, { token: operator, body: { scope: `agent:${agent.name}`, reason: "incident 42" } });
      expect(suspended.status, JSON.stringify(suspended.json)).toBe(200);
      const [heldResult, runningResult] = await Promise.all([held, running]);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(heldResult.isError).toBe(true);
      expect(text(heldResult)).toContain("incident 42");
      expect(runningResult.isError).toBe(true);
      expect(text(runningResult)).toContain("cancelled");
      const cancelled = await db.action.findUniqueOrThrow({ where: { id: actionIdOf(runningResult) } });
      expect(cancelled.status).toBe("failed");
      // The upstream stops sending progress for a cancelled request.
      const seen = upstreamProgress.length;
      await new Promise((r) => setTimeout(r, 600));
      expect(upstreamProgress.length).toBe(seen);
      const refused = await client.callTool({ name: `${every}.echo`, arguments: { message: "still there?" } });
      expect(refused.isError).toBe(true);
      expect(text(refused)).toContain("suspended");
      // In the audit log either way: refused before it became an action (the agent's key came
      // with its new state), or decided as a denied action (the key's cached state was older,
      // and the decision's epoch check made it decide again on the new one).
      const deniedAction = actionIdOf(refused);
      if (deniedAction) {
        const [proposal] = await auditRows({ verb: "action.propose", subjectId: deniedAction });
        expect(proposal?.data).toMatchObject({ decision: "deny" });
      } else {
        const [refusalRow, ...more] = await auditRows({ verb: "gateway.call_refused", subjectId: agent.id });
        expect(more).toHaveLength(0);
        expect(refusalRow?.actorId).toBe(agent.id);
        expect(refusalRow?.data).toEqual({ tool: `${every}.echo`, reason: text(refused) });
      }
      // Nothing runs later: the held write expired with the suspend.
      await new Promise((r) => setTimeout(r, 300));
      expect(existsSync(target)).toBe(false);
    } finally {
      await client.close();
    }
  });

  it("a failing upstream call is a failed result whose message becomes negative knowledge", async () => {
    const { client } = await agentClient([`${fs}.read_text_file`]);
    try {
      const missing = path.join(folder, "missing.txt");
      const result = await client.callTool({ name: `${fs}.read_text_file`, arguments: { path: missing } });
      expect(result.isError).toBe(true);
      const action = await db.action.findUniqueOrThrow({ where: { id: actionIdOf(result) } });
      expect(action.status).toBe("failed");
      expect(action.failureReason).toMatch(/ENOENT|no such file/i);
      const lesson = await db.memory.findFirst({ where: { kind: "negative_knowledge", actionId: action.id } });
      expect(lesson?.body).toMatch(/ENOENT|no such file/i);
      // The same call again is the same subject (the tool is its operation, the path its
      // resource): the failure comes back with its decision and escalates it by the policy.
      const again = await client.callTool({ name: `${fs}.read_text_file`, arguments: { path: missing } });
      const second = await db.action.findUniqueOrThrow({ where: { id: actionIdOf(again) } });
      expect(second.decision).toBe("execute_with_notification");
      expect(second.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ code: "matching_failure" })]));
      expect(second.recalled).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: lesson!.id, why: expect.objectContaining({ match: "same_subject" }) })]),
      );
    } finally {
      await client.close();
    }
  });

  it("an upstream that hangs is cancelled at its timeout", async () => {
    const { client } = await agentClient([`${every}.trigger-long-running-operation`]);
    try {
      const started = Date.now();
      const result = await client.callTool({ name: `${every}.trigger-long-running-operation`, arguments: { duration: 20, steps: 2 } });
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(result.isError).toBe(true);
      // Naming the limit it ran into.
      expect(text(result)).toMatch(/timed out after \d+ s \(the callTimeoutSeconds of MCP server /);
      expect((await db.action.findUniqueOrThrow({ where: { id: actionIdOf(result) } })).status).toBe("failed");
    } finally {
      await client.close();
    }
  });

  it("an upstream that crashes gives a clear error, and is restarted", async () => {
    const { client } = await agentClient([`${every}.trigger-long-running-operation`, `${every}.echo`]);
    try {
      const connection = (await connectionFor(db, every))!;
      const pid = connection.pid!;
      const restartsBefore = connection.healthNow().restarts;
      const running = client.callTool({ name: `${every}.trigger-long-running-operation`, arguments: { duration: 2.5, steps: 5 } });
      await new Promise((r) => setTimeout(r, 400));
      process.kill(pid, "SIGKILL");
      const crashed = await running;
      expect(crashed.isError).toBe(true);
      expect(text(crashed)).toMatch(/upstream call failed: .*(closed|exit)/i);
      await until("the restart", async () => connection.healthNow().state === "ready" && connection.pid !== pid);
      expect(connection.healthNow().restarts).toBeGreaterThan(restartsBefore);
      const echoed = await client.callTool({ name: `${every}.echo`, arguments: { message: "back again" } });
      expect(echoed.isError, text(echoed)).toBeFalsy();
      expect(text(echoed)).toContain("back again");
    } finally {
      await client.close();
    }
  });

  it("a streamable HTTP upstream that goes away gives a clear error, and is connected again once it is back", async () => {
    const port = Number(process.env.WARDEN_TEST_MCP_HTTP_PORT ?? 11694);
    const startUpstream = () => spawn(process.execPath, [EVERYTHING, "streamableHttp"], { env: { ...process.env, PORT: String(port) }, stdio: "ignore" });
    let upstream = startUpstream();
    const name = unique("web").replace(/-/g, "_");
    try {
      await until("the upstream to listen", async () =>
        fetch(`http://127.0.0.1:${port}/mcp`, { method: "GET" })
          .then(() => true)
          .catch(() => false),
      );
      await putServer(name, { transport: "http", url: `http://127.0.0.1:${port}/mcp` });
      await putTool(`${name}.echo`, { scopes: [], defaultConfidence: 0.99 });
      const { client } = await agentClient([`${name}.echo`]);
      try {
        expect(text(await client.callTool({ name: `${name}__echo`, arguments: { message: "one" } }))).toContain("one");
        upstream.kill("SIGKILL");
        await new Promise((resolve) => upstream.once("exit", resolve));
        const down = await client.callTool({ name: `${name}__echo`, arguments: { message: "two" } });
        expect(down.isError).toBe(true);
        expect(text(down)).toMatch(/upstream call failed|not connected/);
        // Recorded as the call's failure, not remembered as a lesson: an outage is not what it asked.
        const failed = await db.action.findUniqueOrThrow({ where: { id: actionIdOf(down) } });
        expect(failed.status).toBe("failed");
        expect(failed.failureReason).toBeNull();
        expect(await db.memory.count({ where: { actionId: failed.id } })).toBe(0);
        // Its health says the server could not be reached, not that a program exited.
        const health = await until("the failed reconnection", async () => {
          const view = (await serverView(name))?.health;
          return view?.state === "failed" && view;
        });
        expect(health.error).not.toMatch(/exited/);
        upstream = startUpstream();
        // Its session died with it: Warden makes a new one, and the calls work again.
        await until("the reconnection", async () => (await serverView(name))?.health.state === "ready", 30_000);
        const back = await client.callTool({ name: `${name}__echo`, arguments: { message: "three" } });
        expect(back.isError, text(back)).toBeFalsy();
        expect(text(back)).toContain("three");
      } finally {
        await client.close();
      }
    } finally {
      upstream.kill("SIGKILL");
      await call(deleteMcpServerRoute, { token: admin, params: { name } });
    }
  }, 60_000);

  it("answers hostile input with clear errors, each refusal audited: bad names, huge args, NUL bytes, bad confidence", async () => {
    const { client, agent } = await agentClient([`${every}.echo`]);
    try {
      const refusals: string[] = [];
      const refusedWith = async (name: string, args: Record<string, unknown>, expected: RegExp, meta?: Record<string, unknown>) => {
        const result = await client.callTool({ name, arguments: args, ...(meta ? { _meta: meta } : {}) });
        expect(result.isError, text(result)).toBe(true);
        expect(text(result)).toMatch(expected);
        refusals.push(text(result));
      };
      await refusedWith("no-such.tool\u0000", {}, /offers no tool "no-such\.tool\\u0000"/);
      await refusedWith("x".repeat(10_000), {}, /offers no tool "x{100}"/);
      await refusedWith(`${every}.echo`, { message: "x".repeat(200_000) }, /arguments.*KiB/);
      await refusedWith(`${every}.echo`, { message: "a\u0000b" }, /arguments\.message: must not contain the NUL/);
      await refusedWith(`${every}.echo`, { message: "hi" }, /_meta\.confidence/, { confidence: 7 });
      // None became an action; each is in the audit log as the agent read it, the tool's name
      // cut short and made storable (PostgreSQL refuses NUL in jsonb).
      expect(await db.action.count({ where: { agentId: agent.id } })).toBe(0);
      const rows = await auditRows({ verb: "gateway.call_refused", subjectId: agent.id });
      expect(rows.map((r) => (r.data as { reason: string }).reason)).toEqual(refusals);
      expect(rows.map((r) => (r.data as { tool: string }).tool)).toEqual([
        "no-such.tool\\u0000",
        "x".repeat(194),
        `${every}.echo`,
        `${every}.echo`,
        `${every}.echo`,
      ]);
    } finally {
      await client.close();
    }
  });

  it("an agent refused again and again gets one audit row per refusal up to a limit a minute, then one row counting the rest", async () => {
    const saved = { ...refusalAuditLimits };
    Object.assign(refusalAuditLimits, { rowsPerWindow: 3, windowMs: 500 });
    const { client, agent } = await agentClient([`${every}.echo`]);
    try {
      for (let i = 0; i < 8; i++) expect((await client.callTool({ name: `probe.tool_${i}`, arguments: {} })).isError).toBe(true);
      expect(await auditRows({ verb: "gateway.call_refused", subjectId: agent.id })).toHaveLength(3);
      const [counted, ...more] = await until("the count of the rest", async () => {
        const rows = await auditRows({ verb: "gateway.calls_refused", subjectId: agent.id });
        return rows.length > 0 && rows;
      });
      expect(more).toHaveLength(0);
      expect(counted!.data).toMatchObject({ count: 5, lastTool: "probe.tool_7", lastReason: expect.stringContaining("offers no tool") });
    } finally {
      Object.assign(refusalAuditLimits, saved);
      await client.close();
    }
  });

  it("over stdio: `warden-mcp --gateway` relays the list, the call with its _meta.confidence, the progress of a held call, and a cancellation", async () => {
    const { key, agent } = await agentClient([`${every}.echo`, `${fs}.write_file`, `${every}.trigger-long-running-operation`]);
    const agentId = agent.id;
    const client = new Client({ name: "gateway-stdio-test", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ["--import", "tsx", path.resolve("sdk/src/mcp/stdio.ts"), "--gateway"],
        env: { ...getDefaultEnvironment(), WARDEN_URL: gatewayUrl.origin, WARDEN_KEY: key },
        stderr: "pipe",
      }),
    );
    try {
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual([
        `${every}__echo`,
        `${every}__trigger-long-running-operation`,
        `${fs}__write_file`,
      ]);
      // The write always needs a human (requiresConfirmation), whatever confidence the client states.
      const target = path.join(folder, "bridged.txt");
      const progress: string[] = [];
      const held = client.callTool({ name: `${fs}.write_file`, arguments: { path: target, content: "bridged" }, _meta: { confidence: 0.99 } }, undefined, {
        onprogress: (p) => progress.push(p.message ?? ""),
      });
      const heldId = await until("the held call", async () => (await db.action.findFirst({ where: { status: "pending_approval", resource: target } }))?.id);
      await until("a relayed progress notification", async () => progress.length > 0, 15_000);
      expect((await call(approveRoute, { token: approver, params: { id: heldId } })).status).toBe(200);
      expect((await held).isError).toBeFalsy();
      expect(readFileSync(target, "utf8")).toBe("bridged");
      const low = await client.callTool({ name: `${every}.echo`, arguments: { message: "unsure" }, _meta: { confidence: 0.8 } });
      expect(low.isError, text(low)).toBeFalsy();
      expect((await db.action.findUniqueOrThrow({ where: { id: actionIdOf(low) } })).decision).toBe("execute_with_notification");

      // The client cancels a long call: it is cancelled at Warden and upstream, and recorded so.
      const progressed: number[] = [];
      const cancelling = new AbortController();
      const long = client
        .callTool({ name: `${every}.trigger-long-running-operation`, arguments: { duration: 2.5, steps: 25 } }, undefined, {
          signal: cancelling.signal,
          onprogress: (p) => progressed.push(p.progress),
        })
        .catch((error: unknown) => error);
      await until("the long call to run upstream", async () => progressed.length > 0, 15_000);
      cancelling.abort();
      await long;
      const cancelled = await until(
        "the cancelled call to be recorded",
        async () => db.action.findFirst({ where: { agentId, tool: `${every}.trigger-long-running-operation`, status: "failed" } }),
        3_000,
      );
      expect(cancelled.error).toContain("the client closed the request");
    } finally {
      await client.close();
    }
  });

  it("docs/examples/openai-agents-gateway.ts runs: the Agents SDK sees the granted tools, its confidence is weighed, the upstream answers", async () => {
    writeFileSync(path.join(folder, "week.txt"), "three reports to archive");
    const { key, agent } = await agentClient([`${fs}.read_text_file`]);
    const callId = `call_${unique("gw")}`;
    const offered: string[][] = [];
    let toolOutput = "";
    const model: Model = {
      async getResponse(request) {
        offered.push(request.tools.map((t) => String((t as { name?: string }).name)));
        const input = typeof request.input === "string" ? [] : request.input;
        const result = input.find((i) => i.type === "function_call_result");
        if (result) toolOutput = JSON.stringify(result);
        return {
          usage: new Usage(),
          output: result
            ? [{ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "read it" }] }]
            : [
                {
                  type: "function_call",
                  callId,
                  name: `${fs}__read_text_file`,
                  arguments: JSON.stringify({ path: path.join(folder, "week.txt") }),
                  status: "completed",
                },
              ],
        };
      },
      getStreamedResponse() {
        throw new Error("not used");
      },
    };
    const docs = readFileSync(path.resolve("docs/mcp-gateway.md"), "utf8");
    expect(docs).toContain(
      `<!-- docs/examples/openai-agents-gateway.ts -->\n\`\`\`ts\n${readFileSync(path.resolve("docs/examples/openai-agents-gateway.ts"), "utf8")}\`\`\``,
    );
    expect(await runThroughGateway(gatewayUrl.origin, key, model, "what is in week.txt?")).toBe("read it");
    expect(offered[0]).toEqual([`${fs}__read_text_file`]);
    expect(toolOutput).toContain("three reports to archive");
    const action = await db.action.findFirstOrThrow({ where: { agentId: agent.id } });
    expect(action).toMatchObject({ tool: `${fs}.read_text_file`, confidence: 0.9, decision: "execute_with_notification" });
  });

  it("works from a second Warden process: its own upstream connections, a server saved on the first one, a suspend issued there cancelling its call", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", path.resolve("tests/support/gateway-instance.ts")], {
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          const match = /\{"port": ?(\d+)\}/.exec(chunk.toString());
          if (match) resolve(Number(match[1]));
        });
        child.once("exit", (code) => reject(new Error(`the second instance exited (${code}): ${output}`)));
      });
      // A server saved on this instance after the other one started.
      const late = unique("late").replace(/-/g, "_");
      await putServer(late, { transport: "stdio", command: process.execPath, args: [EVERYTHING, "stdio"] });
      await putTool(`${late}.echo`, { scopes: [], defaultConfidence: 0.99 });
      const { agent, key } = await makeAgent({ tools: [`${late}.echo`, `${every}.trigger-long-running-operation`] });
      const client = new Client({ name: "second-instance", version: "1.0.0" });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/api/mcp/gateway`), {
          requestInit: { headers: { Authorization: `Bearer ${key.secret}` } },
        }),
      );
      try {
        const echoed = await client.callTool({ name: `${late}__echo`, arguments: { message: "from the other instance" } });
        expect(echoed.isError, text(echoed)).toBeFalsy();
        expect(text(echoed)).toContain("from the other instance");

        const progress: number[] = [];
        const running = client.callTool({ name: `${every}__trigger-long-running-operation`, arguments: { duration: 2.5, steps: 25 } }, undefined, {
          onprogress: (p) => progress.push(p.progress),
        });
        await until("the call to run upstream on the other instance", async () => progress.length > 0, 15_000);
        const started = Date.now();
        expect(
          (await call(apiControlRoutes.suspend, { token: operator, body: { scope: `agent:${agent.name}`, reason: "contained from instance one" } })).status,
        ).toBe(200);
        const result = await running;
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(result.isError).toBe(true);
        expect(text(result)).toContain("contained from instance one");
      } finally {
        await client.close();
      }
      await call(deleteMcpServerRoute, { token: admin, params: { name: late } });
    } finally {
      child.kill("SIGTERM");
    }
  }, 60_000);

  it("refuses callers without an agent key", async () => {
    const anonymous = await fetch(gatewayUrl, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: "{}",
    });
    expect(anonymous.status).toBe(401);
    const person = await fetch(gatewayUrl, { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: "{}" });
    expect(person.status).toBe(403);
  });
});

describe("what an attacker's review found", () => {
  it("a tool's resource argument must be a required string of its schema: refused on save, and on a call once the schema changed", async () => {
    const readTool = `${fs}.read_text_file`;
    const saveWith = (resourceArgument: string) =>
      call(putToolRoute, { token: admin, params: { name: readTool }, body: { scopes: [`${folder}/*`], resourceArgument, defaultConfidence: 0.99 } });
    // Not an argument of the tool (the server reads `path`), then a number that is optional.
    for (const [argument, problem] of [
      ["file_path", "has no top-level argument"],
      ["head", "not of type string"],
    ]) {
      const refused = await saveWith(argument!);
      expect(refused.status, JSON.stringify(refused.json)).toBe(400);
      expect(JSON.stringify(refused.json.error)).toContain("resourceArgument");
      expect(JSON.stringify(refused.json.error)).toContain(problem);
    }
    const consoleAs = createCaller({ db, user: await makeUser("admin"), ip: "127.0.0.1" });
    await expect(consoleAs.tools.put({ name: readTool, tool: { scopes: [`${folder}/*`], resourceArgument: "file_path" } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("resourceArgument"),
    });
    expect((await db.tool.findUniqueOrThrow({ where: { name: readTool } })).resourceArgument).toBe("path");
    expect((await saveWith("path")).status).toBe(200);

    // The server now lists `path` as optional: a call is refused, and nothing is proposed or run.
    writeFileSync(path.join(folder, "schema.txt"), "read me");
    const [row] = await db.$queryRaw<{ tools: unknown }[]>`SELECT tools FROM mcp_servers WHERE name = ${fs}`;
    const loosened = savedTools(row!.tools).map((t) => (t.name === "read_text_file" ? { ...t, inputSchema: { ...t.inputSchema, required: [] } } : t));
    // Written as discovery writes it (updated_at unchanged: the connection stays).
    await db.$executeRaw`UPDATE mcp_servers SET tools = ${JSON.stringify(loosened)}::jsonb WHERE name = ${fs}`;
    clearOfferedTools();
    const { client, agent } = await agentClient([readTool]);
    try {
      const result = await client.callTool({ name: readTool, arguments: { path: path.join(folder, "schema.txt") } });
      expect(result.isError).toBe(true);
      expect(text(result)).toContain('does not require the argument "path"');
      expect(text(result)).not.toContain("read me");
      expect(await db.action.count({ where: { agentId: agent.id } })).toBe(0);
    } finally {
      await client.close();
      await db.$executeRaw`UPDATE mcp_servers SET tools = ${JSON.stringify(row!.tools)}::jsonb WHERE name = ${fs}`;
      clearOfferedTools();
    }
  });

  it("a resource value with whitespace around it is refused: it is never checked trimmed and run as sent", async () => {
    writeFileSync(path.join(folder, "spaced.txt"), "spaced");
    const { client, agent } = await agentClient([`${fs}.read_text_file`]);
    try {
      for (const value of [` ${path.join(folder, "spaced.txt")}`, `${path.join(folder, "spaced.txt")}\n`]) {
        const result = await client.callTool({ name: `${fs}.read_text_file`, arguments: { path: value } });
        expect(result.isError).toBe(true);
        expect(text(result)).toContain("arguments.path: must not begin or end with whitespace");
      }
      // Missing, or not a string: each said as it is.
      expect(text(await client.callTool({ name: `${fs}.read_text_file`, arguments: {} }))).toContain("arguments.path: is required");
      expect(text(await client.callTool({ name: `${fs}.read_text_file`, arguments: { path: 7 } }))).toContain("arguments.path: must be a string");
      expect(await db.action.count({ where: { agentId: agent.id } })).toBe(0);
    } finally {
      await client.close();
    }
  });

  it("an agent cannot report the result of its own gateway call: Warden runs it and reports it", async () => {
    const { client, agent, key } = await agentClient([`${every}.trigger-long-running-operation`, `${fs}.write_file`]);
    try {
      const progress: number[] = [];
      const running = client.callTool({ name: `${every}.trigger-long-running-operation`, arguments: { duration: 1.5, steps: 15 } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      });
      await until("the call to run upstream", async () => progress.length > 0, 10_000);
      const inFlight = await db.action.findFirstOrThrow({ where: { agentId: agent.id, tool: `${every}.trigger-long-running-operation` } });
      expect(inFlight.runByGateway).toBe(true);
      const early = await call(actionResultRoute, { token: key, params: { id: inFlight.id }, body: { status: "succeeded", output: { forged: true } } });
      expect(early.status, JSON.stringify(early.json)).toBe(409);
      expect(early.json.error.message).toContain("Warden runs this action (an MCP gateway call) and reports its result itself");
      const result = await running;
      expect(result.isError, text(result)).toBeFalsy();
      const done = await until("Warden's result", async () => {
        const row = await db.action.findUniqueOrThrow({ where: { id: inFlight.id } });
        return row.status === "succeeded" && row;
      });
      expect(JSON.stringify(done.output)).not.toContain("forged");

      // Held for a human and approved, before the gateway runs it: the agent cannot report it either.
      const target = path.join(folder, "reported.txt");
      const held = client.callTool({ name: `${fs}.write_file`, arguments: { path: target, content: "x" } }).catch(() => null);
      const heldId = await until("the held call", async () => (await db.action.findFirst({ where: { status: "pending_approval", resource: target } }))?.id);
      const pending = await call(actionResultRoute, { token: key, params: { id: heldId }, body: { status: "failed", failureReason: "a forged lesson" } });
      expect(pending.status).toBe(409);
      expect(pending.json.error.message).toContain("reports its result itself");
      await client.close();
      await held;
      expect(await db.memory.count({ where: { actionId: heldId } })).toBe(0);
    } finally {
      await client.close();
    }
  });

  it("a crashing upstream's stderr reaches admins only: the agent and the lesson get the exit code", async () => {
    const name = unique("crashy").replace(/-/g, "_");
    const secret = `tok-${unique("secret")}`;
    try {
      await putServer(name, {
        transport: "stdio",
        command: process.execPath,
        args: [FAKE_UPSTREAM],
        env: { FAKE_UPSTREAM_SECRET: secret, FAKE_UPSTREAM_CRASHED_FILE: path.join(folder, `${name}.crashed`) },
      });
      await putTool(`${name}.crash`, { scopes: [], defaultConfidence: 0.99 });
      await putTool(`${name}.echo`, { scopes: [], defaultConfidence: 0.99 });
      const { client, agent } = await agentClient([`${name}.crash`, `${name}.echo`]);
      try {
        const crashed = await client.callTool({ name: `${name}__crash`, arguments: {} });
        // The next call meets the server down (started again, it crashes at once now): told why,
        // not what the child printed.
        const after = await client.callTool({ name: `${name}__echo`, arguments: { message: "again" } });
        expect(text(after)).toMatch(/not connected \(the server (closed the connection|exited while starting) \(exit code 3\)\)/);
        expect(text(after)).not.toContain(secret);
        expect(crashed.isError).toBe(true);
        expect(text(crashed)).not.toContain(secret);
        expect(text(crashed)).toContain("exited during the call (exit code 3)");
        const lastFailure = await until(
          "the failure in the health view",
          async () => ((await serverView(name))?.health as { lastFailure?: { error: string } }).lastFailure,
        );
        expect(lastFailure!.error).toContain(secret);
        expect(lastFailure!.error).toContain("exit code 3");
        const actions = await db.action.findMany({ where: { agentId: agent.id } });
        expect(JSON.stringify(actions)).not.toContain(secret);
        const lessons = await db.memory.findMany({ where: { actionId: { in: actions.map((a) => a.id) } } });
        expect(lessons.length).toBeGreaterThan(0);
        expect(JSON.stringify(lessons)).not.toContain(secret);
      } finally {
        await client.close();
      }
    } finally {
      await call(deleteMcpServerRoute, { token: admin, params: { name } });
    }
  });

  it("a burst of tools/list_changed makes one listing, not one each", async () => {
    const name = unique("churny").replace(/-/g, "_");
    try {
      await putServer(name, { transport: "stdio", command: process.execPath, args: [FAKE_UPSTREAM] });
      await putTool(`${name}.churn`, { scopes: [], defaultConfidence: 0.99 });
      const discoveredAt = async () => (await db.mcpServer.findUniqueOrThrow({ where: { name } })).discoveredAt!.getTime();
      const before = await discoveredAt();
      let listings = 0;
      const { client } = await agentClient([`${name}.churn`]);
      try {
        // Each listing stamps discovered_at: count the stamps while the burst lands.
        const watching = (async () => {
          let last = before;
          const until = Date.now() + 1_500;
          while (Date.now() < until) {
            const now = await discoveredAt();
            if (now !== last) listings++;
            last = now;
            await new Promise((r) => setTimeout(r, 20));
          }
        })();
        expect((await client.callTool({ name: `${name}__churn`, arguments: { times: 30 } })).isError).toBeFalsy();
        await watching;
        expect(listings).toBe(1);
      } finally {
        await client.close();
      }
    } finally {
      await call(deleteMcpServerRoute, { token: admin, params: { name } });
    }
  });

  it("deleting a server removes its tools' rows, the agents' grants of them and live approval grants; made again, it starts with none", async () => {
    const name = unique("gone").replace(/-/g, "_");
    await putServer(name, { transport: "stdio", command: process.execPath, args: [FAKE_UPSTREAM] });
    await putTool(`${name}.echo`, { scopes: [], defaultConfidence: 0.99 });
    const { agent } = await makeAgent({ tools: [`${name}.echo`, "some.other-tool"] });
    const action = await db.action.create({
      data: {
        agentId: agent.id,
        action: `${name}.echo`,
        tool: `${name}.echo`,
        confidence: 0.9,
        decision: "require_approval",
        policyVersion: 1,
        status: "approved",
      },
    });
    await db.approvalGrant.create({
      data: { agentId: agent.id, tool: `${name}.echo`, fromActionId: action.id, grantedByLabel: "test", expiresAt: new Date(Date.now() + 3_600_000) },
    });
    expect((await call(deleteMcpServerRoute, { token: admin, params: { name } })).status).toBe(200);
    try {
      expect(await db.tool.findUnique({ where: { name: `${name}.echo` } })).toBeNull();
      expect((await db.agent.findUniqueOrThrow({ where: { id: agent.id } })).tools).toEqual(["some.other-tool"]);
      expect((await db.approvalGrant.findFirstOrThrow({ where: { agentId: agent.id } })).endedAt).not.toBeNull();
      // The same name again (another program, perhaps): its tools are new, unset and ungranted.
      await putServer(name, { transport: "stdio", command: process.execPath, args: [FAKE_UPSTREAM] });
      const again = await until("the tool registered again", async () => db.tool.findUnique({ where: { name: `${name}.echo` } }));
      expect(again.defaultConfidence).toBeNull();
      expect((await db.agent.findUniqueOrThrow({ where: { id: agent.id } })).tools).not.toContain(`${name}.echo`);
    } finally {
      await call(deleteMcpServerRoute, { token: admin, params: { name } });
    }
  });

  it("refuses server names that make confusable tool names (`__` inside, `_` at the end)", async () => {
    for (const name of ["a__b", "files_", "x___y"]) {
      const answer = await call(putMcpServerRoute, { token: admin, params: { name }, body: { transport: "stdio", command: "node" } });
      expect(answer.status, name).toBe(400);
      expect(JSON.stringify(answer.json.error)).toContain("__");
    }
    expect(await db.mcpServer.count({ where: { name: { in: ["a__b", "files_", "x___y"] } } })).toBe(0);
  });

  it("_meta.confidence can lower the tool's default confidence, never raise it", async () => {
    const tool = `${every}.get-sum`;
    await putTool(tool, { scopes: [], defaultConfidence: 0.3 });
    const { client, agent } = await agentClient([tool, `${every}.echo`]);
    try {
      // Claimed 0.99 on a tool an admin set at 0.3: decided at 0.3 (held for a human).
      const asking = client.callTool({ name: tool, arguments: { a: 1, b: 2 }, _meta: { confidence: 0.99 } }).catch(() => null);
      const held = await until("the held call", async () => db.action.findFirst({ where: { agentId: agent.id, tool } }));
      expect(held.confidence).toBe(0.3);
      expect(held.status).toBe("pending_approval");
      await client.close();
      await asking;
    } finally {
      await client.close();
    }
    const lowered = await agentClient([`${every}.echo`]);
    try {
      const result = await lowered.client.callTool({ name: `${every}.echo`, arguments: { message: "unsure" }, _meta: { confidence: 0.8 } });
      expect((await db.action.findUniqueOrThrow({ where: { id: actionIdOf(result) } })).confidence).toBe(0.8);
    } finally {
      await lowered.client.close();
    }
  });

  it("a call that stops before claiming a shared approved action reports nothing on it: the call that runs it records the result", async () => {
    // An attacker's review: a repeated call closed at once marked the shared approval "failed:
    // cancelled" while another call ran it, and that run's success was lost (and left out of a
    // kill's rollback plan).
    const tool = `${every}.get-sum`;
    await putTool(tool, { scopes: [], defaultConfidence: 0.3 });
    const { agent } = await makeAgent({ tools: [tool] });
    const row = await db.agent.findUniqueOrThrow({ where: { id: agent.id } });
    const caller = async () => ({ agent: row, control: await getEffectiveControl(db, agent.id) });
    const args = { a: 2, b: 3 };
    // Held for a human; the agent gives up waiting, and the approver approves after.
    const giveUp = new AbortController();
    const first = callThroughGateway(db, await caller(), tool, args, { signal: giveUp.signal });
    const held = await until("the held call", async () => db.action.findFirst({ where: { agentId: agent.id, tool, status: "pending_approval" } }));
    giveUp.abort();
    await first;
    expect((await call(approveRoute, { token: approver, params: { id: held.id }, body: {} })).status).toBe(200);
    // The same call asked again and closed at once: it finds the approval, and stops before claiming it.
    const closed = new AbortController();
    closed.abort();
    await callThroughGateway(db, await caller(), tool, args, { signal: closed.signal });
    expect((await db.action.findUniqueOrThrow({ where: { id: held.id } })).status).toBe("approved");
    // Asked again and kept open: it runs the approval, and its success is what is recorded.
    const ran = await callThroughGateway(db, await caller(), tool, args, { signal: new AbortController().signal });
    expect(ran.isError).toBeFalsy();
    expect(text(ran)).toContain("5");
    expect(await db.action.findUniqueOrThrow({ where: { id: held.id } })).toMatchObject({ status: "succeeded" });
  });

  it("an HTTP upstream's error body (which may quote a credential back) reaches neither the agent nor the lessons; admins see it in health", async () => {
    const secret = `sk-live-${unique("leak")}`;
    // A streamable HTTP server that lists one tool and refuses every call with its error body.
    const upstream = await statelessUpstream("echo", (response) =>
      response.writeHead(401, { "content-type": "text/plain" }).end(`Incorrect API key provided: ${secret}`),
    );
    const name = unique("refusing").replace(/-/g, "_");
    try {
      await putServer(name, { transport: "http", url: upstream.url });
      await putTool(`${name}.echo`, { scopes: [], defaultConfidence: 0.99 });
      const { client, agent } = await agentClient([`${name}.echo`]);
      try {
        const result = await client.callTool({ name: `${name}__echo`, arguments: {} });
        expect(result.isError).toBe(true);
        expect(text(result)).toContain("HTTP 401");
        expect(text(result)).not.toContain(secret);
        const actions = await db.action.findMany({ where: { agentId: agent.id } });
        expect(actions.length).toBeGreaterThan(0);
        expect(JSON.stringify(actions)).not.toContain(secret);
        const lessons = await db.memory.findMany({ where: { actionId: { in: actions.map((a) => a.id) } } });
        expect(JSON.stringify(lessons)).not.toContain(secret);
        const health = await until("the failure in health", async () => (await serverView(name))?.health as { error: string | null } | undefined);
        expect(JSON.stringify(health)).toContain(secret);
      } finally {
        await client.close();
      }
    } finally {
      await call(deleteMcpServerRoute, { token: admin, params: { name } });
      upstream.close();
    }
  });

  it("a suspend closes the call's own request to a stateless HTTP upstream, which cannot match MCP's notifications/cancelled to it", async () => {
    // A stateless server (a request-scoped transport, as /api/mcp/gateway itself is): it learns of
    // a cancel only when the request it is answering closes.
    let callClosedAt: number | null = null;
    let cancelNotices = 0;
    const upstream = await statelessUpstream(
      "slow",
      // tools/call: held open, as a long operation would be.
      (response) => response.on("close", () => (callClosedAt ??= Date.now())),
      (method) => {
        if (method === "notifications/cancelled") cancelNotices++;
      },
    );
    const name = unique("stateless").replace(/-/g, "_");
    try {
      await putServer(name, { transport: "http", url: upstream.url, callTimeoutSeconds: 30 });
      await putTool(`${name}.slow`, { scopes: [], defaultConfidence: 0.99 });
      const { client, agent } = await agentClient([`${name}.slow`]);
      try {
        const calling = client.callTool({ name: `${name}__slow`, arguments: {} });
        await until(
          "the call running upstream",
          async () =>
            (await db.action.findFirst({ where: { agentId: agent.id, status: "executing" } })) ??
            (await db.action.findFirst({ where: { agentId: agent.id, status: "approved" } })),
        );
        await new Promise((r) => setTimeout(r, 200));
        expect(callClosedAt).toBeNull();
        const suspendedAt = Date.now();
        expect((await call(apiControlRoutes.suspend, { token: operator, body: { scope: `agent:${agent.name}`, reason: "stop the slow call" } })).status).toBe(
          200,
        );
        await until("the upstream request closed", async () => callClosedAt !== null, 3_000);
        expect(callClosedAt! - suspendedAt).toBeLessThan(1_000);
        const result = await calling;
        expect(result.isError).toBe(true);
        expect(cancelNotices).toBeLessThanOrEqual(1);
      } finally {
        await client.close();
        await call(apiControlRoutes.resume, { token: operator, body: { scope: `agent:${agent.name}`, reason: "done" } });
      }
    } finally {
      await call(deleteMcpServerRoute, { token: admin, params: { name } });
      upstream.close();
    }
  });

  it(`caps an agent's calls in flight at ${MAX_CALLS_IN_FLIGHT_PER_AGENT}: past it, a call is refused at once and nothing runs`, async () => {
    const { client, agent } = await agentClient([`${every}.trigger-long-running-operation`]);
    try {
      const calls = Array.from({ length: MAX_CALLS_IN_FLIGHT_PER_AGENT + 2 }, () =>
        client.callTool({ name: `${every}.trigger-long-running-operation`, arguments: { duration: 1, steps: 2 } }),
      );
      const results = await Promise.all(calls);
      const refused = results.filter((r) => r.isError && text(r).includes("too many calls in flight"));
      expect(refused.length).toBeGreaterThanOrEqual(2);
      expect(results.filter((r) => !r.isError).length).toBeLessThanOrEqual(MAX_CALLS_IN_FLIGHT_PER_AGENT);
      expect(await db.action.count({ where: { agentId: agent.id } })).toBe(results.length - refused.length);
      // Once they are done, the agent calls again.
      const later = await client.callTool({ name: `${every}.trigger-long-running-operation`, arguments: { duration: 0.1, steps: 1 } });
      expect(later.isError, text(later)).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  describe("the tools/call path of HTTP upstreams (lean-call-transport.ts)", () => {
    /** A stateless upstream whose calls `answer` writes; the tool `probe` is granted to a new agent. */
    async function withUpstream(
      answer: Parameters<typeof statelessUpstream>[1],
      run: (client: Client, agentId: string, server: string) => Promise<void>,
      { timeout = 30, onGet }: { timeout?: number; onGet?: Parameters<typeof statelessUpstream>[3] } = {},
    ) {
      const upstream = await statelessUpstream("probe", answer, () => undefined, onGet);
      const name = unique("lean").replace(/-/g, "_");
      try {
        await putServer(name, { transport: "http", url: upstream.url, callTimeoutSeconds: timeout });
        await putTool(`${name}.probe`, { scopes: [], defaultConfidence: 0.99 });
        const { client, agent } = await agentClient([`${name}.probe`]);
        try {
          await run(client, agent.id, name);
        } finally {
          await client.close();
        }
      } finally {
        await call(deleteMcpServerRoute, { token: admin, params: { name } });
        upstream.close();
      }
      return name;
    }
    const sse = (response: ServerResponse) => response.writeHead(200, { "content-type": "text/event-stream" }).flushHeaders();
    const event = (message: unknown, extra = "") => `${extra}data: ${JSON.stringify(message)}\n\n`;
    const tool = (client: Client) => client.listTools().then((listed) => listed.tools[0]!.name);

    it("reads an event stream split anywhere, with other events, comments and progress before the answer", async () => {
      await withUpstream(
        (response, { id, params }) => {
          const stream =
            "\uFEFF: a byte-order mark, then a comment line\n\n" +
            event({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: params._meta?.progressToken ?? 0, progress: 1, total: 2 } }) +
            "event: other\ndata: not json at all\n\n" +
            event({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text: "whole answer" }] } }, "id: e1\n");
          // Written a few bytes at a time: events cross chunk boundaries, one even inside "data:".
          sse(response);
          let at = 0;
          const next = () => {
            if (at >= stream.length) return void response.end();
            response.write(stream.slice(at, at + 7));
            at += 7;
            setImmediate(next);
          };
          next();
        },
        async (client) => {
          const progress: number[] = [];
          const result = await client.callTool({ name: await tool(client), arguments: {} }, undefined, { onprogress: (p) => void progress.push(p.progress) });
          expect(result.isError, text(result)).toBeFalsy();
          expect(text(result)).toBe("whole answer");
          expect(progress).toEqual([1]);
        },
      );
    });

    it("a stream that ends without the answer fails the call at once (not at its timeout), and nothing is left running", async () => {
      await withUpstream(
        (response) => {
          sse(response);
          response.end(": closing without an answer\n\n");
        },
        async (client, agentId) => {
          const started = Date.now();
          const result = await client.callTool({ name: await tool(client), arguments: {} });
          expect(Date.now() - started).toBeLessThan(5_000);
          expect(result.isError).toBe(true);
          expect(text(result)).toMatch(/upstream call failed/);
          const action = await until("the failed result", () => db.action.findFirst({ where: { agentId, status: "failed" } }));
          // Warden's own fixed words (an McpError, so the connection and its other calls stay up).
          expect(action.error).toMatch(/ended the answer stream without answering/);
        },
        { timeout: 30 },
      );
    });

    it("a call the upstream answers in plain JSON, and one it redirects within its origin, run once each", async () => {
      let calls = 0;
      await withUpstream(
        (response, { id, path }) => {
          if (!path.includes("moved")) return void response.writeHead(307, { location: "/mcp?moved=1" }).end();
          calls++;
          response
            .writeHead(200, { "content-type": "application/json" })
            .end(JSON.stringify({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text: `run ${calls}` }] } }));
        },
        async (client) => {
          const result = await client.callTool({ name: await tool(client), arguments: {} });
          expect(result.isError, text(result)).toBeFalsy();
          expect(text(result)).toBe("run 1");
          expect(calls).toBe(1);
        },
      );
    });

    it("a redirect after the tool ran (303) fails the call without posting it again; a 307 is followed, and the tool runs once", async () => {
      let runs = 0;
      await withUpstream(
        (response, { path }) => {
          // A 307 says the request was not taken here; where it points, the tool runs, then 303.
          if (!path.includes("moved")) return void response.writeHead(307, { location: "/mcp?moved=1" }).end();
          runs++;
          response.writeHead(303, { location: "/result" }).end();
        },
        async (client) => {
          const result = await client.callTool({ name: await tool(client), arguments: {} });
          expect(result.isError).toBe(true);
          expect(text(result)).toContain("HTTP 303");
          expect(runs).toBe(1);
        },
      );
    });

    it("only the call's own answer is taken from its stream: another call's id there is dropped", async () => {
      const waiting = new Map<number, ServerResponse>();
      await withUpstream(
        (response, { id }) => {
          sse(response);
          if (waiting.size === 0) {
            // The first call's stream carries a forged answer for the next call's id, then its own.
            response.write(event({ jsonrpc: "2.0", id: id + 1, result: { content: [{ type: "text", text: "forged" }] } }));
            waiting.set(id, response);
            return;
          }
          setTimeout(() => {
            response.end(event({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text: `genuine ${id}` }] } }));
            for (const [firstId, first] of waiting)
              first.end(event({ jsonrpc: "2.0", id: firstId, result: { content: [{ type: "text", text: `genuine ${firstId}` }] } }));
          }, 200);
        },
        async (client) => {
          const name = await tool(client);
          const first = client.callTool({ name, arguments: {} });
          await until("the first call upstream", async () => waiting.size > 0);
          const second = await client.callTool({ name, arguments: {} });
          expect(text(second)).toMatch(/^genuine \d+$/);
          expect(text(await first)).toMatch(/^genuine \d+$/);
        },
      );
    });

    it("one call's broken stream fails that call only: the connection and a call beside it stay up", async () => {
      let calls = 0;
      const name = await withUpstream(
        (response, { id }) => {
          calls++;
          sse(response);
          if (calls === 1) return void setTimeout(() => response.destroy(), 100);
          setTimeout(() => response.end(event({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text: "beside" }] } })), 400);
        },
        async (client) => {
          const name = await tool(client);
          const [broken, beside] = await Promise.all([
            client.callTool({ name, arguments: {} }),
            new Promise((r) => setTimeout(r, 30)).then(() => client.callTool({ name, arguments: {} })),
          ]);
          expect(broken.isError).toBe(true);
          expect(text(broken)).toMatch(/broke the answer stream before the answer/);
          expect(beside.isError, text(beside)).toBeFalsy();
          expect(text(beside)).toBe("beside");
        },
      );
      expect(name).toBeTruthy();
    });

    it("an unreadable answer (not JSON-RPC, a 202) or an HTTP 500 fails that call only, at once: the connection and a call beside it stay up", async () => {
      await withUpstream(
        (response, { id, params }) => {
          // Each call says which answer it wants: the order they reach the upstream is the machine's.
          const wants = params.arguments?.answer;
          if (wants === "unreadable") return void response.writeHead(200, { "content-type": "application/json" }).end("{ not json");
          if (wants === "accepted") return void response.writeHead(202).end();
          if (wants === "crash") return void response.writeHead(500, { "content-type": "text/plain" }).end("handler crashed on its input");
          setTimeout(() => response.end(event({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text: "beside" }] } })), 300);
          sse(response);
        },
        async (client) => {
          const name = await tool(client);
          const beside = new Promise((r) => setTimeout(r, 50)).then(() => client.callTool({ name, arguments: { answer: "beside" } }));
          const started = Date.now();
          const unreadable = await client.callTool({ name, arguments: { answer: "unreadable" } });
          const accepted = await client.callTool({ name, arguments: { answer: "accepted" } });
          // The call's input may have made the server fail: a lesson, and no reconnection (which
          // would cancel every other call on the server).
          const crashed = await client.callTool({ name, arguments: { answer: "crash" } });
          expect(text(crashed)).toMatch(/answered the call with HTTP 500/);
          expect((await db.action.findUniqueOrThrow({ where: { id: actionIdOf(crashed) } })).failureReason).toMatch(/HTTP 500/);
          expect(Date.now() - started).toBeLessThan(5_000);
          expect(text(unreadable)).toMatch(/not JSON-RPC/);
          expect(text(accepted)).toMatch(/accepted the call without answering/);
          const other = await beside;
          expect(other.isError, text(other)).toBeFalsy();
        },
      );
    });

    it("a stream the server made resumable and ended early is resumed with a GET (Last-Event-ID) and answered", async () => {
      const resumedFrom: (string | undefined)[] = [];
      let callId = 0;
      await withUpstream(
        (response, { id }) => {
          callId = id;
          sse(response);
          response.end("id: ev-1\nretry: 50\ndata: \n\n");
        },
        async (client) => {
          const result = await client.callTool({ name: await tool(client), arguments: {} });
          expect(result.isError, text(result)).toBeFalsy();
          expect(text(result)).toBe("resumed");
          expect(resumedFrom).toContain("ev-1");
        },
        {
          onGet: (request, response) => {
            resumedFrom.push(request.headers["last-event-id"] as string | undefined);
            sse(response);
            response.end(event({ jsonrpc: "2.0", id: callId, result: { content: [{ type: "text", text: "resumed" }] } }, "id: ev-2\n"));
          },
        },
      );
    });

    it("a stream the server keeps open after the answer is closed from Warden's side soon after: nothing stays tracked", async () => {
      let open = 0;
      const name = await withUpstream(
        (response, { id }) => {
          open++;
          response.on("close", () => open--);
          sse(response);
          response.write(event({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text: "answered" }] } }));
        },
        async (client) => {
          const name = await tool(client);
          for (let i = 0; i < 3; i++) expect(text(await client.callTool({ name, arguments: {} }))).toBe("answered");
          await until("the kept streams closed", async () => open === 0, 5_000);
        },
      );
      expect(name).toBeTruthy();
    });

    it.each([
      ["", false],
      [", and one moved there by a 307 closes the moved request", true],
    ])("a call past its timeout closes its request upstream (a stateless server stops running it)%s", async (_, moved) => {
      let closedAfter: number | null = null;
      await withUpstream(
        (response, { path }) => {
          if (moved && !path.includes("moved")) return void response.writeHead(307, { location: "/mcp?moved=1" }).end();
          const opened = Date.now();
          sse(response);
          response.on("close", () => (closedAfter = Date.now() - opened));
        },
        async (client) => {
          const result = await client.callTool({ name: await tool(client), arguments: {} });
          expect(result.isError).toBe(true);
          expect(text(result)).toMatch(/timed out/i);
          await until("the upstream request closed", async () => closedAfter !== null, 3_000);
          expect(closedAfter!).toBeLessThan(2_500);
        },
        { timeout: 1 },
      );
    });

    it("a redirect to another origin is not followed: the admin's headers go only to the server they were typed for", async () => {
      const elsewhere: string[] = [];
      const other = createServer((request, response) => {
        elsewhere.push(request.url ?? "");
        response.writeHead(500).end();
      });
      await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
      const port = (other.address() as AddressInfo).port;
      try {
        await withUpstream(
          (response) => void response.writeHead(307, { location: `http://127.0.0.1:${port}/mcp` }).end(),
          async (client) => {
            const result = await client.callTool({ name: await tool(client), arguments: {} });
            expect(result.isError).toBe(true);
            expect(text(result)).toContain("HTTP 307");
            expect(elsewhere).toEqual([]);
          },
        );
      } finally {
        other.close();
      }
    });

    it("deleting the server ends a call running on it at once", async () => {
      await withUpstream(
        (response) => sse(response),
        async (client, agentId, server) => {
          const calling = client.callTool({ name: await tool(client), arguments: {} });
          await until("the call running upstream", () => db.action.findFirst({ where: { agentId, status: "approved" } }));
          const deletedAt = Date.now();
          await call(deleteMcpServerRoute, { token: admin, params: { name: server } });
          const result = await calling;
          expect(result.isError).toBe(true);
          expect(Date.now() - deletedAt).toBeLessThan(3_000);
        },
      );
    });
  });

  it("a streamable HTTP upstream's connection does not pile up abort listeners, call after call", async () => {
    const port = Number(process.env.WARDEN_TEST_MCP_LEAK_PORT ?? 11592);
    const upstream = spawn(process.execPath, [EVERYTHING, "streamableHttp"], { env: { ...process.env, PORT: String(port) }, stdio: "ignore" });
    const name = unique("leak").replace(/-/g, "_");
    try {
      await until("the upstream to listen", async () =>
        fetch(`http://127.0.0.1:${port}/mcp`, { method: "GET" })
          .then(() => true)
          .catch(() => false),
      );
      await putServer(name, { transport: "http", url: `http://127.0.0.1:${port}/mcp` });
      const connection = (await connectionFor(db, name))!;
      // The SDK transport's own signal (aborted when it closes), which it passes to every fetch.
      const transport = () => (connection as unknown as { transport: { _abortController?: AbortController; inFlight: Map<unknown, unknown> } }).transport;
      // The SDK's own signal (aborted when it closes), and the calls the tools/call path tracks
      // (lean-call-transport.ts): one each while it runs, none after.
      const transportSignal = () => transport()._abortController!.signal;
      const echo = (i: number) => connection.callTool("echo", { message: `m${i}` }, { signal: new AbortController().signal });
      for (let i = 0; i < 5; i++) await echo(i);
      const before = getEventListeners(transportSignal(), "abort").length;
      for (let i = 0; i < 100; i++) expect((await echo(i)).isError).toBeFalsy();
      expect(getEventListeners(transportSignal(), "abort").length - before).toBeLessThan(5);
      // (A server may end a call's stream a moment after its answer: the last one is read out.)
      await until("every call's stream read out", async () => transport().inFlight.size === 0, 2_000);
    } finally {
      upstream.kill("SIGKILL");
      await call(deleteMcpServerRoute, { token: admin, params: { name } });
    }
  }, 30_000);
});
