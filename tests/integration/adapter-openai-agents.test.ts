import { Agent, run, setTracingDisabled, Usage, type AgentInputItem, type Model, type ModelRequest, type ModelResponse } from "@openai/agents";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ToolFailure } from "../../sdk/src";
import { wardenDecide, wardenTool } from "../../sdk/src/adapters/openai-agents";
import { unique } from "../support/fixtures";
import { adapterWorld } from "../support/adapter-fixtures";

/*
 * The OpenAI Agents SDK driven by a scripted Model against a real Warden: the model calls the
 * guarded tool once, then answers; approvals go through the SDK's own interruptions.
 */
setTracingDisabled(true);

/** A model that calls `toolName` once with `args`, then says "done"; it keeps every request's input. */
function scriptedModel(toolName: string, args: Record<string, unknown>, callId = `call_${unique("oa")}`) {
  const inputs: AgentInputItem[][] = [];
  const model: Model = {
    async getResponse(request: ModelRequest): Promise<ModelResponse> {
      const input = typeof request.input === "string" ? [] : request.input;
      inputs.push(input);
      const answered = input.some((item) => item.type === "function_call_result");
      return {
        usage: new Usage(),
        output: answered
          ? [{ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "done" }] }]
          : [{ type: "function_call", callId, name: toolName, arguments: JSON.stringify(args), status: "completed" }],
      };
    },
    getStreamedResponse() {
      throw new Error("not used");
    },
  };
  /** What the model was told the tool returned. */
  const toolResults = () => JSON.stringify((inputs.at(-1) ?? []).filter((item) => item.type === "function_call_result"));
  return { model, inputs, toolResults, callId };
}

function restartTool(
  world: Awaited<ReturnType<typeof adapterWorld>>,
  runs: { service: string; replicas: number }[],
  extra: { approval?: "interrupt" | "wait" } = {},
) {
  return wardenTool(world.warden, {
    name: world.tool,
    description: "Restart a service",
    parameters: z.object({ service: z.string(), replicas: z.number().int() }),
    // Typed from the schema: no casts, and no confidence.
    execute: async ({ service, replicas }) => {
      runs.push({ service, replicas });
      return `restarted ${service} x${replicas}`;
    },
    ...extra,
  });
}

describe("the OpenAI Agents adapter", () => {
  it("auto: a confident call runs and is reported", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const restart = restartTool(world, runs);
    const { model, callId, toolResults } = scriptedModel(restart.name, { service: "web", replicas: 1, confidence: 0.99 });
    const agent = new Agent({ name: "ops", model, tools: [restart] });
    const result = await run(agent, "restart web", { signal: world.warden.control.signal });
    expect(result.finalOutput).toBe("done");
    expect(runs).toEqual([{ service: "web", replicas: 1 }]);
    expect(toolResults()).toContain("restarted web x1");
    expect(await world.actionOf(callId)).toMatchObject({ status: "succeeded", args: { service: "web", replicas: 1 } });
  });

  it("edit-then-approve through the SDK's interruptions: the tool runs the approver's args", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const restart = restartTool(world, runs);
    const { model, callId, toolResults } = scriptedModel(restart.name, { service: "db", replicas: 1, confidence: null });
    const agent = new Agent({ name: "ops", model, tools: [restart] });
    let result = await run(agent, "restart db");
    expect(result.interruptions).toHaveLength(1);
    expect(runs).toEqual([]);
    const deciding = wardenDecide(world.warden, result);
    await world.approve((await world.actionOf(callId)).id, { service: "db-replica", replicas: 2 });
    result = await run(agent, await deciding);
    expect(result.finalOutput).toBe("done");
    expect(runs).toEqual([{ service: "db-replica", replicas: 2 }]);
    expect(toolResults()).toContain("restarted db-replica x2");
  });

  it("reject with a reason: the tool does not run and the model reads the reason", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const restart = restartTool(world, runs);
    const { model, callId, toolResults } = scriptedModel(restart.name, { service: "payments", replicas: 1, confidence: 0.2 });
    const agent = new Agent({ name: "ops", model, tools: [restart] });
    const first = await run(agent, "restart payments");
    const deciding = wardenDecide(world.warden, first);
    await world.reject((await world.actionOf(callId)).id, "not during the sale");
    const result = await run(agent, await deciding);
    expect(result.finalOutput).toBe("done");
    expect(runs).toEqual([]);
    expect(toolResults()).toContain("not during the sale");
  });

  it("approval awaited inside the tool (approval: wait); a failure reaches the model and Warden with its reason", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const restart = restartTool(world, runs, { approval: "wait" });
    const { model, callId } = scriptedModel(restart.name, { service: "cache", replicas: 1, confidence: 0.3 });
    const running = run(new Agent({ name: "ops", model, tools: [restart] }), "restart cache");
    await world.approve((await world.actionOf(callId)).id);
    expect((await running).finalOutput).toBe("done");
    expect(runs).toEqual([{ service: "cache", replicas: 1 }]);

    const failing = wardenTool(world.warden, {
      name: world.tool,
      description: "fails",
      parameters: z.object({ service: z.string() }),
      execute: async ({ service }): Promise<string> => {
        throw new Error(`${service}: config has invalid YAML`);
      },
    });
    const scripted = scriptedModel(failing.name, { service: "proxy", confidence: 0.99 });
    await run(new Agent({ name: "ops", model: scripted.model, tools: [failing] }), "go");
    expect(scripted.toolResults()).toContain("invalid YAML");
    expect(await world.actionOf(scripted.callId)).toMatchObject({ status: "failed", failureReason: "proxy: config has invalid YAML" });
  });

  it("a suspend during a run aborts it: the tool's work stops and the model is not called again", async () => {
    const world = await adapterWorld();
    await world.warden.connect();
    try {
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const slow = wardenTool(world.warden, {
        name: world.tool,
        description: "slow",
        parameters: z.object({ service: z.string() }),
        execute: async () => {
          started();
          await new Promise((_resolve, reject) =>
            world.warden.control.signal.addEventListener("abort", () => reject(world.warden.control.signal.reason), { once: true }),
          );
          return "never";
        },
      });
      const { model, inputs, callId } = scriptedModel(slow.name, { service: "web", confidence: 0.99 });
      const result = run(new Agent({ name: "ops", model, tools: [slow] }), "go", { signal: world.warden.control.signal });
      await running;
      await world.suspend();
      await expect(result).rejects.toThrow();
      expect(inputs).toHaveLength(1);
      await expect.poll(async () => (await world.actionOf(callId)).status).toBe("failed");
    } finally {
      await world.warden.close();
    }
  });

  it("expiry: no human decides in time, the tool does not run and the model reads that it expired", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const restart = restartTool(world, runs);
    const { model, callId, toolResults } = scriptedModel(restart.name, { service: "billing", replicas: 1, confidence: 0.3 });
    const agent = new Agent({ name: "ops", model, tools: [restart] });
    const first = await run(agent, "restart billing");
    expect(first.interruptions).toHaveLength(1);
    const deciding = wardenDecide(world.warden, first);
    await world.expire((await world.actionOf(callId)).id);
    const result = await run(agent, await deciding);
    expect(result.finalOutput).toBe("done");
    expect(runs).toEqual([]);
    expect(toolResults()).toContain("the approval expired");
    expect((await world.actionOf(callId)).status).toBe("expired");
  });

  it("kill with undo: the undo of the args that ran (as proposed, and as an approver edited them) runs, newest first, and the actions show rolled_back", async () => {
    const world = await adapterWorld();
    await world.warden.connect();
    const undone: { args: Record<string, unknown>; actionId: string }[] = [];
    world.warden.onUndo(world.tool, (args, { actionId }) => void undone.push({ args: { ...args }, actionId }));
    try {
      const runs: { service: string; replicas: number }[] = [];
      const scale = wardenTool(world.warden, {
        name: world.tool,
        description: "Scale a service",
        parameters: z.object({ service: z.string(), replicas: z.number().int() }),
        execute: async ({ service, replicas }) => {
          runs.push({ service, replicas });
          return `scaled ${service} to ${replicas}`;
        },
        // Typed from the parameters: no casts.
        undo: ({ service, replicas }) => ({ tool: world.tool, args: { service, replicas: replicas - 1 } }),
      });
      const auto = scriptedModel(scale.name, { service: "web", replicas: 2, confidence: 0.99 });
      await run(new Agent({ name: "ops", model: auto.model, tools: [scale] }), "scale web");
      const edited = scriptedModel(scale.name, { service: "db", replicas: 1, confidence: 0.3 });
      const agent = new Agent({ name: "ops", model: edited.model, tools: [scale] });
      const stopped = await run(agent, "scale db");
      const deciding = wardenDecide(world.warden, stopped);
      await world.approve((await world.actionOf(edited.callId)).id, { service: "db-replica", replicas: 5 });
      await run(agent, await deciding);
      expect(runs).toEqual([
        { service: "web", replicas: 2 },
        { service: "db-replica", replicas: 5 },
      ]);
      const [first, second] = [await world.actionOf(auto.callId), await world.actionOf(edited.callId)];

      const { rollbackPlan } = await world.kill({ rollbackLast: 5 });
      expect(rollbackPlan.map((p) => p.actionId)).toEqual([second.id, first.id]);
      await expect.poll(async () => (await world.actionOf(auto.callId)).status, { timeout: 10_000 }).toBe("rolled_back");
      expect((await world.actionOf(edited.callId)).status).toBe("rolled_back");
      expect(undone).toEqual([
        { args: { service: "db-replica", replicas: 4 }, actionId: second.id },
        { args: { service: "web", replicas: 1 }, actionId: first.id },
      ]);
    } finally {
      await world.resume();
      await world.warden.close();
    }
  });

  it("a failure recalled on the next similar call: the call still runs, and the model reads the past failure beside the output", async () => {
    const world = await adapterWorld();
    const service = unique("ledger");
    let calls = 0;
    const flaky = wardenTool(world.warden, {
      name: world.tool,
      description: "Restart a service",
      parameters: z.object({ service: z.string() }),
      execute: async ({ service }) => {
        if (calls++ === 0) throw new ToolFailure("exit 1", { failureReason: `${service} needs its migrations applied before a restart` });
        return `restarted ${service}`;
      },
      resource: ({ service }) => `staging/${service}`,
    });
    const first = scriptedModel(flaky.name, { service, confidence: 0.99 });
    await run(new Agent({ name: "ops", model: first.model, tools: [flaky] }), "restart");
    expect(await world.actionOf(first.callId)).toMatchObject({ status: "failed", failureReason: `${service} needs its migrations applied before a restart` });

    const second = scriptedModel(flaky.name, { service, confidence: 0.99 });
    await run(new Agent({ name: "ops", model: second.model, tools: [flaky] }), "restart again");
    expect(await world.actionOf(second.callId)).toMatchObject({ status: "succeeded", output: { value: `restarted ${service}` } });
    expect(second.toolResults()).toContain(`restarted ${service}`);
    expect(second.toolResults()).toContain("Past failures like this one");
    expect(second.toolResults()).toContain("needs its migrations applied before a restart");
    expect(first.toolResults()).not.toContain("Past failures");
  });
});
