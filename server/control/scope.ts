import type { DbOrTx } from "../db/client";
import { Prisma, type ScopeKind } from "../db/generated/client";
import { notFound } from "../errors";

export type Scope = { kind: ScopeKind; key: string; label: string };

export const FLEET: Scope = { kind: "fleet", key: "fleet", label: "fleet" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `fleet`, `team:ops`, `agent:ops-1` (or the agent's id) → the scope, its agent resolved. */
export async function resolveScope(db: DbOrTx, text: string): Promise<Scope> {
  if (text === "fleet") return FLEET;
  const [kind, value] = text.split(":", 2) as ["team" | "agent", string];
  if (kind === "team") return { kind: "team", key: value, label: `team ${value}` };
  const agent = await db.agent.findFirst({ where: UUID.test(value) ? { id: value } : { name: value }, select: { id: true, name: true } });
  if (!agent) throw notFound("agent", value);
  return { kind: "agent", key: agent.id, label: `agent ${agent.name}` };
}

/** The text form of a scope, as the API and the console show it. */
export function scopeText(scope: { kind: ScopeKind; key: string }, agentName?: string): string {
  if (scope.kind === "fleet") return "fleet";
  if (scope.kind === "team") return `team:${scope.key}`;
  return `agent:${agentName ?? scope.key}`;
}

/** SQL condition on `agents a` selecting the agents a scope covers. */
export function agentsInScopeSql(scope: { kind: ScopeKind; key: string }): Prisma.Sql {
  if (scope.kind === "fleet") return Prisma.sql`TRUE`;
  if (scope.kind === "team") return Prisma.sql`a.team = ${scope.key}`;
  return Prisma.sql`a.id = ${scope.key}::uuid`;
}

export function scopeCovers(scope: { kind: ScopeKind; key: string }, agent: { id: string; team: string }): boolean {
  return scope.kind === "fleet" || (scope.kind === "team" && scope.key === agent.team) || (scope.kind === "agent" && scope.key === agent.id);
}
