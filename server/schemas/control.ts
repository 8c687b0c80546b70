import { z } from "zod";

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

export const ZControlView = z.object({ state: z.enum(["running", "paused", "suspended", "killed"]), epoch: z.number(), reason: z.string().nullable() });
export type ControlView = z.infer<typeof ZControlView>;
