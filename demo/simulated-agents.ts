import { ActionNotAllowedError, TaskFailure, ToolFailure, Warden, type GuardedTool, type JsonObject, type TaskContext, type TaskView } from "../sdk/src";
import { SCENARIOS, TEAMS, TOOLS, type Team } from "./fleet-spec";

/** Waits `ms`, or less when `signal` aborts (the listener goes with the wait: the demo sleeps often on one signal). */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => (clearTimeout(timer), signal?.removeEventListener("abort", done), resolve());
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const log = (name: string, message: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${name.padEnd(11)} ${message}`);

/**
 * A simulated agent on the TypeScript SDK. The SDK keeps the control stream open: it
 * acknowledges every epoch, stops claiming while paused, aborts the work in hand when suspended
 * or killed, and runs the undo orders a kill sends. A lead delegates; a specialist works on
 * tasks of its team's capabilities and acts through its guarded tools.
 */
export class SimulatedAgent {
  private readonly warden: Warden;
  private readonly tools = new Map<string, GuardedTool<JsonObject>>();

  constructor(
    readonly name: string,
    readonly team: Team | "lead",
    url: string,
    key: string,
    private readonly stop: AbortSignal,
  ) {
    this.warden = new Warden({ url, key, onError: (error) => !stop.aborted && log(name, `error: ${error instanceof Error ? error.message : String(error)}`) });
    if (team === "lead") return;
    for (const toolName of TEAMS[team].tools) {
      const declared = TOOLS.find((t) => t.name === toolName)!;
      this.tools.set(
        toolName,
        // Running a tool is simulated: it takes a moment, and sometimes fails the way the scenario says.
        this.warden.tool({ name: toolName, reversible: "reversible" in declared }, async (args, { signal, rollbackId, addCost }) => {
          if (rollbackId) {
            log(name, `undo ${toolName} ${JSON.stringify(args)}`);
            await sleep(300);
            return { undone: true };
          }
          await sleep(500 + Math.random() * 1500, signal);
          signal.throwIfAborted();
          const failure = SCENARIOS[team].find((s) => s.tool === toolName && JSON.stringify(s.args) === JSON.stringify(args))?.failure;
          if (failure && Math.random() < failure.chance) throw new ToolFailure("exit status 1", { failureReason: failure.reason });
          addCost(Math.round(Math.random() * 20) / 1000);
          return { ok: true };
        }),
      );
    }
  }

  async run(): Promise<void> {
    this.warden.control.onChange(({ state, reason }) => log(this.name, `control: ${state}${reason ? ` (${reason})` : ""}`));
    await this.warden.connect();
    if (this.team === "lead") {
      while (!this.stop.aborted) {
        if (this.warden.control.state === "running") await this.delegate().catch((error: Error) => log(this.name, `error: ${error.message}`));
        await sleep(2500 + Math.random() * 2500, this.stop);
      }
    } else {
      const team = this.team;
      const runner = this.warden.tasks.run([...TEAMS[team].capabilities], (task, context) => this.work(team, task, context), { waitSeconds: 5 });
      await new Promise((resolve) => this.stop.addEventListener("abort", resolve, { once: true }));
      await runner.stop({ abort: true });
    }
    await this.warden.close();
  }

  /** The lead breaks work into tasks for the specialists' capabilities. */
  private async delegate() {
    const team = pick(Object.keys(TEAMS) as Team[]);
    const capability = pick(TEAMS[team].capabilities);
    const n = Math.floor(Math.random() * 1000);
    const parent = await this.warden.tasks.create({ title: `${team} work item ${n}`, capability, priority: Math.floor(Math.random() * 100) });
    if (parent.created && Math.random() < 0.3) {
      const other = pick(Object.keys(TEAMS) as Team[]);
      await this.warden.tasks.create({ title: `follow-up of ${n} for ${other}`, capability: TEAMS[other].capabilities[0], parentId: parent.task.id });
    }
    log(this.name, `delegated "${team} work item ${n}" (${capability})`);
  }

  /** One task: a scenario of the team, through the guarded tool (which asks, waits for a human if needed, runs, reports). */
  private async work(team: Team, task: TaskView, context: TaskContext): Promise<JsonObject> {
    log(this.name, `claimed "${task.title}"${task.checkpoint ? ` (resuming from ${JSON.stringify(task.checkpoint)})` : ""}`);
    await context.saveCheckpoint({ step: "working", at: Date.now() });
    const scenario = pick(SCENARIOS[team]);
    const confidence = Math.min(1, Math.max(0, scenario.confidence + (Math.random() - 0.5) * 0.1));
    try {
      const run = await this.tools.get(scenario.tool)!(scenario.args, {
        action: scenario.action,
        resource: scenario.resource,
        confidence: Math.round(confidence * 100) / 100,
        taskId: task.id,
        rationale: `part of task ${task.id}`,
        ...(scenario.undo ? { undo: scenario.undo } : {}),
        signal: context.signal,
      });
      log(this.name, `${scenario.action} → ${run.decision}${run.argsEdited ? ` (edited: ${JSON.stringify(run.args)})` : ""}`);
    } catch (error) {
      if (error instanceof ActionNotAllowedError) log(this.name, `${scenario.action} → ${error.status}${error.reason ? `: ${error.reason}` : ""}`);
      else if (error instanceof ToolFailure) log(this.name, `${scenario.action} failed: ${error.failureReason}`);
      throw new TaskFailure(`could not ${scenario.action}`, { retry: Math.random() < 0.5, cause: error });
    }
    context.addCost(Math.round(Math.random() * 40) / 1000);
    return { done: scenario.action };
  }
}
