import type { DbOrTx } from "../db/client";
import { getAgent } from "../agents/list-agents";
import { getEffectiveControl } from "../control/effective-state";
import { scopeText } from "../control/scope";
import { toTaskView } from "../tasks/task-view";

/** One agent's page: its settings, control state, and recent tasks, actions and control changes. */
export async function agentDetail(db: DbOrTx, agentId: string) {
  const agent = await getAgent(db, agentId);
  const [control, tasks, actions, controlEvents] = await Promise.all([
    getEffectiveControl(db, agentId),
    db.task.findMany({ where: { OR: [{ leasedBy: agentId }, { createdById: agentId }] }, orderBy: { updatedAt: "desc" }, take: 20 }),
    db.action.findMany({
      where: { agentId },
      orderBy: { createdAt: "desc" },
      take: 20,
      select: { id: true, action: true, tool: true, decision: true, status: true, confidence: true, createdAt: true },
    }),
    db.controlEvent.findMany({
      where: { OR: [{ kind: "fleet" }, { kind: "team", key: agent.team }, { kind: "agent", key: agentId }] },
      orderBy: { epoch: "desc" },
      take: 20,
      include: { acks: { where: { agentId }, select: { ackedAt: true, latencyMs: true } } },
    }),
  ]);
  return {
    agent,
    control,
    tasks: tasks.map(toTaskView),
    actions,
    controlHistory: controlEvents.map((e) => ({
      epoch: Number(e.epoch),
      scope: scopeText(e, agent.name),
      state: e.state,
      reason: e.reason,
      actor: e.actorLabel,
      at: e.createdAt,
      reached: e.targetAgents.includes(agentId),
      ack: e.acks[0] ?? null,
    })),
  };
}
