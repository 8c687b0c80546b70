import type { Tx } from "../db/client";
import { enforceBudget, type BudgetStanding } from "./enforce-budget";
import { periodStarts } from "./periods";
import { ADVISORY_LOCKS } from "../db/advisory-locks";

export type SpendingAgent = { id: string; name: string; team: string };
export type SpendOutcome = { warned: string[]; exceeded: string[] };

/**
 * Counts money an agent spent (a usage event, an action's or a task's reported cost) and
 * enforces the budgets it touches. Call it inside the transaction that records the money, so
 * the counters move exactly when the money is recorded.
 *
 * - The agent's day and month counters move in one upsert: the row lock it takes orders
 *   concurrent events of one agent, and each sees the total including its own amount.
 * - A team's spend is the sum of its agents' counters. Events of different agents lock
 *   different rows, so a team check first takes the team's advisory lock: whoever comes second
 *   waits for the first to commit and then sees its money, so no crossing goes unnoticed.
 *   The lock is taken before any pause (which takes the control lock), always in that order.
 * - Each warning and each pause happens once: `fireAlert`'s unique key decides, and only the
 *   transaction that fired the `budget_exceeded` alert pauses.
 */
export async function addSpend(tx: Tx, agent: SpendingAgent, usd: string | number, at: Date = new Date()): Promise<SpendOutcome> {
  const outcome: SpendOutcome = { warned: [], exceeded: [] };
  const amount = String(usd);
  if (!(Number(amount) > 0)) return outcome;
  const starts = periodStarts(at);
  const touched = await tx.$queryRaw<BudgetStanding[]>`
    WITH counted AS (
      INSERT INTO spend_counters (agent_id, period, period_start, usd)
      VALUES (${agent.id}::uuid, 'day', ${starts.day}::date, ${amount}::numeric),
             (${agent.id}::uuid, 'month', ${starts.month}::date, ${amount}::numeric)
      ON CONFLICT (agent_id, period, period_start) DO UPDATE SET usd = spend_counters.usd + EXCLUDED.usd
      RETURNING period, usd)
    SELECT b.id, b.scope::text AS scope, b.target, b.period::text AS period, b.limit_usd::float8 AS "limitUsd",
           c.usd::float8 AS "spentUsd", c.usd >= b.limit_usd AS over, c.usd >= 0.8 * b.limit_usd AS warn
      FROM budgets b JOIN counted c ON c.period = b.period
     WHERE (b.scope = 'agent' AND b.target = ${agent.id}) OR (b.scope = 'team' AND b.target = ${agent.team})
     ORDER BY b.scope, b.period`;
  const standings = touched.filter((b) => b.scope === "agent");
  if (touched.some((b) => b.scope === "team")) {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.teamSpend}::int, hashtext(${agent.team}))`;
    standings.push(...(await teamStandings(tx, agent.team, starts)));
  }
  for (const standing of standings) {
    const result = await enforceBudget(tx, agent, standing, starts[standing.period]);
    if (result === "warned") outcome.warned.push(standing.id);
    if (result === "exceeded") outcome.exceeded.push(standing.id);
  }
  return outcome;
}

/** The team's budgets against the sum of its agents' counters, read after the team lock. */
function teamStandings(tx: Tx, team: string, starts: { day: string; month: string }): Promise<BudgetStanding[]> {
  return tx.$queryRaw<BudgetStanding[]>`
    WITH spend AS (
      SELECT c.period, sum(c.usd) AS usd
        FROM spend_counters c JOIN agents a ON a.id = c.agent_id
       WHERE a.team = ${team}
         AND ((c.period = 'day' AND c.period_start = ${starts.day}::date) OR (c.period = 'month' AND c.period_start = ${starts.month}::date))
       GROUP BY c.period)
    SELECT b.id, b.scope::text AS scope, b.target, b.period::text AS period, b.limit_usd::float8 AS "limitUsd",
           s.usd::float8 AS "spentUsd", s.usd >= b.limit_usd AS over, s.usd >= 0.8 * b.limit_usd AS warn
      FROM budgets b JOIN spend s ON s.period = b.period
     WHERE b.scope = 'team' AND b.target = ${team}
     ORDER BY b.period`;
}
