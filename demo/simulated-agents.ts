import { SCENARIOS, TEAMS, type Scenario, type Team } from "./fleet-spec";
import { WardenHttp } from "./warden-http";

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const log = (name: string, message: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${name.padEnd(11)} ${message}`);

type Task = { id: string; title: string; capability: string; checkpoint: Record<string, unknown> | null };

/**
 * A simulated agent. It keeps the control stream open: it acknowledges every epoch, stops
 * claiming while paused, aborts its work when suspended or killed, and runs the undo orders a
 * kill sends. A lead delegates; a specialist claims tasks and acts through the guardrail.
 */
export class SimulatedAgent {
  private state = "running";
  private work = new AbortController();
  private readonly api: WardenHttp;

  constructor(
    readonly name: string,
    readonly team: Team | "lead",
    url: string,
    key: string,
    private readonly stop: AbortSignal,
  ) {
    this.api = new WardenHttp(url, key);
  }

  async run(): Promise<void> {
    const listening = this.api.stream((event, data) => void this.onControl(event, data), this.stop).catch(() => undefined);
    while (!this.stop.aborted) {
      try {
        if (this.state !== "running") await sleep(1000, this.stop);
        else if (this.team === "lead") await this.delegate();
        else await this.workOnce(this.team);
      } catch (error) {
        if (!this.stop.aborted && !this.work.signal.aborted) log(this.name, `error: ${(error as Error).message}`);
        await sleep(1000, this.stop);
      }
    }
    await listening;
  }

  private async onControl(event: string, data: Record<string, unknown>) {
    if (event === "control") {
      const state = String(data.state);
      if (state !== this.state) log(this.name, `control: ${state}${data.reason ? ` (${data.reason})` : ""}`);
      if ((state === "suspended" || state === "killed") && this.state !== state) this.work.abort();
      if (state === "running" && this.work.signal.aborted) this.work = new AbortController();
      this.state = state;
      if (typeof data.epoch === "number" && data.epoch > 0) await this.api.call("POST", "/api/v1/control/ack", { epoch: data.epoch });
    }
    if (event === "rollback") {
      const undo = data.undo as { tool: string; args: unknown };
      log(this.name, `undo ${undo.tool} ${JSON.stringify(undo.args)}`);
      await sleep(300);
      await this.api.call("POST", `/api/v1/rollbacks/${String(data.rollbackId)}/result`, { status: "succeeded" });
    }
  }

  /** The lead breaks work into tasks for the specialists' capabilities. */
  private async delegate() {
    const team = pick(Object.keys(TEAMS) as Team[]);
    const capability = pick(TEAMS[team].capabilities);
    const n = Math.floor(Math.random() * 1000);
    const parent = await this.api.call<{ task: { id: string } }>("POST", "/api/v1/tasks", { title: `${team} work item ${n}`, capability, priority: Math.floor(Math.random() * 100) });
    if (parent.status === 201 && Math.random() < 0.3) {
      const other = pick(Object.keys(TEAMS) as Team[]);
      await this.api.call("POST", "/api/v1/tasks", { title: `follow-up of ${n} for ${other}`, capability: TEAMS[other].capabilities[0], parentId: parent.body.task.id });
    }
    log(this.name, `delegated "${team} work item ${n}" (${capability})`);
    await sleep(2500 + Math.random() * 2500, this.stop);
  }

  private async workOnce(team: Team) {
    const claimed = await this.api.call<{ task: Task }>("POST", "/api/v1/tasks/claim", { waitSeconds: 5 }, this.stop);
    if (claimed.status !== 200) return;
    const { task } = claimed.body;
    log(this.name, `claimed "${task.title}"${task.checkpoint ? ` (resuming from ${JSON.stringify(task.checkpoint)})` : ""}`);
    const signal = this.work.signal;
    const heartbeat = setInterval(() => void this.api.call("POST", `/api/v1/tasks/${task.id}/heartbeat`, { checkpoint: { step: "working", at: Date.now() } }).catch(() => undefined), 5000);
    try {
      const scenario = pick(SCENARIOS[team]);
      const ok = await this.act(scenario, task.id, signal);
      if (signal.aborted) return;
      const cost = Math.round(Math.random() * 40) / 1000;
      if (ok) await this.api.call("POST", `/api/v1/tasks/${task.id}/complete`, { output: { done: scenario.action }, cost });
      else await this.api.call("POST", `/api/v1/tasks/${task.id}/fail`, { error: `could not ${scenario.action}`, retry: Math.random() < 0.5 });
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Ask, wait for a human if needed, run the approved args, report. */
  private async act(scenario: Scenario, taskId: string, signal: AbortSignal): Promise<boolean> {
    const confidence = Math.min(1, Math.max(0, scenario.confidence + (Math.random() - 0.5) * 0.1));
    const proposed = await this.api.call<{ id: string; decision: string; reasons: { message: string }[]; approvedArgs: unknown }>("POST", "/api/v1/actions", {
      action: scenario.action,
      tool: scenario.tool,
      resource: scenario.resource,
      confidence: Math.round(confidence * 100) / 100,
      args: scenario.args,
      taskId,
      reversible: Boolean(scenario.undo),
      undo: scenario.undo,
      rationale: `part of task ${taskId}`,
    });
    if (proposed.status !== 201) return false;
    const { id, decision } = proposed.body;
    log(this.name, `${scenario.action} → ${decision}`);
    if (decision === "deny") return false;
    if (decision === "require_approval") {
      let status = "pending_approval";
      for (let i = 0; i < 10 && status === "pending_approval" && !signal.aborted; i++) {
        const waited = await this.api.call<{ status: string; reason: string | null }>("GET", `/api/v1/actions/${id}/wait?timeoutSeconds=30`, undefined, signal).catch(() => null);
        status = waited?.body.status ?? status;
        if (waited && status === "rejected") log(this.name, `rejected: ${waited.body.reason}`);
      }
      if (status !== "approved") return false;
    }
    await sleep(500 + Math.random() * 1500, signal);
    if (signal.aborted) return false;
    const failed = scenario.failure && Math.random() < scenario.failure.chance;
    await this.api.call("POST", `/api/v1/actions/${id}/result`, failed
      ? { status: "failed", error: "exit status 1", failureReason: scenario.failure!.reason, durationMs: 900 }
      : { status: "succeeded", durationMs: 700, cost: Math.round(Math.random() * 20) / 1000 });
    return !failed;
  }
}
