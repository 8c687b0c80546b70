"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText, fieldErrorOf } from "@/components/ui/error-text";
import { Field, Input } from "@/components/ui/field";
import { formatRelative } from "@/components/ui/format";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { formatUsd } from "@/server/schemas/cost";

type PriceRow = { model: string; inputUsdPerMillion: number; outputUsdPerMillion: number; updatedBy: string; updatedAt: string };

/** The price table: what a million input and output tokens of each model cost. Admins edit it. */
export function PricesAdmin({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const prices = useQuery(trpc.cost.prices.queryOptions());
  const unpriced = useQuery(trpc.cost.unpricedModels.queryOptions());
  const [editing, setEditing] = useState<PriceRow | { model: string } | "new" | null>(null);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.cost.prices.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.cost.unpricedModels.queryKey() });
  };
  const remove = useMutation(trpc.cost.deletePrice.mutationOptions({ onSettled: refresh }));

  return (
    <div className="space-y-6">
      {editing ? (
        <PriceForm
          price={editing === "new" ? null : editing}
          onDone={() => {
            setEditing(null);
            refresh();
          }}
        />
      ) : null}
      <Card
        title={`Model prices (${prices.data?.length ?? 0})`}
        actions={canEdit && !editing ? <Button onClick={() => setEditing("new")}>Add a model</Button> : null}
      >
        <p className="mb-3 text-sm text-slate-600">
          When an agent reports tokens without their cost, Warden prices them from this table as they arrive. A change applies to usage from then on; what was
          already counted stays as it was.
        </p>
        <ErrorText error={prices.error ?? remove.error} />
        <Table>
          <thead>
            <tr>
              <Th>Model</Th>
              <Th className="text-right">Input, per million tokens</Th>
              <Th className="text-right">Output, per million tokens</Th>
              <Th>Last changed</Th>
              {canEdit ? <Th className="text-right">Edit</Th> : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {prices.data?.length === 0 ? <EmptyRow colSpan={canEdit ? 5 : 4}>No prices yet: usage without a cost is stored unpriced.</EmptyRow> : null}
            {prices.data?.map((p) => (
              <tr key={p.model} data-testid={`price-row-${p.model}`}>
                <Td className="font-mono font-medium whitespace-nowrap text-slate-900">{p.model}</Td>
                <Td className="text-right tabular-nums">{formatUsd(p.inputUsdPerMillion)}</Td>
                <Td className="text-right tabular-nums">{formatUsd(p.outputUsdPerMillion)}</Td>
                <Td className="text-xs">
                  {formatRelative(p.updatedAt)} by {p.updatedBy}
                </Td>
                {canEdit ? (
                  <Td className="space-x-1 text-right whitespace-nowrap">
                    <Button size="sm" variant="secondary" onClick={() => setEditing(p)}>
                      Edit
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      disabled={remove.isPending}
                      onClick={() => {
                        if (window.confirm(`Remove the price of ${p.model}? Its usage from now on is stored unpriced.`)) remove.mutate({ model: p.model });
                      }}
                    >
                      Remove
                    </Button>
                  </Td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
      {unpriced.data && unpriced.data.length > 0 ? (
        <Card title="Models used in the last 7 days without a price">
          <p className="mb-3 text-sm text-slate-600">Their tokens are counted; their money is not, so budgets do not see it.</p>
          <Table>
            <thead>
              <tr>
                <Th>Model</Th>
                <Th className="text-right">Unpriced events</Th>
                <Th>Last seen</Th>
                {canEdit ? <Th className="text-right">Price it</Th> : null}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {unpriced.data.map((u) => (
                <tr key={u.model} data-testid={`unpriced-row-${u.model}`}>
                  <Td className="font-mono">{u.model}</Td>
                  <Td className="text-right tabular-nums">{u.events.toLocaleString()}</Td>
                  <Td className="text-xs">{formatRelative(u.lastAt)}</Td>
                  {canEdit ? (
                    <Td className="text-right">
                      <Button size="sm" variant="secondary" onClick={() => setEditing({ model: u.model })}>
                        Set price
                      </Button>
                    </Td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
      ) : null}
    </div>
  );
}

function PriceForm({ price, onDone }: { price: PriceRow | { model: string } | null; onDone: () => void }) {
  const trpc = useTRPC();
  const put = useMutation(trpc.cost.putPrice.mutationOptions({ onSuccess: onDone }));
  const existing = price && "updatedAt" in price ? price : null;
  const fieldError = (name: string) => fieldErrorOf(put.error, name);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (n: string) => String(form.get(n) ?? "").trim();
    put.mutate({ model: text("model"), inputUsdPerMillion: Number(text("inputUsdPerMillion")), outputUsdPerMillion: Number(text("outputUsdPerMillion")) });
  }
  return (
    <Card title={existing ? `Edit the price of ${existing.model}` : "Add a model's price"}>
      <form onSubmit={submit} className="grid grid-cols-1 gap-4 md:grid-cols-4" aria-label="Model price">
        <Field label="Model" hint="as agents send it" error={fieldError("model")}>
          <Input name="model" defaultValue={price?.model} readOnly={Boolean(existing)} required placeholder="gpt-4o" />
        </Field>
        <Field label="Input (USD per million tokens)" error={fieldError("inputUsdPerMillion")}>
          <Input name="inputUsdPerMillion" type="number" min="0" step="any" required defaultValue={existing?.inputUsdPerMillion} placeholder="2.50" />
        </Field>
        <Field label="Output (USD per million tokens)" error={fieldError("outputUsdPerMillion")}>
          <Input name="outputUsdPerMillion" type="number" min="0" step="any" required defaultValue={existing?.outputUsdPerMillion} placeholder="10.00" />
        </Field>
        <div className="flex items-end gap-2">
          <Button type="submit" disabled={put.isPending}>
            Save price
          </Button>
          <Button variant="ghost" onClick={onDone}>
            Cancel
          </Button>
        </div>
        <div className="md:col-span-4">
          <ErrorText error={put.error} />
        </div>
      </form>
    </Card>
  );
}
