import pg from "pg";
import { expect, test } from "@playwright/test";
import { createFreshDatabase } from "../tests/support/test-database";
import { adminToken } from "./support/api";
import { E2E_PORT } from "./support/constants";
import { startInstance, stopInstance } from "./support/instances";
import { SHARED_LESSONS as LESSONS } from "../tests/support/shared-lessons";

const ADMIN = { email: "load@e2e.test", password: "load-password-123" };

test("200 concurrent proposals from 20 agents sharing the same remembered failures, across two Warden processes: every one answered 201, each with its audit row; a revoked key and a suspend reach the other process at once", async () => {
  test.setTimeout(300_000);
  const url = await createFreshDatabase("warden_e2e_load");
  test.skip(!url, "needs a PostgreSQL server (the embedded database serves one process)");
  // One instance first (it applies the migrations and creates the admin), then the second.
  const adminEnv = { WARDEN_ADMIN_EMAIL: ADMIN.email, WARDEN_ADMIN_PASSWORD: ADMIN.password };
  const a = await startInstance(E2E_PORT + 3, url!, adminEnv);
  const b = await startInstance(E2E_PORT + 4, url!, adminEnv);
  const client = new pg.Client({ connectionString: url! });
  await client.connect();
  try {
    const token = await adminToken(ADMIN, a.base);
    const admin = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    expect(
      (await fetch(`${a.base}/api/v1/tools/docker.restart`, { method: "PUT", headers: admin, body: JSON.stringify({ scopes: ["staging/*"] }) })).status,
    ).toBe(200);
    const keys: string[] = [];
    const keyIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const created = await fetch(`${a.base}/api/v1/agents`, {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ name: `load-${i}`, role: "specialist", team: "ops", tools: ["docker.restart"], scopes: ["staging/*"] }),
      });
      expect(created.status).toBe(201);
      const { key } = (await created.json()) as { key: { id: string; secret: string } };
      keys.push(key.secret);
      keyIds.push(key.id);
    }
    // What the fleet remembers about restarting traefik: every proposal below recalls all of it.
    const lessonIds: string[] = [];
    for (const body of LESSONS) {
      const recorded = await fetch(`${a.base}/api/v1/memory`, {
        method: "POST",
        headers: { authorization: `Bearer ${keys[0]}`, "content-type": "application/json" },
        body: JSON.stringify({ kind: "negative_knowledge", subject: "docker restart traefik on staging/traefik (docker.restart)", body }),
      });
      expect(recorded.status).toBe(201);
      lessonIds.push(((await recorded.json()) as { id: string }).id);
    }

    const answers = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const response = await fetch(`${i % 2 === 0 ? a.base : b.base}/api/v1/actions`, {
          method: "POST",
          headers: { authorization: `Bearer ${keys[i % 20]}`, "content-type": "application/json" },
          body: JSON.stringify({ action: "docker restart traefik", tool: "docker.restart", resource: "staging/traefik", confidence: 0.97, args: { n: i } }),
        });
        const text = await response.text();
        return {
          status: response.status,
          body: response.status === 201 ? (JSON.parse(text) as { id: string; decision: string; recalled: { id: string }[] }) : text,
        };
      }),
    );
    const failed = answers.filter((x) => x.status !== 201);
    expect(failed.map((x) => `${x.status} ${String(x.body).slice(0, 200)}`)).toEqual([]);
    const decided = answers.map((x) => x.body as { id: string; decision: string; recalled: { id: string }[] });
    for (const answer of decided) {
      // The shared lessons were recalled and lowered each decision from auto_execute.
      expect(answer.decision).toBe("execute_with_notification");
      expect(answer.recalled.map((m) => m.id)).toEqual(expect.arrayContaining(lessonIds));
    }
    const ids = decided.map((x) => x.id);
    const audited = await client.query("SELECT count(*)::int AS n FROM audit_log WHERE verb = 'action.propose' AND subject_id = ANY($1::text[])", [ids]);
    expect(audited.rows[0].n).toBe(200);
    const stored = await client.query("SELECT count(*)::int AS n FROM actions WHERE id = ANY($1::uuid[])", [ids]);
    expect(stored.rows[0].n).toBe(200);

    // The entries' recall counters catch up (each instance folds the recall log every second),
    // every recall counted once whichever instance logged or folded it.
    await expect
      .poll(async () => (await client.query("SELECT times_recalled FROM memories WHERE id = ANY($1::uuid[])", [lessonIds])).rows.map((r) => r.times_recalled), {
        timeout: 20_000,
      })
      .toEqual([200, 200, 200, 200, 200]);

    // A key revoked through one instance is refused by the other within a second, though the
    // other had just cached it: the revocation's bus event drops it there.
    const meOnB = () => fetch(`${b.base}/api/v1/me`, { headers: { authorization: `Bearer ${keys[1]}` } }).then((r) => r.status);
    expect(await meOnB()).toBe(200);
    expect((await fetch(`${a.base}/api/v1/keys/${keyIds[1]}`, { method: "DELETE", headers: admin })).status).toBe(200);
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 3_000) status = await meOnB();
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(1_000);

    // A suspend through one instance: the next proposal on the other is refused at once, though
    // its principal (with the state read before) is cached there: the decision's statement
    // re-checks the state it was made on.
    const proposeOnB = () =>
      fetch(`${b.base}/api/v1/actions`, {
        method: "POST",
        headers: { authorization: `Bearer ${keys[2]}`, "content-type": "application/json" },
        body: JSON.stringify({ action: "docker restart traefik", tool: "docker.restart", resource: "staging/traefik", confidence: 0.97, args: {} }),
      }).then(async (r) => ((await r.json()) as { decision: string }).decision);
    expect(await proposeOnB()).toBe("execute_with_notification");
    expect(
      (
        await fetch(`${a.base}/api/v1/control/suspend`, {
          method: "POST",
          headers: admin,
          body: JSON.stringify({ scope: "team:ops", reason: "e2e: two instances" }),
        })
      ).status,
    ).toBe(200);
    expect(await proposeOnB()).toBe("deny");
  } finally {
    await client.end();
    await Promise.all([a, b].map(stopInstance));
  }
});
