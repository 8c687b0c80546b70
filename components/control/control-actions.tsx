"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useNow } from "@/components/live/use-now";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { Field, Input, Select } from "@/components/ui/field";
import { CONTROL_RANK, type ControlLevelName } from "@/server/schemas/control";

type Level = "pause" | "suspend" | "resume";
const LEVEL_STATE = { pause: "paused", suspend: "suspended", resume: "running" } as const;
export type ScopeStates = { fleet: ControlLevelName; scopes: { scope: string; state: ControlLevelName }[]; agents: { name: string; team: string }[] };

/** What governs a scope: its own state or a stricter one it inherits, as the server decides it. */
export function governingState(scope: string, states: ScopeStates): { state: ControlLevelName; scope: string } {
  const own = new Map(states.scopes.map((s) => [s.scope, s.state]));
  const chain = ["fleet"];
  if (scope.startsWith("team:")) chain.push(scope);
  if (scope.startsWith("agent:")) {
    const agent = states.agents.find((a) => `agent:${a.name}` === scope);
    if (agent) chain.push(`team:${agent.team}`);
    chain.push(scope);
  }
  return chain.reduce<{ state: ControlLevelName; scope: string }>(
    (best, s) => {
      const state = s === "fleet" ? states.fleet : (own.get(s) ?? "running");
      return CONTROL_RANK[state] > CONTROL_RANK[best.state] ? { state, scope: s } : best;
    },
    { state: "running", scope },
  );
}
const LEVEL_STYLE: Record<Level, string> = {
  pause: "bg-amber-500 text-slate-900 hover:bg-amber-400",
  suspend: "bg-orange-600 text-white hover:bg-orange-500",
  resume: "bg-emerald-600 text-white hover:bg-emerald-500",
};
const LEVEL_HELP: Record<Level, string> = {
  pause: "No new tasks; running tasks may finish.",
  suspend: "Every action refused from the next request; tasks keep their checkpoints.",
  resume: "Back to running.",
};

export function ControlActions({
  teams,
  agents,
  states,
  onDone,
}: {
  teams: string[];
  agents: { id: string; name: string }[];
  states: ScopeStates;
  onDone: (epoch: number) => void;
}) {
  const trpc = useTRPC();
  const now = useNow(1000);
  const [scope, setScope] = useState("fleet");
  const [reason, setReason] = useState("");
  const [pending, setPending] = useState<Level | null>(null);
  const [typed, setTyped] = useState("");
  const [rollbackLast, setRollbackLast] = useState(10);
  const change = useMutation(trpc.control.change.mutationOptions({ onSuccess: (r) => (setPending(null), setTyped(""), onDone(r.epoch)) }));
  const killToken = useMutation(trpc.control.killToken.mutationOptions());
  const kill = useMutation(trpc.control.kill.mutationOptions({ onSuccess: (r) => (killToken.reset(), setTyped(""), onDone(r.epoch)) }));
  const phrase = pending ? `${pending} ${scope}` : "";
  // Only what applies: a level below the one that governs the scope would change nothing.
  const governing = governingState(scope, states);
  const applies = (level: Level) => level === "resume" || CONTROL_RANK[LEVEL_STATE[level]] >= CONTROL_RANK[governing.state];
  const token = killToken.data;
  const secondsLeft = token ? Math.max(0, Math.round((Date.parse(token.expiresAt) - now) / 1000)) : 0;

  return (
    <Card title="Stop the fleet, a team or an agent">
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <Field label="Scope">
          <Select aria-label="Scope" value={scope} onChange={(e) => (setScope(e.target.value), setPending(null), killToken.reset())}>
            <option value="fleet">the whole fleet</option>
            {teams.map((t) => (
              <option key={t} value={`team:${t}`}>
                team {t}
              </option>
            ))}
            {agents.map((a) => (
              <option key={a.id} value={`agent:${a.name}`}>
                agent {a.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Reason (the agents and the audit log get it)">
          <Input aria-label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="runaway deploys on staging" />
        </Field>
      </div>
      <div className="mt-4 grid grid-cols-2 gap-3 md:grid-cols-4">
        {(["pause", "suspend", "resume"] as const).map((level) => (
          <button
            key={level}
            type="button"
            disabled={!reason.trim() || !applies(level)}
            title={
              !applies(level) ? `${governing.scope} is ${governing.state}; only resume lowers it` : reason.trim() ? LEVEL_HELP[level] : "Give a reason first"
            }
            onClick={() => (setPending(level), setTyped(""), killToken.reset())}
            className={`rounded-md px-3 py-3 text-sm font-semibold capitalize shadow-sm disabled:cursor-not-allowed disabled:opacity-40 ${LEVEL_STYLE[level]}`}
          >
            {level}
          </button>
        ))}
        <button
          type="button"
          disabled={!reason.trim() || killToken.isPending}
          onClick={() => (setPending(null), setTyped(""), killToken.mutate({ scope, rollbackLast }))}
          className="rounded-md bg-red-800 px-3 py-3 text-sm font-semibold text-white shadow-sm ring-2 ring-red-900 hover:bg-red-700 disabled:cursor-not-allowed disabled:opacity-40"
        >
          Kill…
        </button>
      </div>
      <p className="mt-2 text-xs text-slate-600">
        Pause stops new work; suspend stops every action now; kill also rolls back the last reversible actions.
        {governing.state !== "running" ? (
          <span className="font-medium" data-testid="governing-state">
            {" "}
            {governing.scope === scope ? `${scope} is ${governing.state}` : `${scope} follows ${governing.scope}, which is ${governing.state}`}: only a stricter
            level or resume applies.
          </span>
        ) : null}
      </p>

      {pending ? (
        <div className="mt-4 space-y-2 rounded-md border border-slate-300 bg-slate-50 p-3">
          <p className="text-sm">
            {LEVEL_HELP[pending]} Type <code className="rounded bg-white px-1 font-mono">{phrase}</code> to confirm.
          </p>
          <div className="flex flex-wrap gap-2">
            <Input aria-label="Confirmation" value={typed} onChange={(e) => setTyped(e.target.value)} className="max-w-xs font-mono" />
            <Button disabled={typed.trim() !== phrase || change.isPending} onClick={() => change.mutate({ level: pending, scope, reason })}>
              Confirm {pending}
            </Button>
            <Button variant="ghost" onClick={() => setPending(null)}>
              Cancel
            </Button>
          </div>
        </div>
      ) : null}

      {token ? (
        <div className="mt-4 space-y-3 rounded-md border-2 border-red-700 bg-red-50 p-3" data-testid="kill-plan">
          <p className="text-sm font-semibold text-red-900">Kill {token.scope}: every action refused, tasks cancelled, and these undone, newest first.</p>
          <div>
            <p className="text-xs font-semibold text-slate-600 uppercase">Rollback plan ({token.rollbackPlan.length})</p>
            <ol className="mt-1 list-decimal space-y-0.5 pl-5 text-sm">
              {(token.rollbackPlan as { actionId: string; agent: string; action: string; undo: { tool: string } }[]).map((p) => (
                <li key={p.actionId}>
                  <span className="font-mono">{p.action}</span>{" "}
                  <span className="text-xs text-slate-500">
                    ({p.agent}; undo with {p.undo.tool})
                  </span>
                </li>
              ))}
            </ol>
          </div>
          <div>
            <p className="text-xs font-semibold text-slate-600 uppercase">Cannot be undone: a person must check ({token.irreversible.length})</p>
            <ul className="mt-1 list-disc space-y-0.5 pl-5 text-sm">
              {(token.irreversible as { actionId: string; agent: string; action: string; note?: string }[]).map((p) => (
                <li key={p.actionId} data-testid="kill-plan-manual">
                  <span className="font-mono">{p.action}</span> <span className="text-xs text-slate-600">({p.agent})</span>
                  {p.note ? <span className="block text-xs text-amber-900">{p.note}</span> : null}
                </li>
              ))}
            </ul>
          </div>
          <p className="text-sm">
            Confirmation token{" "}
            <code className="rounded bg-white px-1 font-mono" data-testid="kill-token">
              {token.token}
            </code>{" "}
            — valid {secondsLeft} s more. Type it to kill.
          </p>
          <div className="flex flex-wrap items-end gap-2">
            <Field label="Roll back the last (actions)">
              <Input
                type="number"
                min={0}
                max={500}
                value={rollbackLast}
                onChange={(e) => {
                  // The plan follows the count: a new token and plan, the old token void.
                  const count = Math.max(0, Math.min(500, Math.trunc(Number(e.target.value) || 0)));
                  setRollbackLast(count);
                  setTyped("");
                  killToken.mutate({ scope, rollbackLast: count });
                }}
                className="w-24"
              />
            </Field>
            <Input
              aria-label="Kill confirmation"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              className="max-w-xs font-mono"
              placeholder="KILL-…"
            />
            <Button
              variant="danger"
              disabled={typed.trim() !== token.token || secondsLeft === 0 || kill.isPending}
              onClick={() => kill.mutate({ confirm: typed.trim(), scope, reason })}
            >
              Kill {token.scope}
            </Button>
            <Button variant="ghost" onClick={() => killToken.reset()}>
              Cancel
            </Button>
          </div>
        </div>
      ) : null}
      <div className="mt-2">
        <ErrorText error={change.error ?? killToken.error ?? kill.error} />
      </div>
    </Card>
  );
}
