import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync } from "node:fs";
import pg from "pg";
import { expect, test } from "@playwright/test";
import { createFreshDatabase } from "../tests/support/test-database";
import { adminToken } from "./support/api";
import { E2E_PORT } from "./support/constants";
import { waitForHealth } from "./support/instances";
import { simulateAgent } from "./support/simulated-agent";

test("two Warden processes started together on an empty database both serve, with one migration history", async () => {
  const url = await createFreshDatabase("warden_e2e_twins");
  test.skip(!url, "needs a PostgreSQL server (the embedded database serves one process)");
  const ports = [E2E_PORT + 1, E2E_PORT + 2];
  const logs = ports.map(() => [] as string[]);
  const children: ChildProcess[] = ports.map((port, i) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
      env: { ...process.env, DATABASE_URL: url!, PORT: String(port), WARDEN_ADMIN_EMAIL: "twin@e2e.test", WARDEN_ADMIN_PASSWORD: "twin-password-123" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (d) => logs[i]!.push(String(d)));
    child.stderr!.on("data", (d) => logs[i]!.push(String(d)));
    return child;
  });
  try {
    await Promise.all(ports.map((port, i) => waitForHealth(port, children[i]!, () => logs[i]!.join(""))));
    const client = new pg.Client({ connectionString: url! });
    await client.connect();
    const history = await client.query("SELECT migration_name FROM _prisma_migrations");
    const admins = await client.query("SELECT count(*)::int AS n FROM users");
    await client.end();
    const expected = readdirSync("prisma/migrations").length;
    expect(history.rows).toHaveLength(expected);
    expect(admins.rows[0].n).toBe(1);
    // Exactly one of them applied the migrations; the other found the schema up to date.
    const applied = logs.filter((l) => l.join("").includes("applied migrations"));
    expect(applied).toHaveLength(1);
    // Both instances serve the same login (shared session secret in the database).
    for (const port of ports) {
      const me = await fetch(`http://127.0.0.1:${port}/api/v1/me`);
      expect(me.status).toBe(401);
    }

    // An agent streaming from instance B gets a suspend issued on instance A (LISTEN/NOTIFY).
    const [a, b] = ports.map((p) => `http://127.0.0.1:${p}`) as [string, string];
    const token = await adminToken({ email: "twin@e2e.test", password: "twin-password-123" }, a);
    const created = await fetch(`${a}/api/v1/agents`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "twin-agent", role: "specialist", team: "ops" }),
    });
    const { key } = (await created.json()) as { key: { secret: string } };
    const agent = simulateAgent(b, key.secret);
    await agent.waitFor((e) => e.data.current === true);
    const sent = Date.now();
    const suspend = await fetch(`${a}/suspend`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({ reason: "drill across instances" }),
    });
    expect(suspend.status).toBe(200);
    const got = await agent.waitFor((e) => e.event === "control" && e.data.state === "suspended", 5000);
    expect(got.data.reason).toBe("drill across instances");
    expect(got.at - sent).toBeLessThan(2000);
    await agent.stop();

    // The state survives a restart: stop instance B, start it again, ask it.
    const restarted = await new Promise<ChildProcess>((resolve) => {
      children[1]!.once("exit", () => {
        const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
          env: { ...process.env, DATABASE_URL: url!, PORT: String(ports[1]) },
          stdio: ["ignore", "pipe", "pipe"],
        });
        child.stdout!.on("data", (d) => logs[1]!.push(String(d)));
        resolve(child);
      });
      children[1]!.kill("SIGTERM");
    });
    children[1] = restarted;
    await waitForHealth(ports[1]!, restarted, () => logs[1]!.join(""));
    const beat = await fetch(`${b}/api/v1/heartbeat`, { method: "POST", headers: { authorization: `Bearer ${key.secret}` }, body: "{}" });
    expect(((await beat.json()) as { control: { state: string; reason: string } }).control).toMatchObject({
      state: "suspended",
      reason: "drill across instances",
    });
  } finally {
    for (const child of children) child.kill("SIGTERM");
  }
});
