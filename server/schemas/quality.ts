import { z } from "zod";
import { ZSlug, ZUuid } from "./common";
import { ZScoreSource } from "./enums";

export const MAX_SCORE_COMMENT = 2000;

/** The name people's thumbs are stored under (value 1 up, 0 down), beside evaluators' own names. */
export const HUMAN_SCORE_NAME = "human";

const ZComment = z
  .string()
  .trim()
  .max(MAX_SCORE_COMMENT, `must be at most ${MAX_SCORE_COMMENT} characters`)
  .optional()
  .transform((c) => (c ? c : undefined));

type Target = { taskId?: string | undefined; actionId?: string | undefined };

/** Exactly one of taskId and actionId, the missing or extra one named as the field. */
function requireOneTarget(value: Target, ctx: z.RefinementCtx) {
  if (value.taskId && value.actionId) {
    ctx.addIssue({ code: "custom", path: ["actionId"], message: "send either taskId or actionId, not both" });
  } else if (!value.taskId && !value.actionId) {
    ctx.addIssue({ code: "custom", path: ["taskId"], message: "send taskId or actionId: the task or action being scored" });
  }
}

/**
 * An evaluator's score. Values are normalised to 0–1 (0 worst, 1 best) by the evaluator, so
 * averages across evaluators, agents and days compare; a 1–5 rubric sends (n - 1) / 4.
 */
export const ZRecordScoreRequest = z
  .strictObject({
    taskId: ZUuid.optional(),
    actionId: ZUuid.optional(),
    name: ZSlug.describe('what was judged, a short slug such as "correctness" or "tone"'),
    value: z
      .number("must be a number from 0 to 1")
      .min(0, "must be from 0 to 1 (normalise the evaluator's scale)")
      .max(1, "must be from 0 to 1 (normalise the evaluator's scale)")
      .describe("0 (worst) to 1 (best)"),
    comment: ZComment,
  })
  .superRefine(requireOneTarget)
  .meta({ id: "RecordScoreRequest" });
export type RecordScoreRequest = z.input<typeof ZRecordScoreRequest>;

/** A person's thumbs up (1) or down (0) on a task or an action, with an optional comment. */
export const ZRateRequest = z
  .strictObject({
    taskId: ZUuid.optional(),
    actionId: ZUuid.optional(),
    thumbs: z.enum(["up", "down"]),
    comment: ZComment,
  })
  .superRefine(requireOneTarget);
export type RateRequest = z.input<typeof ZRateRequest>;

export const ZScoreTarget = z.strictObject({ taskId: ZUuid.optional(), actionId: ZUuid.optional() }).superRefine(requireOneTarget);
export type ScoreTarget = z.input<typeof ZScoreTarget>;

export { ZScoreSource } from "./enums";

export const ZScoreView = z
  .object({
    id: z.string(),
    taskId: z.string().nullable(),
    actionId: z.string().nullable(),
    agentId: z.string().nullable().describe("the agent the scored work belongs to"),
    name: z.string(),
    value: z.number(),
    comment: z.string().nullable(),
    source: ZScoreSource,
    author: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: "Score" });
export type ScoreView = z.infer<typeof ZScoreView>;

const DAY_MS = 86_400_000;
// Bounds that keep one answer small enough to chart: ≤ 31 × 24 hourly or ≤ 366 daily buckets.
const MAX_RANGE_DAYS = { hour: 31, day: 366 } as const;

export const ZQualitySeriesQuery = z
  .strictObject({
    from: z.date(),
    to: z.date(),
    agentIds: z.array(ZUuid).max(500, "at most 500 agents at once").optional(),
    bucket: z.enum(["hour", "day"]),
  })
  .superRefine((q, ctx) => {
    const days = (q.to.getTime() - q.from.getTime()) / DAY_MS;
    if (days <= 0) ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
    else if (days > MAX_RANGE_DAYS[q.bucket]) {
      ctx.addIssue({ code: "custom", path: ["from"], message: `${q.bucket}ly buckets cover at most ${MAX_RANGE_DAYS[q.bucket]} days` });
    }
  });
export type QualitySeriesQuery = z.input<typeof ZQualitySeriesQuery>;
