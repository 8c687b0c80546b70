"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { ActionView } from "@/server/schemas/actions";
import { TOOL_RISKS, type ToolRisk } from "@/server/schemas/enums";
import { useLiveEvents } from "@/components/live/use-live-events";
import { useNow } from "@/components/live/use-now";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ErrorText } from "@/components/ui/error-text";
import { Select } from "@/components/ui/field";
import { formatRelative } from "@/components/ui/format";
import { ApprovalDetail, type DetailMode } from "./approval-detail";
import { DecidedHistory } from "./decided-history";
import { countdown, RISK_TONE } from "./format";

/** Whether the agent is there for the answer (server/actions/action-view.ts decides). */
const PRESENCE_TEXT: Record<ActionView["agentPresence"], string> = { waiting: "agent waiting", connected: "agent connected", away: "agent away" };

type Filters = { agent?: string; tool?: string; risk?: ToolRisk; sort: "oldest" | "newest" | "risk" | "confidence" };

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

/**
 * The approval inbox. On a wide screen the list and the selected request sit side by side; below
 * Tailwind's `lg` (1024 px) it is one pane at a time, list then detail, so a phone shows a
 * request's whole context with its decision buttons pinned to the bottom of the screen.
 * `focusId` (from `/inbox?action=<id>`, the link in Slack and email) opens that request first.
 */
export function Inbox({ focusId }: { focusId?: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [tab, setTab] = useState<"pending" | "history">("pending");
  const [filters, setFilters] = useState<Filters>({ sort: "oldest" });
  const [selectedId, setSelectedId] = useState<string | null>(focusId ?? null);
  // One pane at a time on a narrow screen: true once a request is opened from the list.
  const [detailOpen, setDetailOpen] = useState(Boolean(focusId));
  const [checked, setChecked] = useState<Set<string>>(new Set());
  // The detail pane's mode belongs to one item: moving on returns to "view".
  const [modeFor, setModeFor] = useState<{ id: string | null; mode: DetailMode }>({ id: null, mode: "view" });
  const [notice, setNotice] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const [batchReason, setBatchReason] = useState("");
  const now = useNow(1000);

  const pending = useQuery(trpc.approvals.pending.queryOptions({ ...filters, limit: 200 }));
  const items = useMemo(() => pending.data?.items ?? [], [pending.data]);
  const refresh = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: trpc.approvals.pending.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.approvals.decided.queryKey() });
  }, [queryClient, trpc]);
  useLiveEvents(["approval.created", "approval.decided"], refresh);

  // The selection falls back to the first item when nothing (or a departed item) is selected.
  const selected = items.find((i) => i.id === selectedId) ?? items[0] ?? null;
  // A link to a request that is no longer pending (decided in Slack, by email's reader, expired).
  const focusGone = Boolean(focusId) && pending.isSuccess && !items.some((i) => i.id === focusId) && selectedId === focusId;
  const mode: DetailMode = modeFor.id === selected?.id ? modeFor.mode : "view";
  const setMode = (next: DetailMode) => setModeFor({ id: selected?.id ?? null, mode: next });

  const onDecided = (view: ActionView, verb: string) => {
    setNotice({
      tone: "ok",
      text: `${verb}: ${view.action}${view.status === "pending_approval" ? ` (${view.approvals.length} of ${view.requiredApprovals} approvals)` : ""}`,
    });
    const index = items.findIndex((i) => i.id === view.id);
    if (view.status !== "pending_approval") setSelectedId(items[index + 1]?.id ?? items[index - 1]?.id ?? null);
    setMode("view");
    refresh();
  };
  const onError = (error: { message: string }) => {
    setNotice({ tone: "error", text: error.message });
    refresh();
  };
  const approve = useMutation(
    trpc.approvals.approve.mutationOptions({ onSuccess: (v) => onDecided(v, v.argsEdited ? "Approved with edited args" : "Approved"), onError }),
  );
  const reject = useMutation(trpc.approvals.reject.mutationOptions({ onSuccess: (v) => onDecided(v, "Rejected"), onError }));
  const decideMany = useMutation(
    trpc.approvals.decideMany.mutationOptions({
      onSuccess: (results) => {
        const failed = results.filter((r) => !r.ok);
        setNotice({
          tone: failed.length ? "error" : "ok",
          text: `${results.length - failed.length} decided${failed.length ? `; ${failed.length} not: ${failed[0]!.error}` : ""}`,
        });
        setChecked(new Set());
        setBatchReason("");
        refresh();
      },
      onError,
    }),
  );
  const busy = approve.isPending || reject.isPending || decideMany.isPending;

  // j/k move, a approve, e edit, r reject, x check for a batch; never while typing.
  useEffect(() => {
    if (tab !== "pending") return;
    const onKey = (event: KeyboardEvent) => {
      if (event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target)) return;
      const index = selected ? items.findIndex((i) => i.id === selected.id) : -1;
      if (event.key === "j" && items[index + 1]) setSelectedId(items[index + 1]!.id);
      else if (event.key === "k" && index > 0) setSelectedId(items[index - 1]!.id);
      else if (!selected || busy) return;
      else if (event.key === "a") approve.mutate({ actionId: selected.id });
      else if (event.key === "e") setMode("edit");
      else if (event.key === "r") setMode("reject");
      else if (event.key === "x") toggle(selected.id);
      else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  function toggle(id: string) {
    setChecked((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  const agents = [...new Set(items.map((i) => i.agent))].sort();
  const tools = [...new Set(items.flatMap((i) => (i.tool ? [i.tool] : [])))].sort();

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <nav className="flex gap-1" aria-label="Inbox views">
          {(["pending", "history"] as const).map((t) => (
            <button
              key={t}
              type="button"
              onClick={() => setTab(t)}
              aria-current={tab === t ? "page" : undefined}
              className={`rounded-md px-3 py-1.5 text-sm font-medium ${tab === t ? "bg-slate-800 text-white" : "text-slate-600 hover:bg-slate-200"}`}
            >
              {t === "pending" ? `Pending (${pending.data?.total ?? "…"})` : "History"}
            </button>
          ))}
        </nav>
        {tab === "pending" ? (
          // On a phone the filters make way for the open request (they apply to the list).
          <div className={`grid-cols-2 gap-2 text-sm md:grid-cols-4 ${detailOpen ? "hidden lg:grid" : "grid"}`}>
            <Select
              aria-label="Filter by agent"
              className="py-1"
              value={filters.agent ?? ""}
              onChange={(e) => setFilters({ ...filters, agent: e.target.value || undefined })}
            >
              <option value="">All agents</option>
              {agents.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </Select>
            <Select
              aria-label="Filter by tool"
              className="py-1"
              value={filters.tool ?? ""}
              onChange={(e) => setFilters({ ...filters, tool: e.target.value || undefined })}
            >
              <option value="">All tools</option>
              {tools.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </Select>
            <Select
              aria-label="Filter by risk"
              className="py-1"
              value={filters.risk ?? ""}
              onChange={(e) => setFilters({ ...filters, risk: (e.target.value || undefined) as Filters["risk"] })}
            >
              <option value="">Any risk</option>
              {[...TOOL_RISKS].reverse().map((r) => (
                <option key={r}>{r}</option>
              ))}
            </Select>
            <Select
              aria-label="Sort"
              className="py-1"
              value={filters.sort}
              onChange={(e) => setFilters({ ...filters, sort: e.target.value as Filters["sort"] })}
            >
              <option value="oldest">Oldest first</option>
              <option value="newest">Newest first</option>
              <option value="risk">Highest risk first</option>
              <option value="confidence">Lowest confidence first</option>
            </Select>
          </div>
        ) : null}
      </div>

      {notice ? (
        <p
          role="status"
          data-testid="inbox-notice"
          className={`rounded-md px-3 py-2 text-sm ${notice.tone === "ok" ? "bg-emerald-50 text-emerald-800" : "bg-red-50 text-red-800"}`}
        >
          {notice.text}
        </p>
      ) : null}

      {tab === "history" ? (
        <DecidedHistory />
      ) : (
        <div className="grid grid-cols-1 gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
          <section aria-label="Pending approvals" className={`rounded-lg border border-slate-200 bg-white shadow-sm ${detailOpen ? "hidden lg:block" : ""}`}>
            {checked.size > 0 ? (
              <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-slate-50 px-3 py-2">
                <span className="text-sm font-medium">{checked.size} selected</span>
                <Button size="sm" disabled={busy} onClick={() => decideMany.mutate({ verdict: "approve", actionIds: [...checked] })}>
                  Approve selected
                </Button>
                <input
                  aria-label="Reason for rejecting the selected"
                  placeholder="reason to reject"
                  value={batchReason}
                  onChange={(e) => setBatchReason(e.target.value)}
                  className="rounded-md border border-slate-300 px-2 py-1 text-xs"
                />
                <Button
                  size="sm"
                  variant="danger"
                  disabled={busy || !batchReason.trim()}
                  onClick={() => decideMany.mutate({ verdict: "reject", actionIds: [...checked], reason: batchReason.trim() })}
                >
                  Reject selected
                </Button>
              </div>
            ) : null}
            <ErrorText error={pending.error} />
            {items.length === 0 && !pending.isLoading ? (
              <p className="px-4 py-12 text-center text-sm text-slate-500">Nothing waits for a human. New requests appear here live.</p>
            ) : null}
            <ul className="divide-y divide-slate-100" data-testid="inbox-list">
              {items.map((item) => {
                const active = selected?.id === item.id;
                return (
                  <li
                    key={item.id}
                    data-testid="inbox-item"
                    aria-current={active ? "true" : undefined}
                    onClick={() => {
                      setSelectedId(item.id);
                      setDetailOpen(true);
                    }}
                    className={`flex cursor-pointer gap-3 px-3 py-2.5 ${active ? "bg-brand-50 ring-1 ring-brand-500 ring-inset" : "hover:bg-slate-50"}`}
                  >
                    <input
                      type="checkbox"
                      aria-label={`Select ${item.action}`}
                      checked={checked.has(item.id)}
                      onClick={(e) => e.stopPropagation()}
                      onChange={() => toggle(item.id)}
                      className="mt-1"
                    />
                    <div className="min-w-0 flex-1">
                      <p className="truncate font-mono text-sm text-slate-900">{item.action}</p>
                      <p className="mt-0.5 flex flex-wrap items-center gap-x-2 text-xs text-slate-600">
                        <span>{item.agent}</span>
                        <span>· {item.tool ?? "no tool"}</span>
                        <span>· {item.confidence.toFixed(2)}</span>
                        <span>· {formatRelative(item.createdAt, now)}</span>
                        <span data-testid="agent-presence" className={item.agentPresence === "away" ? "text-amber-800" : undefined}>
                          · {PRESENCE_TEXT[item.agentPresence]}
                        </span>
                      </p>
                    </div>
                    <div className="flex shrink-0 flex-col items-end gap-1">
                      <Badge tone={RISK_TONE[item.risk]}>{item.risk}</Badge>
                      {item.requiredApprovals > 1 ? (
                        <span className="text-xs text-amber-700">
                          {item.approvals.length} of {item.requiredApprovals}
                        </span>
                      ) : (
                        <span className="text-xs text-slate-600">{countdown(item.expiresAt, now)}</span>
                      )}
                    </div>
                  </li>
                );
              })}
            </ul>
          </section>
          <section className={`rounded-lg border border-slate-200 bg-white p-4 shadow-sm md:p-5 ${detailOpen ? "" : "hidden lg:block"}`}>
            <button type="button" onClick={() => setDetailOpen(false)} className="mb-3 text-sm font-medium text-brand-700 underline lg:hidden">
              ← All pending ({items.length})
            </button>
            {focusGone ? (
              <p className="mb-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="inbox-focus-gone">
                The request you opened no longer waits: it was decided or expired.{" "}
                <a className="underline" href={`/actions/${focusId}`}>
                  See what happened
                </a>
                .
              </p>
            ) : null}
            {selected ? (
              <ApprovalDetail
                key={selected.id}
                item={selected}
                mode={mode}
                busy={busy}
                onMode={setMode}
                onApprove={(args) => approve.mutate({ actionId: selected.id, ...(args ? { args } : {}) })}
                onApproveWithGrant={(grantMinutes) => approve.mutate({ actionId: selected.id, grantMinutes })}
                onReject={(reason) => reject.mutate({ actionId: selected.id, reason })}
              />
            ) : (
              <p className="py-12 text-center text-sm text-slate-500">Select a request to see its context.</p>
            )}
          </section>
        </div>
      )}
      {tab === "pending" ? (
        <p className="hidden text-xs text-slate-600 md:block">
          Keyboard: <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>a</kbd> approve · <kbd>e</kbd> edit args · <kbd>r</kbd> reject · <kbd>x</kbd> select for a batch ·{" "}
          <kbd>Ctrl</kbd>+<kbd>Enter</kbd> confirm
        </p>
      ) : null}
    </div>
  );
}
