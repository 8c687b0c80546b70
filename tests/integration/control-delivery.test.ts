import { apiDispatcher } from "../../server/http/api-routes";
import { handleWebRequest } from "../../server/http/web-adapter";
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { revokeAgentKey } from "../../server/agents/agent-keys";
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
