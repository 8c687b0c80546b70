import { readdirSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { Agent as HttpAgent, fetch, setGlobalDispatcher } from "undici";
import { readServerSentEvents } from "../sdk/src/server-sent-events";
import { benchClient, benchDatabase, fmt, percentiles } from "./support";
import { startWarden } from "./server";

type Connection = { ready: Promise<void>; received: Map<number, number>; acked: Map<number, number>; close: () => void };

type Client = ReturnType<typeof benchClient>;

/** One simulated agent: the control stream open, each control epoch acknowledged on receipt (over `acks`). */
function connect(base: string, key: string, acks: Client): Connection {
  const received = new Map<number, number>();
  const acked = new Map<number, number>();
  const controller = new AbortController();
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const auth = { authorization: `Bearer ${key}` };
  void (async () => {
    const response = await fetch(`${base}/api/v1/control/stream`, { headers: auth, signal: controller.signal });
    await readServerSentEvents(response.body as ReadableStream<Uint8Array>, ({ event: type, data }) => {
      if (type !== "control") return;
      const event = JSON.parse(data) as { epoch: number; current?: boolean };
      if (event.current) {
        markReady();
        return;
      }
      received.set(event.epoch, performance.now());
      void acks.post("/api/v1/control/ack", auth, { epoch: event.epoch }).then(() => acked.set(event.epoch, performance.now()));
    });
  })().catch(() => undefined);
  return { ready, received, acked, close: () => controller.abort() };
}

/** CPU time (user + system, ms) of a process, from /proc; 0 once it is gone. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** Each PostgreSQL process's CPU time on this machine (the server and its backends), in ms, by pid. */
function postgresCpu(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "postgres") byPid.set(Number(entry), cpuMs(Number(entry)));
    } catch {
      // ended meanwhile
    }
  }
  return byPid;
}

/** PostgreSQL's CPU since `before`, over the processes alive now (one that ended meanwhile is not counted). */
function postgresCpuSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of postgresCpu()) total += ms - (before.get(pid) ?? 0);
  return total;
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return check();
}

/**
 * From POST /suspend to receipt by N agents on the control stream (all simulated from this
 * process), and until every one has acknowledged; with one and with two Warden instances on one
 * PostgreSQL (agents split across them; the suspend is sent to the first).
 */
export async function controlBenchmark(options: { agents: number; ports: [number, number] }) {
  setGlobalDispatcher(new HttpAgent({ connections: null, keepAliveTimeout: 60_000, bodyTimeout: 0, headersTimeout: 0 }));
  const url = await benchDatabase("warden_bench_control");
  process.env.DATABASE_URL = url;
  const { db } = await import("../server/db/client");
  const { createUser } = await import("../server/users/create-user");
  const { createApiToken } = await import("../server/users/api-tokens");
  const { registerAgent } = await import("../server/agents/register-agent");
  const system = { type: "system" as const, id: null, label: "bench" };
  const { user } = await createUser(db, system, { email: "operator@bench.test", role: "operator", password: "bench-password-1" });
  const { secret: token } = await createApiToken(db, { type: "user", id: user.id, label: user.email, role: "operator" }, "bench");
  const keys: string[] = [];
  for (let i = 0; i < options.agents; i++) {
    keys.push((await registerAgent(db, system, { name: `fleet-${i}`, role: "specialist", team: i % 2 ? "ops" : "dev" })).key.secret);
  }

  const results: Record<string, unknown> = {};
  const cpuLines: string[] = [];
  console.log(`\n## Kill switch propagation to ${options.agents.toLocaleString()} streaming agents\n`);
  console.log("| instances | receipt p50 ms | p99 ms | max ms | all received ms | all acknowledged ms | acks in database |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|");
  for (const instances of [1, 2]) {
    const servers = await Promise.all(options.ports.slice(0, instances).map((port) => startWarden(url, port)));
    try {
      // The acknowledgements over undici's pool (bench/support.ts says why not fetch); the streams over fetch.
      const ackClients = servers.map((server) => benchClient(server.url, 256));
      const connections = keys.map((key, i) => connect(servers[i % instances]!.url, key, ackClients[i % instances]!));
      await Promise.all(connections.map((c) => c.ready));
      await new Promise((r) => setTimeout(r, 500)); // let the connect-time writes settle
      const serverPids = await Promise.all(servers.map(async (server) => ((await (await fetch(`${server.url}/api/health`)).json()) as { pid: number }).pid));
      const cpuBefore = { bench: process.cpuUsage(), servers: serverPids.map(cpuMs), postgres: postgresCpu() };
      const t0 = performance.now();
      const response = await fetch(`${servers[0]!.url}/suspend`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify({ reason: "bench" }),
      });
      const { epoch } = (await response.json()) as { epoch: number };
      const allReceived = await waitUntil(() => connections.every((c) => c.received.has(epoch)), 10_000);
      const allAcked = await waitUntil(() => connections.every((c) => c.acked.has(epoch)), 20_000);
      const elapsed = performance.now() - t0;
      const benchCpu = process.cpuUsage(cpuBefore.bench);
      const cpu = {
        bench: (benchCpu.user + benchCpu.system) / 1000,
        servers: serverPids.map((pid, i) => cpuMs(pid) - cpuBefore.servers[i]!),
        postgres: postgresCpuSince(cpuBefore.postgres),
      };
      const receipts = connections.map((c) => (c.received.get(epoch) ?? Infinity) - t0);
      const acks = connections.map((c) => (c.acked.get(epoch) ?? Infinity) - t0);
      const stored = await db.controlAck.count({ where: { epoch: BigInt(epoch) } });
      const p = percentiles(receipts);
      const row = {
        p50: p.p50,
        p99: p.p99,
        max: p.max,
        allReceivedMs: allReceived ? Math.max(...receipts) : null,
        allAckedMs: allAcked ? Math.max(...acks) : null,
        stored,
        cpuMs: cpu,
        elapsedMs: elapsed,
      };
      results[`instances_${instances}`] = row;
      console.log(
        `| ${instances} | ${fmt(p.p50)} | ${fmt(p.p99)} | ${fmt(p.max)} | ${row.allReceivedMs === null ? "not all" : fmt(row.allReceivedMs)} | ${row.allAckedMs === null ? "not all" : fmt(row.allAckedMs)} | ${stored} of ${options.agents} |`,
      );
      cpuLines.push(
        `${instances} instance(s): in the ${fmt(elapsed, 0)} ms to the last acknowledgement, CPU ms: this process (the 1,000 agents) ${fmt(cpu.bench, 0)}, ` +
          `Warden ${cpu.servers.map((ms) => fmt(ms, 0)).join(" + ")}, PostgreSQL ${fmt(cpu.postgres, 0)} (two cores: ${fmt(2 * elapsed, 0)} ms available)`,
      );
      for (const c of connections) c.close();
      await Promise.all(ackClients.map((c) => c.close()));
      await fetch(`${servers[0]!.url}/resume`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify({ reason: "bench over" }),
      });
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }
  // Where the time to the last acknowledgement goes: the load generator, Warden and PostgreSQL
  // share the two cores.
  console.log(`\n${cpuLines.join("\n")}`);
  await db.$disconnect();
  return results;
}
