import { describe, expect, it } from "vitest";
import { withWarden } from "../../sdk/src/adapters/claude-agent-sdk";
import { unique } from "../support/fixtures";
import { adapterWorld } from "../support/adapter-fixtures";

/*
 * The Claude Agent SDK runs its tools in its own CLI process and asks the app through canUseTool
 * and its hooks; these tests call them as the SDK does (a tool_use id, an abort signal), against
 * a real Warden.
 */
const hookInput = (name: string, toolUseId: string, extra: Record<string, unknown>) => ({ hook_event_name: name, tool_use_id: toolUseId, tool_name: "x", ...extra });

describe("the Claude Agent SDK adapter", () => {
  it("auto: allowed with the input as approved; the PostToolUse hook reports the result", async () => {
    const world = await adapterWorld();
    const options = withWarden(world.warden, {}, { tools: { [world.tool]: { confidence: 0.99 } } });
    const toolUseID = `toolu_${unique("c")}`;
    const answer = await options.canUseTool(world.tool, { command: "ls" }, { signal: new AbortController().signal, toolUseID });
    expect(answer).toEqual({ behavior: "allow", updatedInput: { command: "ls" }, toolUseID });
    for (const matcher of options.hooks.PostToolUse ?? []) for (const hook of matcher.hooks) await hook(hookInput("PostToolUse", toolUseID, { tool_response: "file-a\nfile-b" }), toolUseID, { signal: new AbortController().signal });
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
    for (const matcher of auto.hooks.PostToolUseFailure ?? []) for (const hook of matcher.hooks) await hook(hookInput("PostToolUseFailure", failing, { error: "make: *** No rule to make target" }), failing, { signal: new AbortController().signal });
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
});
