import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as prisma from "../../server/db/generated/enums";
import * as enums from "../../server/schemas/enums";

const ROOT = path.resolve(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((file) => /\.(ts|tsx)$/.test(file) && !file.includes("generated") && !file.includes("node_modules"))
    .map((file) => path.join(dir, file));
}

describe("closed vocabularies: declared once in server/schemas/enums.ts", () => {
  it.each([
    ["ZDecision", enums.ZDecision, prisma.Decision],
    ["ZActionStatus", enums.ZActionStatus, prisma.ActionStatus],
    ["ZTaskStatus", enums.ZTaskStatus, prisma.TaskStatus],
    ["ZControlLevel", enums.ZControlLevel, prisma.ControlLevel],
    ["ZToolRisk", enums.ZToolRisk, prisma.ToolRisk],
    ["ZRole", enums.ZRole, prisma.Role],
    ["ZAgentRole", enums.ZAgentRole, prisma.AgentRole],
    ["ZMemoryKind", enums.ZMemoryKind, prisma.MemoryKind],
    ["ZMemoryScope", enums.ZMemoryScope, prisma.MemoryScope],
    ["ZScoreSource", enums.ZScoreSource, prisma.ScoreSource],
    ["ZBudgetScope", enums.ZBudgetScope, prisma.BudgetScope],
    ["ZBudgetPeriod", enums.ZBudgetPeriod, prisma.BudgetPeriod],
  ])("%s has the Prisma enum's values in its order", (_name, schema, prismaEnum) => {
    // Order matters: strictness (decisions), rank (control levels, roles, risks) is the position.
    expect(schema.options).toEqual(Object.values(prismaEnum));
  });

  it("orders decisions, control levels and roles least strict first", () => {
    expect(enums.DECISIONS).toEqual(["auto_execute", "execute_with_notification", "require_approval", "deny"]);
    expect(enums.CONTROL_RANK).toEqual({ running: 0, paused: 1, suspended: 2, killed: 3 });
    expect(enums.ROLES).toEqual(["viewer", "approver", "operator", "admin"]);
    expect(enums.UNFINISHED_TASK_STATUSES.every((s) => enums.TASK_STATUSES.includes(s))).toBe(true);
  });

  it("server/schemas is importable by client components: nothing it imports is server-only", () => {
    // Walk the relative imports from every file of server/schemas; none may reach server-only,
    // the Prisma client (its runtime and the database driver) or a Node built-in.
    const seen = new Set<string>();
    const problems: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(path.join(ROOT, file), "utf8");
      for (const [, specifier] of text.matchAll(/^(?:import|export)\s(?:[^;]*?from\s+)?["']([^"']+)["']/gm)) {
        if (/^(server-only|pg|@prisma\/|node:)/.test(specifier!) || /generated\/(client|internal)/.test(specifier!))
          problems.push(`${file} imports ${specifier}`);
        if (specifier!.startsWith(".")) visit(path.join(path.dirname(file), `${specifier}.ts`));
      }
    };
    for (const file of readdirSync(path.join(ROOT, "server/schemas"))) visit(path.join("server/schemas", file));
    expect(seen).toContain(path.join("server/db/generated/enums.ts"));
    expect(problems).toEqual([]);
  });

  it("no other file lists a vocabulary's values by hand", () => {
    // A hand copy is an array literal holding every value of one vocabulary (or all but one of a
    // longer one: a copy that forgot a value is the copy most worth finding), in any order. A
    // comparison or a single literal (`decision === "deny"`) is type-checked and fine.
    const vocabularies: [string, readonly string[]][] = [
      ["decisions", enums.DECISIONS],
      ["action statuses", enums.ACTION_STATUSES],
      ["task statuses", enums.TASK_STATUSES],
      ["control levels", enums.CONTROL_LEVELS],
      ["tool risks", enums.TOOL_RISKS],
      ["roles", enums.ROLES],
      ["webhook events", enums.WEBHOOK_EVENTS],
      ["live events", enums.LIVE_EVENT_TYPES],
    ];
    // Being rewritten by another change (issue 16's HTTP layer) and left alone here; remove
    // the entry when that lands with the copy replaced by CONTROL_LEVELS.
    const knownCopies = new Set<string>();
    const offenders: string[] = [];
    const files = ["app", "components", "server", "sdk/src", "scripts", "demo"]
      .flatMap(sources)
      .filter((f) => f !== path.join("server", "schemas", "enums.ts"));
    for (const file of files) {
      const text = readFileSync(path.join(ROOT, file), "utf8");
      for (const array of text.matchAll(/\[([^[\]]*)\]/g)) {
        const literals = new Set([...array[1]!.matchAll(/["'`]([a-z_.]+)["'`]/g)].map((m) => m[1]!));
        for (const [name, values] of vocabularies) {
          const missing = values.filter((v) => !literals.has(v)).length;
          const copy = missing === 0 || (values.length >= 5 && missing === 1);
          if (copy && !knownCopies.has(`${file}: ${name}`)) offenders.push(`${file}: ${name}: [${array[1]!.slice(0, 100)}]`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
