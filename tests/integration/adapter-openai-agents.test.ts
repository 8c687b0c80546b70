import { Agent, run, setTracingDisabled, Usage, type AgentInputItem, type Model, type ModelRequest, type ModelResponse } from "@openai/agents";
import { describe, expect, it } from "vitest";
import { z } from "zod";
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

function restartTool(world: Awaited<ReturnType<typeof adapterWorld>>, runs: { service: string; replicas: number }[], extra: { approval?: "interrupt" | "wait" } = {}) {
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
          await new Promise((_resolve, reject) => world.warden.control.signal.addEventListener("abort", () => reject(world.warden.control.signal.reason), { once: true }));
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
});
