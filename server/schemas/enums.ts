import { z } from "zod";
import {
  ActionStatus,
  AgentRole,
  BudgetPeriod,
  BudgetScope,
  ControlLevel,
  Decision,
  MemoryKind,
  MemoryScope,
  Role,
  ScoreSource,
  TaskStatus,
  ToolRisk,
} from "../db/generated/enums";

/*
 * Warden's closed vocabularies, each declared once. Those the database stores are PostgreSQL
 * enums declared in prisma/schema.prisma: the zod enums below are built from Prisma's generated
 * objects (server/db/generated/enums.ts, plain constants with no Prisma runtime, so the browser
 * and the SDK's build can import them), and everything else (tRPC and REST inputs, OpenAPI,
 * the SDK's types, the console's option lists and label maps) derives from these. A value added
 * to schema.prisma therefore reaches every list, and a label map typed `Record<Decision, …>`
 * stops compiling until the new value has its label.
 *
 * This file is safe for client components: no `server-only`, no Prisma client.
 */

export type { ActionStatus, AgentRole, ControlLevel, Decision, Role, TaskStatus, ToolRisk };

/** What the guardrail decided about a proposed action, least strict first. */
export const ZDecision = z.enum(Decision);
export const DECISIONS = ZDecision.options;

/** Where an action is in its life (see the comment on `enum ActionStatus` in schema.prisma). */
export const ZActionStatus = z.enum(ActionStatus);
export const ACTION_STATUSES = ZActionStatus.options;

export const ZTaskStatus = z.enum(TaskStatus);
export const TASK_STATUSES = ZTaskStatus.options;
/** Tasks that can still change hands: the dashboard offers to cancel these. */
export const UNFINISHED_TASK_STATUSES = ["queued", "leased", "running", "suspended"] as const satisfies readonly TaskStatus[];

/** Control levels, lowest first: a stricter level is never replaced by a lower one, only by resume. */
export const ZControlLevel = z.enum(ControlLevel);
export const CONTROL_LEVELS = ZControlLevel.options;
export const CONTROL_RANK = Object.fromEntries(CONTROL_LEVELS.map((level, rank) => [level, rank])) as Record<ControlLevel, number>;

/** A tool's risk, lowest first. */
export const ZToolRisk = z.enum(ToolRisk);
export const TOOL_RISKS = ZToolRisk.options;

/** A person's role, least privileged first (server/auth/roles.ts ranks them in this order). */
export const ZRole = z.enum(Role);
export const ROLES = ZRole.options;

export const ZAgentRole = z.enum(AgentRole);
export const ZMemoryKind = z.enum(MemoryKind);
export const ZMemoryScope = z.enum(MemoryScope);
export const ZScoreSource = z.enum(ScoreSource);
export const ZBudgetScope = z.enum(BudgetScope);
export const ZBudgetPeriod = z.enum(BudgetPeriod);

/**
 * The live events the console listens for on /api/events (components/live/use-live-events.ts).
 * They are events of the bus (server/events/bus.ts), which checks at compile time that each
 * of these is one it publishes; a component asking for another name does not compile.
 */
export const LIVE_EVENT_TYPES = [
  "approval.created",
  "approval.decided",
  "action.decided",
  "action.result",
  "notification.created",
  "policy.changed",
  "tool.changed",
  "control.changed",
  "control.acked",
  "rollback.ordered",
  "rollback.updated",
  "task.queued",
  "task.changed",
] as const;
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

/**
 * Events webhooks can subscribe to ("*" subscribes to all). Not a database enum: a webhook's
 * `events` column is text[], so this list is the only declaration.
 */
export const WEBHOOK_EVENTS = ["action.notify", "approval.requested", "approval.decided", "metrics.alert"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const ZWebhookEvent = z.enum(WEBHOOK_EVENTS);
