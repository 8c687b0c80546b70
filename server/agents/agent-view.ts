import type { Agent, AgentKey } from "../db/generated/client";
import type { AgentKeyView, AgentView } from "../schemas/agents";

/** The JSON shape of an agent in the API and the console (dates as ISO strings). */
export function toAgentView(agent: Agent): AgentView {
  return {
    id: agent.id,
    name: agent.name,
    role: agent.role,
    team: agent.team,
    parentId: agent.parentId,
    capabilities: agent.capabilities,
    tools: agent.tools,
    scopes: agent.scopes,
    active: agent.active,
    createdAt: agent.createdAt.toISOString(),
    lastSeenAt: agent.lastSeenAt?.toISOString() ?? null,
  };
}

export function toAgentKeyView(key: AgentKey): AgentKeyView {
  return {
    id: key.id,
    agentId: key.agentId,
    name: key.name,
    prefix: key.prefix,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}
