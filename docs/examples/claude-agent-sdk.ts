import type { Warden } from "@warden/sdk";
import { withWarden, type WardenQueryOptions } from "@warden/sdk/claude-agent-sdk";

/**
 * `query` is the Claude Agent SDK's: `import { query } from "@anthropic-ai/claude-agent-sdk"`.
 * Each tool the SDK may use is a tool in Warden's registry: by default its name in lower case
 * (`bash`, `edit`), or the one you map it to.
 */
export async function runWithClaudeAgentSdk<M>(warden: Warden, query: (args: { prompt: string; options: WardenQueryOptions }) => AsyncIterable<M>, prompt: string): Promise<M[]> {
  const options = withWarden(warden, {}, {
    tools: { Bash: { wardenTool: "docker.restart", confidence: 0.8, resource: (input) => `staging/${String(input.container)}` } },
  });
  const messages: M[] = [];
  for await (const message of query({ prompt, options })) messages.push(message);
  return messages;
}
