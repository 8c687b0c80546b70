"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { KIND_TONE } from "@/components/memory/memory-browser";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { formatRelative } from "@/components/ui/format";

type Entry = { id: string; kind: string; subject: string; note: string };

function EntryList({ entries, empty, testId }: { entries: Entry[]; empty: string; testId: string }) {
  if (entries.length === 0) return <p className="text-sm text-slate-500">{empty}</p>;
  return (
    <ul className="divide-y divide-slate-100" data-testid={testId}>
      {entries.map((m) => (
        <li key={m.id} className="flex flex-wrap items-center gap-2 py-2">
          <Badge tone={KIND_TONE[m.kind] ?? "gray"}>{m.kind.replace("_", " ")}</Badge>
          <Link href={`/memory/${m.id}`} className="font-mono text-xs text-brand-700 hover:underline">
            {m.subject}
          </Link>
          <span className="text-xs text-slate-600">{m.note}</span>
        </li>
      ))}
    </ul>
  );
}

/** What an agent taught the fleet, and what the fleet's memory handed it lately. */
export function AgentMemories({ agentId }: { agentId: string }) {
  const trpc = useTRPC();
  const memories = useQuery(trpc.memory.forAgent.queryOptions({ agentId }));
  if (!memories.data) return null;
  const { learned, recalled } = memories.data;
  return (
    <Card title="Memory">
      <div className="grid grid-cols-1 gap-6 md:grid-cols-2">
        <div>
          <h3 className="mb-2 text-xs font-semibold tracking-wide text-slate-500 uppercase">Taught the fleet</h3>
          <EntryList
            testId="agent-learned"
            empty="Nothing learned from this agent yet."
            entries={learned.map((m) => ({
              ...m,
              note: `${m.occurrences > 1 ? `${m.occurrences}× · ` : ""}recalled ${m.timesRecalled}× · ${formatRelative(m.lastLearnedAt)}`,
            }))}
          />
        </div>
        <div>
          <h3 className="mb-2 text-xs font-semibold tracking-wide text-slate-500 uppercase">Handed before its actions (30 days)</h3>
          <EntryList
            testId="agent-recalled"
            empty="No memories recalled for this agent lately."
            entries={recalled.map((m) => ({ ...m, note: `from ${m.author_label} · score ${m.score.toFixed(2)} · ${formatRelative(m.at)}` }))}
          />
        </div>
      </div>
    </Card>
  );
}
