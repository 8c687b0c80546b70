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
import { MatchExplanation } from "./match-explanation";

export const KIND_TONE: Record<string, BadgeTone> = { negative_knowledge: "red", decision: "blue", pattern: "green" };
export const MEMORY_KINDS = ["negative_knowledge", "decision", "pattern"] as const;

export function MemoryBrowser() {
  const trpc = useTRPC();
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  const [kind, setKind] = useState<(typeof MEMORY_KINDS)[number] | undefined>(undefined);
  const [sort, setSort] = useState<"recent" | "most_recalled">("recent");
  const [agent, setAgent] = useState("");
  const [tagText, setTagText] = useState("");
  const [tag, setTag] = useState("");
  const [sinceDays, setSinceDays] = useState<number | undefined>(undefined);
  const [status, setStatus] = useState<"active" | "retired">("active");
  const agents = useQuery(trpc.agents.list.queryOptions());
  // Search as you type, without a request per keystroke.
  useEffect(() => {
    const timer = setTimeout(() => {
      setQ(text.trim());
      setTag(tagText.trim().toLowerCase());
    }, 200);
    return () => clearTimeout(timer);
  }, [text, tagText]);
  const memories = useQuery(
    trpc.memory.browse.queryOptions({ q: q || undefined, kind, agent: agent || undefined, tag: tag || undefined, sinceDays, status, sort, limit: 50 }),
  );
  const ranked = Boolean(q) && status === "active";

  return (
    <Card>
      <div className="mb-4 grid grid-cols-1 gap-2 md:grid-cols-[2fr_1fr_1fr]">
        <Input aria-label="Search memory" placeholder="traefik restart" value={text} onChange={(e) => setText(e.target.value)} autoFocus />
        <Select aria-label="Kind" value={kind ?? ""} onChange={(e) => setKind((e.target.value || undefined) as typeof kind)}>
          <option value="">Every kind</option>
          {MEMORY_KINDS.map((k) => (
            <option key={k} value={k}>
              {k.replace("_", " ")}
            </option>
          ))}
        </Select>
        <Select aria-label="Order" value={ranked ? "relevance" : sort} disabled={ranked} onChange={(e) => setSort(e.target.value as typeof sort)}>
          {ranked ? <option value="relevance">Best match</option> : null}
          <option value="recent">Recently learned</option>
          <option value="most_recalled">Most recalled</option>
        </Select>
      </div>
      <div className="mb-4 grid grid-cols-2 gap-2 md:grid-cols-4">
        <Select aria-label="Author" value={agent} onChange={(e) => setAgent(e.target.value)}>
          <option value="">Any author</option>
          {agents.data?.map((a) => (
            <option key={a.id} value={a.name}>
              {a.name}
            </option>
          ))}
        </Select>
        <Input aria-label="Tag" placeholder="tag, e.g. docker" value={tagText} onChange={(e) => setTagText(e.target.value)} />
        <Select aria-label="Learned within" value={sinceDays ?? ""} onChange={(e) => setSinceDays(e.target.value ? Number(e.target.value) : undefined)}>
          <option value="">Any time</option>
          <option value="1">Last 24 hours</option>
          <option value="7">Last 7 days</option>
          <option value="30">Last 30 days</option>
          <option value="90">Last 90 days</option>
        </Select>
        <Select aria-label="Status" value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
          <option value="active">Live entries</option>
          <option value="retired">Retired entries</option>
        </Select>
      </div>
      <ErrorText error={memories.error} />
      {memories.data?.length === 0 ? (
        <p className="py-8 text-center text-sm text-slate-500">{q ? "Nothing like that is remembered." : "Nothing learned yet."}</p>
      ) : null}
      <ul className="divide-y divide-slate-100">
        {memories.data?.map((m) => (
          <li key={m.id} className="py-3" data-testid="memory-row">
            <div className="flex flex-wrap items-center gap-2">
              <Badge tone={KIND_TONE[m.kind] ?? "gray"}>{m.kind.replace("_", " ")}</Badge>
              <Link href={`/memory/${m.id}`} className="font-mono text-sm font-medium text-brand-700 hover:underline">
                {m.subject}
              </Link>
              {m.occurrences > 1 ? <Badge tone="amber">learned {m.occurrences}×</Badge> : null}
              {m.retired ? <Badge tone="gray">retired</Badge> : null}
              {m.score !== null ? <span className="text-xs text-slate-600">score {m.score}</span> : null}
              {m.timesRecalled ? <span className="text-xs text-slate-600">recalled {m.timesRecalled}×</span> : null}
            </div>
            {m.why ? <MatchExplanation why={m.why} /> : null}
            <p className="mt-1 line-clamp-2 text-sm text-slate-700">{m.body}</p>
            <p className="text-xs text-slate-600">
              {m.author} · {formatRelative(m.createdAt)}
            </p>
          </li>
        ))}
      </ul>
    </Card>
  );
}
