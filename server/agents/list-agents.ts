import type { DbOrTx } from "../db/client";
import { notFound } from "../errors";
import { toAgentView } from "./agent-view";

export async function listAgents(db: DbOrTx) {
  const agents = await db.agent.findMany({ orderBy: [{ team: "asc" }, { name: "asc" }] });
  return agents.map(toAgentView);
}

export async function getAgent(db: DbOrTx, agentId: string) {
  const agent = await db.agent.findUnique({ where: { id: agentId } });
  if (!agent) throw notFound("agent", agentId);
  return toAgentView(agent);
}
