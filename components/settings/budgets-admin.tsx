"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText, fieldErrorOf } from "@/components/ui/error-text";
import { Field, Input, Select } from "@/components/ui/field";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { formatUsd, type BudgetView } from "@/server/schemas/cost";
import { SpendBar } from "./spend-bar";

/** Budgets with the spend of their current UTC period; admins add, edit and remove them. */
export function BudgetsAdmin({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Spend moves as agents report usage: a budget page left open keeps up.
  const budgets = useQuery({ ...trpc.cost.budgets.queryOptions(), refetchInterval: 10_000 });
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.cost.budgets.queryKey() });
  const remove = useMutation(trpc.cost.deleteBudget.mutationOptions({ onSettled: refresh }));

  return (
    <div className="space-y-6">
      {adding ? (
        <AddBudgetForm
          onDone={() => {
            setAdding(false);
            void refresh();
          }}
        />
      ) : null}
      <Card
        title={`Budgets (${budgets.data?.length ?? 0})`}
        actions={canEdit && !adding ? <Button onClick={() => setAdding(true)}>Add a budget</Button> : null}
      >
        <p className="mb-3 text-sm text-slate-600">
          Spend counts usage events, action results and task completions as they arrive, per UTC day or month. At 80% Warden warns (notification and webhook);
          at 100% it pauses the agent or the whole team with the reason &ldquo;budget&rdquo;.
        </p>
        <ErrorText error={budgets.error ?? remove.error} />
        <Table>
          <thead>
            <tr>
              <Th>Applies to</Th>
              <Th>Period</Th>
              <Th className="w-2/5">Spend vs limit</Th>
              <Th>State</Th>
              {canEdit ? <Th className="text-right">Edit</Th> : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {budgets.data?.length === 0 ? <EmptyRow colSpan={canEdit ? 5 : 4}>No budgets yet: no agent is paused for spending.</EmptyRow> : null}
            {budgets.data?.map((b) =>
              editing === b.id ? (
                <EditBudgetRow key={b.id} budget={b} onDone={() => (setEditing(null), void refresh())} />
              ) : (
                <tr key={b.id} data-testid={`budget-row-${b.targetLabel}-${b.period}`}>
                  <Td>
                    <span className="font-medium text-slate-900">{b.targetLabel}</span>
                    <span className="block text-xs text-slate-500">{b.scope === "agent" ? "agent" : "team"}</span>
                  </Td>
                  <Td>
                    {b.period === "day" ? "daily" : "monthly"}
                    <span className="block text-xs text-slate-500">since {b.period === "day" ? b.periodStart : b.periodStart.slice(0, 7)} (UTC)</span>
                  </Td>
                  <Td>
                    <SpendBar spent={b.spentUsd} limit={b.limitUsd} />
                  </Td>
                  <Td className="whitespace-nowrap">
                    <StateBadge state={b.state} reason={b.stateReason} />
                  </Td>
                  {canEdit ? (
                    <Td className="space-x-1 text-right whitespace-nowrap">
                      <Button size="sm" variant="secondary" onClick={() => setEditing(b.id)}>
                        Edit
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        disabled={remove.isPending}
                        onClick={() => {
                          if (window.confirm(`Remove the ${b.period === "day" ? "daily" : "monthly"} budget of ${b.targetLabel}?`)) remove.mutate({ id: b.id });
                        }}
                      >
                        Remove
                      </Button>
                    </Td>
                  ) : null}
                </tr>
              ),
            )}
          </tbody>
        </Table>
      </Card>
    </div>
  );
}

function StateBadge({ state, reason }: { state: string; reason: string | null }) {
  if (state === "running") return <Badge tone="green">running</Badge>;
  return (
    <Badge tone={state === "paused" ? "amber" : "red"}>
      {state}
      {reason ? ` (${reason})` : ""}
    </Badge>
  );
}

function EditBudgetRow({ budget, onDone }: { budget: BudgetView; onDone: () => void }) {
  const trpc = useTRPC();
  const update = useMutation(trpc.cost.updateBudget.mutationOptions({ onSuccess: onDone }));
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    update.mutate({ id: budget.id, limitUsd: Number(form.get("limitUsd")) });
  }
  return (
    <tr>
      <td colSpan={5} className="bg-slate-50 px-3 py-3">
        <form onSubmit={submit} className="flex flex-wrap items-end gap-3" aria-label={`Budget of ${budget.targetLabel}`}>
          <span className="pb-2 text-sm">
            {budget.period === "day" ? "Daily" : "Monthly"} budget of <strong>{budget.targetLabel}</strong>, {formatUsd(budget.spentUsd)} spent so far
          </span>
          <div className="w-48">
            <Field label="Limit (USD)" error={fieldErrorOf(update.error, "limitUsd")}>
              <Input name="limitUsd" type="number" min="0.01" step="any" required defaultValue={budget.limitUsd} />
            </Field>
          </div>
          <Button type="submit" size="sm" disabled={update.isPending}>
            Save limit
          </Button>
          <Button size="sm" variant="ghost" onClick={onDone}>
            Cancel
          </Button>
          <ErrorText error={update.error} />
        </form>
      </td>
    </tr>
  );
}

function AddBudgetForm({ onDone }: { onDone: () => void }) {
  const trpc = useTRPC();
  const agents = useQuery(trpc.agents.list.queryOptions());
  const create = useMutation(trpc.cost.createBudget.mutationOptions({ onSuccess: onDone }));
  const [scope, setScope] = useState<"agent" | "team">("agent");
  const teams = [...new Set((agents.data ?? []).map((a) => a.team))].sort();
  const fieldError = (name: string) => fieldErrorOf(create.error, name);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (n: string) => String(form.get(n) ?? "");
    create.mutate({ scope, target: text("target"), period: text("period") as "day" | "month", limitUsd: Number(text("limitUsd")) });
  }
  return (
    <Card title="Add a budget">
      <form onSubmit={submit} className="grid grid-cols-1 gap-4 md:grid-cols-5" aria-label="Add a budget">
        <Field label="Applies to" error={fieldError("scope")}>
          <Select name="scope" value={scope} onChange={(e) => setScope(e.target.value as "agent" | "team")}>
            <option value="agent">one agent</option>
            <option value="team">a whole team</option>
          </Select>
        </Field>
        <Field label={scope === "agent" ? "Agent" : "Team"} error={fieldError("target")}>
          <Select name="target" required key={scope} defaultValue="">
            <option value="" disabled>
              choose…
            </option>
            {scope === "agent"
              ? (agents.data ?? []).map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))
              : teams.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
          </Select>
        </Field>
        <Field label="Period" hint="UTC" error={fieldError("period")}>
          <Select name="period" defaultValue="day">
            <option value="day">per day</option>
            <option value="month">per month</option>
          </Select>
        </Field>
        <Field label="Limit (USD)" error={fieldError("limitUsd")}>
          <Input name="limitUsd" type="number" min="0.01" step="any" required placeholder="25" />
        </Field>
        <div className="flex items-end gap-2">
          <Button type="submit" className="whitespace-nowrap" disabled={create.isPending}>
            Add budget
          </Button>
          <Button variant="ghost" onClick={onDone}>
            Cancel
          </Button>
        </div>
        <div className="md:col-span-5">
          <ErrorText error={create.error ?? agents.error} />
        </div>
      </form>
    </Card>
  );
}
