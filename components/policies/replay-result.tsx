"use client";

import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Table, Td, Th } from "@/components/ui/table";
import { DECISION_TONE, label } from "@/components/inbox/format";
import { DECISIONS, type Decision } from "@/server/schemas/enums";

type Row = {
  id: string;
  agent: string;
  action: string;
  tool: string | null;
  resource?: string | null;
  confidence: number;
  from: Decision;
  to: Decision;
  status: string;
  rule?: string | null;
};
type Result = {
  days: number;
  actions: number;
  truncated: boolean;
  before: Record<string, number>;
  after: Record<string, number>;
  changedCount: number;
  changed: Row[];
  caughtFailures: Row[];
  decidedByRule?: Record<string, number>;
};

export function ReplayResult({ result, stale }: { result: Result; stale: boolean }) {
  return (
    <Card title={`Replay over the last ${result.days} days: ${result.actions.toLocaleString()} actions${result.truncated ? " (newest 50,000)" : ""}`}>
      {stale ? (
        <p className="mb-3 rounded bg-amber-50 px-3 py-2 text-sm text-amber-800">The draft changed since this replay: preview again before saving.</p>
      ) : null}
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4" data-testid="replay-counts">
        {DECISIONS.map((d) => {
          const delta = (result.after[d] ?? 0) - (result.before[d] ?? 0);
          return (
            <div key={d} className="rounded-md border border-slate-200 p-3">
              <Badge tone={DECISION_TONE[d]}>{label(d)}</Badge>
              <p className="mt-2 text-lg font-semibold">
                {result.before[d] ?? 0} → {result.after[d] ?? 0}
              </p>
              <p className={`text-xs ${delta > 0 ? "text-amber-700" : delta < 0 ? "text-emerald-700" : "text-slate-500"}`}>
                {delta === 0 ? "no change" : `${delta > 0 ? "+" : ""}${delta}`}
              </p>
            </div>
          );
        })}
      </div>
      <RuleCounts counts={result.decidedByRule ?? {}} />
      <h3 className="mt-5 text-sm font-semibold">Past failures this draft would have sent to a human ({result.caughtFailures.length})</h3>
      {result.caughtFailures.length === 0 ? <p className="text-sm text-slate-500">None.</p> : <Rows rows={result.caughtFailures} />}
      <h3 className="mt-5 text-sm font-semibold">Actions whose decision changes ({result.changedCount})</h3>
      {result.changed.length === 0 ? <p className="text-sm text-slate-500">None.</p> : <Rows rows={result.changed} />}
    </Card>
  );
}

function Rows({ rows }: { rows: Row[] }) {
  return (
    <Table>
      <thead>
        <tr>
          <Th>Action</Th>
          <Th>Agent</Th>
          <Th>Confidence</Th>
          <Th>Was</Th>
          <Th>Would be</Th>
          <Th>Decided by</Th>
          <Th>Outcome</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((r) => (
          <tr key={r.id}>
            <Td>
              <Link href={`/actions/${r.id}`} className="font-mono text-xs text-brand-700 hover:underline">
                {r.action}
              </Link>
            </Td>
            <Td>{r.agent}</Td>
            <Td>{r.confidence.toFixed(2)}</Td>
            <Td>
              <Badge tone={DECISION_TONE[r.from]}>{label(r.from)}</Badge>
            </Td>
            <Td>
              <Badge tone={DECISION_TONE[r.to]}>{label(r.to)}</Badge>
            </Td>
            <Td>{r.rule ? <span data-testid="replay-rule">rule “{r.rule}”</span> : <span className="text-slate-500">the policy&apos;s settings</span>}</Td>
            <Td>{label(r.status)}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

/** How many of the replayed actions each rule decides (the rule whose outcome is the decision). */
function RuleCounts({ counts }: { counts: Record<string, number> }) {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return null;
  return (
    <div className="mt-5" data-testid="replay-rules">
      <h3 className="text-sm font-semibold">Actions each rule decides</h3>
      <ul className="mt-1 space-y-0.5 text-sm">
        {entries.map(([rule, n]) => (
          <li key={rule}>
            <span className="font-medium">{rule}</span>: {n.toLocaleString()}
          </li>
        ))}
      </ul>
    </div>
  );
}
