import { spawn } from "node:child_process";
import { once } from "node:events";
import { benchClient, benchDatabase, fmt, measure, measureInTurns } from "./support";
import { startWarden } from "./server";

/**
 * GET /api/health through Warden's HTTP layer (server/http/server.ts, the dispatcher) against a
 * bare node:http server running the same query with the same client (bench/bare-health-server.ts),
 * 50 concurrent, in the same run, taking turns: what the layer itself costs. Target: at least 80%.
 */
export async function healthBenchmark(options: { requests: number; port: number }) {
  const url = await benchDatabase("warden_bench_health");
  const warden = await startWarden(url, options.port);
  const bare = spawn(process.execPath, ["--import", "tsx", "bench/bare-health-server.ts"], {
    env: { ...process.env, DATABASE_URL: url, PORT: String(options.port + 1) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await once(bare.stdout!, "data");
  const clients = [benchClient(warden.url), benchClient(`http://127.0.0.1:${options.port + 1}`)];
  const get = (client: ReturnType<typeof benchClient>) => () =>
    client.get("/api/health").then((r) => {
      if (r.status !== 200) throw new Error(`GET /api/health answered ${r.status}`);
    });
  const wardenHealth = get(clients[0]!);
  const bareHealth = get(clients[1]!);
  try {
    await measure(2_000, 50, bareHealth);
    await measure(2_000, 50, wardenHealth);
    const { baseline, layer } = await measureInTurns(options.requests, 50, { baseline: bareHealth, layer: wardenHealth });
    const ratio = layer.perSecond / baseline.perSecond;
    console.log(`\n## GET /api/health, 50 concurrent (${options.requests.toLocaleString()} each)\n`);
    console.log("| | per second | p50 ms | p99 ms | max ms |");
    console.log("|---|---:|---:|---:|---:|");
    console.log(`| bare node:http, same query | ${fmt(baseline.perSecond, 0)} | ${fmt(baseline.p50, 2)} | ${fmt(baseline.p99, 2)} | ${fmt(baseline.max, 2)} |`);
    console.log(`| Warden's server and dispatcher | ${fmt(layer.perSecond, 0)} | ${fmt(layer.p50, 2)} | ${fmt(layer.p99, 2)} | ${fmt(layer.max, 2)} |`);
    console.log(`\nGET /api/health through Warden's layer reaches ${fmt(ratio * 100)}% of a bare node:http server (target 80%)`);
    return { baseline, layer, ratio };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    bare.kill("SIGTERM");
    await warden.stop();
  }
}
