import { readFileSync } from "node:fs";
import path from "node:path";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { ChatResult } from "@langchain/core/outputs";
import { setTracingDisabled, Usage, type AgentInputItem, type Model } from "@openai/agents";
import { MockLanguageModelV3 } from "ai/test";
import { beforeAll, describe, expect, it } from "vitest";
import { Warden } from "../../sdk/src";
import { findActionsRoute } from "../../server/actions/action-routes";
import { approveRoute, rejectRoute } from "../../server/approvals/approval-routes";
import { inProcessFetch } from "../../server/http/web-adapter";
import { apiDispatcher } from "../../server/http/api-routes";
import { putTool } from "../../server/tools/tool-registry";
import { runWithAiSdk } from "../../docs/examples/ai-sdk";
import { runWithClaudeAgentSdk } from "../../docs/examples/claude-agent-sdk";
import { runWithLangGraph } from "../../docs/examples/langgraph";
import { runWithOpenAIAgents } from "../../docs/examples/openai-agents";
import { call, db, makeUser, makeUserWithToken, unique } from "../support/fixtures";
import { makeGrantedAgent } from "../support/guardrail-fixtures";

/*
 * docs/quickstart.md's framework sections are these files, word for word (checked below), and
 * each runs here through its framework's mock model against a real Warden, with the registry the
 * quick start sets up: docker.restart, scoped to staging/*.
 */
setTracingDisabled(true);

const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } };

let warden: Warden;
let key: string;
beforeAll(async () => {
  await putTool(db, await makeUser("admin"), "docker.restart", { scopes: ["staging/*"], reversible: false });
  ({ key } = await makeGrantedAgent(["docker.restart"], ["staging/*"]));
  warden = new Warden({ url: "http://warden.internal", key, fetch: inProcessFetch(apiDispatcher()), retries: 0, approvalWaitSeconds: 20 });
});

/** A LangChain chat model that answers with its replies in turn (tools bound or not). */
class ScriptedChatModel extends BaseChatModel {
  /** The messages of each call, as the model was shown them. */
  readonly seen: BaseMessage[][] = [];
  constructor(private readonly replies: AIMessage[]) {
    super({});
  }
  _llmType() {
    return "scripted";
  }
  override bindTools() {
    return this;
  }
  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.seen.push(messages);
    const message = this.replies.shift() ?? new AIMessage("(no more replies)");
    return { generations: [{ message, text: String(message.content) }] };
  }
}

async function actionOf(externalId: string) {
  for (let i = 0; i < 200; i++) {
    const item = (await call(findActionsRoute, { token: key, query: { externalId } })).json.items[0];
    if (item) return item as { id: string; status: string; resource: string | null; tool: string | null; args: Record<string, unknown> };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no action ${externalId}`);
}

describe("docs/quickstart.md's framework examples", () => {
  it("are the example files, word for word", () => {
    const quickstart = readFileSync(path.resolve(import.meta.dirname, "../../docs/quickstart.md"), "utf8");
    for (const name of ["ai-sdk", "openai-agents", "langgraph", "claude-agent-sdk"]) {
      const file = readFileSync(path.resolve(import.meta.dirname, `../../docs/examples/${name}.ts`), "utf8");
      expect(quickstart, name).toContain(`<!-- docs/examples/${name}.ts -->\n\`\`\`ts\n${file}\`\`\``);
    }
  });

  it("the AI SDK example runs the confident call", async () => {
    const toolCallId = `call_${unique("doc")}`;
    const model = new MockLanguageModelV3({
      doGenerate: async ({ prompt }) =>
        prompt.some((m) => m.role === "tool")
          ? { content: [{ type: "text", text: "restarted" }], finishReason: { unified: "stop", raw: "stop" }, usage, warnings: [] }
          : {
              content: [{ type: "tool-call", toolCallId, toolName: "docker_restart", input: JSON.stringify({ container: "traefik", confidence: 0.99 }) }],
              finishReason: { unified: "tool-calls", raw: "tool_calls" },
              usage,
              warnings: [],
            },
    });
    expect(await runWithAiSdk(warden, model, "restart traefik")).toBe("restarted");
    expect(await actionOf(toolCallId)).toMatchObject({
      status: "succeeded",
      tool: "docker.restart",
      resource: "staging/traefik",
      args: { container: "traefik" },
    });
  });

  it("the OpenAI Agents example waits for the approver and runs the edited args (on the same resource)", async () => {
    const callId = `call_${unique("doc")}`;
    const inputs: AgentInputItem[][] = [];
    const model: Model = {
      async getResponse(request) {
        const input = typeof request.input === "string" ? [] : request.input;
        inputs.push(input);
        return {
          usage: new Usage(),
          output: input.some((i) => i.type === "function_call_result")
            ? [{ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "restarted" }] }]
            : [
                {
                  type: "function_call",
                  callId,
                  name: "docker_restart",
                  arguments: JSON.stringify({ container: "web", confidence: 0.4 }),
                  status: "completed",
                },
              ],
        };
      },
      getStreamedResponse() {
        throw new Error("not used");
      },
    };
    const running = runWithOpenAIAgents(warden, model, "restart web");
    const approver = await makeUserWithToken("approver");
    await call(approveRoute, { token: approver.token, params: { id: (await actionOf(callId)).id }, body: { args: { container: "web", timeoutSeconds: 30 } } });
    expect(await running).toBe("restarted");
    expect(JSON.stringify(inputs.at(-1))).toContain("restarted web (timeout 30s)");
  });

  it("the LangGraph example resumes after a rejection, and the model reads the reason", async () => {
    const id = `call_${unique("doc")}`;
    const model = new ScriptedChatModel([
      new AIMessage({ content: "", tool_calls: [{ name: "docker_restart", args: { container: "db", confidence: 0.3 }, id }] }),
      new AIMessage("understood"),
    ]);
    const running = runWithLangGraph(warden, model, "restart db", unique("thread"));
    const approver = await makeUserWithToken("approver");
    await call(rejectRoute, { token: approver.token, params: { id: (await actionOf(id)).id }, body: { reason: "db restarts wait for the window" } });
    expect(await running).toBe("understood");
    expect(await actionOf(id)).toMatchObject({ status: "rejected", resource: "staging/db" });
    expect(JSON.stringify(model.seen.at(-1)?.map((m) => m.content))).toContain("db restarts wait for the window");
  });

  it("the Claude Agent SDK example answers canUseTool as the SDK asks it", async () => {
    const toolUseID = `toolu_${unique("doc")}`;
    const messages = await runWithClaudeAgentSdk(
      warden,
      async function* ({ options }) {
        // What the SDK does before running its Bash tool, and after.
        const permission = await options.canUseTool("Bash", { container: "cache" }, { signal: new AbortController().signal, toolUseID });
        yield permission;
        for (const matcher of options.hooks.PostToolUse ?? [])
          for (const hook of matcher.hooks)
            await hook({ hook_event_name: "PostToolUse", tool_use_id: toolUseID, tool_response: "ok" } as { hook_event_name: string }, toolUseID, {
              signal: new AbortController().signal,
            });
      },
      "restart the cache",
    );
    // Confidence 0.8 for Bash: Warden runs it with a notification, no human needed.
    expect(messages).toEqual([{ behavior: "allow", updatedInput: { container: "cache" }, toolUseID }]);
    expect(await actionOf(toolUseID)).toMatchObject({ status: "succeeded", tool: "docker.restart" });
  });
});
