import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterEach, describe, expect, it, vi } from "vitest";
import { generateAnchorKey, parseAnchorPrivateKey } from "../../server/audit/anchor-key";
import { appendAudit } from "../../server/audit/append-audit";
import { publishAuditAnchor } from "../../server/audit/publish-anchor";
import { sealAuditLog } from "../../server/audit/seal-audit";
import { parseAnchors, type AuditAnchor } from "../../server/audit/sign-anchor";
import { takeAuditAnchor } from "../../server/audit/take-anchor";
import { verifyAuditChain } from "../../server/audit/verify-chain";
import { verifyAuditChainWithAnchors } from "../../server/audit/verify-anchors";
import { PrismaClient } from "../../server/db/generated/client";
import { migrate } from "../../server/db/migrate";
import { createFreshDatabase } from "../support/test-database";

const SYSTEM = { type: "system" as const, id: null, label: "tests" };
const KEY_TEXT = generateAnchorKey();
const KEY = parseAnchorPrivateKey(KEY_TEXT.privateKey);

/**
 * Each case tampers with a database of its own, as its owner (a superuser here) would: with
 * session_replication_role = replica, which switches the append-only triggers off for the
 * session. The shared test database is never touched.
 */
type World = { url: string; db: PrismaClient; superuser: pg.Client };
const worlds: World[] = [];

async function world(name: string, rows: number): Promise<World | null> {
  const url = await createFreshDatabase(`warden_test_anchor_${name}`);
  if (!url) return null;
  await migrate(url);
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  const superuser = new pg.Client({ connectionString: url });
  await superuser.connect();
  const w = { url, db, superuser };
  worlds.push(w);
  await appendRows(w, rows, "original");
  return w;
}

afterEach(async () => {
  for (const w of worlds.splice(0)) {
    await w.db.$disconnect();
    await w.superuser.end();
  }
});

async function appendRows(w: World, n: number, note: string) {
  const before = await w.db.auditLog.count();
  for (let i = 0; i < n; i++) await appendAudit(w.db, { actor: SYSTEM, verb: "test.row", data: { n: before + i, note } });
  await sealUntil(w, before + n);
}

/** Other suites' open transactions on the same server hold the sealer back for a moment. */
async function sealUntil(w: World, links: number) {
  for (let i = 0; i < 200; i++) {
    await sealAuditLog(w.db);
    if ((await w.db.auditChain.count()) >= links) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the audit log was not sealed in 20 s");
}

async function asAttacker(w: World, fn: (sql: pg.Client) => Promise<void>) {
  await w.superuser.query("SET session_replication_role = replica");
  try {
    await fn(w.superuser);
  } finally {
    await w.superuser.query("SET session_replication_role = DEFAULT");
  }
}

/** Changes nothing in the rows: recomputes every link from `fromSeq` on, as a forger would. */
async function rehashFrom(sql: pg.Client, fromSeq: number) {
  const prev = await sql.query<{ hash: string }>("SELECT hash FROM audit_chain WHERE seq = $1", [fromSeq - 1]);
  let previous = prev.rows[0]?.hash ?? "";
  const links = await sql.query<{ seq: string }>("SELECT seq FROM audit_chain WHERE seq >= $1 ORDER BY seq", [fromSeq]);
  for (const { seq } of links.rows) {
    const next = await sql.query<{ hash: string }>(
      `UPDATE audit_chain c SET prev_hash = $2, hash = audit_row_hash($2, a) FROM audit_log a
        WHERE a.id = c.audit_id AND c.seq = $1 RETURNING c.hash`,
      [seq, previous],
    );
    previous = next.rows[0]!.hash;
  }
}

function cli(w: World, args: string[], extraEnv: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/warden.ts", ...args], {
    env: { ...process.env, DATABASE_URL: w.url, ...extraEnv },
    encoding: "utf8",
  });
}

function anchorFile(anchors: AuditAnchor[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "warden-anchor-")), "anchors.jsonl");
  writeFileSync(file, anchors.map((a) => `${JSON.stringify(a)}\n`).join(""));
  return file;
}

describe("the audit chain checked against signed anchors (each on a database of its own)", () => {
  it("happy path: anchors taken as the log grows all match; the CLI signs, appends and verifies", async ({ skip }) => {
    const w = await world("happy", 6);
    if (!w) return skip();
    const first = await takeAuditAnchor(w.db, KEY);
    expect(first).toMatchObject({ v: 1, alg: "ed25519", seq: "6", rows: 6, keyId: KEY.keyId });
    await appendRows(w, 4, "later");
    const second = await takeAuditAnchor(w.db, KEY);
    expect(await verifyAuditChainWithAnchors(w.db, [first, second], KEY.publicKey)).toMatchObject({ ok: true, rowsChecked: 10, anchorsChecked: 2 });
    // Rows after the last anchor are fine: the anchor vouches for the past only.
    await appendRows(w, 2, "after");
    expect((await verifyAuditChainWithAnchors(w.db, [first, second], KEY.publicKey)).ok).toBe(true);

    const file = anchorFile([first]);
    const anchored = cli(w, ["audit", "anchor", "--out", file], { WARDEN_AUDIT_ANCHOR_KEY: KEY_TEXT.privateKey });
    expect(anchored.status, anchored.stderr).toBe(0);
    expect(JSON.parse(anchored.stdout.trim())).toMatchObject({ seq: "12", keyId: KEY.keyId });
    expect(parseAnchors(readFileSync(file, "utf8")).map((a) => a.seq)).toEqual(["6", "12"]);
    // Only the public key is needed to verify.
    const verified = cli(w, ["audit", "verify", "--anchor", file, "--public-key", KEY_TEXT.publicKey]);
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout).toContain("matches 2 anchor(s)");
  });

  it("truncation: the newest 3 rows deleted with their links pass plain verify, not the anchor", async ({ skip }) => {
    const w = await world("truncate", 10);
    if (!w) return skip();
    const anchor = await takeAuditAnchor(w.db, KEY);
    const newest = await w.db.auditChain.findMany({ orderBy: { seq: "desc" }, take: 3 });
    await asAttacker(w, async (sql) => {
      const ids = newest.map((l) => l.auditId.toString());
      await sql.query("DELETE FROM audit_chain WHERE audit_id = ANY($1::bigint[])", [ids]);
      await sql.query("DELETE FROM audit_log WHERE id = ANY($1::bigint[])", [ids]);
    });
    // The gap this closes: the chain agrees with itself.
    expect(await verifyAuditChain(w.db)).toMatchObject({ ok: true, rowsChecked: 7 });
    const report = await verifyAuditChainWithAnchors(w.db, [anchor], KEY.publicKey);
    expect(report.ok).toBe(false);
    expect(report.ok || report.problem).toMatch(/chain ends at seq 7 .* signed seq 10 .*3 row\(s\) at seq 8\.\.10 were removed/);

    const result = cli(w, ["audit", "verify", "--anchor", anchorFile([anchor])], { WARDEN_AUDIT_ANCHOR_PUBLIC_KEY: KEY_TEXT.publicKey });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("seq 8..10 were removed");

    // New rows sealed over the gap do not hide it: seq 10 now holds another row and hash.
    await appendRows(w, 5, "cover");
    const covered = await verifyAuditChainWithAnchors(w.db, [anchor], KEY.publicKey);
    expect(covered.ok || covered.problem).toMatch(/at seq 10 the chain has row \d+.*signed row \d+/);
  });

  it("re-hash: a changed row with every link after it recomputed is caught, between the anchors around it", async ({ skip }) => {
    const w = await world("rehash", 4);
    if (!w) return skip();
    const early = await takeAuditAnchor(w.db, KEY);
    await appendRows(w, 6, "original");
    const late = await takeAuditAnchor(w.db, KEY);
    const victim = await w.db.auditChain.findUniqueOrThrow({ where: { seq: BigInt(6) } });
    await asAttacker(w, async (sql) => {
      await sql.query(`UPDATE audit_log SET data = '{"n": 5, "note": "nothing happened"}' WHERE id = $1`, [victim.auditId.toString()]);
      await rehashFrom(sql, 6);
    });
    expect(await verifyAuditChain(w.db)).toMatchObject({ ok: true, rowsChecked: 10 });
    const report = await verifyAuditChainWithAnchors(w.db, [late, early], KEY.publicKey);
    expect(report.ok).toBe(false);
    expect(report.ok || report.problem).toMatch(/at seq 10 .*rows after seq 4 .* up to seq 10 were changed, removed or inserted, and the chain re-hashed/);
  });

  it("a forged backdated row: appended and sealed, or slipped into the past and the chain re-sealed", async ({ skip }) => {
    const w = await world("backdate", 8);
    if (!w) return skip();
    const anchor = await takeAuditAnchor(w.db, KEY);
    // Plain INSERT is allowed (the log is append-only, not closed); the sealer chains the row.
    await w.superuser.query(`INSERT INTO audit_log (at, actor_type, actor_label, verb) VALUES ('2026-01-02T03:04:05Z', 'user', 'alice', 'control.kill')`);
    await sealUntil(w, 9);
    expect((await verifyAuditChain(w.db)).ok).toBe(true);
    const report = await verifyAuditChainWithAnchors(w.db, [anchor], KEY.publicKey);
    expect(report.ok || report.problem).toMatch(/row \d+ claims the time 2026-01-02T03:04:05.000000Z but was sealed at seq 9, after the anchor .*backdated/);

    // The careful forger puts the row where its time belongs and re-seals the chain from there.
    const w2 = (await world("backdate_mid", 8))!;
    const anchor2 = await takeAuditAnchor(w2.db, KEY);
    const [fourth] = (
      await w2.superuser.query<{ txid: string; at: Date }>(
        "SELECT a.txid::text AS txid, a.at FROM audit_chain c JOIN audit_log a ON a.id = c.audit_id WHERE c.seq = 4",
      )
    ).rows;
    await asAttacker(w2, async (sql) => {
      await sql.query("DELETE FROM audit_chain WHERE seq >= 5");
      await sql.query(`INSERT INTO audit_log (at, actor_type, actor_label, verb, txid) VALUES ($1, 'user', 'alice', 'control.kill', $2::xid8)`, [
        fourth!.at,
        fourth!.txid,
      ]);
    });
    await sealUntil(w2, 9);
    expect(await verifyAuditChain(w2.db)).toMatchObject({ ok: true, rowsChecked: 9 });
    const report2 = await verifyAuditChainWithAnchors(w2.db, [anchor2], KEY.publicKey);
    expect(report2.ok || report2.problem).toMatch(/at seq 8 .*re-hashed/);
  });

  it("an anchor whose signature does not verify is refused, before the chain is read", async ({ skip }) => {
    const w = await world("forged_anchor", 5);
    if (!w) return skip();
    const anchor = await takeAuditAnchor(w.db, KEY);
    // Truncate, then make the anchor agree with what is left: the signature gives it away.
    await asAttacker(w, async (sql) => {
      await sql.query("DELETE FROM audit_log WHERE id IN (SELECT audit_id FROM audit_chain WHERE seq = 5)");
      await sql.query("DELETE FROM audit_chain WHERE seq = 5");
    });
    const head = await w.db.auditChain.findUniqueOrThrow({ where: { seq: BigInt(4) } });
    const edited = { ...anchor, seq: "4", rows: 4, auditId: head.auditId.toString(), hash: head.hash };
    const report = await verifyAuditChainWithAnchors(w.db, [edited], KEY.publicKey);
    expect(report).toMatchObject({ ok: false, chain: null });
    expect(report.ok || report.problem).toMatch(/anchor 1 \(seq 4, .*\) is refused: its signature does not verify/);

    // Signed by another key (the attacker's own): refused too, named by its key.
    const other = parseAnchorPrivateKey(generateAnchorKey().privateKey);
    const theirs = await takeAuditAnchor(w.db, other);
    const refused = await verifyAuditChainWithAnchors(w.db, [theirs], KEY.publicKey);
    expect(refused.ok || refused.problem).toContain(`it names key ${other.keyId}, not ${KEY.keyId}`);
    // Given both public keys (a key was rotated), each anchor is checked with its own.
    expect((await verifyAuditChainWithAnchors(w.db, [theirs], [KEY.publicKey, other.publicKey])).ok).toBe(true);

    const file = anchorFile([anchor, edited]);
    const result = cli(w, ["audit", "verify", "--anchor", file], { WARDEN_AUDIT_ANCHOR_KEY: KEY_TEXT.privateKey });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("anchor 2 (seq 4");
    expect(result.stderr).toContain("signature does not verify");
  });

  it("the scheduled publisher: one line per new head across instances, to the file and the webhook", async ({ skip }) => {
    const w = await world("publish", 3);
    if (!w) return skip();
    const received: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        received.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const file = path.join(mkdtempSync(path.join(tmpdir(), "warden-anchor-")), "anchors.jsonl");
      const to = { key: KEY, file, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/anchors` };
      // A second instance is a second client on the same database.
      const other = new PrismaClient({ adapter: new PrismaPg({ connectionString: w.url }) });
      try {
        const results = await Promise.all([publishAuditAnchor(w.db, to), publishAuditAnchor(other, to)]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await publishAuditAnchor(other, to)).toBeNull(); // same head: nothing new to say
        await appendRows(w, 2, "more");
        expect(await publishAuditAnchor(other, to)).toMatchObject({ seq: "5" });
      } finally {
        await other.$disconnect();
      }
      const lines = parseAnchors(readFileSync(file, "utf8"));
      expect(lines.map((a) => a.seq)).toEqual(["3", "5"]);
      expect(received.map((body) => JSON.parse(body).seq)).toEqual(["3", "5"]);
      expect((await verifyAuditChainWithAnchors(w.db, lines, KEY.publicKey)).ok).toBe(true);
    } finally {
      server.close();
    }
  });

  it("the background job is registered only with a key and somewhere to publish, and publishes there", async ({ skip }) => {
    const w = await world("job", 2);
    if (!w) return skip();
    const file = path.join(mkdtempSync(path.join(tmpdir(), "warden-anchor-")), "anchors.jsonl");
    const jobsWith = async (env: Record<string, string>) => {
      vi.resetModules();
      for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
      try {
        return (await import("../../server/background")).BACKGROUND_JOBS;
      } finally {
        vi.unstubAllEnvs();
        vi.resetModules();
      }
    };
    expect((await jobsWith({})).map((j) => j.name)).not.toContain("audit.anchor");
    expect((await jobsWith({ WARDEN_AUDIT_ANCHOR_KEY: KEY_TEXT.privateKey })).map((j) => j.name)).not.toContain("audit.anchor");
    const jobs = await jobsWith({ WARDEN_AUDIT_ANCHOR_KEY: KEY_TEXT.privateKey, WARDEN_AUDIT_ANCHOR_FILE: file, WARDEN_AUDIT_ANCHOR_EVERY_SECONDS: "60" });
    const job = jobs.find((j) => j.name === "audit.anchor")!;
    expect(job.everyMs).toBe(60_000);
    await job.run(w.db as unknown as Parameters<typeof job.run>[0]);
    expect(parseAnchors(readFileSync(file, "utf8"))).toMatchObject([{ seq: "2", keyId: KEY.keyId }]);
  });
});
