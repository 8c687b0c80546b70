import { celEnv, celFunc, celMethod, CelScalar, isCelError, objectType, parse, plan, type CelEnv, type CelFunc, type CelInput } from "@bufbuild/cel";
import { timestampDate, timestampFromDate, TimestampSchema, type Timestamp } from "@bufbuild/protobuf/wkt";
import { RULE_CONTEXT, type Calendar } from "../schemas/policy-rules";
import { inCalendar, inWindow, localTime, parseWindow, timeZoneProblem } from "./rule-windows";

/*
 * Rule conditions are CEL (cel.dev), run by @bufbuild/cel, a conformance-tested implementation.
 * This module turns a condition into a function of the rule context, once per policy version,
 * and refuses a condition it can tell is wrong before it is saved: a syntax error, a name the
 * context does not have, a window, time zone or calendar that does not exist, a type error
 * seen on a sample context. Each problem carries its position in the expression.
 */

type ParsedExpr = ReturnType<typeof parse>;
type Expr = NonNullable<ParsedExpr["expr"]>;

/**
 * What the context offers at its top level, and the fields of its objects (null: a value, or a
 * map of anything such as args), read from RULE_CONTEXT: the list the editor and the docs show
 * is the list the checker enforces.
 */
const CONTEXT_FIELDS: Record<string, string[] | null> = {};
for (const { name } of RULE_CONTEXT) {
  if (name.includes("(")) continue; // a function, such as inWindow(…)
  const [root, field] = name.split(".") as [string, string | undefined];
  if (field === undefined) CONTEXT_FIELDS[root] ??= null;
  else (CONTEXT_FIELDS[root] ??= []).push(field);
}

/** Counts cost a query each: a rule set loads only those one of its conditions names. */
export type CountNeeds = { agentActionsLastMinute: boolean; toolFailuresLastDay: boolean };

/** CEL's timestamp methods that take a time zone. */
const ZONED_METHODS = new Set([
  "getHours",
  "getDayOfWeek",
  "getMinutes",
  "getSeconds",
  "getMilliseconds",
  "getDate",
  "getDayOfMonth",
  "getDayOfYear",
  "getMonth",
  "getFullYear",
]);

export class RuleExpressionError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

function positionOf(source: string, offset: number) {
  const before = source.slice(0, offset).split("\n");
  return { offset, line: before.length, column: before.at(-1)!.length + 1 };
}

function problemAt(source: string, offset: number, message: string): RuleExpressionError {
  const p = positionOf(source, offset);
  return new RuleExpressionError(`${message} (line ${p.line}, column ${p.column})`, p.offset, p.line, p.column);
}

type Wall = { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number; millisecond: number };

const DAY_MS = 86_400_000;

/** Days since 1 January of the wall clock's year (0 on 1 January), as CEL's getDayOfYear counts. */
const dayOfYear = (w: Wall) => (Date.UTC(w.year, w.month - 1, w.day) - Date.UTC(w.year, 0, 1)) / DAY_MS;

/** The wall clock at an instant in a CEL time zone: a fixed offset such as "+01:00", or an IANA name. */
function wallClock(at: Date, zone: string): Wall {
  const offset = /^([+-]?)(\d\d):(\d\d)$/.exec(zone);
  if (offset) {
    const shifted = new Date(at.getTime() + (offset[1] === "-" ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000);
    return {
      year: shifted.getUTCFullYear(),
      month: shifted.getUTCMonth() + 1,
      day: shifted.getUTCDate(),
      hour: shifted.getUTCHours(),
      minute: shifted.getUTCMinutes(),
      second: shifted.getUTCSeconds(),
      weekday: shifted.getUTCDay(),
      millisecond: shifted.getUTCMilliseconds(),
    };
  }
  const local = localTime(at, zone);
  return {
    year: local.year,
    month: local.month,
    day: local.day,
    hour: local.hour,
    minute: local.minuteOfHour,
    second: local.second,
    weekday: local.weekday,
    // Zones are whole minutes off UTC (since long before the instants a rule sees): the same millisecond.
    millisecond: ((at.getTime() % 1000) + 1000) % 1000,
  };
}

/**
 * CEL's timestamp methods, with and without a time zone (without one: UTC), all of them replaced:
 * the standard library's builds a new Intl formatter on every call (about 200 µs) and, in the
 * hour after local midnight, reads hour "24" of the next day. These reuse one formatter per zone
 * and the instant's parts across the rules of a decision (tests/unit/rule-time-methods.test.ts).
 */
function zonedTimeMethods(dateOf: (value: unknown) => Date): CelFunc[] {
  const timestamp = objectType(TimestampSchema);
  const methods: [string, (w: Wall) => number][] = [
    ["getFullYear", (w) => w.year],
    ["getMonth", (w) => w.month - 1],
    ["getDate", (w) => w.day],
    ["getDayOfMonth", (w) => w.day - 1],
    ["getDayOfYear", dayOfYear],
    ["getDayOfWeek", (w) => w.weekday],
    ["getHours", (w) => w.hour],
    ["getMinutes", (w) => w.minute],
    ["getSeconds", (w) => w.second],
    ["getMilliseconds", (w) => w.millisecond],
  ];
  return methods.flatMap(([name, read]) => [
    celMethod(name, timestamp, [CelScalar.STRING], CelScalar.INT, function (this: unknown, zone: string) {
      return BigInt(read(wallClock(dateOf(this), zone)));
    }),
    celMethod(name, timestamp, [], CelScalar.INT, function (this: unknown) {
      return BigInt(read(wallClock(dateOf(this), "+00:00")));
    }),
  ]);
}

/** The CEL environment of one policy: the standard library, inWindow and its calendars. */
export function ruleEnvironment(calendars: Readonly<Record<string, Calendar>>): CelEnv {
  const timestamp = objectType(TimestampSchema);
  const dateOf = (value: unknown) => timestampDate((value as { message: Timestamp }).message);
  return celEnv({
    funcs: [
      celFunc("inWindow", [timestamp, CelScalar.STRING, CelScalar.STRING], CelScalar.BOOL, (at, window, timeZone) =>
        inWindow(dateOf(at), parseWindow(window), timeZone),
      ),
      celFunc("inCalendar", [timestamp, CelScalar.STRING], CelScalar.BOOL, (at, name) => {
        const calendar = calendars[name];
        if (!calendar) throw new Error(`no calendar named ${JSON.stringify(name)}`);
        return inCalendar(dateOf(at), calendar);
      }),
      ...zonedTimeMethods(dateOf),
    ],
  });
}

export type CompiledCondition = {
  evaluate: (context: Record<string, CelInput>) => { matched: boolean } | { error: string };
  needs: CountNeeds;
  /**
   * A condition that requires `tool.name == "x"` (or `agent.name == "x"`) at its top level
   * cannot be true for another tool (agent): the rule set skips it without running CEL, which
   * is what keeps a hundred rules about different tools cheap. CEL's && is false whenever one
   * side is false, even if the other errs, so skipping changes no answer.
   */
  guard: { tool?: string; agent?: string };
};

/** `tool.name == "x"` and `agent.name == "x"` among the top-level conjuncts. */
function guardOf(expr: Expr): CompiledCondition["guard"] {
  const guard: CompiledCondition["guard"] = {};
  const visit = (e: Expr) => {
    if (e.exprKind.case !== "callExpr") return;
    const call = e.exprKind.value;
    if (call.function === "_&&_") return call.args.forEach(visit);
    if (call.function !== "_==_" || call.args.length !== 2) return;
    for (const [field, literal] of [call.args, [...call.args].reverse()]) {
      const value = constString(literal);
      if (value === null || field?.exprKind.case !== "selectExpr") continue;
      const { operand, field: name } = field.exprKind.value;
      if (name !== "name" || operand?.exprKind.case !== "identExpr") continue;
      if (operand.exprKind.value.name === "tool") guard.tool = value;
      if (operand.exprKind.value.name === "agent") guard.agent = value;
    }
  };
  visit(expr);
  return guard;
}

/** Parses, checks and plans one condition; throws RuleExpressionError naming the position. */
export function compileCondition(source: string, env: CelEnv, calendars: Readonly<Record<string, Calendar>>): CompiledCondition {
  let parsed: ParsedExpr;
  try {
    parsed = parse(source);
  } catch (error) {
    const location = (error as { location?: { start?: { offset: number } } }).location;
    const message = (error as Error).message.replace(/^<input>:\d+:\d+: /, "");
    throw problemAt(source, location?.start?.offset ?? 0, `syntax error: ${message}`);
  }
  const positions = parsed.sourceInfo?.positions ?? {};
  const offsetOf = (id: bigint | undefined) => (id === undefined ? 0 : (positions[String(id) as unknown as number] ?? 0));
  const needs: CountNeeds = { agentActionsLastMinute: false, toolFailuresLastDay: false };
  checkNames(parsed.expr!, new Set(), { macros: 0, macroDepth: 0, source, offsetOf, calendars, needs });

  const evaluate = plan(env, parsed);
  const run = (context: Record<string, CelInput>) => {
    let result: unknown;
    try {
      result = evaluate(context);
    } catch (error) {
      return { error: (error as Error).message };
    }
    if (isCelError(result)) return { error: result.message };
    if (typeof result !== "boolean") return { error: `the condition gave ${describe(result)}, not true or false` };
    return { matched: result };
  };

  // A sample decision catches type errors (comparing a string with a number, a method on the
  // wrong type). Missing args keys are not errors here: the sample has no args.
  const sample = sampleContext();
  let sampleResult: unknown;
  try {
    sampleResult = evaluate(sample);
  } catch (error) {
    throw problemAt(source, 0, (error as Error).message);
  }
  if (isCelError(sampleResult)) {
    if (!/field not found|no such key/i.test(sampleResult.message)) throw problemAt(source, offsetOf(sampleResult.exprId), sampleResult.message);
  } else if (typeof sampleResult !== "boolean") {
    throw problemAt(source, 0, `the condition must be true or false; it gives ${describe(sampleResult)}`);
  }
  return { evaluate: run, needs, guard: guardOf(parsed.expr!) };
}

function describe(value: unknown): string {
  if (typeof value === "bigint") return `the number ${value}`;
  if (typeof value === "string") return `the text ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === "number") return `the number ${value}`;
  return "a value that is not true or false";
}

type CheckState = {
  /** List macros seen, and how deep the check is inside one (they may not nest: see below). */
  macros: number;
  macroDepth: number;
  source: string;
  offsetOf: (id: bigint | undefined) => number;
  calendars: Readonly<Record<string, Calendar>>;
  needs: CountNeeds;
};

const constString = (expr: Expr | undefined): string | null =>
  expr?.exprKind.case === "constExpr" && expr.exprKind.value.constantKind.case === "stringValue" ? expr.exprKind.value.constantKind.value : null;

const MAX_MACROS = 4;

/** Names outside the context, fields its objects lack, bad windows or calendars, and nested list macros. */
function checkNames(expr: Expr, locals: ReadonlySet<string>, state: CheckState): void {
  const at = (e: Expr, message: string) => problemAt(state.source, state.offsetOf(e.id), message);
  const kind = expr.exprKind;
  switch (kind.case) {
    case "identExpr":
      if (!locals.has(kind.value.name) && !(kind.value.name in CONTEXT_FIELDS)) {
        throw at(expr, `unknown name ${kind.value.name}: the context has ${Object.keys(CONTEXT_FIELDS).join(", ")}`);
      }
      return;
    case "selectExpr": {
      const operand = kind.value.operand!;
      if (operand.exprKind.case === "identExpr" && !locals.has(operand.exprKind.value.name)) {
        const root = operand.exprKind.value.name;
        const fields = CONTEXT_FIELDS[root];
        if (fields && !fields.includes(kind.value.field)) throw at(expr, `${root} has no field ${kind.value.field} (it has ${fields.join(", ")})`);
        if (root === "agent" && kind.value.field === "actionsLastMinute") state.needs.agentActionsLastMinute = true;
        if (root === "tool" && kind.value.field === "failuresLastDay") state.needs.toolFailuresLastDay = true;
      }
      checkNames(operand, locals, state);
      return;
    }
    case "callExpr": {
      const call = kind.value;
      if (call.target) checkNames(call.target, locals, state);
      for (const arg of call.args) checkNames(arg, locals, state);
      if (call.function === "inWindow" && !call.target) {
        const window = constString(call.args[1]);
        const zone = constString(call.args[2]);
        if (window !== null) {
          try {
            parseWindow(window);
          } catch (error) {
            throw at(call.args[1]!, (error as Error).message);
          }
        }
        const problem = zone === null ? null : timeZoneProblem(zone);
        if (problem) throw at(call.args[2]!, problem);
      }
      if (call.function === "inCalendar" && !call.target) {
        const name = constString(call.args[1]);
        if (name !== null && !(name in state.calendars)) {
          const known = Object.keys(state.calendars);
          throw at(
            call.args[1]!,
            `no calendar named ${JSON.stringify(name)} in this policy (${known.length > 0 ? `it has ${known.join(", ")}` : "it has none"})`,
          );
        }
      }
      if (ZONED_METHODS.has(call.function) && call.target) {
        const zone = constString(call.args[0]);
        const problem = zone === null ? null : timeZoneProblem(zone);
        if (problem) throw at(call.args[0]!, problem);
      }
      return;
    }
    case "listExpr":
      for (const element of kind.value.elements) checkNames(element, locals, state);
      return;
    case "structExpr":
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === "mapKey") checkNames(entry.keyKind.value, locals, state);
        if (entry.value) checkNames(entry.value, locals, state);
      }
      return;
    case "comprehensionExpr": {
      // Macros (exists, all, map, filter) bring their own variables into scope. CEL here has no
      // cost limit, and a condition runs on every decision on the server's one thread: nested
      // macros multiply (ten nested over ten items are 10^10 steps, over an agent's args far
      // more), so they may not nest, and a condition holds a few at most.
      const c = kind.value;
      state.macros++;
      if (state.macroDepth > 0)
        throw at(
          expr,
          `a list macro (all, exists, exists_one, map, filter) inside another: each would run once per item of the other on every decision; write them side by side`,
        );
      if (state.macros > MAX_MACROS) throw at(expr, `more than ${MAX_MACROS} list macros (all, exists, exists_one, map, filter) in one condition`);
      const inner = new Set([...locals, c.iterVar, c.iterVar2, c.accuVar].filter(Boolean));
      if (c.iterRange) checkNames(c.iterRange, locals, state);
      if (c.accuInit) checkNames(c.accuInit, locals, state);
      state.macroDepth++;
      for (const part of [c.loopCondition, c.loopStep, c.result]) if (part) checkNames(part, inner, state);
      state.macroDepth--;
      return;
    }
    default:
      return;
  }
}

/** A decision as the context shows it, with every field set: what a condition is tried on. */
export function sampleContext(): Record<string, CelInput> {
  return {
    agent: { id: "00000000-0000-0000-0000-000000000000", name: "sample", team: "ops", role: "specialist", ageDays: 30, actionsLastMinute: 0n },
    tool: { name: "db.restart", risk: "high", reversible: false, failuresLastDay: 0n },
    control: { state: "running" },
    resource: "prod/db",
    action: "restart the database",
    args: {},
    confidence: 0.9,
    now: timestampFromDate(new Date("2026-01-06T13:00:00Z")),
  };
}
