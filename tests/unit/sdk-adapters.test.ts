import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/*
 * The frameworks are optional peers of the SDK: the SDK's entry point (and everything it imports)
 * loads none of them, each adapter is a subpath module of its own, and the build compiles each.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const FRAMEWORK = /^(ai|ai\/.*|@openai\/.*|@langchain\/.*|@anthropic-ai\/.*)$/;

/** Every module specifier `file` imports (static or dynamic, type-only ones excepted). */
function importsOf(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const specifiers = [...source.matchAll(/^import\s+(?!type\s)[^;]*?from\s+"([^"]+)"/gms), ...source.matchAll(/import\("([^"]+)"\)/g)].map((m) => m[1]!);
  return specifiers;
}

function resolveLocal(from: string, specifier: string): string | null {
  if (!specifier.startsWith(".")) return null;
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, "index.ts")]) {
    try {
      readFileSync(candidate);
      return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

describe("the SDK's framework adapters", () => {
  it("the SDK's entry point loads no framework, however deep", () => {
    const seen = new Set<string>();
    const queue = [path.join(ROOT, "sdk/src/index.ts"), path.join(ROOT, "sdk/src/mcp/stdio.ts")];
    const frameworks: string[] = [];
    while (queue.length) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const specifier of importsOf(file)) {
        if (FRAMEWORK.test(specifier)) frameworks.push(`${path.relative(ROOT, file)} imports ${specifier}`);
        const local = resolveLocal(file, specifier);
        if (local) queue.push(local);
      }
    }
    expect(seen.size).toBeGreaterThan(10);
    expect(frameworks).toEqual([]);
  });

  it("every adapter is compiled by the SDK's build and published as a subpath", () => {
    const adapters = readdirSync(path.join(ROOT, "sdk/src/adapters"))
      .filter((f) => f.endsWith(".ts") && f !== "guarded-call.ts")
      .map((f) => f.replace(/\.ts$/, ""));
    expect(adapters.sort()).toEqual(["ai-sdk", "claude-agent-sdk", "langgraph", "openai-agents"]);
    const tsconfig = readFileSync(path.join(ROOT, "sdk/tsconfig.json"), "utf8");
    const build = readFileSync(path.join(ROOT, "scripts/build-sdk.ts"), "utf8");
    for (const name of adapters) {
      expect(tsconfig).toContain(`"src/adapters/${name}.ts"`);
      expect(build).toContain(`"${name}"`);
    }
  });

  it("the Claude Agent SDK adapter loads nothing of its SDK (written against its types)", () => {
    expect(importsOf(path.join(ROOT, "sdk/src/adapters/claude-agent-sdk.ts")).filter((s) => FRAMEWORK.test(s))).toEqual([]);
  });
});
