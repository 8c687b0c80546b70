"use client";

import { useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { Fragment, useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { Field, Input } from "@/components/ui/field";
import { formatDateTime } from "@/components/ui/format";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";

type Filters = { actor?: string; verb?: string; subject?: string; from?: string; to?: string };

const ACTOR_TONE = { user: "blue", agent: "green", system: "gray", anonymous: "amber" } as const;

export function AuditExplorer() {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<Filters>({});
  const [expanded, setExpanded] = useState<string | null>(null);
  const rows = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions({ ...filters, limit: 50 }, { getNextPageParam: (page) => page.nextCursor ?? undefined, initialCursor: undefined }),
  );
  const verify = useMutation(trpc.audit.verify.mutationOptions());
  const all = rows.data?.pages.flatMap((p) => p.rows) ?? [];

  function applyFilters(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => {
      const v = String(form.get(name) ?? "").trim();
      return v === "" ? undefined : v;
    };
    const localToIso = (name: string) => {
      const v = value(name);
      return v ? new Date(v).toISOString() : undefined;
    };
    setFilters({ actor: value("actor"), verb: value("verb"), subject: value("subject"), from: localToIso("from"), to: localToIso("to") });
  }

  return (
    <div className="space-y-6">
      <Card
        title="Chain integrity"
        actions={
          <Button variant="secondary" onClick={() => verify.mutate()} disabled={verify.isPending} data-testid="verify-chain">
            {verify.isPending ? "Verifying…" : "Verify the chain"}
          </Button>
        }
      >
        {verify.data ? (
          verify.data.ok ? (
            <p className="text-sm text-emerald-700" data-testid="verify-result">
              Intact: {verify.data.rowsChecked.toLocaleString()} rows checked, every hash and link matches
              {verify.data.pending > 0 ? ` (${verify.data.pending} rows from transactions still running wait to be sealed)` : ""}.
            </p>
          ) : (
            <p className="text-sm text-red-700" data-testid="verify-result">
              Broken at row {verify.data.firstBroken?.id}: {verify.data.firstBroken?.problem}
            </p>
          )
        ) : (
          <p className="text-sm text-slate-600">Recomputes every row&apos;s hash in the database and checks each link to the row before.</p>
        )}
        <ErrorText error={verify.error} />
      </Card>

      <Card title="Entries">
        <form onSubmit={applyFilters} className="mb-4 grid grid-cols-2 items-end gap-3 md:grid-cols-6" aria-label="Filter the audit log">
          <Field label="Actor">
            <Input name="actor" placeholder="email or agent name" title="An email or an agent name, exactly" />
          </Field>
          <Field label="Verb">
            <Input name="verb" placeholder="agent.* or user.create" title="A verb, or a prefix ending in *" />
          </Field>
          <Field label="Subject id">
            <Input name="subject" />
          </Field>
          <Field label="From">
            <Input name="from" type="datetime-local" />
          </Field>
          <Field label="To">
            <Input name="to" type="datetime-local" />
          </Field>
          <Button type="submit">Filter</Button>
        </form>
        <ErrorText error={rows.error} />
        <Table>
          <thead>
            <tr>
              <Th>#</Th>
              <Th>When</Th>
              <Th>Actor</Th>
              <Th>Verb</Th>
              <Th>Subject</Th>
              <Th>Hash</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {!rows.isLoading && all.length === 0 ? <EmptyRow colSpan={6}>No entries match.</EmptyRow> : null}
            {all.map((row) => (
              <Fragment key={row.id}>
                <tr className="cursor-pointer hover:bg-slate-50" onClick={() => setExpanded(expanded === row.id ? null : row.id)} data-testid="audit-row">
                  <Td className="font-mono text-xs text-slate-600">
                    {/* A real button, so a row opens from the keyboard and says whether it is open. */}
                    <button
                      type="button"
                      aria-expanded={expanded === row.id}
                      aria-controls={`audit-entry-${row.id}`}
                      aria-label={`Open entry ${row.id}`}
                      onClick={(e) => {
                        e.stopPropagation();
                        setExpanded(expanded === row.id ? null : row.id);
                      }}
                      className="rounded underline decoration-dotted hover:text-brand-700 focus-visible:outline-2 focus-visible:outline-brand-500"
                    >
                      {expanded === row.id ? "▾" : "▸"} {row.id}
                    </button>
                  </Td>
                  <Td className="text-xs whitespace-nowrap">{formatDateTime(row.at)}</Td>
                  <Td>
                    <Badge tone={ACTOR_TONE[row.actorType as keyof typeof ACTOR_TONE] ?? "gray"}>{row.actorType}</Badge>{" "}
                    <span className="text-slate-900">{row.actorLabel}</span>
                  </Td>
                  <Td className="font-mono text-xs">{row.verb}</Td>
                  <Td className="text-xs">{row.subjectType ? `${row.subjectType} ${row.subjectId}` : "—"}</Td>
                  <Td className="font-mono text-xs text-slate-600">{row.hash ? row.hash.slice(0, 12) : "sealing…"}</Td>
                </tr>
                {expanded === row.id ? (
                  <tr id={`audit-entry-${row.id}`} data-testid="audit-entry">
                    <td colSpan={6} className="bg-slate-50 px-4 py-3">
                      <pre className="overflow-x-auto text-xs whitespace-pre-wrap text-slate-800">{JSON.stringify(row.data, null, 2)}</pre>
                      <p className="mt-2 text-xs text-slate-500">
                        from {row.ip ?? "unknown address"} · hash <span className="font-mono">{row.hash ?? "not sealed yet"}</span>
                      </p>
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </Table>
        {rows.hasNextPage ? (
          <div className="mt-4 text-center">
            <Button variant="secondary" onClick={() => rows.fetchNextPage()} disabled={rows.isFetchingNextPage}>
              {rows.isFetchingNextPage ? "Loading…" : "Older entries"}
            </Button>
          </div>
        ) : null}
      </Card>
    </div>
  );
}
