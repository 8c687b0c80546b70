import { apiDispatcher } from "../../server/http/api-routes";
import { handleWebRequest } from "../../server/http/web-adapter";
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { revokeAgentKey } from "../../server/agents/agent-keys";
import { changeControl } from "../../server/control/change-control";
import { inTransaction } from "../../server/db/transaction";
import { startEventBus, subscribe, type WardenEvent } from "../../server/events/bus";
import { db, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool } from "../support/guardrail-fixtures";
import { sseReader } from "../support/sse";

const SYSTEM = { type: "system" as const, id: null, label: "test" };

/** Another Warden instance: a process of its own that suspends `team` when told to on stdin. */
function otherInstance(team: string) {
  // The change is made inside a transaction that commits only on "go", so the commit (and its
  // NOTIFY) follows "go" by a few milliseconds.
  const script = `
    import { changeControl } from "./server/control/change-control.ts";
    import { db } from "./server/db/client.ts";
    import { inTransaction } from "./server/db/transaction.ts";
    const go = new Promise((resolve) => process.stdin.once("data", resolve));
    let epoch = 0;
    await inTransaction(db, async (tx) => {
      epoch = (await changeControl(tx, { type: "system", id: null, label: "other-instance" },
        { scope: { kind: "team", key: ${JSON.stringify(team)}, label: "team" }, state: "suspended", reason: "from the other instance" })).epoch;
      console.log("ready");
      await go;
    });
    console.log(JSON.stringify({ epoch, at: Date.now() }));
    process.exit(0);`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { env: process.env, stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const until = async (match: RegExp) => {
    for (let i = 0; i < 300 && !match.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    if (!match.test(out)) throw new Error(`the other instance printed: ${out}`);
    return out;
  };
  return { child, until };
}

describe("no control change is lost", () => {
  it("a suspend committed 0-100 ms after this instance's LISTEN connection dropped still reaches its subscribers", async () => {
    await startEventBus();
    const team = unique("delivery").toLowerCase();
    const other = otherInstance(team);
    await other.until(/ready/);
    const received: WardenEvent[] = [];
    const unsubscribe = subscribe((event) => received.push(event));
    try {
      const listener = (globalThis as unknown as { wardenBus: { listener: { processID: number } | null } }).wardenBus.listener;
      expect(listener).not.toBeNull();
      await db.$queryRaw`SELECT pg_terminate_backend(${listener!.processID}::int)`;
      const dropped = Date.now();
      other.child.stdin!.write("go\n");
      const { epoch, at } = JSON.parse((await other.until(/"epoch"/)).split("\n").find((l) => l.includes("epoch"))!) as { epoch: number; at: number };
      expect(at - dropped).toBeLessThan(100); // committed while this instance was not listening
      for (let i = 0; i < 100 && !received.some((e) => e.type === "control.changed" && e.epoch === epoch); i++) await new Promise((r) => setTimeout(r, 50));
      const delivered = received.filter((e) => e.type === "control.changed" && e.epoch === epoch);
      expect(delivered).toEqual([expect.objectContaining({ type: "control.changed", key: team, state: "suspended" })]);
    } finally {
      unsubscribe();
      other.child.kill();
      await db.$executeRaw`UPDATE control_scopes SET state = 'running' WHERE kind = 'team' AND key = ${team}`;
    }
  }, 30_000);
});

describe("a change made here while the listener was away", () => {
  it("another instance's suspend made while this one's listener was away is delivered, though this one made a newer change before it listened again", async () => {
    // This instance delivers its own change (epoch N+1) at once. Catching up after a reconnect
    // from the newest delivered, rather than the newest heard, lost the other instance's N: its
    // suspend never reached this instance's streams or gateway calls (an attacker's review of
    // the gateway found it).
    await startEventBus();
    const team = unique("unheard").toLowerCase();
    const ownTeam = unique("madehere").toLowerCase();
    const other = otherInstance(team);
    await other.until(/ready/);
    const received: WardenEvent[] = [];
    const unsubscribe = subscribe((event) => received.push(event));
    const bus = (globalThis as unknown as { wardenBus: { listener: { processID: number } | null; starting: Promise<void> | null } }).wardenBus;
    try {
      // Held away until this test lets it listen again (the reconnect finds a start under way).
      bus.starting = new Promise(() => undefined);
      await db.$queryRaw`SELECT pg_terminate_backend(${bus.listener!.processID}::int)`;
      for (let i = 0; i < 100 && bus.listener; i++) await new Promise((r) => setTimeout(r, 10));
      other.child.stdin!.write("go\n");
      const { epoch } = JSON.parse((await other.until(/"epoch"/)).split("\n").find((l) => l.includes("epoch"))!) as { epoch: number };
      const own = await inTransaction(db, (tx) =>
        changeControl(tx, SYSTEM, { scope: { kind: "team", key: ownTeam, label: "team" }, state: "paused", reason: "made here" }),
      );
      expect(own.epoch).toBeGreaterThan(epoch);
      bus.starting = null;
      await startEventBus();
      for (let i = 0; i < 100 && !received.some((e) => e.type === "control.changed" && e.epoch === epoch); i++) await new Promise((r) => setTimeout(r, 50));
      expect(received.filter((e) => e.type === "control.changed" && e.epoch === epoch)).toEqual([
        expect.objectContaining({ type: "control.changed", key: team, state: "suspended" }),
      ]);
      // Each once: the catch-up does not deliver this instance's own change again.
      expect(received.filter((e) => e.type === "control.changed" && e.epoch === own.epoch)).toHaveLength(1);
    } finally {
      bus.starting = null;
      await startEventBus();
      unsubscribe();
      other.child.kill();
      await db.$executeRaw`UPDATE control_scopes SET state = 'running' WHERE kind = 'team' AND key IN (${team}, ${ownTeam})`;
    }
  }, 30_000);
});

describe("revoked access ends the stream", () => {
  it("an agent's open control stream closes within a second of its key being revoked", async () => {
    const tool = await makeTool({ scopes: [] });
    const { key, agent } = await makeGrantedAgent([tool.name]);
    const keyRow = await db.agentKey.findFirstOrThrow({ where: { agentId: agent.id } });
    const stream = sseReader(
      await handleWebRequest(apiDispatcher(), new Request("http://w/api/v1/control/stream", { headers: { authorization: `Bearer ${key}` } })),
    );
    await stream.next();
    const began = Date.now();
    await revokeAgentKey(db, SYSTEM, keyRow.id);
    await stream.ended(2_000);
    expect(Date.now() - began).toBeLessThan(1_000);
  });
});
