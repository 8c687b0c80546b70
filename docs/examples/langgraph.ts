import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode, toolsCondition } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import type { Warden } from "@warden/sdk";
import { guardLangGraphTools, wardenResume } from "@warden/sdk/langgraph";

const restart = tool(async ({ container }) => `restarted ${container}`, {
  name: "docker_restart",
  description: "Restart a container",
  schema: z.object({ container: z.string() }),
});

export async function runWithLangGraph(warden: Warden, model: BaseChatModel, prompt: string, threadId: string): Promise<string> {
  const tools = guardLangGraphTools(warden, [restart], {
    tools: { docker_restart: { wardenTool: "docker.restart", resource: ({ container }) => `staging/${container}` } },
  });
  const llm = model.bindTools!(tools);
  const graph = new StateGraph(MessagesAnnotation)
    .addNode("agent", async ({ messages }) => ({ messages: [await llm.invoke(messages)] }))
    .addNode("tools", new ToolNode(tools))
    .addEdge(START, "agent")
    .addConditionalEdges("agent", toolsCondition)
    .addEdge("tools", "agent")
    .compile({ checkpointer: new MemorySaver() }); // interrupt() needs one
  const config = { configurable: { thread_id: threadId }, signal: warden.control.signal };
  let state = await graph.invoke({ messages: [new HumanMessage(prompt)] }, config);
  // Stopped for a human: resume once Warden's approvers decided (the tools node runs again; nothing runs twice).
  for (let pending = (await graph.getState(config)).tasks.flatMap((t) => t.interrupts); pending.length; pending = (await graph.getState(config)).tasks.flatMap((t) => t.interrupts)) {
    state = await graph.invoke(await wardenResume(warden, pending), config);
  }
  return String(state.messages.at(-1)?.content);
}
