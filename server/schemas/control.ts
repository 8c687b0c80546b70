import { z } from "zod";
import { ZControlLevel } from "./enums";

/** `fleet`, `team:<name>` or `agent:<name or id>`: what operators type. */
export const ZScopeText = z
  .string()
  .trim()
  .regex(/^(fleet|team:[a-z0-9][a-z0-9._-]*|agent:[A-Za-z0-9][A-Za-z0-9._-]*)$/, "use fleet, team:<name> or agent:<name or id>");

export const ZControlChangeRequest = z
  .strictObject({
    scope: ZScopeText.default("fleet"),
    reason: z.string().trim().min(1, "say why: it goes to the agents and the audit log").max(1000),
  })
  .meta({ id: "ControlChangeRequest" });

export const ZKillTokenRequest = z
  .strictObject({
    scope: ZScopeText.default("fleet"),
    rollbackLast: z.number().int().min(0).max(500).default(10),
  })
  .meta({ id: "KillTokenRequest" });

export const ZKillRequest = z
  .strictObject({
    confirm: z.string().trim().min(1, "the confirmation token from /kill-token").max(100),
    scope: ZScopeText.optional(),
    reason: z.string().trim().max(1000).optional(),
  })
  .meta({ id: "KillRequest" });

export const ZAckRequest = z.strictObject({ epoch: z.number().int().min(0) }).meta({ id: "AckRequest" });

export const ZHeartbeatRequest = z
  .strictObject({
    taskId: z.uuid().optional(),
    status: z.string().trim().max(200).optional(),
  })
  .meta({ id: "HeartbeatRequest" });

export const ZRollbackResultRequest = z
  .strictObject({
    status: z.enum(["succeeded", "failed"]),
    error: z.string().max(4000).optional(),
  })
  .meta({ id: "RollbackResultRequest" });

export const ZControlView = z.object({ state: ZControlLevel, epoch: z.number(), reason: z.string().nullable() });
export type ControlView = z.infer<typeof ZControlView>;

export const ZAckResponse = z.object({ ackedEpoch: z.number(), acknowledged: z.number() }).meta({ id: "AckResponse" });
export const ZRollbackResultResponse = z.object({ id: z.string(), status: z.string() }).meta({ id: "RollbackResultResponse" });

/*
 * The payloads of GET /api/v1/control/stream (server/control/agent-stream.ts builds them; the
 * SDK reads them). Every event carries an id from one sequence, except the `current` state
 * sent on connect, so Last-Event-ID never moves past what the agent has really seen.
 */
export const ZControlState = ZControlView.shape.state;

/**
 * `control`: on connect the agent's effective state (`current: true`); live, the effective
 * state after a change that reaches it plus the changed scope and its `level`; replayed after a
 * reconnect, only the change (`level`, no effective `state`), followed by the current state.
 */
export const ZControlStreamEvent = z.object({
  epoch: z.number(),
  state: ZControlState.optional(),
  reason: z.string().nullable().optional(),
  scope: z.string().optional(),
  level: ZControlState.optional(),
  at: z.string().optional(),
  current: z.boolean().optional(),
  replayed: z.boolean().optional(),
});
export type ControlStreamEvent = z.infer<typeof ZControlStreamEvent>;

/** `rollback`: an undo order after a kill, for an action this agent ran; newest action first. */
export const ZRollbackStreamEvent = z.object({
  rollbackId: z.string(),
  actionId: z.string(),
  epoch: z.number(),
  position: z.number(),
  undo: z.object({ tool: z.string(), args: z.record(z.string(), z.unknown()) }),
  replayed: z.boolean().optional(),
});
export type RollbackStreamEvent = z.infer<typeof ZRollbackStreamEvent>;

/** `approval`: one of the agent's actions was decided (approved, rejected or expired). */
export const ZApprovalStreamEvent = z.object({ actionId: z.string(), status: z.string(), replayed: z.boolean().optional() });
export type ApprovalStreamEvent = z.infer<typeof ZApprovalStreamEvent>;

// Control levels, lowest first, and their rank: declared once in ./enums.
export { CONTROL_LEVELS, CONTROL_RANK, type ControlLevel as ControlLevelName } from "./enums";
