import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@\/(.*)$/, replacement: path.resolve(import.meta.dirname, "$1") },
      { find: "server-only", replacement: path.resolve(import.meta.dirname, "tests/support/empty-module.ts") },
      // The docs' examples import the SDK as an agent in another project does (tsconfig's paths too).
      { find: /^@warden\/sdk\/(ai-sdk|openai-agents|langgraph|claude-agent-sdk)$/, replacement: path.resolve(import.meta.dirname, "sdk/src/adapters/$1.ts") },
      { find: /^@warden\/sdk$/, replacement: path.resolve(import.meta.dirname, "sdk/src/index.ts") },
    ],
  },
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    setupFiles: ["tests/support/setup-env.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // next-auth imports `next/server` without an extension; Vite's resolver handles that.
    server: { deps: { inline: ["next-auth", "@auth/core"] } },
  },
});
