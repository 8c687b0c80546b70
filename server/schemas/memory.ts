import { z } from "zod";
import { ZSlug, ZUuid } from "./common";
import { ZMemoryKind, ZMemoryScope } from "./enums";

export { ZMemoryKind } from "./enums";
export const MAX_MEMORY_BODY = 16 * 1024;
export const MAX_MEMORY_SUBJECT = 300;

export const ZRecordMemoryRequest = z
  .strictObject({
    kind: ZMemoryKind,
    subject: z.string().trim().min(1, "must not be empty").max(MAX_MEMORY_SUBJECT, `must be at most ${MAX_MEMORY_SUBJECT} characters`),
    body: z
      .string()
      .trim()
      .min(1, "must not be empty")
      .max(MAX_MEMORY_BODY, `must be at most ${MAX_MEMORY_BODY / 1024} KiB`),
    tags: z.array(ZSlug).max(20).default([]),
    scope: ZMemoryScope.default("shared"),
    actionId: ZUuid.optional(),
    taskId: ZUuid.optional(),
  })
  .meta({ id: "RecordMemoryRequest" });
export type RecordMemoryRequest = z.input<typeof ZRecordMemoryRequest>;

export const ZRecallQuery = z.object({
  q: z.string().trim().min(1, "say what to recall").max(500),
  kind: ZMemoryKind.optional(),
  agent: z.string().trim().max(100).optional(),
  tag: ZSlug.optional(),
  sinceDays: z.coerce.number().int().min(1).max(3650).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

/**
 * Why recall handed an entry over: how its subject matched (the rule in docs/architecture.md,
 * "How recall matches"), the words it shares with the query, and the typos read as known words.
 */
export const ZRecallMatch = z
  .object({
    /** same_subject (operation and resource: the only match that lowers a decision), same_resource, same_operation (a general lesson), words (shared words only: the browser's search) */
    match: z.enum(["same_subject", "same_resource", "same_operation", "words"]),
    operation: z.string().nullable(),
    resource: z.array(z.string()),
    words: z.array(z.string()),
    typos: z.array(z.object({ asked: z.string(), read: z.string() })),
  })
  .meta({ id: "RecallMatch" });
export type RecallMatch = z.infer<typeof ZRecallMatch>;

export const ZMemoryView = z
  .object({
    id: z.string(),
    kind: ZMemoryKind,
    subject: z.string(),
    body: z.string(),
    tags: z.array(z.string()),
    score: z.number(),
    agent: z.string().nullable(),
    actionId: z.string().nullable(),
    taskId: z.string().nullable(),
    occurrences: z.number(),
    createdAt: z.string(),
    lastLearnedAt: z.string(),
    why: ZRecallMatch,
  })
  .meta({ id: "Memory" });
export type MemoryView = z.infer<typeof ZMemoryView>;

/** 201 for a new entry; 200 when the same lesson was already known and got strengthened. */
export const ZRecordMemoryResponse = z.object({ id: z.string(), created: z.boolean(), occurrences: z.number() }).meta({ id: "RecordMemoryResponse" });
export type RecordMemoryResponse = z.infer<typeof ZRecordMemoryResponse>;
export const ZRecallResponse = z.object({ results: z.array(ZMemoryView) }).meta({ id: "RecallResponse" });

/** A person's edit: the version they opened (so two editors cannot overwrite each other) and what changes. */
export const ZEditMemoryRequest = z.strictObject({
  id: ZUuid,
  version: z.number().int().min(1),
  kind: ZMemoryKind.optional(),
  subject: ZRecordMemoryRequest.shape.subject.optional(),
  body: ZRecordMemoryRequest.shape.body.optional(),
  tags: z.array(ZSlug).max(20).optional(),
  note: z.string().trim().max(500).optional(),
});
export type EditMemoryRequest = z.input<typeof ZEditMemoryRequest>;

/** Folds duplicates into one entry: the kept one gains their counts; they retire, superseded by it. */
export const ZMergeMemoriesRequest = z.strictObject({
  keepId: ZUuid,
  duplicateIds: z
    .array(ZUuid)
    .min(1, "choose at least one duplicate")
    .max(50)
    .refine((ids) => new Set(ids).size === ids.length, "lists an entry twice"),
});
export type MergeMemoriesRequest = z.input<typeof ZMergeMemoriesRequest>;
