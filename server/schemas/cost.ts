import { z } from "zod";
import { ZSlug, ZUuid } from "./common";
import { ZBudgetPeriod, ZBudgetScope } from "./enums";

/** Tokens in one model call: the database column is a 32-bit integer. */
const MAX_TOKENS = 1_000_000_000;
/** Money in one event or price, far under what DECIMAL(14,6) / DECIMAL(12,6) hold. */
const MAX_USD = 1_000_000;

/** A provider's model name as agents send it: `gpt-4o-2024-08-06`, `anthropic.claude-v2:1`, `accounts/x/models/y`. */
export const ZModelName = z
  .string("must name the model")
  .trim()
  .min(1, "must name the model")
  .max(128, "must be at most 128 characters")
  .regex(/^[\x21-\x7e]+$/, "use printable characters without spaces");

const tokens = z
  .number("must be a number of tokens")
  .int("must be a whole number of tokens")
  .min(0, "must not be negative")
  .max(MAX_TOKENS, `must be at most ${MAX_TOKENS.toLocaleString("en-US")}`);

const usd = z
  .number("must be an amount in USD")
  .min(0, "must not be negative")
  .max(MAX_USD, `must be at most ${MAX_USD.toLocaleString("en-US")}`);

export const ZRecordUsageRequest = z
  .strictObject({
    model: ZModelName,
    inputTokens: tokens,
    outputTokens: tokens,
    /** what the call cost, when the agent knows; else the price table decides */
    usd: usd.optional(),
    taskId: ZUuid.optional(),
    actionId: ZUuid.optional(),
  })
  .meta({ id: "RecordUsageRequest" });
export type RecordUsageRequest = z.input<typeof ZRecordUsageRequest>;

/** Where the counted money came from: the agent, the price table, or nowhere (unpriced). */
export const ZUsdSource = z.enum(["reported", "price_table", "unpriced"]);

export const ZUsageEvent = z
  .object({
    id: z.string(),
    agentId: z.string(),
    taskId: z.string().nullable(),
    actionId: z.string().nullable(),
    model: z.string(),
    inputTokens: z.number(),
    outputTokens: z.number(),
    reportedUsd: z.number().nullable(),
    /** the money counted toward spend and budgets; null when the model had no price */
    usd: z.number().nullable(),
    priced: z.boolean(),
    usdSource: ZUsdSource,
    at: z.string(),
  })
  .meta({ id: "UsageEvent" });
export type UsageEventView = z.infer<typeof ZUsageEvent>;

export const ZPutModelPriceRequest = z
  .strictObject({
    model: ZModelName,
    inputUsdPerMillion: usd,
    outputUsdPerMillion: usd,
  })
  .meta({ id: "PutModelPriceRequest" });
export type PutModelPriceRequest = z.input<typeof ZPutModelPriceRequest>;

export const ZModelPrice = z
  .object({
    model: z.string(),
    inputUsdPerMillion: z.number(),
    outputUsdPerMillion: z.number(),
    updatedBy: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "ModelPrice" });
export type ModelPriceView = z.infer<typeof ZModelPrice>;

export { ZBudgetPeriod, ZBudgetScope } from "./enums";
const limitUsd = z
  .number("must be an amount in USD")
  .positive("must be more than 0")
  .max(MAX_USD, `must be at most ${MAX_USD.toLocaleString("en-US")}`);

/** An agent budget targets the agent's id; a team budget the team's name. */
export const ZCreateBudgetRequest = z
  .discriminatedUnion("scope", [
    z.strictObject({ scope: z.literal("agent"), target: ZUuid, period: ZBudgetPeriod, limitUsd }),
    z.strictObject({ scope: z.literal("team"), target: ZSlug, period: ZBudgetPeriod, limitUsd }),
  ])
  .meta({ id: "CreateBudgetRequest" });
export type CreateBudgetRequest = z.input<typeof ZCreateBudgetRequest>;

export const ZUpdateBudgetRequest = z.strictObject({ limitUsd }).meta({ id: "UpdateBudgetRequest" });

export const ZBudget = z
  .object({
    id: z.string(),
    scope: ZBudgetScope,
    target: z.string(),
    /** the agent's name, or the team's */
    targetLabel: z.string(),
    period: ZBudgetPeriod,
    limitUsd: z.number(),
    /** spend in the current UTC day or month */
    spentUsd: z.number(),
    periodStart: z.string(),
    /** the target's control state, so a budget pause shows beside its bar */
    state: z.string(),
    stateReason: z.string().nullable(),
    createdBy: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Budget" });
export type BudgetView = z.infer<typeof ZBudget>;

/** A time window for the cost queries; the hourly series is read from raw events, so it is kept short. */
export const ZCostWindow = z
  .object({
    from: z.coerce.date("must be a date"),
    to: z.coerce.date("must be a date"),
    agentIds: z.array(ZUuid).max(500).optional(),
  })
  .refine((w) => w.from < w.to, { message: "must be after from", path: ["to"] });

export const ZCostSeriesQuery = z
  .object({
    from: z.coerce.date("must be a date"),
    to: z.coerce.date("must be a date"),
    agentIds: z.array(ZUuid).max(500).optional(),
    bucket: z.enum(["hour", "day"]),
    /** false: one row per bucket and model, summed over the agents (the metrics overview) */
    perAgent: z.boolean().default(true),
    /** which costs: model usage, action results, task completions (the overview charts action costs from its rollup) */
    sources: z
      .array(z.enum(["usage", "actions", "tasks"]))
      .min(1)
      .default(["usage", "actions", "tasks"]),
  })
  .refine((w) => w.from < w.to, { message: "must be after from", path: ["to"] });
export type CostSeriesQuery = z.input<typeof ZCostSeriesQuery>;

/** Money as people read it, in alerts and in the console: cents, or four places for amounts under a cent. */
export function formatUsd(value: number): string {
  const digits = Math.abs(value) >= 0.01 || value === 0 ? 2 : 4;
  return `$${value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}
