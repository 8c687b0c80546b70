import { generateText, stepCountIs, tool, type LanguageModel } from "ai";
import { z } from "zod";
import type { Warden } from "@warden/sdk";
import { withWarden } from "@warden/sdk/ai-sdk";

// Your tool, as the AI SDK has it. Model-facing tool names allow no dots: map it to Warden's.
const restart = tool({
  description: "Restart a container",
  inputSchema: z.object({ container: z.string() }),
  execute: async ({ container }) => ({ restarted: container }), // typed from the schema
});

export async function runWithAiSdk(warden: Warden, model: LanguageModel, prompt: string): Promise<string> {
  const { text } = await generateText(
    withWarden(
      warden,
      { model, prompt, tools: { docker_restart: restart }, stopWhen: stepCountIs(5) },
      { tools: { docker_restart: { wardenTool: "docker.restart", resource: ({ container }) => `staging/${container}` } } },
    ),
  );
  return text;
}
