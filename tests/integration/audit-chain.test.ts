import { spawnSync } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit } from "../../server/audit/append-audit";
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

  it("each row links to the one before, and concurrent appends keep one chain", async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => appendAudit(db, { actor: SYSTEM, verb: "test.concurrent", data: { i } })),
    );
    const rows = await db.auditLog.findMany({ orderBy: { id: "desc" }, take: 41 });
    rows.reverse();
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    const report = await verifyAuditChain(db);
    expect(report.ok).toBe(true);
  });

  it("verification from the console is itself audited", async () => {
    const operator = await makeUser("operator");
    const report = await createCaller({ db, user: operator, ip: null }).audit.verify();
    expect(report.ok).toBe(true);
    expect(await db.auditLog.count({ where: { verb: "audit.verify", actorId: operator.id } })).toBe(1);
  });
});

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

  it("a deleted row breaks the link of the row after it", async ({ skip }) => {
    if (!tamperDb) skip();
    const rows = await tamperDb.auditLog.findMany({ orderBy: { id: "asc" } });
    await tamper(`DELETE FROM audit_log WHERE id = ${rows[3]!.id}`);
    const report = await verifyAuditChain(tamperDb);
    expect(report.firstBroken?.id).toBe(rows[4]!.id.toString());
    expect(report.firstBroken?.problem).toMatch(/prev_hash/);
  });
});
