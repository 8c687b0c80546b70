import { expect, test } from "@playwright/test";
import { ActionNotAllowedError, ArgsMismatchError, ControlStopError, Warden, type JsonObject } from "../sdk/src";
import { actionStatus, approveWhenPending, BASE, provisionSdkAgent } from "./support/sdk-agent";

/*
 * The TypeScript SDK against the running Warden of the end-to-end suite: no browser, the real
 * API, an approver and an operator acting through the API with an admin's personal token.
 */

test("a guarded tool waits for an approval and runs the args the approver edited", async ({ request }) => {
  const { token, tool, name, key } = await provisionSdkAgent(request);
  const warden = new Warden({ url: BASE, key });
  const ran: JsonObject[] = [];
  const scale = warden.tool({ name: tool }, (args) => {
    ran.push({ ...args });
    return { scaledTo: args.replicas };
  });

  // 0.5 is below the approval threshold: a human must decide.
  const running = scale({ service: "web", replicas: 5 }, { confidence: 0.5, rationale: "traffic is up" });
  const actionId = await approveWhenPending(request, token, name, { args: { service: "web", replicas: 2 } });
  const run = await running;

  expect(run).toMatchObject({ actionId, decision: "require_approval", argsEdited: true, args: { service: "web", replicas: 2 }, output: { scaledTo: 2 } });
  expect(ran).toEqual([{ service: "web", replicas: 2 }]);
  expect(await actionStatus(request, key, actionId)).toBe("succeeded");
});

test("the SDK refuses to run args that differ from the approved ones", async ({ request }) => {
  const { token, tool, name, key } = await provisionSdkAgent(request);
  const warden = new Warden({ url: BASE, key });
  let calls = 0;
  const deploy = (args: JsonObject) => {
    calls++;
    return { deployed: args.version };
  };

  const asking = warden.guard({ action: "deploy api", tool, args: { version: "1.5.0" }, confidence: 0.5 });
  await approveWhenPending(request, token, name, { args: { version: "1.4.2" } });
  const decision = await asking;
  expect(decision).toMatchObject({ status: "approved", argsEdited: true, approvedArgs: { version: "1.4.2" } });

  // What was proposed is not what was approved: nothing runs.
  await expect(decision.run(deploy, { args: { version: "1.5.0" } })).rejects.toBeInstanceOf(ArgsMismatchError);
  expect(calls).toBe(0);
  expect(await actionStatus(request, key, decision.actionId)).toBe("approved");

  // Approved args altered on their way from Warden no longer match the approval's hash: refused too.
  const tampering: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (!String(input).includes("/wait")) return response;
    const view = (await response.json()) as { approvedArgs: JsonObject | null };
    return Response.json({ ...view, approvedArgs: { version: "6.6.6" } }, { status: response.status });
  };
  const tampered = new Warden({ url: BASE, key, fetch: tampering }).tool({ name: tool }, deploy);
  const refused = tampered({ version: "2.0.0" }, { confidence: 0.5 });
  await approveWhenPending(request, token, name);
  await expect(refused).rejects.toBeInstanceOf(ArgsMismatchError);
  expect(calls).toBe(0);

  // The approved args run, once; an action still waiting for a human does not run at all.
  expect(await decision.run(deploy)).toEqual({ deployed: "1.4.2" });
  expect(calls).toBe(1);
  expect(await actionStatus(request, key, decision.actionId)).toBe("succeeded");
  const pending = await warden.guard({ action: "deploy web", tool, args: {}, confidence: 0.5 }, { waitSeconds: 0 });
  await expect(pending.run(deploy)).rejects.toBeInstanceOf(ActionNotAllowedError);
  expect(calls).toBe(1);
});

test("a suspend aborts a running tool within one second, and the agent acknowledges it", async ({ request }) => {
  const { token, tool, name, key } = await provisionSdkAgent(request);
  const warden = new Warden({ url: BASE, key });
  await warden.connect();
  let started!: () => void;
  const isRunning = new Promise<void>((resolve) => (started = resolve));
  let abortedAt = 0;
  let actionId = "";
  const longJob = warden.tool({ name: tool }, (_args, { signal, actionId: id }) => {
    actionId = id;
    started();
    // Works until told to stop: only the abort signal ends it.
    return new Promise((_resolve, reject) => signal.addEventListener("abort", () => ((abortedAt = Date.now()), reject(signal.reason))));
  });

  try {
    const call = longJob({ rows: 1_000_000 }, { confidence: 0.99 });
    const stopped = expect(call).rejects.toBeInstanceOf(ControlStopError);
    await isRunning;
    const suspendedAt = Date.now();
    const suspend = await request.post("/api/v1/control/suspend", { headers: { Authorization: `Bearer ${token}` }, data: { scope: `agent:${name}`, reason: "e2e drill" } });
    expect(suspend.status()).toBe(200);
    const { epoch } = (await suspend.json()) as { epoch: number };
    await stopped;
    expect(abortedAt - suspendedAt).toBeLessThan(1000);
    expect(warden.control.state).toBe("suspended");

    // Warden was told: the action is reported failed, and the SDK acknowledged the epoch (so
    // acknowledging it again acknowledges nothing new).
    expect(await actionStatus(request, key, actionId)).toBe("failed");
    await expect.poll(() => warden.control.acknowledgedEpoch).toBeGreaterThanOrEqual(epoch);
    const again = await request.post("/api/v1/control/ack", { headers: { Authorization: `Bearer ${key}` }, data: { epoch } });
    expect(await again.json()).toMatchObject({ acknowledged: 0 });
  } finally {
    await request.post("/api/v1/control/resume", { headers: { Authorization: `Bearer ${token}` }, data: { scope: `agent:${name}`, reason: "drill over" } });
    await warden.close();
  }
});

test("a kill runs the registered undo and reports it: Warden shows the action rolled back", async ({ request }) => {
  const { token, tool, name, key } = await provisionSdkAgent(request);
  const warden = new Warden({ url: BASE, key });
  await warden.connect();
  const undone: { args: JsonObject; rollbackId?: string }[] = [];
  const scale = warden.tool({ name: tool, reversible: true, undo: (args) => ({ tool, args: { replicas: args.from } }) }, (args, context) => {
    if (context.rollbackId) undone.push({ args: { ...args }, rollbackId: context.rollbackId });
    return { replicas: args.replicas };
  });

  try {
    const run = await scale({ replicas: 4, from: 3 }, { confidence: 0.99 });
    expect(run.decision).toBe("auto_execute");
    const auth = { Authorization: `Bearer ${token}` };
    const issued = await request.post("/api/v1/control/kill-token", { headers: auth, data: { scope: `agent:${name}`, rollbackLast: 5 } });
    const plan = (await issued.json()) as { token: string; rollbackPlan: { actionId: string }[] };
    expect(plan.rollbackPlan.map((p) => p.actionId)).toEqual([run.actionId]);
    expect((await request.post("/api/v1/control/kill", { headers: auth, data: { confirm: plan.token, reason: "e2e kill" } })).status()).toBe(200);

    await expect.poll(() => actionStatus(request, key, run.actionId), { timeout: 10_000 }).toBe("rolled_back");
    expect(undone).toEqual([{ args: { replicas: 3 }, rollbackId: expect.any(String) }]);
    expect(warden.control.state).toBe("killed");
  } finally {
    await request.post("/api/v1/control/resume", { headers: { Authorization: `Bearer ${token}` }, data: { scope: `agent:${name}`, reason: "drill over" } });
    await warden.close();
  }
});
