import type { Agent, ControlLevel, Rollback } from "../db/generated/client";
import type { DbOrTx } from "../db/client";
import type { WardenEvent } from "../events/bus";
import { EventStream, type SseMessage } from "../events/event-stream";
import type { ApprovalStreamEvent, ControlStreamEvent, RollbackStreamEvent } from "../schemas/control";
import { CONTROL_RANK } from "../schemas/enums";
import { scopeCovers } from "./scope";

type ScopeState = { state: ControlLevel; reason: string | null; epoch: number };

/** The agent's effective state from its three scopes: the strictest wins; the newest epoch. */
function effective(states: Map<string, ScopeState>): ScopeState {
  let result: ScopeState = { state: "running", reason: null, epoch: 0 };
  for (const s of states.values()) {
    if (CONTROL_RANK[s.state] > CONTROL_RANK[result.state]) result = { ...s, epoch: result.epoch };
    result.epoch = Math.max(result.epoch, s.epoch);
  }
  return result;
}

/** An undo order as the stream sends it (`replayed` when sent again after a reconnect). */
function rollbackSseMessage(r: Rollback, replayed?: true): SseMessage {
  return {
    id: Number(r.seq),
    event: "rollback",
    data: {
      rollbackId: r.id,
      actionId: r.actionId,
      epoch: Number(r.epoch),
      position: r.position,
      undo: r.undo as RollbackStreamEvent["undo"],
      ...(replayed ? { replayed } : {}),
    } satisfies RollbackStreamEvent,
  };
}

async function rollbackMessage(db: DbOrTx, rollbackId: string): Promise<SseMessage | null> {
  const r = await db.rollback.findUnique({ where: { id: rollbackId } });
  return r ? rollbackSseMessage(r) : null;
}

/**
 * GET /api/v1/control/stream for one agent: `control` (its effective state after any change
 * that reaches it), `approval` (a decision on one of its actions) and `rollback` (an undo order
 * after a kill). Every event carries an id from warden_stream_seq; reconnecting with
 * Last-Event-ID replays what the agent missed, in order. The current state is sent first.
 */
export async function agentStream(db: DbOrTx, agent: Agent, keyId: string, lastEventId: number | null, signal: AbortSignal): Promise<EventStream> {
  await db.agent.update({ where: { id: agent.id }, data: { lastSeenAt: new Date() } });
  const states = new Map<string, ScopeState>();

  const initial = async (): Promise<SseMessage[]> => {
    const scopes = await db.controlScope.findMany({
      where: {
        OR: [
          { kind: "fleet", key: "fleet" },
          { kind: "team", key: agent.team },
          { kind: "agent", key: agent.id },
        ],
      },
    });
    for (const s of scopes) states.set(`${s.kind}:${s.key}`, { state: s.state, reason: s.reason, epoch: Number(s.epoch) });
    const messages: SseMessage[] = [];
    if (lastEventId !== null) {
      const since = BigInt(lastEventId);
      const [controls, rollbacks, approvals] = await Promise.all([
        db.controlEvent.findMany({
          where: { epoch: { gt: since }, OR: [{ kind: "fleet" }, { kind: "team", key: agent.team }, { kind: "agent", key: agent.id }] },
          orderBy: { epoch: "asc" },
        }),
        db.rollback.findMany({ where: { agentId: agent.id, seq: { gt: since } }, orderBy: { seq: "asc" } }),
        db.action.findMany({
          where: { agentId: agent.id, decidedSeq: { gt: since } },
          orderBy: { decidedSeq: "asc" },
          select: { id: true, status: true, decidedSeq: true },
        }),
      ]);
      const missed: SseMessage[] = [
        ...controls.map((c) => ({
          id: Number(c.epoch),
          event: "control",
          data: { epoch: Number(c.epoch), scope: `${c.kind}:${c.key}`, level: c.state, reason: c.reason, replayed: true } satisfies ControlStreamEvent,
        })),
        ...rollbacks.map((r) => rollbackSseMessage(r, true)),
        ...approvals.map((a) => ({
          id: Number(a.decidedSeq),
          event: "approval",
          data: { actionId: a.id, status: a.status, replayed: true } satisfies ApprovalStreamEvent,
        })),
      ];
      messages.push(...missed.sort((a, b) => Number(a.id) - Number(b.id)));
    }
    // The state now, without an id (so it does not move the agent's Last-Event-ID).
    messages.push({ event: "control", data: { ...effective(states), current: true } satisfies ControlStreamEvent });
    return messages;
  };

  const format = async (event: WardenEvent): Promise<SseMessage | null> => {
    if (event.type === "control.changed") {
      if (!scopeCovers(event, agent)) return null;
      // A change older than the one this scope already shows (heard late, after a newer one made
      // here: events/bus.ts) is passed on but does not undo it.
      const scope = `${event.kind}:${event.key}`;
      if ((states.get(scope)?.epoch ?? -1) < event.epoch) states.set(scope, { state: event.state, reason: event.reason, epoch: event.epoch });
      const now = effective(states);
      return {
        id: event.epoch,
        event: "control",
        data: { ...now, epoch: event.epoch, scope, level: event.state, at: event.at } satisfies ControlStreamEvent,
      };
    }
    if (event.type === "rollback.ordered" && event.agentId === agent.id) return rollbackMessage(db, event.rollbackId);
    if (event.type === "approval.decided" && event.agentId === agent.id && event.status !== "pending_approval") {
      return { id: event.seq, event: "approval", data: { actionId: event.actionId, status: event.status } satisfies ApprovalStreamEvent };
    }
    return null;
  };

  // The key is re-checked at every keep-alive, and at once when a key of this agent is revoked or
  // the agent deactivated on any instance: the stream then ends.
  const stillAllowed = {
    check: async () => {
      const key = await db.agentKey.findUnique({ where: { id: keyId }, select: { revokedAt: true, agent: { select: { active: true } } } });
      return Boolean(key && !key.revokedAt && key.agent.active);
    },
    affectedBy: (event: WardenEvent) => event.type === "agent.access_revoked" && event.agentId === agent.id && (event.keyId === null || event.keyId === keyId),
    farewell: { event: "revoked", data: { reason: "this agent key was revoked, or the agent deactivated" } },
  };
  const onKeepAlive = () => void db.agent.update({ where: { id: agent.id }, data: { lastSeenAt: new Date() } }).catch(() => undefined);
  return new EventStream(signal, { initial, format, onKeepAlive, stillAllowed });
}
