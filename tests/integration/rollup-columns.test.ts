import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { USAGE_SUMS } from "../../server/cost/roll-up-usage";
import { CALIBRATION_ROLLUP, HOUR_ROLLUP } from "../../server/metrics/rollup-actions";

// The rollups' column tables against the tables the migrations built: every column the rollup
// computes exists, and every measure column of the table is computed (none left at its default).
let client: pg.Client;
beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
});
afterAll(() => client.end());

async function columns(table: string, keys: string[]): Promise<string[]> {
  const { rows } = await client.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY column_name",
    [table],
  );
  return rows.map((r) => r.column_name).filter((c) => !keys.includes(c));
}
const names = (table: readonly { column: string }[]) => table.map((c) => c.column).sort();

describe("rollup column tables match the rollup tables", () => {
  it("metric_hours and metric_days: one HOUR_ROLLUP row per measure column, each once", async () => {
    expect(new Set(names(HOUR_ROLLUP)).size).toBe(HOUR_ROLLUP.length);
    expect(names(HOUR_ROLLUP)).toEqual(await columns("metric_hours", ["hour", "agent_id"]));
    expect(names(HOUR_ROLLUP)).toEqual(await columns("metric_days", ["day", "agent_id"]));
  });

  it("metric_calibration_days and the fleet's: one CALIBRATION_ROLLUP row per measure", async () => {
    expect(names(CALIBRATION_ROLLUP)).toEqual(await columns("metric_calibration_days", ["day", "agent_id", "bin"]));
    expect(names(CALIBRATION_ROLLUP)).toEqual(await columns("metric_calibration_fleet_days", ["day", "bin"]));
  });

  it("usage_days: one USAGE_SUMS row per measure", async () => {
    expect(names(USAGE_SUMS)).toEqual(await columns("usage_days", ["day", "agent_id", "model"]));
  });
});
