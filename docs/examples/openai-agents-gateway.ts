import { Agent, MCPServerStreamableHttp, run, type Model } from "@openai/agents";

export async function runThroughGateway(wardenUrl: string, agentKey: string, model: Model | string, prompt: string): Promise<unknown> {
  const warden = new MCPServerStreamableHttp({
    name: "warden",
    url: new URL("/api/mcp/gateway", wardenUrl).href,
    requestInit: { headers: { Authorization: `Bearer ${agentKey}` } },
    // A call waiting for a human can take up to 50 s: keep the client waiting longer.
    timeout: 60_000,
    // The agent's confidence for each call: it may lower the tool's default, never raise it.
    toolMetaResolver: () => ({ confidence: 0.9 }),
  });
  await warden.connect();
  try {
    const agent = new Agent({ name: "ops", instructions: "Keep the shared reports folder tidy.", model, mcpServers: [warden] });
    return (await run(agent, prompt)).finalOutput;
  } finally {
    await warden.close();
  }
}
