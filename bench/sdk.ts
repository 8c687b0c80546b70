import { Warden, type JsonObject } from "../sdk/src";
import { benchDatabase, fmt, percentiles, runConcurrently } from "./support";
import { startWarden } from "./server";

type Series = { latencies: number[]; seconds: number };
type Figures = { count: number; perSecond: number; p50: number; p99: number; max: number };

const signed = (n: number) => `${n < 0 ? "−" : "+"}${fmt(Math.abs(n), 2)}`;

function figures(runs: Series[]): Figures {
  const latencies = runs.flatMap((r) => r.latencies);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  return { count: latencies.length, perSecond: latencies.length / seconds, ...percentiles(latencies) };
}

/**
 * The SDK's own cost per guarded tool call on the auto path: `tool(args)` (validate, propose,
 * run a no-op with the approved args after the hash check, report the result) against bare
 * `fetch` calls of the same two endpoints, in the same run, against the same Warden, taking
 * turns (A B C C B A) so drift on a shared machine falls on all of them alike. "Bare + keys"
 * sends the Idempotency-Key headers the SDK sends, to separate the SDK's client-side cost from
 * what its retry safety costs the server. Then the client side alone: the SDK against a fetch
 * that answers from memory, so its CPU per call shows without the network and the server.
 */
export async function sdkBenchmark(options: { calls: number; concurrency: number; port: number }) {
  const url = await benchDatabase("warden_bench_sdk");
  process.env.DATABASE_URL = url;
  const { db } = await import("../server/db/client");
  const { createUser } = await import("../server/users/create-user");
  const { registerAgent } = await import("../server/agents/register-agent");
  const { putTool } = await import("../server/tools/tool-registry");

  const system = { type: "system" as const, id: null, label: "bench" };
  const { user } = await createUser(db, system, { email: "admin@bench.test", role: "admin", password: "bench-password-1" });
  const actor = { type: "user" as const, id: user.id, label: user.email, role: "admin" as const };
  await putTool(db, actor, "bench.noop", { scopes: [], risk: "low" });
  const { key } = await registerAgent(db, actor, { name: "bench-sdk", role: "specialist", team: "ops", tools: ["bench.noop"] });
  const warden = await startWarden(url, options.port);

  const headers = { authorization: `Bearer ${key.secret}`, "content-type": "application/json" };
  const post = async (path: string, body: unknown, extra: Record<string, string>) => {
    const response = await fetch(`${warden.url}${path}`, { method: "POST", headers: { ...headers, ...extra }, body: JSON.stringify(body) });
    if (response.status >= 300) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as { id: string; decision: string };
  };
  const bare = (withKeys: boolean) => async (i: number) => {
    const proposed = await post(
      "/api/v1/actions",
      { action: `noop ${i}`, tool: "bench.noop", confidence: 0.99, args: { i } },
      withKeys ? { "idempotency-key": crypto.randomUUID() } : {},
    );
    if (proposed.decision !== "auto_execute") throw new Error(`expected auto_execute, got ${proposed.decision}`);
    await post(
      `/api/v1/actions/${proposed.id}/result`,
      { status: "succeeded", output: { i }, durationMs: 0 },
      withKeys ? { "idempotency-key": crypto.randomUUID() } : {},
    );
  };
  const noop = new Warden({ url: warden.url, key: key.secret }).tool({ name: "bench.noop" }, (args) => ({ i: args.i }));
  const sdk = (i: number) => noop({ i }, { action: `noop ${i}`, confidence: 0.99 });

  const results: Record<string, unknown> = {};
  try {
    const { calls, concurrency } = options;
    for (const warm of [bare(false), bare(true), sdk]) await runConcurrently(300, concurrency, warm);
    const runs: Record<"bare" | "keyed" | "sdk", Series[]> = { bare: [], keyed: [], sdk: [] };
    for (const name of ["bare", "keyed", "sdk", "sdk", "keyed", "bare"] as const) {
      runs[name].push(await runConcurrently(calls / 2, concurrency, name === "sdk" ? sdk : bare(name === "keyed")));
    }
    const [plain, keyed, viaSdk] = [figures(runs.bare), figures(runs.keyed), figures(runs.sdk)];

    // The client side alone: the same calls answered from memory (Warden's answers, recorded once).
    const approvedArgsHash = (await import("../server/lib/canonical-json")).argsHash;
    const inMemory: typeof fetch = async (input, init) => {
      const path = new URL(String(input)).pathname;
      if (path === "/api/v1/actions") {
        const { args } = JSON.parse(String(init!.body)) as { args: JsonObject };
        return Response.json(
          {
            id: "00000000-0000-4000-8000-000000000000",
            decision: "auto_execute",
            status: "approved",
            reasons: [],
            policyVersion: 1,
            recalled: [],
            approvedArgs: args,
            approvedArgsHash: approvedArgsHash(args),
          },
          { status: 201 },
        );
      }
      return Response.json({ id: "00000000-0000-4000-8000-000000000000", status: "succeeded" });
    };
    const local = new Warden({ url: warden.url, key: key.secret, fetch: inMemory }).tool({ name: "bench.noop" }, (args) => ({ i: args.i }));
    await runConcurrently(2_000, 1, (i) => local({ i }, { action: `noop ${i}`, confidence: 0.99 }));
    const clientOnly = figures([await runConcurrently(20_000, 1, (i) => local({ i }, { action: `noop ${i}`, confidence: 0.99 }))]);

    Object.assign(results, {
      bare: plain,
      bareWithKeys: keyed,
      sdk: viaSdk,
      clientOnly,
      ratio: viaSdk.perSecond / plain.perSecond,
      ratioToKeyed: viaSdk.perSecond / keyed.perSecond,
    });
    const row = (label: string, f: Figures) => `| ${label} | ${fmt(f.perSecond, 0)} | ${fmt(f.p50, 2)} | ${fmt(f.p99, 2)} | ${fmt(f.max, 2)} |`;
    console.log(`\n## SDK overhead per guarded tool call, auto path (${calls.toLocaleString()} calls each, ${concurrency} concurrent)\n`);
    console.log("| one guarded call = propose + result | calls/s | p50 ms | p99 ms | max ms |");
    console.log("|---|---:|---:|---:|---:|");
    console.log(row("bare fetch", plain));
    console.log(row("bare fetch + Idempotency-Key (as the SDK sends)", keyed));
    console.log(row("SDK `tool(args)`", viaSdk));
    console.log(row("SDK alone (in-memory fetch, 1 client, 20,000 calls)", clientOnly));
    console.log(
      `\nSDK: ${fmt(viaSdk.perSecond / plain.perSecond, 2)}× the calls/s of bare fetch (${fmt(viaSdk.perSecond / keyed.perSecond, 2)}× of bare fetch with the same keys); ` +
        `p50 ${signed(viaSdk.p50 - plain.p50)} ms (${signed(viaSdk.p50 - keyed.p50)} ms against the keyed calls); the SDK's own CPU ≈ ${fmt(clientOnly.p50 * 1000, 0)} µs per call (p50)`,
    );
  } finally {
    await warden.stop();
    await db.$disconnect();
  }
  return results;
}
