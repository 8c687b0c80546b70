import { generateText, stepCountIs, tool } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import type { LanguageModelV3CallOptions, LanguageModelV3GenerateResult } from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ToolFailure } from "../../sdk/src";
import { guardTools, wardenApprovalResponses, withWarden } from "../../sdk/src/adapters/ai-sdk";
import { unique } from "../support/fixtures";
import { adapterWorld } from "../support/adapter-fixtures";

/*
 * The Vercel AI SDK driven by its own mock model against a real Warden: the model calls the
 * guarded tool, Warden decides, and the model's next prompt shows what it got back.
 */
const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } };

/** A model that calls `toolName` once with `input`, then answers with text; it keeps every prompt. */
function scriptedModel(toolName: string, input: Record<string, unknown>, toolCallId = `call_${unique("ai")}`) {
  const prompts: LanguageModelV3CallOptions["prompt"][] = [];
  const model = new MockLanguageModelV3({
    doGenerate: async (options): Promise<LanguageModelV3GenerateResult> => {
      prompts.push(options.prompt);
      const answered = options.prompt.some((m) => m.role === "tool" && m.content.some((p) => p.type === "tool-result"));
      return answered
        ? { content: [{ type: "text", text: "done" }], finishReason: { unified: "stop", raw: "stop" }, usage, warnings: [] }
        : {
            content: [{ type: "tool-call", toolCallId, toolName, input: JSON.stringify(input) }],
            finishReason: { unified: "tool-calls", raw: "tool_calls" },
            usage,
            warnings: [],
          };
    },
  });
  /** What the model was told the tool returned (the tool message of its last prompt). */
  const lastToolResult = () => JSON.stringify(prompts.at(-1)?.filter((m) => m.role === "tool"));
  return { model, prompts, lastToolResult, toolCallId };
}

function restartTool(runs: { service: string; replicas: number }[]) {
  return tool({
    description: "Restart a service",
    inputSchema: z.object({ service: z.string(), replicas: z.number().int().default(1) }),
    // The args are typed from the schema: no casts, and `confidence` is not among them.
    execute: async ({ service, replicas }) => {
      runs.push({ service, replicas });
      return { restarted: service, replicas };
    },
  });
}

describe("the AI SDK adapter", () => {
  it("auto: a confident call runs at once; the model's confidence reaches Warden, not the tool", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const { model, lastToolResult, toolCallId } = scriptedModel(world.tool, { service: "web", confidence: 0.99 });
    const result = await generateText(
      withWarden(world.warden, { model, tools: { [world.tool]: restartTool(runs) }, prompt: "restart web", stopWhen: stepCountIs(3) }),
    );
    expect(result.text).toBe("done");
    expect(runs).toEqual([{ service: "web", replicas: 1 }]);
    expect(lastToolResult()).toContain("restarted");
    const action = await world.actionOf(toolCallId);
    expect(action).toMatchObject({ status: "succeeded", args: { service: "web", replicas: 1 }, output: { restarted: "web", replicas: 1 } });
  });

  it("the input schema the model sees has the optional confidence; without one the tool's default applies", async () => {
    const world = await adapterWorld();
    const tools = guardTools(world.warden, { [world.tool]: restartTool([]) }, { tools: { [world.tool]: { confidence: 0.99 } } });
    const schema = await (tools[world.tool]!.inputSchema as { jsonSchema: PromiseLike<{ properties: Record<string, unknown>; required?: string[] }> })
      .jsonSchema;
    expect(schema.properties.confidence).toMatchObject({ type: "number", minimum: 0, maximum: 1 });
    expect(schema.required ?? []).not.toContain("confidence");
    const runs: { service: string; replicas: number }[] = [];
    const { model, toolCallId } = scriptedModel(world.tool, { service: "api" });
    await generateText(
      withWarden(
        world.warden,
        { model, tools: { [world.tool]: restartTool(runs) }, prompt: "go", stopWhen: stepCountIs(3) },
        { tools: { [world.tool]: { confidence: 0.99 } } },
      ),
    );
    expect(runs).toHaveLength(1);
    expect((await world.actionOf(toolCallId)).status).toBe("succeeded");
  });

  it("approve, and edit-then-approve: the tool runs the approver's args", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const { model, toolCallId } = scriptedModel(world.tool, { service: "db", replicas: 1, confidence: 0.3 });
    const run = generateText(withWarden(world.warden, { model, tools: { [world.tool]: restartTool(runs) }, prompt: "restart db", stopWhen: stepCountIs(3) }));
    const pending = await world.actionOf(toolCallId);
    expect(pending.status).toBe("pending_approval");
    expect((await world.approve(pending.id, { service: "db-replica", replicas: 2 })).status).toBe(200);
    expect((await run).text).toBe("done");
    expect(runs).toEqual([{ service: "db-replica", replicas: 2 }]);
    expect(await world.actionOf(toolCallId)).toMatchObject({ status: "succeeded", output: { restarted: "db-replica", replicas: 2 } });

    const plain = scriptedModel(world.tool, { service: "cache", confidence: 0.3 });
    const second = generateText(
      withWarden(world.warden, { model: plain.model, tools: { [world.tool]: restartTool(runs) }, prompt: "restart cache", stopWhen: stepCountIs(3) }),
    );
    await world.approve((await world.actionOf(plain.toolCallId)).id);
    await second;
    expect(runs.at(-1)).toEqual({ service: "cache", replicas: 1 });
  });

  it("reject with a reason: the tool does not run and the model reads the reason", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const { model, toolCallId, lastToolResult } = scriptedModel(world.tool, { service: "payments", confidence: 0.2 });
    const run = generateText(
      withWarden(world.warden, { model, tools: { [world.tool]: restartTool(runs) }, prompt: "restart payments", stopWhen: stepCountIs(3) }),
    );
    await world.reject((await world.actionOf(toolCallId)).id, "not during the sale");
    expect((await run).text).toBe("done");
    expect(runs).toEqual([]);
    expect(lastToolResult()).toContain("not during the sale");
  });

  it("a failure is reported with its reason, and the model reads it", async () => {
    const world = await adapterWorld();
    const failing = tool({
      inputSchema: z.object({ service: z.string() }),
      execute: async ({ service }): Promise<{ ok: boolean }> => {
        throw new Error(`${service}: config has invalid YAML`);
      },
    });
    const { model, toolCallId, lastToolResult } = scriptedModel(world.tool, { service: "proxy", confidence: 0.99 });
    await generateText(withWarden(world.warden, { model, tools: { [world.tool]: failing }, prompt: "go", stopWhen: stepCountIs(3) }));
    expect(lastToolResult()).toContain("invalid YAML");
    expect(await world.actionOf(toolCallId)).toMatchObject({ status: "failed", failureReason: "proxy: config has invalid YAML" });
  });

  it("a suspend during the run aborts it: the tool's work stops and the model is not called again", async () => {
    const world = await adapterWorld();
    await world.warden.connect();
    try {
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const slow = tool({
        inputSchema: z.object({ service: z.string() }),
        execute: async (_args, { abortSignal }) => {
          started();
          await new Promise((_resolve, reject) => abortSignal?.addEventListener("abort", () => reject(abortSignal.reason), { once: true }));
          return { ok: true };
        },
      });
      const { model, prompts, toolCallId } = scriptedModel(world.tool, { service: "web", confidence: 0.99 });
      const run = generateText(withWarden(world.warden, { model, tools: { [world.tool]: slow }, prompt: "go", stopWhen: stepCountIs(3) }));
      await running;
      await world.suspend();
      await expect(run).rejects.toThrow();
      expect(prompts).toHaveLength(1);
      await expect.poll(async () => (await world.actionOf(toolCallId)).status).toBe("failed");
    } finally {
      await world.warden.close();
    }
  });

  it("approval through the AI SDK's needsApproval: the run stops, Warden's verdict answers it, the edited args run", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const { model, toolCallId } = scriptedModel(world.tool, { service: "queue", confidence: 0.3 });
    const options = withWarden(
      world.warden,
      { model, tools: { [world.tool]: restartTool(runs) }, prompt: "restart queue", stopWhen: stepCountIs(3) },
      { approval: "framework" },
    );
    const first = await generateText(options);
    expect(first.content.some((p) => p.type === "tool-approval-request")).toBe(true);
    expect(runs).toEqual([]);
    const answering = wardenApprovalResponses(world.warden, first.content);
    await world.approve((await world.actionOf(toolCallId)).id, { service: "queue-2", replicas: 3 });
    const response = await answering;
    expect(response?.content).toEqual([expect.objectContaining({ type: "tool-approval-response", approved: true })]);
    const { prompt: _prompt, ...rest } = options;
    const second = await generateText({ ...rest, messages: [{ role: "user", content: "restart queue" }, ...first.response.messages, response!] });
    expect(second.text).toBe("done");
    expect(runs).toEqual([{ service: "queue-2", replicas: 3 }]);
  });

  it("a rejection through needsApproval: the AI SDK denies the call with the approver's reason", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const { model, toolCallId, lastToolResult } = scriptedModel(world.tool, { service: "search", confidence: 0.3 });
    const options = withWarden(
      world.warden,
      { model, tools: { [world.tool]: restartTool(runs) }, prompt: "restart search", stopWhen: stepCountIs(3) },
      { approval: "framework" },
    );
    const first = await generateText(options);
    const answering = wardenApprovalResponses(world.warden, first.content);
    await world.reject((await world.actionOf(toolCallId)).id, "search is being reindexed");
    const response = await answering;
    expect(response?.content).toEqual([expect.objectContaining({ approved: false, reason: expect.stringContaining("search is being reindexed") })]);
    const { prompt: _prompt, ...rest } = options;
    await generateText({ ...rest, messages: [{ role: "user", content: "restart search" }, ...first.response.messages, response!] });
    expect(runs).toEqual([]);
    expect(lastToolResult()).toContain("search is being reindexed");
  });

  it("a refusal hands the model the matching past failures Warden recalled", async () => {
    const world = await adapterWorld();
    const failing = tool({
      inputSchema: z.object({ service: z.string() }),
      execute: async (): Promise<{ ok: boolean }> => {
        throw new Error("the proxy config has invalid YAML: validate it before restarting");
      },
    });
    const first = scriptedModel(world.tool, { service: "proxy", confidence: 0.99 });
    await generateText(withWarden(world.warden, { model: first.model, tools: { [world.tool]: failing }, prompt: "go", stopWhen: stepCountIs(3) }));
    expect((await world.actionOf(first.toolCallId)).status).toBe("failed");

    const second = scriptedModel(world.tool, { service: "proxy", confidence: 0.3 });
    const run = generateText(withWarden(world.warden, { model: second.model, tools: { [world.tool]: failing }, prompt: "again", stopWhen: stepCountIs(3) }));
    await world.reject((await world.actionOf(second.toolCallId)).id, "fix the config first");
    await run;
    expect(second.lastToolResult()).toContain("fix the config first");
    expect(second.lastToolResult()).toContain("Past failures like this one");
    expect(second.lastToolResult()).toContain("validate it before restarting");
  });

  it("expiry: no human decides in time, the tool does not run and the model reads that it expired", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const { model, toolCallId, lastToolResult } = scriptedModel(world.tool, { service: "billing", confidence: 0.3 });
    const run = generateText(
      withWarden(world.warden, { model, tools: { [world.tool]: restartTool(runs) }, prompt: "restart billing", stopWhen: stepCountIs(3) }),
    );
    await world.expire((await world.actionOf(toolCallId)).id);
    expect((await run).text).toBe("done");
    expect(runs).toEqual([]);
    expect(lastToolResult()).toContain("the approval expired");
    expect((await world.actionOf(toolCallId)).status).toBe("expired");
  });

  it("kill with undo: the undo of the args that ran (as proposed, and as an approver edited them) runs, newest first, and the actions show rolled_back", async () => {
    const world = await adapterWorld();
    await world.warden.connect();
    const undone: { args: Record<string, unknown>; actionId: string }[] = [];
    world.warden.onUndo(world.tool, (args, { actionId }) => void undone.push({ args: { ...args }, actionId }));
    try {
      const runs: { service: string; replicas: number }[] = [];
      // Typed from the tool's schema: `replicas` is a number here, no casts.
      const settings = {
        tools: {
          [world.tool]: {
            undo: ({ service, replicas }: { service: string; replicas: number }) => ({ tool: world.tool, args: { service, replicas: replicas - 1 } }),
          },
        },
      };
      const auto = scriptedModel(world.tool, { service: "web", replicas: 2, confidence: 0.99 });
      await generateText(
        withWarden(world.warden, { model: auto.model, tools: { [world.tool]: restartTool(runs) }, prompt: "scale web", stopWhen: stepCountIs(3) }, settings),
      );
      const edited = scriptedModel(world.tool, { service: "db", replicas: 1, confidence: 0.3 });
      const run = generateText(
        withWarden(world.warden, { model: edited.model, tools: { [world.tool]: restartTool(runs) }, prompt: "scale db", stopWhen: stepCountIs(3) }, settings),
      );
      await world.approve((await world.actionOf(edited.toolCallId)).id, { service: "db-replica", replicas: 5 });
      await run;
      expect(runs).toEqual([
        { service: "web", replicas: 2 },
        { service: "db-replica", replicas: 5 },
      ]);
      const [first, second] = [await world.actionOf(auto.toolCallId), await world.actionOf(edited.toolCallId)];

      const { rollbackPlan } = await world.kill({ rollbackLast: 5 });
      expect(rollbackPlan.map((p) => p.actionId)).toEqual([second.id, first.id]);
      await expect.poll(async () => (await world.actionOf(auto.toolCallId)).status, { timeout: 10_000 }).toBe("rolled_back");
      expect((await world.actionOf(edited.toolCallId)).status).toBe("rolled_back");
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
    const settings = { tools: { [world.tool]: { resource: ({ service }: { service: string }) => `staging/${service}` } } };
    let calls = 0;
    const flaky = tool({
      inputSchema: z.object({ service: z.string() }),
      execute: async ({ service }) => {
        if (calls++ === 0) throw new ToolFailure("exit 1", { failureReason: `${service} needs its migrations applied before a restart` });
        return { restarted: service };
      },
    });
    const first = scriptedModel(world.tool, { service, confidence: 0.99 });
    await generateText(withWarden(world.warden, { model: first.model, tools: { [world.tool]: flaky }, prompt: "restart", stopWhen: stepCountIs(3) }, settings));
    expect(await world.actionOf(first.toolCallId)).toMatchObject({
      status: "failed",
      failureReason: `${service} needs its migrations applied before a restart`,
    });

    const second = scriptedModel(world.tool, { service, confidence: 0.99 });
    await generateText(
      withWarden(world.warden, { model: second.model, tools: { [world.tool]: flaky }, prompt: "restart again", stopWhen: stepCountIs(3) }, settings),
    );
    expect(await world.actionOf(second.toolCallId)).toMatchObject({ status: "succeeded", output: { restarted: service } });
    expect(second.lastToolResult()).toContain("restarted");
    expect(second.lastToolResult()).toContain("Past failures like this one");
    expect(second.lastToolResult()).toContain("needs its migrations applied before a restart");
    // The first call's model read no lesson: none had been learned yet.
    expect(first.lastToolResult()).not.toContain("Past failures");

    // Refused through the AI SDK's own approval (needsApproval), the model reads the lesson too.
    const third = scriptedModel(world.tool, { service, confidence: 0.3 });
    const options = withWarden(
      world.warden,
      { model: third.model, tools: { [world.tool]: flaky }, prompt: "once more", stopWhen: stepCountIs(3) },
      { ...settings, approval: "framework" },
    );
    const stopped = await generateText(options);
    const answering = wardenApprovalResponses(world.warden, stopped.content);
    await world.reject((await world.actionOf(third.toolCallId)).id, "enough restarts today");
    const { prompt: _prompt, ...rest } = options;
    await generateText({ ...rest, messages: [{ role: "user", content: "once more" }, ...stopped.response.messages, (await answering)!] });
    expect(third.lastToolResult()).toContain("enough restarts today");
    expect(third.lastToolResult()).toContain("needs its migrations applied before a restart");
    expect(calls).toBe(2);
  });

  it("a call that fails again: the model reads the new failure and the past one like it", async () => {
    const world = await adapterWorld();
    const service = unique("queue");
    const settings = { tools: { [world.tool]: { resource: ({ service }: { service: string }) => `staging/${service}` } } };
    const broken = tool({
      inputSchema: z.object({ service: z.string() }),
      execute: async ({ service }): Promise<{ ok: boolean }> => {
        throw new ToolFailure("exit 1", { failureReason: `${service}: the broker refuses the new config` });
      },
    });
    const first = scriptedModel(world.tool, { service, confidence: 0.99 });
    await generateText(
      withWarden(world.warden, { model: first.model, tools: { [world.tool]: broken }, prompt: "restart", stopWhen: stepCountIs(3) }, settings),
    );
    const second = scriptedModel(world.tool, { service, confidence: 0.99 });
    await generateText(
      withWarden(world.warden, { model: second.model, tools: { [world.tool]: broken }, prompt: "restart again", stopWhen: stepCountIs(3) }, settings),
    );
    expect(await world.actionOf(second.toolCallId)).toMatchObject({ status: "failed" });
    expect(second.lastToolResult()).toContain("exit 1");
    expect(second.lastToolResult()).toContain("Past failures like this one");
    expect(second.lastToolResult()).toContain("the broker refuses the new config");
  });

  it("an approver's edit that moves the call to another resource does not run, and the model reads why", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const settings = { tools: { [world.tool]: { resource: ({ service }: { service: string }) => `staging/${service}` } } };
    // Names of its own: the failure it records is a lesson, which another test's "db" must not recall.
    const service = unique("ledger");
    const { model, toolCallId, lastToolResult } = scriptedModel(world.tool, { service, confidence: 0.3 });
    const run = generateText(
      withWarden(world.warden, { model, tools: { [world.tool]: restartTool(runs) }, prompt: "restart it", stopWhen: stepCountIs(3) }, settings),
    );
    const pending = await world.actionOf(toolCallId);
    expect((await world.approve(pending.id, { service: `../prod/${service}`, replicas: 1 })).status).toBe(200);
    await run;
    expect(runs).toEqual([]);
    expect(lastToolResult()).toContain(`touch staging/../prod/${service}, not staging/${service} as proposed`);
    expect(await world.actionOf(toolCallId)).toMatchObject({ status: "failed" });
  });

  it("an approver's edit that does not fit the tool's schema is named as theirs, and nothing runs", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const { model, toolCallId, lastToolResult } = scriptedModel(world.tool, { service: unique("queue"), confidence: 0.3 });
    const run = generateText(withWarden(world.warden, { model, tools: { [world.tool]: restartTool(runs) }, prompt: "restart it", stopWhen: stepCountIs(3) }));
    expect((await world.approve((await world.actionOf(toolCallId)).id, { service: 5 })).status).toBe(200);
    await run;
    expect(runs).toEqual([]);
    expect(lastToolResult()).toContain("the approver's edited args do not fit the tool");
  });
});
