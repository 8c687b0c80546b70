import { spawnSync } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit } from "../../server/audit/append-audit";
import { sealAuditLog } from "../../server/audit/seal-audit";
import { verifyAuditChain } from "../../server/audit/verify-chain";
import { createCaller } from "../../server/api/root";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../server/db/generated/client";
import { migrate } from "../../server/db/migrate";
import { createFreshDatabase } from "../support/test-database";
import { db, makeUser } from "../support/fixtures";

const SYSTEM = { type: "system" as const, id: null, label: "tests" };

describe("the audit log is append-only", () => {
  it("the database refuses UPDATE, DELETE and TRUNCATE", async () => {
    await appendAudit(db, { actor: SYSTEM, verb: "test.append" });
    const last = await db.auditLog.findFirstOrThrow({ orderBy: { id: "desc" } });
    await expect(db.$executeRaw`UPDATE audit_log SET verb = 'forged' WHERE id = ${last.id}`).rejects.toThrow(/append-only/);
    await expect(db.$executeRaw`DELETE FROM audit_log WHERE id = ${last.id}`).rejects.toThrow(/append-only/);
    await expect(db.$executeRaw`TRUNCATE audit_log`).rejects.toThrow(/append-only/);
    await expect(db.auditLog.update({ where: { id: last.id }, data: { verb: "forged" } })).rejects.toThrow();
    expect((await db.auditLog.findUniqueOrThrow({ where: { id: last.id } })).verb).toBe("test.append");
  });

  it("each sealed row links to the one before, and concurrent appends and sealers keep one chain", async () => {
    await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => appendAudit(db, { actor: SYSTEM, verb: "test.concurrent", data: { i } })),
      sealAuditLog(db),
      sealAuditLog(db),
    ]);
    const concurrentIds = (await db.auditLog.findMany({ where: { verb: "test.concurrent" }, select: { id: true } })).map((r) => r.id);
    await sealUntil(db, async () => (await db.auditChain.count({ where: { auditId: { in: concurrentIds } } })) === concurrentIds.length);
    const links = await db.auditChain.findMany({ orderBy: { seq: "desc" }, take: 41 });
    links.reverse();
    for (let i = 1; i < links.length; i++) {
      expect(links[i]!.seq).toBe(links[i - 1]!.seq + BigInt(1));
      expect(links[i]!.prevHash).toBe(links[i - 1]!.hash);
    }
    const sealedIds = new Set((await db.auditChain.findMany({ select: { auditId: true } })).map((l) => l.auditId));
    const concurrent = await db.auditLog.findMany({ where: { verb: "test.concurrent" }, select: { id: true } });
    expect(concurrent.every((r) => sealedIds.has(r.id))).toBe(true);
    const report = await verifyAuditChain(db);
    expect(report.ok).toBe(true);
  });

  it("a row whose transaction is still open is not sealed until it commits, then it is", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = db.$transaction(async (tx) => {
      await appendAudit(tx, { actor: SYSTEM, verb: "test.slow" });
      await gate;
    });
    // Rows appended and committed after the slow one started.
    await new Promise((r) => setTimeout(r, 50));
    await appendAudit(db, { actor: SYSTEM, verb: "test.fast" });
    await sealAuditLog(db);
    const fast = await db.auditLog.findFirstOrThrow({ where: { verb: "test.fast" }, orderBy: { id: "desc" } });
    // The fast row's transaction started after the slow one: it waits behind it (commit-safe order).
    expect(await db.auditChain.count({ where: { auditId: fast.id } })).toBe(0);
    release();
    await slow;
    const slowRow = await db.auditLog.findFirstOrThrow({ where: { verb: "test.slow" }, orderBy: { id: "desc" } });
    await sealUntil(db, async () => (await db.auditChain.count({ where: { auditId: { in: [slowRow.id, fast.id] } } })) === 2);
    const sealed = await db.auditChain.findMany({ where: { auditId: { in: [slowRow.id, fast.id] } }, orderBy: { seq: "asc" } });
    expect(sealed.map((s) => s.auditId)).toEqual([slowRow.id, fast.id]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it("verification from the console is itself audited", async () => {
    const operator = await makeUser("operator");
    const report = await createCaller({ db, user: operator, ip: null }).audit.verify();
    expect(report.ok).toBe(true);
    expect(await db.auditLog.count({ where: { verb: "audit.verify", actorId: operator.id } })).toBe(1);
  });
});

/**
 * Seals until `done` holds. The sealer only passes rows older than the oldest transaction open
 * anywhere on the server (commit-safe order), and the other test files run transactions at the
 * same time, so one pass may legitimately seal less than everything.
 */
async function sealUntil(client: Parameters<typeof sealAuditLog>[0], done: () => Promise<boolean>) {
  for (let i = 0; i < 200; i++) {
    await sealAuditLog(client);
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the audit log was not sealed in 20 s");
}

describe("tampering is detected (on a database of its own)", () => {
  let url: string;
  let tamperDb: PrismaClient;
  let superuser: pg.Client;

  beforeAll(async () => {
    const created = await createFreshDatabase("warden_test_tamper");
    if (!created) return; // embedded fallback: covered by the shared database tests above
    url = created;
    await migrate(url);
    tamperDb = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
    superuser = new pg.Client({ connectionString: url });
    await superuser.connect();
    for (let i = 0; i < 10; i++) await appendAudit(tamperDb, { actor: SYSTEM, verb: "test.row", data: { n: i, note: "original" } });
    await sealUntil(tamperDb, async () => (await tamperDb.auditChain.count()) === 10);
  });

  afterAll(async () => {
    await tamperDb?.$disconnect();
    await superuser?.end();
  });

  /** What an attacker with the database owner's rights could do: switch the guard off. */
  async function tamper(sql: string) {
    await superuser.query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete");
    try {
      await superuser.query(sql);
    } finally {
      await superuser.query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete");
    }
  }

  it("an intact chain verifies", async ({ skip }) => {
    if (!tamperDb) skip();
    expect(await verifyAuditChain(tamperDb)).toMatchObject({ ok: true, rowsChecked: 10 });
  });

  it("changing one byte of one row makes verify fail and name that row", async ({ skip }) => {
    if (!tamperDb) skip();
    const rows = await tamperDb.auditLog.findMany({ orderBy: { id: "asc" } });
    const victim = rows[6]!;
    await tamper(`UPDATE audit_log SET data = '{"n": 6, "note": "Original"}' WHERE id = ${victim.id}`);
    const report = await verifyAuditChain(tamperDb);
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toEqual({ id: victim.id.toString(), problem: expect.stringContaining("content does not match") });
    expect(report.rowsChecked).toBe(6);
    // The operator's command says the same, and fails.
    const cli = spawnSync(process.execPath, ["--import", "tsx", "scripts/warden.ts", "audit", "verify"], {
      env: { ...process.env, DATABASE_URL: url },
      encoding: "utf8",
    });
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain(`BROKEN at row ${victim.id}`);
    // Put it back (same bytes as written): the chain verifies again.
    await tamper(`UPDATE audit_log SET data = '{"n": 6, "note": "original"}' WHERE id = ${victim.id}`);
    expect((await verifyAuditChain(tamperDb)).ok).toBe(true);
  });

  it("a row slipped in behind the chain's head is named", async ({ skip }) => {
    if (!tamperDb) skip();
    await superuser.query(`INSERT INTO audit_log (actor_type, actor_label, verb, txid) VALUES ('system', 'forger', 'test.forged', '3'::xid8)`);
    const forged = await tamperDb.auditLog.findFirstOrThrow({ where: { verb: "test.forged" } });
    const report = await verifyAuditChain(tamperDb);
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toEqual({ id: forged.id.toString(), problem: expect.stringContaining("missing from the chain") });
  });

  it("a deleted row breaks the link of the row after it", async ({ skip }) => {
    if (!tamperDb) skip();
    const rows = await tamperDb.auditLog.findMany({ orderBy: { id: "asc" } });
    await tamper(`DELETE FROM audit_log WHERE id = ${rows[3]!.id}`);
    const report = await verifyAuditChain(tamperDb);
    expect(report.firstBroken).toEqual({ id: rows[3]!.id.toString(), problem: "the row was removed from the audit log" });
  });
});
