import { describe, expect, it } from "vitest";
import { withWarden, type WardenQueryOptions } from "../../sdk/src/adapters/claude-agent-sdk";
import { unique } from "../support/fixtures";
import { adapterWorld } from "../support/adapter-fixtures";

/*
 * The Claude Agent SDK runs its tools in its own CLI process and asks the app through canUseTool
 * and its hooks; these tests call them as the SDK does (a tool_use id, an abort signal), against
 * a real Warden.
 */
const hookInput = (name: string, toolUseId: string, extra: Record<string, unknown>) => ({
  hook_event_name: name,
  tool_use_id: toolUseId,
  tool_name: "x",
  ...extra,
});

/** Runs every hook of `event` as the SDK does after a tool ran, and returns their answers. */
async function runHooks(options: WardenQueryOptions, event: "PostToolUse" | "PostToolUseFailure", toolUseID: string, extra: Record<string, unknown>) {
  const answers = [];
  for (const matcher of options.hooks[event] ?? [])
    for (const hook of matcher.hooks) answers.push(await hook(hookInput(event, toolUseID, extra), toolUseID, { signal: new AbortController().signal }));
  return answers;
}

const asTheSdkAsks = (toolUseID: string) => ({ signal: new AbortController().signal, toolUseID });

describe("the Claude Agent SDK adapter", () => {
  it("auto: allowed with the input as approved; the PostToolUse hook reports the result", async () => {
    const world = await adapterWorld();
    const options = withWarden(world.warden, {}, { tools: { [world.tool]: { confidence: 0.99 } } });
    const toolUseID = `toolu_${unique("c")}`;
    const answer = await options.canUseTool(world.tool, { command: "ls" }, { signal: new AbortController().signal, toolUseID });
    expect(answer).toEqual({ behavior: "allow", updatedInput: { command: "ls" }, toolUseID });
    for (const matcher of options.hooks.PostToolUse ?? [])
      for (const hook of matcher.hooks)
        await hook(hookInput("PostToolUse", toolUseID, { tool_response: "file-a\nfile-b" }), toolUseID, { signal: new AbortController().signal });
    expect(await world.actionOf(toolUseID)).toMatchObject({ status: "succeeded", output: { value: "file-a\nfile-b" } });
  });

  it("edit-then-approve: the approver's args are the updatedInput the SDK runs", async () => {
    const world = await adapterWorld();
    const options = withWarden(world.warden, {});
    const toolUseID = `toolu_${unique("c")}`;
    const asking = options.canUseTool(world.tool, { command: "rm -rf build" }, { signal: new AbortController().signal, toolUseID });
    await world.approve((await world.actionOf(toolUseID)).id, { command: "rm -rf build/tmp" });
    expect(await asking).toEqual({ behavior: "allow", updatedInput: { command: "rm -rf build/tmp" }, toolUseID });
  });

  it("reject: denied with the reason the model reads; a failure is reported with its reason", async () => {
    const world = await adapterWorld();
    const options = withWarden(world.warden, {});
    const toolUseID = `toolu_${unique("c")}`;
    const asking = options.canUseTool(world.tool, { command: "deploy" }, { signal: new AbortController().signal, toolUseID });
    await world.reject((await world.actionOf(toolUseID)).id, "not during the sale");
    const answer = await asking;
    expect(answer.behavior).toBe("deny");
    expect(answer.behavior === "deny" && answer.message).toContain("not during the sale");

    const auto = withWarden(world.warden, {}, { tools: { [world.tool]: { confidence: 0.99 } } });
    const failing = `toolu_${unique("f")}`;
    await auto.canUseTool(world.tool, { command: "make" }, { signal: new AbortController().signal, toolUseID: failing });
    for (const matcher of auto.hooks.PostToolUseFailure ?? [])
      for (const hook of matcher.hooks)
        await hook(hookInput("PostToolUseFailure", failing, { error: "make: *** No rule to make target" }), failing, { signal: new AbortController().signal });
    expect(await world.actionOf(failing)).toMatchObject({ status: "failed", failureReason: "make: *** No rule to make target" });
  });

  it("a suspend while a call waits denies it with interrupt and aborts the run's controller", async () => {
    const world = await adapterWorld();
    await world.warden.connect();
    try {
      const options = withWarden(world.warden, {});
      const toolUseID = `toolu_${unique("s")}`;
      const asking = options.canUseTool(world.tool, { command: "deploy" }, { signal: new AbortController().signal, toolUseID });
      await world.actionOf(toolUseID);
      await world.suspend();
      expect(await asking).toMatchObject({ behavior: "deny", interrupt: true });
      expect(options.abortController.signal.aborted).toBe(true);
    } finally {
      await world.warden.close();
    }
  });

  it("expiry: no human decides in time, the call is denied (without ending the run) and Claude reads that it expired", async () => {
    const world = await adapterWorld();
    const options = withWarden(world.warden, {});
    const toolUseID = `toolu_${unique("e")}`;
    const asking = options.canUseTool(world.tool, { command: "deploy" }, asTheSdkAsks(toolUseID));
    await world.expire((await world.actionOf(toolUseID)).id);
    const answer = await asking;
    expect(answer).toMatchObject({ behavior: "deny", toolUseID });
    expect(answer.behavior === "deny" && answer.interrupt).toBeFalsy();
    expect(answer.behavior === "deny" && answer.message).toContain("the approval expired");
    expect((await world.actionOf(toolUseID)).status).toBe("expired");
  });

  it("kill with undo: the undo of the input that ran (as asked, and as an approver edited it) runs, newest first, and the actions show rolled_back", async () => {
    const world = await adapterWorld();
    await world.warden.connect();
    const undone: { args: Record<string, unknown>; actionId: string }[] = [];
    world.warden.onUndo(world.tool, (args, { actionId }) => void undone.push({ args: { ...args }, actionId }));
    try {
      // The SDK's tools have its own input schemas: the undo reads the input as it is.
      const undo = (input: Record<string, unknown>) => ({ tool: world.tool, args: { revert: String(input.command) } });
      const auto = withWarden(world.warden, {}, { tools: { [world.tool]: { confidence: 0.99, undo } } });
      const first = `toolu_${unique("a")}`;
      expect(await auto.canUseTool(world.tool, { command: "scale web 2" }, asTheSdkAsks(first))).toMatchObject({ behavior: "allow" });
      await runHooks(auto, "PostToolUse", first, { tool_response: "scaled" });

      const asked = withWarden(world.warden, {}, { tools: { [world.tool]: { undo } } });
      const second = `toolu_${unique("h")}`;
      const asking = asked.canUseTool(world.tool, { command: "scale db 1" }, asTheSdkAsks(second));
      await world.approve((await world.actionOf(second)).id, { command: "scale db-replica 5" });
      expect(await asking).toMatchObject({ behavior: "allow", updatedInput: { command: "scale db-replica 5" } });
      await runHooks(asked, "PostToolUse", second, { tool_response: "scaled" });
      const [ranFirst, ranSecond] = [await world.actionOf(first), await world.actionOf(second)];
      expect([ranFirst.status, ranSecond.status]).toEqual(["succeeded", "succeeded"]);

      const { rollbackPlan } = await world.kill({ rollbackLast: 5 });
      expect(rollbackPlan.map((p) => p.actionId)).toEqual([ranSecond.id, ranFirst.id]);
      await expect.poll(async () => (await world.actionOf(first)).status, { timeout: 10_000 }).toBe("rolled_back");
      expect((await world.actionOf(second)).status).toBe("rolled_back");
      expect(undone).toEqual([
        { args: { revert: "scale db-replica 5" }, actionId: ranSecond.id },
        { args: { revert: "scale web 2" }, actionId: ranFirst.id },
      ]);
    } finally {
      await world.resume();
      await world.warden.close();
    }
  });

  it("a failure recalled on the next similar call: allowed, and the PostToolUse hook hands Claude the past failure", async () => {
    const world = await adapterWorld();
    const service = unique("ledger");
    const options = withWarden(world.warden, {}, { tools: { [world.tool]: { confidence: 0.99, resource: (input) => `staging/${String(input.service)}` } } });
    const failing = `toolu_${unique("f")}`;
    expect(await options.canUseTool(world.tool, { service }, asTheSdkAsks(failing))).toMatchObject({ behavior: "allow" });
    await runHooks(options, "PostToolUseFailure", failing, { error: `${service} needs its migrations applied before a restart` });
    expect(await world.actionOf(failing)).toMatchObject({ status: "failed", failureReason: `${service} needs its migrations applied before a restart` });

    const next = `toolu_${unique("n")}`;
    expect(await options.canUseTool(world.tool, { service }, asTheSdkAsks(next))).toMatchObject({ behavior: "allow", updatedInput: { service } });
    const answers = await runHooks(options, "PostToolUse", next, { tool_response: `restarted ${service}` });
    expect(await world.actionOf(next)).toMatchObject({ status: "succeeded", output: { value: `restarted ${service}` } });
    const context = answers.map((a) => a.hookSpecificOutput?.additionalContext ?? "").join("\n");
    expect(context).toContain("Past failures like this one");
    expect(context).toContain("needs its migrations applied before a restart");
  });
});
