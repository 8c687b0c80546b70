import { z } from "zod";
import { ZSlug, ZUuid } from "./common";
import { ZTaskStatus } from "./enums";
import { boundedJson } from "./safe-json";

export const ZCreateTaskRequest = z
  .strictObject({
    title: z.string().trim().min(1, "must not be empty").max(500),
    capability: ZSlug,
    priority: z.number().int().min(0, "must be 0 to 100").max(100, "must be 0 to 100").default(50),
    payload: boundedJson("payload").default({}),
    dedupeKey: z.string().trim().min(1).max(200).optional(),
    parentId: ZUuid.optional(),
    deadline: z.iso.datetime({ offset: true }).optional(),
    maxAttempts: z.number().int().min(1).max(100).optional(),
  })
  .meta({ id: "CreateTaskRequest" });
export type CreateTaskRequest = z.input<typeof ZCreateTaskRequest>;

export const ZClaimRequest = z
  .strictObject({
    waitSeconds: z.number().int().min(0).max(60).default(0),
    /** Only these of the agent's capabilities (a worker per capability); all of them when absent. */
    capabilities: z.array(ZSlug).min(1, "name at least one capability, or leave it out for all").max(50).optional(),
  })
  .meta({ id: "ClaimRequest" });
export const ZTaskHeartbeatRequest = z.strictObject({ checkpoint: boundedJson("checkpoint").optional() }).meta({ id: "TaskHeartbeatRequest" });
export const ZTaskCompleteRequest = z
  .strictObject({ output: boundedJson("output").optional(), cost: z.number().min(0).max(1_000_000).optional() })
  .meta({ id: "TaskCompleteRequest" });
export const ZTaskFailRequest = z
  .strictObject({
    error: z.string().trim().min(1, "say what went wrong").max(8000),
    failureReason: z.string().trim().max(4000).optional(),
    retry: z.boolean().default(true),
  })
  .meta({ id: "TaskFailRequest" });

export const ZTaskView = z
  .object({
    id: z.string(),
    title: z.string(),
    capability: z.string(),
    priority: z.number(),
    payload: z.record(z.string(), z.unknown()),
    dedupeKey: z.string().nullable(),
    parentId: z.string().nullable(),
    deadline: z.string().nullable(),
    status: ZTaskStatus,
    leasedBy: z.string().nullable(),
    leaseExpiresAt: z.string().nullable(),
    attempts: z.number(),
    maxAttempts: z.number(),
    checkpoint: z.record(z.string(), z.unknown()).nullable(),
    output: z.record(z.string(), z.unknown()).nullable(),
    error: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: "Task" });
export type TaskView = z.infer<typeof ZTaskView>;

/** A claimed task and its lease (also the answer to a lease heartbeat). */
export const ZTaskLease = z.object({ task: ZTaskView, leaseExpiresAt: z.string() }).meta({ id: "TaskLease" });
export type TaskLease = z.infer<typeof ZTaskLease>;
