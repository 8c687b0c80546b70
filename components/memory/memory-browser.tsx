"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { Input, Select } from "@/components/ui/field";
import { formatRelative } from "@/components/ui/format";

export const KIND_TONE: Record<string, BadgeTone> = { negative_knowledge: "red", decision: "blue", pattern: "green" };
const KINDS = ["negative_knowledge", "decision", "pattern"] as const;

export function MemoryBrowser() {
  const trpc = useTRPC();
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  const [kind, setKind] = useState<(typeof KINDS)[number] | undefined>(undefined);
  const [sort, setSort] = useState<"recent" | "most_recalled">("recent");
  // Search as you type, without a request per keystroke.
  useEffect(() => {
    const timer = setTimeout(() => setQ(text.trim()), 200);
    return () => clearTimeout(timer);
  }, [text]);
  const memories = useQuery(trpc.memory.browse.queryOptions({ q: q || undefined, kind, sort, limit: 50 }));

  return (
    <Card>
      <div className="mb-4 grid grid-cols-1 gap-2 md:grid-cols-[2fr_1fr_1fr]">
        <Input aria-label="Search memory" placeholder="traefik restart" value={text} onChange={(e) => setText(e.target.value)} autoFocus />
        <Select aria-label="Kind" value={kind ?? ""} onChange={(e) => setKind((e.target.value || undefined) as typeof kind)}>
          <option value="">Every kind</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k.replace("_", " ")}
            </option>
          ))}
        </Select>
        <Select aria-label="Order" value={sort} disabled={Boolean(q)} onChange={(e) => setSort(e.target.value as typeof sort)}>
          <option value="recent">Recently learned</option>
          <option value="most_recalled">Most recalled</option>
        </Select>
      </div>
      <ErrorText error={memories.error} />
      {memories.data?.length === 0 ? <p className="py-8 text-center text-sm text-slate-500">{q ? "Nothing like that is remembered." : "Nothing learned yet."}</p> : null}
      <ul className="divide-y divide-slate-100">
        {memories.data?.map((m) => (
          <li key={m.id} className="py-3" data-testid="memory-row">
            <div className="flex flex-wrap items-center gap-2">
              <Badge tone={KIND_TONE[m.kind] ?? "gray"}>{m.kind.replace("_", " ")}</Badge>
              <Link href={`/memory/${m.id}`} className="font-mono text-sm font-medium text-brand-700 hover:underline">
                {m.subject}
              </Link>
              {m.occurrences > 1 ? <Badge tone="amber">learned {m.occurrences}×</Badge> : null}
              {m.score !== null ? <span className="text-xs text-slate-400">score {m.score}</span> : null}
              {m.timesRecalled ? <span className="text-xs text-slate-400">recalled {m.timesRecalled}×</span> : null}
            </div>
            <p className="mt-1 line-clamp-2 text-sm text-slate-700">{m.body}</p>
            <p className="text-xs text-slate-400">
              {m.author} · {formatRelative(m.createdAt)}
            </p>
          </li>
        ))}
      </ul>
    </Card>
  );
}
