import { AIMessage, type BaseMessage, HumanMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { END, MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode, toolsCondition } from "@langchain/langgraph/prebuilt";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ToolFailure } from "../../sdk/src";
import { guardLangGraphTools, wardenResume } from "../../sdk/src/adapters/langgraph";
import { unique } from "../support/fixtures";
import { adapterWorld } from "../support/adapter-fixtures";

/*
 * LangGraph driven by a scripted model node against a real Warden: the model asks for tool calls,
 * the ToolNode runs the guarded tools, a human's wait is LangGraph's interrupt(), and the graph
 * resumes from its checkpoint, running the tool node again.
 */
type Call = { name: string; args: Record<string, unknown>; id: string };

function buildGraph(tools: ReturnType<typeof guardLangGraphTools>, calls: Call[]) {
  const seen: BaseMessage[][] = [];
  const agent = async (state: typeof MessagesAnnotation.State) => {
    seen.push(state.messages);
    const answered = state.messages.some((m) => m.getType() === "tool");
    return { messages: [answered ? new AIMessage("done") : new AIMessage({ content: "", tool_calls: calls })] };
  };
  const graph = new StateGraph(MessagesAnnotation)
    .addNode("agent", agent)
    .addNode("tools", new ToolNode(tools))
    .addEdge(START, "agent")
    .addConditionalEdges("agent", toolsCondition, ["tools", END])
    .addEdge("tools", "agent")
    .compile({ checkpointer: new MemorySaver() });
  const config = { configurable: { thread_id: unique("thread") } };
  /** The tool messages the model was shown last. */
  const toolMessages = () => (seen.at(-1) ?? []).filter((m) => m.getType() === "tool").map((m) => String(m.content));
  const interrupts = async () => (await graph.getState(config)).tasks.flatMap((t) => t.interrupts);
  return { graph, config, seen, toolMessages, interrupts };
}

function restartTool(name: string, runs: { service: string; replicas: number }[]) {
  return tool(
    async ({ service, replicas }) => {
      runs.push({ service, replicas });
      return `restarted ${service} x${replicas}`;
    },
    { name, description: "Restart a service", schema: z.object({ service: z.string(), replicas: z.number().int().default(1) }) },
  );
}

describe("the LangGraph adapter", () => {
  it("auto: a confident call runs in the ToolNode and is reported; confidence never reaches the tool", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const id = `call_${unique("lg")}`;
    const { graph, config, toolMessages } = buildGraph(guardLangGraphTools(world.warden, [restartTool(world.tool, runs)]), [
      { name: world.tool, args: { service: "web", confidence: 0.99 }, id },
    ]);
    const result = await graph.invoke({ messages: [new HumanMessage("restart web")] }, { ...config, signal: world.warden.control.signal });
    expect(result.messages.at(-1)?.content).toBe("done");
    expect(runs).toEqual([{ service: "web", replicas: 1 }]);
    expect(toolMessages()).toEqual(["restarted web x1"]);
    expect(await world.actionOf(id)).toMatchObject({ status: "succeeded", args: { service: "web", replicas: 1 }, output: { value: "restarted web x1" } });
  });

  it("edit-then-approve through interrupt(): the graph stops, resumes once Warden decided, and the edited args run", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const id = `call_${unique("lg")}`;
    const { graph, config, interrupts, toolMessages } = buildGraph(guardLangGraphTools(world.warden, [restartTool(world.tool, runs)]), [
      { name: world.tool, args: { service: "db", confidence: 0.3 }, id },
    ]);
    const first = await graph.invoke({ messages: [new HumanMessage("restart db")] }, config);
    expect(runs).toEqual([]);
    const pending = await interrupts();
    expect(pending).toHaveLength(1);
    const action = await world.actionOf(id);
    expect(pending[0]!.value).toMatchObject({ warden: { actionId: action.id, tool: world.tool, args: { service: "db", replicas: 1 } } });
    expect(first.messages.at(-1)?.getType()).toBe("ai");

    await world.approve(action.id, { service: "db-replica", replicas: 2 });
    const resumed = await graph.invoke(await wardenResume(world.warden, pending), config);
    expect(resumed.messages.at(-1)?.content).toBe("done");
    expect(runs).toEqual([{ service: "db-replica", replicas: 2 }]);
    expect(toolMessages()).toEqual(["restarted db-replica x2"]);
  });

  it("approval: wait long-polls inside the tool (no interrupt), and the edited args run", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const id = `call_${unique("lg")}`;
    const { graph, config, interrupts } = buildGraph(guardLangGraphTools(world.warden, [restartTool(world.tool, runs)], { approval: "wait" }), [
      { name: world.tool, args: { service: "api", confidence: 0.3 }, id },
    ]);
    const running = graph.invoke({ messages: [new HumanMessage("restart api")] }, config);
    await world.approve((await world.actionOf(id)).id, { service: "api", replicas: 3 });
    expect((await running).messages.at(-1)?.content).toBe("done");
    expect(runs).toEqual([{ service: "api", replicas: 3 }]);
    expect(await interrupts()).toEqual([]);
  });

  it("reject with a reason: the tool does not run and the model reads the reason", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const id = `call_${unique("lg")}`;
    const { graph, config, interrupts, toolMessages } = buildGraph(guardLangGraphTools(world.warden, [restartTool(world.tool, runs)]), [
      { name: world.tool, args: { service: "payments", confidence: 0.2 }, id },
    ]);
    await graph.invoke({ messages: [new HumanMessage("restart payments")] }, config);
    await world.reject((await world.actionOf(id)).id, "not during the sale");
    await graph.invoke(await wardenResume(world.warden, await interrupts()), config);
    expect(runs).toEqual([]);
    expect(toolMessages()[0]).toContain("not during the sale");
  });

  it("the node re-executed after interrupt() does not run an already-run call twice: it gets the first run's result", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const auto = `call_${unique("a")}`;
    const held = `call_${unique("h")}`;
    const { graph, config, interrupts, toolMessages } = buildGraph(guardLangGraphTools(world.warden, [restartTool(world.tool, runs)]), [
      { name: world.tool, args: { service: "cache", confidence: 0.99 }, id: auto },
      { name: world.tool, args: { service: "queue", confidence: 0.3 }, id: held },
    ]);
    await graph.invoke({ messages: [new HumanMessage("restart both")] }, config);
    // The confident call ran while the other waits; the node's output was not saved (it was interrupted).
    await expect.poll(async () => (await world.actionOf(auto)).status).toBe("succeeded");
    expect(runs).toEqual([{ service: "cache", replicas: 1 }]);

    await world.approve((await world.actionOf(held)).id);
    await graph.invoke(await wardenResume(world.warden, await interrupts()), config);
    // LangGraph ran the whole ToolNode again: the first call was found by its id, and not run again.
    expect(runs).toEqual([
      { service: "cache", replicas: 1 },
      { service: "queue", replicas: 1 },
    ]);
    expect(toolMessages().sort()).toEqual(["restarted cache x1", "restarted queue x1"]);
  });

  it("resumed while a call of the interrupted node still runs, the node waits for that run instead of starting another", async () => {
    const world = await adapterWorld();
    const runs: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const gated = tool(
      async ({ service }) => {
        runs.push(service);
        if (service === "cache") await gate;
        return `restarted ${service}`;
      },
      { name: world.tool, schema: z.object({ service: z.string() }) },
    );
    const auto = `call_${unique("a")}`;
    const held = `call_${unique("h")}`;
    const { graph, config, interrupts, toolMessages } = buildGraph(guardLangGraphTools(world.warden, [gated]), [
      { name: world.tool, args: { service: "cache", confidence: 0.99 }, id: auto },
      { name: world.tool, args: { service: "queue", confidence: 0.3 }, id: held },
    ]);
    await graph.invoke({ messages: [new HumanMessage("restart both")] }, config);
    // The graph stopped; the confident call goes on, held at the gate, not yet reported.
    await expect.poll(() => runs).toEqual(["cache"]);
    expect((await world.actionOf(auto)).status).toBe("approved");
    await world.approve((await world.actionOf(held)).id);
    const resumed = graph.invoke(await wardenResume(world.warden, await interrupts()), config);
    setTimeout(release, 300);
    await resumed;
    expect(runs).toEqual(["cache", "queue"]);
    expect(toolMessages().sort()).toEqual(["restarted cache", "restarted queue"]);
  });

  it("a suspend during a run aborts the graph: the tool's work stops and the model is not called again", async () => {
    const world = await adapterWorld();
    await world.warden.connect();
    try {
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const slow = tool(
        async (_args, config) => {
          started();
          const signal = config?.signal;
          await new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(signal.reason), { once: true }));
          return "never";
        },
        { name: world.tool, schema: z.object({ service: z.string() }) },
      );
      const id = `call_${unique("lg")}`;
      const { graph, config, seen } = buildGraph(guardLangGraphTools(world.warden, [slow]), [
        { name: world.tool, args: { service: "web", confidence: 0.99 }, id },
      ]);
      const run = graph.invoke({ messages: [new HumanMessage("go")] }, { ...config, signal: world.warden.control.signal });
      await running;
      await world.suspend();
      await expect(run).rejects.toThrow();
      expect(seen).toHaveLength(1);
      // The graph ends at once; the tool's report of its stop follows.
      await expect.poll(async () => (await world.actionOf(id)).status).toBe("failed");
    } finally {
      await world.warden.close();
    }
  });

  it("expiry: no human decides in time, the graph resumes, the tool does not run and the model reads that it expired", async () => {
    const world = await adapterWorld();
    const runs: { service: string; replicas: number }[] = [];
    const id = `call_${unique("lg")}`;
    const { graph, config, interrupts, toolMessages } = buildGraph(guardLangGraphTools(world.warden, [restartTool(world.tool, runs)]), [
      { name: world.tool, args: { service: "billing", confidence: 0.3 }, id },
    ]);
    await graph.invoke({ messages: [new HumanMessage("restart billing")] }, config);
    const pending = await interrupts();
    expect(pending).toHaveLength(1);
    await world.expire((await world.actionOf(id)).id);
    const resumed = await graph.invoke(await wardenResume(world.warden, pending), config);
    expect(resumed.messages.at(-1)?.content).toBe("done");
    expect(runs).toEqual([]);
    expect(toolMessages()[0]).toContain("the approval expired");
    expect((await world.actionOf(id)).status).toBe("expired");
  });

  it("kill with undo: the undo of the args that ran (as proposed, and as an approver edited them) runs, newest first, and the actions show rolled_back", async () => {
    const world = await adapterWorld();
    await world.warden.connect();
    const undone: { args: Record<string, unknown>; actionId: string }[] = [];
    world.warden.onUndo(world.tool, (args, { actionId }) => void undone.push({ args: { ...args }, actionId }));
    try {
      const runs: { service: string; replicas: number }[] = [];
      // The undo reads the args as the tool's schema does (typed, defaults filled): no casts.
      const undo = ({ service, replicas }: { service: string; replicas: number }) => ({ tool: world.tool, args: { service, replicas: replicas - 1 } });
      const tools = () => guardLangGraphTools(world.warden, [restartTool(world.tool, runs)], { tools: { [world.tool]: { undo } } });
      const [auto, held] = [`call_${unique("a")}`, `call_${unique("h")}`];
      const first = buildGraph(tools(), [{ name: world.tool, args: { service: "web", replicas: 2, confidence: 0.99 }, id: auto }]);
      await first.graph.invoke({ messages: [new HumanMessage("scale web")] }, first.config);
      const second = buildGraph(tools(), [{ name: world.tool, args: { service: "db", replicas: 1, confidence: 0.3 }, id: held }]);
      await second.graph.invoke({ messages: [new HumanMessage("scale db")] }, second.config);
      await world.approve((await world.actionOf(held)).id, { service: "db-replica", replicas: 5 });
      await second.graph.invoke(await wardenResume(world.warden, await second.interrupts()), second.config);
      expect(runs).toEqual([
        { service: "web", replicas: 2 },
        { service: "db-replica", replicas: 5 },
      ]);
      const [ranFirst, ranSecond] = [await world.actionOf(auto), await world.actionOf(held)];

      const { rollbackPlan } = await world.kill({ rollbackLast: 5 });
      expect(rollbackPlan.map((p) => p.actionId)).toEqual([ranSecond.id, ranFirst.id]);
      await expect.poll(async () => (await world.actionOf(auto)).status, { timeout: 10_000 }).toBe("rolled_back");
      expect((await world.actionOf(held)).status).toBe("rolled_back");
      expect(undone).toEqual([
        { args: { service: "db-replica", replicas: 4 }, actionId: ranSecond.id },
        { args: { service: "web", replicas: 1 }, actionId: ranFirst.id },
      ]);
    } finally {
      await world.resume();
      await world.warden.close();
    }
  });

  it("a failure recalled on the next similar call: the call still runs, and the model reads the past failure in the ToolMessage", async () => {
    const world = await adapterWorld();
    const service = unique("ledger");
    let calls = 0;
    const flaky = tool(
      async ({ service }) => {
        if (calls++ === 0) throw new ToolFailure("exit 1", { failureReason: `${service} needs its migrations applied before a restart` });
        return `restarted ${service}`;
      },
      { name: world.tool, description: "Restart a service", schema: z.object({ service: z.string() }) },
    );
    const settings = { tools: { [world.tool]: { resource: ({ service }: { service: string }) => `staging/${service}` } } };
    const [failing, next] = [`call_${unique("f")}`, `call_${unique("n")}`];
    const first = buildGraph(guardLangGraphTools(world.warden, [flaky], settings), [{ name: world.tool, args: { service, confidence: 0.99 }, id: failing }]);
    await first.graph.invoke({ messages: [new HumanMessage("restart")] }, first.config);
    expect(await world.actionOf(failing)).toMatchObject({ status: "failed", failureReason: `${service} needs its migrations applied before a restart` });
    expect(first.toolMessages()[0]).not.toContain("Past failures");

    const second = buildGraph(guardLangGraphTools(world.warden, [flaky], settings), [{ name: world.tool, args: { service, confidence: 0.99 }, id: next }]);
    await second.graph.invoke({ messages: [new HumanMessage("restart again")] }, second.config);
    expect(await world.actionOf(next)).toMatchObject({ status: "succeeded", output: { value: `restarted ${service}` } });
    const [read] = second.toolMessages();
    expect(read).toContain(`restarted ${service}`);
    expect(read).toContain("Past failures like this one");
    expect(read).toContain("needs its migrations applied before a restart");
  });
});
