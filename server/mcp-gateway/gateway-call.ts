import { isDeepStrictEqual } from "node:util";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { proposeAction, type ProposedAction } from "../actions/propose-action";
import { recordGatewaySuccess, reportActionResult } from "../actions/report-result";
import { markExpired } from "../approvals/decide-approval";
import { waitForDecision } from "../actions/wait-for-decision";
import type { AgentActor, RequestOrigin } from "../auth/actor";
import { getEffectiveControl, isStopped, type EffectiveControl } from "../control/effective-state";
import { appendAudit } from "../audit/append-audit";
import { auditRefusal } from "./refusal-audit";
import type { Db } from "../db/client";
import { inTransaction } from "../db/transaction";
import type { Agent } from "../db/generated/client";
import { AppError } from "../errors";
import { ZActionResultRequest, ZProposeActionRequest } from "../schemas/actions";
import { getToolForDecision } from "../tools/tool-registry";
import { CallStopped, MAX_CALLS_IN_FLIGHT_PER_AGENT, trackCall } from "./in-flight-calls";
import { offeredTool } from "./offered-tools";
import { UpstreamUnavailable } from "./upstream-connection";
import { connectionFor } from "./upstream-supervisor";
import { resourceArgumentProblem, storable } from "./upstream-tools";

/*
 * One tools/call through the gateway: the call is proposed as an action (the guardrail decides
 * exactly as for POST /api/v1/actions), then runs upstream with the args that were approved,
 * and its result is reported on the agent's behalf (input and output stored with the action; an
 * upstream error becomes a failed result whose message is remembered as negative knowledge).
 */

// MCP clients give up on a request after 60 s by default: a call never waits for a human more
// than 50 s (the rule of Warden's own MCP tools, sdk/src/mcp/warden-mcp-server.ts), with a
// progress notification every few seconds meanwhile.
export const MAX_WAIT_SECONDS = 50;
const PROGRESS_EVERY_SECONDS = 5;
/** A call that states no confidence and whose tool has no default: it waits for a human. */
export const FALLBACK_CONFIDENCE = 0.5;
/** What is stored of an upstream's answer (the action's output is bounded JSON). */
const MAX_STORED_OUTPUT_BYTES = 60 * 1024;

type ResultReport = { status: "succeeded" | "failed"; output?: Record<string, unknown>; error?: string; failureReason?: string };

export type GatewayCaller = { agent: Agent; control: EffectiveControl; origin?: RequestOrigin };
export type CallExtras = {
  /** Aborts when the agent's request ends (the client went away, or cancelled). */
  signal: AbortSignal;
  meta?: Record<string, unknown>;
  progress?: (progress: number, total: number | undefined, message: string) => Promise<void>;
  /**
   * Takes writes that may finish after the agent has its answer (a success's result report),
   * and keeps the request open until they do; without it they are awaited before answering.
   */
  afterAnswer?: (work: Promise<unknown>) => void;
};

function refusal(text: string, actionId?: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text }], ...(actionId ? { _meta: { "warden/actionId": actionId } } : {}) };
}

/** The problems of a zod error as one line naming each field. */
function fieldProblems(error: { issues: { path: PropertyKey[]; message: string }[] }, prefix = ""): string {
  return error.issues.map((i) => `${prefix}${i.path.map(String).join(".") || "input"}: ${i.message}`).join("; ");
}

/**
 * The call's confidence: the tool's default (an admin's word), or lower when the client says so.
 * A client may only lower it: `_meta.confidence` is the agent's own claim, and a compromised or
 * prompt-injected agent would otherwise raise any call to auto-execute.
 */
function confidenceFrom(meta: Record<string, unknown> | undefined, toolDefault: number | null): number | string {
  const ceiling = toolDefault ?? FALLBACK_CONFIDENCE;
  const stated = meta?.confidence;
  if (stated === undefined) return ceiling;
  if (typeof stated !== "number" || !Number.isFinite(stated) || stated < 0 || stated > 1) return "_meta.confidence: must be a number between 0 and 1";
  return Math.min(stated, ceiling);
}

function agentActor(agent: Agent): AgentActor {
  return { type: "agent", id: agent.id, label: agent.name, role: agent.role, team: agent.team };
}

/** An upstream answer as stored with the action: whole when it fits, else its text cut short. */
function storedOutput(result: CallToolResult): Record<string, unknown> {
  const whole = { content: result.content, ...(result.structuredContent ? { structuredContent: result.structuredContent } : {}) };
  const text = JSON.stringify(whole);
  if (Buffer.byteLength(text) <= MAX_STORED_OUTPUT_BYTES && ZActionResultRequest.shape.output.safeParse(whole).success) return whole;
  return { truncated: true, bytes: Buffer.byteLength(text), preview: fit(text, 8 * 1024) };
}

/** At most `max` characters, storable: a cut that splits a surrogate pair is written out too. */
function fit(text: string, max: number): string {
  return storable(storable(text).slice(0, max - 6));
}

function resultText(result: CallToolResult): string {
  const texts = result.content.flatMap((block) => (block.type === "text" ? [block.text] : []));
  return (texts.join("\n") || "the tool answered with an error and no text").slice(0, 4000);
}

/** Waits for a human up to the time left of this call, telling the client as it goes. */
async function waitForHuman(db: Db, caller: GatewayCaller, proposed: ProposedAction, extras: CallExtras, started: number) {
  const total = MAX_WAIT_SECONDS;
  for (;;) {
    const waited = Math.floor((Date.now() - started) / 1000);
    const left = total - waited;
    if (left <= 0) return null;
    const view = await waitForDecision(db, caller.agent.id, proposed.id, Math.min(PROGRESS_EVERY_SECONDS, left), extras.signal);
    if (view.status !== "pending_approval" || extras.signal.aborted) return view;
    const now = Math.floor((Date.now() - started) / 1000);
    await extras.progress?.(now, total, `waiting for a human to approve (${now} s of ${total} s)`).catch(() => undefined);
  }
}

export async function callThroughGateway(db: Db, caller: GatewayCaller, name: string, rawArgs: unknown, extras: CallExtras): Promise<CallToolResult> {
  const result = await trackedCall(db, caller, name, rawArgs, extras);
  // A call refused before it became an action (every later answer names its action) is still
  // something the agent did: a stopped agent that keeps calling, a probe of tool names, a
  // malformed call are audited, as a refused proposal is through POST /api/v1/actions.
  if (result.isError && !result._meta?.["warden/actionId"])
    await auditRefusal(db, agentActor(caller.agent), { tool: fit(name, 200), reason: fit(resultText(result), 1000) }, caller.origin);
  return result;
}

async function trackedCall(db: Db, caller: GatewayCaller, name: string, rawArgs: unknown, extras: CallExtras): Promise<CallToolResult> {
  // Tracked before its decision's statement: a suspend or kill committed after the statement's
  // snapshot (which its epoch check did not see) reaches this call on the bus and aborts it,
  // whether it is still being decided, waiting or running upstream.
  const tracked = trackCall({ id: caller.agent.id, team: caller.agent.team }, extras.signal);
  if (!tracked) {
    return refusal(
      `Warden refused: too many calls in flight for this agent (at most ${MAX_CALLS_IN_FLIGHT_PER_AGENT} at once). Nothing ran; wait for one to finish, then call again.`,
    );
  }
  try {
    return await decideAndRun(db, caller, name, rawArgs, extras, tracked);
  } finally {
    tracked.release();
  }
}

type TrackedCall = NonNullable<ReturnType<typeof trackCall>>;

async function decideAndRun(db: Db, caller: GatewayCaller, name: string, rawArgs: unknown, extras: CallExtras, tracked: TrackedCall): Promise<CallToolResult> {
  const started = Date.now();
  const { agent } = caller;
  const actor = agentActor(agent);

  // A suspended or killed agent is refused before anything else is read (the proposal below
  // would deny it as well, on the state as it is now). The state that came with the agent's key
  // may be a second old: read again before refusing, so a resume that just landed lets the call
  // through, and the refusal names the stop in force, not the one before it.
  if (isStopped(caller.control.state)) {
    const control = await getEffectiveControl(db, agent.id);
    if (isStopped(control.state))
      return refusal(`Warden refused: this agent is ${control.state}${control.reason ? ` (${control.reason})` : ""}. Stop until it is resumed.`);
    caller = { ...caller, control };
  }
  const offered = await offeredTool(db, name);
  if (!offered) {
    // Not recorded as an action (a name no server offers is a typo or a probe, not a tool call):
    // audited as a refused call (callThroughGateway).
    return refusal(`Warden refused: the gateway offers no tool ${JSON.stringify(name.slice(0, 100))} (tools/list shows the ones granted to this agent).`);
  }
  // From here on the tool is its Warden name, whichever name the call used.
  name = offered.name;
  // A tool offered but not granted goes on to the guardrail, which denies it and records that.
  const granted = agent.tools.includes(name);
  const toolDef = await getToolForDecision(db, name);
  const confidence = confidenceFrom(extras.meta, toolDef?.defaultConfidence ?? null);
  if (typeof confidence === "string") return refusal(`Invalid call: ${confidence}`);
  const args = rawArgs ?? {};
  let resource: string | undefined;
  if (granted && toolDef?.resourceArgument) {
    const argument = toolDef.resourceArgument;
    // Checked on every call against the schema the server lists now: an upstream that made the
    // argument optional, or reads the resource from another one, would escape the scope check.
    const problem = resourceArgumentProblem(offered.upstream.inputSchema, argument);
    if (problem) {
      return refusal(
        `Warden refused: ${name} takes its resource from arguments.${argument}, but ${problem} (the server lists another schema than when an admin saved the tool). Nothing ran; an admin must name the tool's resource argument again.`,
      );
    }
    const value = (args as Record<string, unknown>)[argument];
    if (typeof value !== "string")
      return refusal(
        `Invalid call: arguments.${argument}: ${value === undefined ? "is required" : "must be a string"} (it names the resource Warden checks the tool's scopes against)`,
      );
    // The scopes are checked on the value as it runs: never on a trimmed copy of it.
    if (value !== value.trim())
      return refusal(
        `Invalid call: arguments.${argument}: must not begin or end with whitespace (it names the resource Warden checks the tool's scopes against)`,
      );
    resource = value;
  }
  const request = { action: `${name}`, tool: name, ...(resource !== undefined ? { resource } : {}), args, confidence };
  const parsed = ZProposeActionRequest.safeParse(request);
  if (!parsed.success) {
    // The agent's own words name its arguments: `args.x` is `arguments.x` in MCP.
    return refusal(
      `Invalid call: ${fieldProblems(parsed.error)
        .replace(/(^|; )args\b/g, "$1arguments")
        .replace(/(^|; )resource\b/g, `$1arguments.${toolDef?.resourceArgument ?? "resource"}`)}`,
    );
  }

  let proposed: ProposedAction;
  try {
    proposed = await proposeAction(db, { agent, control: caller.control }, parsed.data, caller.origin, { runByGateway: true });
  } catch (error) {
    if (error instanceof AppError && error.status < 500) return refusal(`Invalid call: ${error.message}`);
    throw error;
  }
  const reasons = () => proposed.reasons.map((r) => r.message).join("; ") || proposed.decision;
  if (proposed.status === "denied") return refusal(`Warden refused: ${reasons()}`, proposed.id);

  let runArgs = proposed.approvedArgs;
  if (proposed.status === "pending_approval" && !proposed.repeated) {
    // The same call was approved while no call waited for it (the agent gave up after 50 s and
    // asked again once the human had decided): that approval runs, not a second request.
    const twin = await approvedTwin(db, proposed.id);
    const twinMoved = twin ? movedResource(toolDef?.resourceArgument, twin.approvedArgs, resource) : null;
    if (twin && twinMoved) return refusal(twinMoved, twin.id);
    if (twin) {
      await inTransaction(db, (tx) =>
        markExpired(tx, [proposed.id], new Date(), { by: "mcp-gateway", reason: `the same call was approved already (action ${twin.id})` }),
      );
      return withEditNote(await runUpstream(db, caller, actor, twin.id, offered, twin.approvedArgs, extras, tracked, true), args, twin.approvedArgs);
    }
  }
  if (proposed.status === "pending_approval") {
    const view = await waitForHuman(db, caller, proposed, extras, started);
    if (!view || view.status === "pending_approval") {
      return refusal(
        `Waiting for a human to approve ${name} (action ${proposed.id}). Nothing ran. Call the tool again with the same arguments to keep waiting.`,
        proposed.id,
      );
    }
    if (view.status === "rejected") return refusal(`Warden refused: an approver rejected it: ${view.reason ?? "no reason given"}`, proposed.id);
    if (view.status === "expired") return refusal(`Warden refused: ${view.reason ?? "nobody approved it in time"}. Nothing ran.`, proposed.id);
    if (view.status !== "approved") return refusal(`Warden refused: the action is ${view.status.replace("_", " ")}`, proposed.id);
    // What runs is what the approver approved, edited or not, on the resource Warden judged.
    runArgs = view.approvedArgs;
    const moved = runArgs ? movedResource(toolDef?.resourceArgument, runArgs, resource) : null;
    if (moved) return refusal(moved, proposed.id);
  }
  if (!runArgs) return refusal(`Warden refused: action ${proposed.id} has no approved arguments to run`, proposed.id);

  return withEditNote(
    await runUpstream(db, caller, actor, proposed.id, offered, runArgs, extras, tracked, proposed.status === "pending_approval"),
    args,
    runArgs,
  );
}

/**
 * A call that ran with the args an approver edited tells the agent so, after the upstream's own
 * answer: the answer describes what ran, which is not what the agent asked for.
 */
function withEditNote(result: CallToolResult, asked: unknown, ran: Record<string, unknown>): CallToolResult {
  if (result.isError || isDeepStrictEqual(asked, ran)) return result;
  const note = `Warden: an approver changed the arguments before this ran. What ran: ${fit(JSON.stringify(ran), 2000)}`;
  return { ...result, content: [...result.content, { type: "text", text: note }] };
}

/**
 * Why approved args may not run: an approver's edit moved the call off the resource Warden
 * judged (its scopes were checked on the proposed value, and the action records that one).
 */
function movedResource(resourceArgument: string | null | undefined, approved: Record<string, unknown>, proposed: string | undefined): string | null {
  if (!resourceArgument) return null;
  const value = approved[resourceArgument];
  if (value === proposed) return null;
  return `Warden refused: the approver's edit moved arguments.${resourceArgument} to ${JSON.stringify(value)}, not ${JSON.stringify(proposed)} as proposed and checked against the tool's scopes. Nothing ran; call again for that resource.`;
}

/**
 * An approved action of this agent for exactly the same request (tool, resource, args: the
 * pending key) that no call has run yet, decided in the last 30 minutes. Looked up only when a
 * call is about to wait for a human, so the auto path pays nothing for it.
 */
async function approvedTwin(db: Db, pendingId: string): Promise<{ id: string; approvedArgs: Record<string, unknown> } | null> {
  const [twin] = await db.$queryRaw<{ id: string; approved_args: Record<string, unknown> | null }[]>`
    SELECT t.id, t.approved_args FROM actions n
      JOIN actions t ON t.agent_id = n.agent_id AND t.pending_key = n.pending_key AND t.id <> n.id
     WHERE n.id = ${pendingId}::uuid AND t.status = 'approved' AND t.decision = 'require_approval'
       AND t.created_at > now() - interval '1 day' AND t.decided_at > now() - interval '30 minutes'
       -- Not an approval given before the agent's last control change (a kill, then a resume):
       -- a resumed agent asks again.
       AND t.decided_at > coalesce((SELECT e.created_at FROM agent_control ac JOIN control_events e ON e.epoch = ac.epoch WHERE ac.agent_id = n.agent_id), '-infinity')
       -- Nor one that now needs more approvers than it had.
       AND t.required_approvals >= n.required_approvals
     ORDER BY t.decided_at DESC LIMIT 1`;
  return twin?.approved_args ? { id: twin.id, approvedArgs: twin.approved_args } : null;
}

/** approved → executing, for one caller only; audited with the transition. */
async function claimApprovedAction(db: Db, actor: AgentActor, actionId: string, origin: RequestOrigin | undefined): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    // From here Warden reports its result (an action the agent proposed itself and then asked the
    // gateway to run, as the same request, is the gateway's from now on).
    const claimed =
      await tx.$executeRaw`UPDATE actions SET status = 'executing', run_by_gateway = true, updated_at = now() WHERE id = ${actionId}::uuid AND status = 'approved'`;
    if (claimed === 0) return false;
    await appendAudit(tx, { actor, verb: "action.executing", subject: { type: "action", id: actionId }, data: { via: "mcp-gateway" }, origin });
    return true;
  });
}

async function runUpstream(
  db: Db,
  caller: GatewayCaller,
  actor: AgentActor,
  actionId: string,
  offered: { name: string; server: string; upstream: { name: string } },
  args: Record<string, unknown>,
  extras: CallExtras,
  tracked: TrackedCall,
  waited: boolean,
): Promise<CallToolResult> {
  const started = Date.now();
  const report = (result: ResultReport) =>
    reportActionResult(
      db,
      actor,
      actionId,
      {
        ...result,
        ...(result.error !== undefined ? { error: fit(result.error, 8000) } : {}),
        ...(result.failureReason !== undefined ? { failureReason: fit(result.failureReason, 4000) } : {}),
        durationMs: Date.now() - started,
      },
      caller.origin,
      { byGateway: true },
    ).catch((error: unknown) => {
      // Already reported (the same approved action run twice by a retried call): the first stands.
      if (!(error instanceof AppError && error.code === "CONFLICT")) throw error;
    });
  // Whether this call runs the action, so that it alone reports its outcome: an auto decision's
  // action is this call's own; a shared approved one becomes its own only by the claim below. A
  // call that stops before claiming reports nothing (it would mark "cancelled" an action another
  // call is running, and that run's result would be lost).
  let owned = !waited;
  try {
    // A suspend or kill since the decision: it must not run now. On the auto path the call was
    // tracked before its decision's statement, which checked the control epoch: a change
    // committed before that statement's snapshot made it decide again on the new state, one
    // after it aborts the tracked call (no read needed here). An approval decided while the call
    // waited (or before it, a twin) is read again: a suspend expires a waiting approval, but one
    // approved before the suspend and resumed since is the twin query's to refuse.
    if (tracked.signal.aborted) throw tracked.signal.reason;
    if (waited) {
      const control = await getEffectiveControl(db, caller.agent.id);
      if (isStopped(control.state)) throw new CallStopped(`the agent was ${control.state}${control.reason ? `: ${control.reason}` : ""}`);
      // Calls repeated while one waited share its action (one request, one approval): exactly
      // one of them runs it. (An auto decision's action is this call's own.)
      if (!(await claimApprovedAction(db, actor, actionId, caller.origin))) {
        return refusal(
          `Action ${actionId} was approved once and another call with the same arguments runs it: it is not run twice. Its result is recorded with the action.`,
          actionId,
        );
      }
      owned = true;
    }
    const connection = await connectionFor(db, offered.server);
    if (!connection) throw new UpstreamUnavailable(`MCP server ${offered.server} is no longer configured`);
    const result = await connection.callTool(offered.upstream.name, args, {
      signal: tracked.signal,
      onProgress: (p) => void extras.progress?.(p.progress, p.total, p.message ?? `${offered.name} is running`).catch(() => undefined),
    });
    if (result.isError) {
      const message = resultText(result);
      await report({ status: "failed", output: storedOutput(result), error: message, failureReason: `${offered.name} failed upstream: ${message}` });
    } else {
      // A success is recorded while the agent already reads its answer: the write costs a
      // transaction's round trips (tens of ms on a busy database) that the agent need not wait
      // for. A failure is recorded first, so its lesson is in place before the agent's next call.
      const recorded = recordGatewaySuccess(db, actor, actionId, { output: storedOutput(result), durationMs: Date.now() - started }, caller.origin).then(
        (stored) => {
          // The run happened: a result that finds its action no longer approved or executing is said.
          if (!stored) console.error(`[gateway] ${offered.name} ran for action ${actionId}, whose state no longer takes a result: the success is not recorded`);
          return stored;
        },
      );
      if (extras.afterAnswer) extras.afterAnswer(recorded);
      else await recorded;
    }
    return { ...result, _meta: { ...(result._meta as Record<string, unknown> | undefined), "warden/actionId": actionId } };
  } catch (error) {
    const stopped = tracked.signal.aborted ? tracked.signal.reason : error;
    if (stopped instanceof CallStopped) {
      // Not a lesson about the tool: no failure reason, so no negative knowledge.
      if (owned) await report({ status: "failed", error: `cancelled: ${stopped.message}` });
      return refusal(`Warden cancelled the call: ${stopped.message}. Stop until the agent is resumed.`, actionId);
    }
    const message = error instanceof Error ? error.message : String(error);
    // A server down, unreachable or removed before the call reached it is recorded as the call's
    // failure, not remembered as a lesson about the call (it would warn the next calls about an
    // outage, its retry time included).
    const lesson = !(error instanceof UpstreamUnavailable) || error.duringCall;
    if (owned) await report({ status: "failed", error: message, ...(lesson ? { failureReason: `${offered.name} failed: ${message}` } : {}) });
    return refusal(`The upstream call failed: ${message}`, actionId);
  }
}
