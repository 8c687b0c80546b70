import { expect, test } from "@playwright/test";
import {
  ActionNotAllowedError,
  ArgsMismatchError,
  ControlStopError,
  ToolDeclarationError,
  ToolRateLimitError,
  Warden,
  WardenInputError,
  type JsonObject,
} from "../sdk/src";
import { uniqueName } from "./support/helpers";
import { actionStatus, approveWhenPending, BASE, provisionSdkAgent, provisionWorker } from "./support/sdk-agent";

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
    const suspend = await request.post("/api/v1/control/suspend", {
      headers: { Authorization: `Bearer ${token}` },
      data: { scope: `agent:${name}`, reason: "e2e drill" },
    });
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

test("guard(...).run(fn) stops on a suspend like a tool does: the function's signal aborts within a second", async ({ request }) => {
  const { token, tool, name, key } = await provisionSdkAgent(request);
  const warden = new Warden({ url: BASE, key });
  await warden.connect();
  let started!: () => void;
  const isRunning = new Promise<void>((resolve) => (started = resolve));
  let abortedAt = 0;
  try {
    const decision = await warden.guard({ action: "reindex everything", tool, confidence: 0.99 });
    const job = decision.run((_args, { signal }) => {
      started();
      // Eight seconds of work, unless told to stop.
      return new Promise((resolve, reject) => {
        const done = setTimeout(() => resolve("finished"), 8_000);
        signal.addEventListener("abort", () => ((abortedAt = Date.now()), clearTimeout(done), reject(signal.reason)));
      });
    });
    const stopped = expect(job).rejects.toBeInstanceOf(ControlStopError);
    await isRunning;
    const suspendedAt = Date.now();
    expect(
      (
        await request.post("/api/v1/control/suspend", { headers: { Authorization: `Bearer ${token}` }, data: { scope: `agent:${name}`, reason: "e2e drill" } })
      ).status(),
    ).toBe(200);
    await stopped;
    expect(abortedAt - suspendedAt).toBeLessThan(1000);
    expect(await actionStatus(request, key, decision.actionId)).toBe("failed");
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

test("tasks.run takes only its capability, checkpoints, stops with a suspend, resumes from the checkpoint, and claims nothing while paused", async ({
  request,
}) => {
  const [capability, other] = [uniqueName("cap"), uniqueName("other")];
  const worker = await provisionWorker(request, [capability, other]);
  const warden = new Warden({ url: BASE, key: worker.key });
  await warden.connect();
  const notMine = await worker.queue(other, "for another runner");
  const taskId = await worker.queue(capability, "import the rows");
  const attempts: { checkpoint: JsonObject | null }[] = [];
  let firstAttemptStopped!: () => void;
  const stoppedOnce = new Promise<void>((resolve) => (firstAttemptStopped = resolve));

  const runner = warden.tasks.run(
    capability,
    async (task, context) => {
      if (task.id !== taskId) return { done: task.title };
      attempts.push({ checkpoint: context.checkpoint });
      if (context.checkpoint) return { resumedFrom: context.checkpoint.rowsDone };
      await context.saveCheckpoint({ rowsDone: 400 });
      context.addCost(0.01);
      // The first attempt runs until the operator's suspend aborts it.
      await new Promise((_resolve, reject) => context.signal.addEventListener("abort", () => (firstAttemptStopped(), reject(context.signal.reason))));
      return {};
    },
    { waitSeconds: 1 },
  );
  try {
    await expect.poll(() => attempts.length).toBe(1);
    await expect.poll(async () => (await worker.task(taskId)).checkpoint).toEqual({ rowsDone: 400 });
    await worker.control("suspend");
    await stoppedOnce;
    await worker.control("resume");
    await expect.poll(async () => (await worker.task(taskId)).status, { timeout: 15_000 }).toBe("succeeded");
    expect(attempts).toEqual([{ checkpoint: null }, { checkpoint: { rowsDone: 400 } }]);
    expect((await worker.task(taskId)).output).toEqual({ resumedFrom: 400 });
    expect((await worker.task(notMine)).status).toBe("queued");

    // Paused: running work may finish, but nothing new is claimed until the resume.
    await worker.control("pause");
    await expect.poll(() => warden.control.state).toBe("paused");
    const later = await worker.queue(capability, "queued during the pause");
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await worker.task(later)).status).toBe("queued");
    await worker.control("resume");
    await expect.poll(async () => (await worker.task(later)).status, { timeout: 15_000 }).toBe("succeeded");
    expect((await worker.task(later)).output).toEqual({ done: "queued during the pause" });
  } finally {
    await runner.stop({ abort: true });
    await warden.close();
  }
});

test("memory: negative knowledge recorded by one agent is recalled by another; bad input names the field", async ({ request }) => {
  const first = await provisionSdkAgent(request);
  const second = await provisionSdkAgent(request);
  const subject = `${uniqueName("traefik")}_restart`;
  const recorder = new Warden({ url: BASE, key: first.key });
  const recorded = await recorder.memory.recordNegativeKnowledge({
    subject,
    failureReason: "docker restart traefik failed because config had invalid YAML. Fix: always validate config before restart.",
  });
  expect(recorded.created).toBe(true);

  const recalled = await new Warden({ url: BASE, key: second.key }).memory.recall(subject.replaceAll("_", " "), { kind: "negative_knowledge" });
  expect(recalled[0]).toMatchObject({ id: recorded.id, kind: "negative_knowledge", subject, agent: first.name });
  expect(recalled[0]!.body).toContain("validate config");

  const invalid = recorder.memory.recordNegativeKnowledge({ subject, failureReason: "  " });
  await expect(invalid).rejects.toBeInstanceOf(WardenInputError);
  await expect(invalid).rejects.toMatchObject({ problems: [{ field: "failureReason", message: "must not be empty" }] });
});

test("a write whose answer was lost is retried with the same Idempotency-Key and acts once; a 503 with Retry-After is waited out", async ({ request }) => {
  const { tool, key } = await provisionSdkAgent(request);
  const attempts: { key: string | null; replayed: string | null; id?: string }[] = [];
  // Between the SDK and Warden: the first proposal reaches Warden, but its answer is lost.
  const losingFirstAnswer: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (!String(input).endsWith("/api/v1/actions")) return response;
    const body = (await response.json()) as { id: string };
    attempts.push({ key: new Headers(init?.headers).get("idempotency-key"), replayed: response.headers.get("idempotent-replayed"), id: body.id });
    if (attempts.length === 1) throw new TypeError("fetch failed", { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) });
    return Response.json(body, { status: response.status });
  };
  const decision = await new Warden({ url: BASE, key, fetch: losingFirstAnswer }).guard({ action: "restart worker", tool, confidence: 0.99 });
  expect(attempts).toHaveLength(2);
  expect(attempts[1]!.key).toBe(attempts[0]!.key);
  expect(attempts[1]!.replayed).toBe("true");
  expect(decision.actionId).toBe(attempts[0]!.id);

  let refusals = 0;
  const busyOnce: typeof fetch = async (input, init) => {
    if (refusals++ === 0) return Response.json({ error: { code: "unavailable", message: "try again" } }, { status: 503, headers: { "retry-after": "1" } });
    return fetch(input, init);
  };
  const started = Date.now();
  const recalled = await new Warden({ url: BASE, key, fetch: busyOnce }).memory.recall("anything at all");
  expect(Array.isArray(recalled)).toBe(true);
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  expect(refusals).toBe(2);
});

test("a tool's declaration is held before asking Warden: scope, local rate limit, and a confirmation Warden's registry must also require", async ({
  request,
}) => {
  const { token, tool, name, key } = await provisionSdkAgent(request);
  const warden = new Warden({ url: BASE, key });
  let runs = 0;
  const restart = warden.tool({ name: tool, scope: ["staging/*"], rateLimit: "2/minute" }, () => ++runs);

  await expect(restart({}, { resource: "production/db", confidence: 0.99 })).rejects.toMatchObject({ problems: [{ field: "resource" }] });
  await restart({}, { resource: "staging/web", confidence: 0.99 });
  await restart({}, { resource: "staging/web", confidence: 0.99 });
  await expect(restart({}, { resource: "staging/web", confidence: 0.99 })).rejects.toBeInstanceOf(ToolRateLimitError);
  expect(runs).toBe(2);

  // Declared requiresConfirmation while Warden's registry would let it run alone: refused before any proposal.
  const rm = new Warden({ url: BASE, key }).tool({ name: tool, requiresConfirmation: true }, () => ++runs);
  await expect(rm({ container: "cache" }, { confidence: 0.99 })).rejects.toBeInstanceOf(ToolDeclarationError);
  // Once the registry requires it too, a 0.99 call waits for a human like any other.
  const auth = { Authorization: `Bearer ${token}` };
  expect((await request.put(`/api/v1/tools/${tool}`, { headers: auth, data: { scopes: [], requiresConfirmation: true } })).status()).toBe(200);
  const confirmed = new Warden({ url: BASE, key }).tool({ name: tool, requiresConfirmation: true }, () => ++runs);
  const waiting = confirmed({ container: "cache" }, { confidence: 0.99 });
  await approveWhenPending(request, token, name);
  expect(await waiting).toMatchObject({ decision: "require_approval", output: 3 });
});
