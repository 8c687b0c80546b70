import { parse, plan } from "@bufbuild/cel";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ruleEnvironment } from "../../server/policy/rule-expressions";

/*
 * The rules replace CEL's timestamp methods, with a zone and without (UTC) (policy/rule-expressions.ts): one Intl
 * formatter per zone instead of one per call, and a right answer in the hour after local
 * midnight, where @bufbuild/cel 0.6.1's own reads hour "24" and moves to the next day
 * (now.getDayOfWeek("UTC") at 1990-01-01T00:00Z gives Tuesday). They are checked here against a
 * reference built another way: the zone's UTC offset at that instant, applied to the UTC time.
 */
const ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "UTC", "+05:30", "-08:00", "00:00"];
const METHODS = {
  getFullYear: (d: Date) => d.getUTCFullYear(),
  getMonth: (d: Date) => d.getUTCMonth(),
  getDate: (d: Date) => d.getUTCDate(),
  getDayOfMonth: (d: Date) => d.getUTCDate() - 1,
  getDayOfWeek: (d: Date) => d.getUTCDay(),
  getHours: (d: Date) => d.getUTCHours(),
  getMinutes: (d: Date) => d.getUTCMinutes(),
  getSeconds: (d: Date) => d.getUTCSeconds(),
  getMilliseconds: (d: Date) => d.getUTCMilliseconds(),
  getDayOfYear: (d: Date) => Math.round((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000),
};

/** The wall clock at `at` in `zone`, as a Date whose UTC fields are the local ones. */
function reference(at: Date, zone: string): Date {
  let sign = 1;
  let text = zone;
  if (!/^[+-]?\d\d:\d\d$/.test(zone)) {
    const name = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
      .formatToParts(at)
      .find((p) => p.type === "timeZoneName")!.value;
    text = name === "GMT" ? "+00:00" : name.slice(3);
  }
  if (text.startsWith("-")) sign = -1;
  const [hours, minutes] = text.replace(/^[+-]/, "").split(":").map(Number);
  return new Date(at.getTime() + sign * (hours! * 60 + minutes!) * 60_000);
}

describe("zoned timestamp methods", () => {
  const env = ruleEnvironment({});
  const plans = new Map<string, ReturnType<typeof plan>>();
  const run = (source: string, at: Date) => {
    let planned = plans.get(source);
    if (!planned) plans.set(source, (planned = plan(env, parse(source))));
    return planned({ now: timestampFromDate(at) });
  };

  it("answer as the zone's offset at that instant says", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1990-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }),
        fc.constantFrom(...ZONES),
        fc.constantFrom(...(Object.keys(METHODS) as (keyof typeof METHODS)[])),
        (at, zone, method) => {
          expect(run(`now.${method}("${zone}")`, at), `${method}("${zone}") at ${at.toISOString()}`).toBe(BigInt(METHODS[method](reference(at, zone))));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("without a zone, answer in UTC, around midnight too", () => {
    const nearMidnight = fc
      .tuple(fc.date({ min: new Date("1990-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }), fc.integer({ min: -7_200_000, max: 7_200_000 }))
      .map(([day, offset]) => new Date(Math.floor(day.getTime() / 86_400_000) * 86_400_000 + offset));
    fc.assert(
      fc.property(
        fc.oneof(fc.date({ min: new Date("1990-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }), nearMidnight),
        fc.constantFrom(...(Object.keys(METHODS) as (keyof typeof METHODS)[])),
        (at, method) => {
          expect(run(`now.${method}()`, at), `${method}() at ${at.toISOString()}`).toBe(BigInt(METHODS[method](reference(at, "UTC"))));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("with a zone, around local midnight and the daylight-saving changes", () => {
    // Instants within two hours of a UTC midnight or of a DST change of the zones above.
    const changes = ["2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z", "2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z", "2026-04-05T15:00:00Z"];
    const instants = fc.oneof(
      fc.tuple(fc.constantFrom(...changes), fc.integer({ min: -7_200_000, max: 7_200_000 })).map(([at, offset]) => new Date(Date.parse(at) + offset)),
      fc
        .tuple(fc.date({ min: new Date("1990-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }), fc.integer({ min: -50_400_000, max: 50_400_000 }))
        .map(([day, offset]) => new Date(Math.floor(day.getTime() / 86_400_000) * 86_400_000 + offset)),
    );
    fc.assert(
      fc.property(instants, fc.constantFrom(...ZONES), fc.constantFrom(...(Object.keys(METHODS) as (keyof typeof METHODS)[])), (at, zone, method) => {
        expect(run(`now.${method}("${zone}")`, at), `${method}("${zone}") at ${at.toISOString()}`).toBe(BigInt(METHODS[method](reference(at, zone))));
      }),
      { numRuns: 3000 },
    );
  });

  it("the hour after local midnight is the same day", () => {
    expect(run('now.getDayOfYear("UTC")', new Date("1990-01-01T00:30:00Z"))).toBe(0n);
    expect(run("now.getDayOfYear()", new Date("2026-12-31T00:10:00Z"))).toBe(364n);
    expect(run("now.getHours()", new Date("2026-01-06T00:30:00Z"))).toBe(0n);
    expect(run('now.getDayOfWeek("UTC")', new Date("1990-01-01T00:00:00Z"))).toBe(1n);
    expect(run('now.getHours("Europe/Berlin")', new Date("2026-01-05T23:30:00Z"))).toBe(0n);
    expect(run('now.getDate("Europe/Berlin")', new Date("2026-01-05T23:30:00Z"))).toBe(6n);
  });
});
