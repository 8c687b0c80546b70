import { spawn } from "node:child_process";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { benchDatabase, fmt, percentiles, runConcurrently } from "./support";
import { startWarden } from "./server";

type Series = { latencies: number[]; seconds: number };
type Figures = { count: number; perSecond: number; p50: number; p99: number; max: number };

function figures(runs: Series[]): Figures {
  const latencies = runs.flatMap((r) => r.latencies);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  return { count: latencies.length, perSecond: latencies.length / seconds, ...percentiles(latencies) };
}

/**
 * The MCP gateway's cost per tools/call on the auto path: the same MCP client (the official
 * SDK's, over streamable HTTP) calls the same upstream tool (the reference "everything" server's
 * `echo`, from npm, serving streamable HTTP) directly, and through Warden's gateway, which adds
 * its HTTP hop, the guardrail's decision (recorded with its audit row) and the upstream call
 * over its kept connection; the result is recorded (with its own audit row) as the answer goes
 * out, so the count of succeeded actions at the end checks that every call was recorded. The two take turns (A B B A) in
 * one run against one Warden, so drift on a shared machine falls on both alike.
 */
export async function mcpGatewayBenchmark(options: { calls: number; port: number; upstreamPort: number }) {
  const url = await benchDatabase("warden_bench_mcp_gateway");
  process.env.DATABASE_URL = url;
  const { db } = await import("../server/db/client");
  const { createUser } = await import("../server/users/create-user");
  const { registerAgent } = await import("../server/agents/register-agent");
  const { putTool } = await import("../server/tools/tool-registry");
  const { putMcpServer } = await import("../server/mcp-gateway/mcp-server-registry");

  const upstream = spawn(process.execPath, [path.resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js"), "streamableHttp"], {
    env: { ...process.env, PORT: String(options.upstreamPort) },
    stdio: ["ignore", "ignore", "ignore"],
  });
  const upstreamUrl = new URL(`http://127.0.0.1:${options.upstreamPort}/mcp`);
  let warden: Awaited<ReturnType<typeof startWarden>> | null = null;
  const clients: Client[] = [];
  const results: Record<string, unknown> = {};
  try {
    const system = { type: "system" as const, id: null, label: "bench" };
    const { user } = await createUser(db, system, { email: "admin@bench.test", role: "admin", password: "bench-password-1" });
    const actor = { type: "user" as const, id: user.id, label: user.email, role: "admin" as const };
    await putMcpServer(db, actor, "bench", { transport: "http", url: upstreamUrl.href });
    warden = await startWarden(url, options.port);
    // The Warden process connects at start and registers the tools it finds.
    for (let i = 0; i < 300 && !(await db.tool.findUnique({ where: { name: "bench.echo" } })); i++) await new Promise((r) => setTimeout(r, 100));
    await putTool(db, actor, "bench.echo", { scopes: [], defaultConfidence: 0.99 });
    const { key } = await registerAgent(db, actor, { name: "bench-gateway", role: "specialist", team: "ops", tools: ["bench.echo"] });

    // The clients' fetch gives each request a signal of its own, as Warden's upstream connection
    // does (upstream-connection.ts): the SDK transport's one long-lived signal otherwise takes
    // an abort listener per call until the request is garbage-collected.
    const { fetchWithOwnSignal } = await import("../server/mcp-gateway/upstream-connection");
    const connect = async (target: URL, headers: Record<string, string>) => {
      const client = new Client({ name: "bench", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(target, { requestInit: { headers }, fetch: fetchWithOwnSignal }));
      clients.push(client);
      return client;
    };
    const direct = await connect(upstreamUrl, {});
    const gateway = await connect(new URL("/api/mcp/gateway", warden.url), { Authorization: `Bearer ${key.secret}` });
    const call = (client: Client, name: string) => async (i: number) => {
      const result = await client.callTool({ name, arguments: { message: `hello ${i}` } });
      if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
    };
    const viaDirect = call(direct, "echo");
    const viaGateway = call(gateway, "bench.echo");
    // The decision every guarded call pays, gateway or not: the same proposal through the API.
    const proposeOnly = async (i: number) => {
      const response = await fetch(`${warden!.url}/api/v1/actions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key.secret}`, "content-type": "application/json" },
        body: JSON.stringify({ action: "bench.echo", tool: "bench.echo", confidence: 0.99, args: { message: `hello ${i}` } }),
      });
      if (response.status !== 201) throw new Error(`POST /api/v1/actions answered ${response.status}`);
      await response.arrayBuffer();
    };
    const series = { direct: viaDirect, gateway: viaGateway, propose: proposeOnly };

    for (const warm of Object.values(series)) await runConcurrently(200, 1, warm);
    const runs: Record<keyof typeof series, Series[]> = { direct: [], gateway: [], propose: [] };
    for (const name of ["direct", "gateway", "propose", "propose", "gateway", "direct"] as const) {
      runs[name].push(await runConcurrently(options.calls / 2, 1, series[name]));
    }
    const [plain, guarded, decision] = [figures(runs.direct), figures(runs.gateway), figures(runs.propose)];
    // Results are recorded as the answers go out: the last few land just after.
    const expected = 200 + options.calls; // the gateway's calls (the proposals alone report nothing)
    let recorded = 0;
    for (let i = 0; i < 50 && (recorded = await db.action.count({ where: { tool: "bench.echo", status: "succeeded" } })) < expected; i++)
      await new Promise((r) => setTimeout(r, 100));
    const load = (await import("node:os"))
      .loadavg()
      .map((n) => fmt(n, 1))
      .join(", ");
    Object.assign(results, {
      direct: plain,
      gateway: guarded,
      proposeOnly: decision,
      addedP50Ms: guarded.p50 - plain.p50,
      addedP99Ms: guarded.p99 - plain.p99,
      beyondDecisionP50Ms: guarded.p50 - plain.p50 - decision.p50,
      recordedActions: recorded,
      loadAverage: load,
    });

    const row = (label: string, f: Figures) => `| ${label} | ${fmt(f.perSecond, 0)} | ${fmt(f.p50, 2)} | ${fmt(f.p99, 2)} | ${fmt(f.max, 2)} |`;
    console.log(`\n## MCP gateway overhead per tools/call, auto path (${options.calls.toLocaleString()} calls each, 1 client, streamable HTTP both ways)\n`);
    console.log("| one tools/call of `echo` | calls/s | p50 ms | p99 ms | max ms |");
    console.log("|---|---:|---:|---:|---:|");
    console.log(row("directly to the upstream", plain));
    console.log(row("through /api/mcp/gateway (guardrail + upstream + result)", guarded));
    console.log(row("`POST /api/v1/actions` alone (the same decision, no MCP, no upstream)", decision));
    console.log(
      `\nAdded by the gateway: p50 +${fmt(guarded.p50 - plain.p50, 2)} ms (of which the guardrail's decision ${fmt(decision.p50, 2)} ms; the rest ${fmt(guarded.p50 - plain.p50 - decision.p50, 2)} ms), ` +
        `p99 +${fmt(guarded.p99 - plain.p99, 2)} ms; ${recorded.toLocaleString()} of ${expected.toLocaleString()} gateway calls recorded as succeeded; load average ${load}.`,
    );
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await warden?.stop();
    upstream.kill("SIGTERM");
    await db.$disconnect();
  }
  return results;
}
