import { scopeCovers } from "../control/scope";
import { subscribe } from "../events/bus";

/*
 * The gateway's calls running upstream in this process, by agent, so a suspend or a kill
 * cancels them at once. The control change reaches every instance on the bus (LISTEN/NOTIFY),
 * and each instance aborts its own calls: the abort becomes MCP's notifications/cancelled to
 * the upstream server (upstream-connection.ts). Kept on globalThis like the bus itself.
 */
type InFlight = { agent: { id: string; team: string }; controller: AbortController };
type State = { calls: Set<InFlight>; unsubscribe: (() => void) | null; perAgent?: Map<string, number> };
const holder = globalThis as unknown as { wardenGatewayCalls?: State };
const state: State = (holder.wardenGatewayCalls ??= { calls: new Set(), unsubscribe: null });
const perAgent = (state.perAgent ??= new Map());

/** Gateway calls one agent may have open at once in one process (a 429-like refusal past it). */
export const MAX_CALLS_IN_FLIGHT_PER_AGENT = 16;

/** Why a call was stopped, for the agent's answer and the action's result. */
export class CallStopped extends Error {}

function follow(): void {
  state.unsubscribe ??= subscribe((event) => {
    if (event.type !== "control.changed" || (event.state !== "suspended" && event.state !== "killed")) return;
    const scope = { kind: event.kind, key: event.key };
    for (const call of state.calls) {
      if (!scopeCovers(scope, call.agent)) continue;
      call.controller.abort(new CallStopped(`the agent was ${event.state}${event.reason ? `: ${event.reason}` : ""}`));
    }
  });
}

/**
 * Tracks one call until `release`: its signal aborts when the agent is suspended or killed, or
 * when `parent` (the agent's request) aborts. Null when the agent already has
 * MAX_CALLS_IN_FLIGHT_PER_AGENT calls tracked here (each holds a request, a database wait or an
 * upstream slot).
 */
export function trackCall(agent: { id: string; team: string }, parent: AbortSignal): { signal: AbortSignal; release: () => void } | null {
  const open = perAgent.get(agent.id) ?? 0;
  if (open >= MAX_CALLS_IN_FLIGHT_PER_AGENT) return null;
  perAgent.set(agent.id, open + 1);
  follow();
  const controller = new AbortController();
  const call: InFlight = { agent, controller };
  const onParentAbort = () => controller.abort(new CallStopped("the client closed the request"));
  if (parent.aborted) onParentAbort();
  else parent.addEventListener("abort", onParentAbort, { once: true });
  state.calls.add(call);
  return {
    signal: controller.signal,
    release: () => {
      if (!state.calls.delete(call)) return;
      parent.removeEventListener("abort", onParentAbort);
      const left = (perAgent.get(agent.id) ?? 1) - 1;
      if (left <= 0) perAgent.delete(agent.id);
      else perAgent.set(agent.id, left);
    },
  };
}

/** How many calls are in flight for an agent (tests). */
export function inFlightCount(agentId: string): number {
  return perAgent.get(agentId) ?? 0;
}
