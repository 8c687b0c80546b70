import { Agent, run, type Model } from "@openai/agents";
import { z } from "zod";
import type { Warden } from "@warden/sdk";
import { wardenDecide, wardenTool } from "@warden/sdk/openai-agents";

export async function runWithOpenAIAgents(warden: Warden, model: Model | string, prompt: string): Promise<unknown> {
  // `wardenTool` takes what the SDK's `tool()` takes, and returns its FunctionTool.
  const restart = wardenTool(warden, {
    name: "docker.restart",
    description: "Restart a container",
    parameters: z.object({ container: z.string(), timeoutSeconds: z.number().int().default(10) }),
    execute: async ({ container, timeoutSeconds }) => `restarted ${container} (timeout ${timeoutSeconds}s)`,
    resource: ({ container }) => `staging/${container}`,
  });
  const agent = new Agent({ name: "ops", model, tools: [restart] });
  let result = await run(agent, prompt, { signal: warden.control.signal });
  // A human decides in Warden's inbox; the approved (maybe edited) args run, a rejection's reason reaches the model.
  while (result.interruptions?.length) result = await run(agent, await wardenDecide(warden, result), { signal: warden.control.signal });
  return result.finalOutput;
}
