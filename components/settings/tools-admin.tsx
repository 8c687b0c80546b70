"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { Field, Input, Select } from "@/components/ui/field";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { RISK_TONE } from "@/components/inbox/format";
import { TOOL_RISKS, type ToolRisk } from "@/server/schemas/enums";
import { splitList } from "./list-input";

type ToolRow = {
  name: string;
  description: string;
  scopes: string[];
  rateLimit: string | null;
  requiresConfirmation: boolean;
  reversible: boolean;
  risk: ToolRisk;
  resourceArgument: string | null;
  defaultConfidence: number | null;
  mcpServer: string | null;
};

export function ToolsAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tools = useQuery(trpc.tools.list.queryOptions());
  const [editing, setEditing] = useState<ToolRow | "new" | null>(null);
  return (
    <div className="space-y-6">
      {editing ? (
        <ToolForm
          tool={editing === "new" ? null : editing}
          onDone={() => {
            setEditing(null);
            void queryClient.invalidateQueries({ queryKey: trpc.tools.list.queryKey() });
          }}
        />
      ) : null}
      <Card title={`Tools (${tools.data?.length ?? 0})`} actions={editing ? null : <Button onClick={() => setEditing("new")}>Register tool</Button>}>
        <ErrorText error={tools.error} />
        <Table>
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Scopes</Th>
              <Th>Rate limit</Th>
              <Th>Risk</Th>
              <Th>Flags</Th>
              <Th className="text-right">Edit</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {tools.data?.length === 0 ? <EmptyRow colSpan={6}>No tools yet: agents can only be granted registered tools.</EmptyRow> : null}
            {tools.data?.map((t) => (
              <tr key={t.name} data-testid={`tool-row-${t.name}`}>
                <Td>
                  <span className="font-mono font-medium text-slate-900">{t.name}</span>
                  {t.description ? <span className="block text-xs text-slate-500">{t.description}</span> : null}
                  {t.mcpServer ? (
                    <span className="block text-xs text-slate-500">
                      from MCP server {t.mcpServer}
                      {t.resourceArgument ? `; resource: ${t.resourceArgument}` : ""}
                    </span>
                  ) : null}
                </Td>
                <Td className="font-mono text-xs">{t.scopes.join(", ") || "any resource"}</Td>
                <Td className="text-xs">{t.rateLimit ?? "unlimited"}</Td>
                <Td>
                  <Badge tone={RISK_TONE[t.risk]}>{t.risk}</Badge>
                </Td>
                <Td className="space-x-1 text-xs">
                  {t.requiresConfirmation ? <Badge tone="amber">always confirm</Badge> : null}
                  {t.reversible ? <Badge tone="green">reversible</Badge> : null}
                </Td>
                <Td className="text-right">
                  <Button size="sm" variant="secondary" onClick={() => setEditing(t)}>
                    Edit
                  </Button>
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
    </div>
  );
}

function ToolForm({ tool, onDone }: { tool: ToolRow | null; onDone: () => void }) {
  const trpc = useTRPC();
  const put = useMutation(trpc.tools.put.mutationOptions({ onSuccess: onDone }));
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (n: string) => String(form.get(n) ?? "").trim();
    put.mutate({
      name: tool?.name ?? text("name"),
      tool: {
        description: text("description"),
        scopes: splitList(text("scopes")),
        rateLimit: text("rateLimit") || null,
        risk: text("risk") as ToolRow["risk"],
        requiresConfirmation: form.get("requiresConfirmation") === "on",
        reversible: form.get("reversible") === "on",
        resourceArgument: text("resourceArgument") || null,
        defaultConfidence: text("defaultConfidence") ? Number(text("defaultConfidence")) : null,
      },
    });
  }
  return (
    <Card title={tool ? `Edit ${tool.name}` : "Register a tool"}>
      <form onSubmit={submit} className="grid grid-cols-1 gap-4 md:grid-cols-3" aria-label="Tool">
        <Field label="Name">
          <Input name="name" defaultValue={tool?.name} readOnly={Boolean(tool)} required placeholder="docker.restart" />
        </Field>
        <Field label="Resource scopes" hint="globs, comma-separated; empty: any resource">
          <Input name="scopes" defaultValue={tool?.scopes.join(", ")} placeholder="staging/*" />
        </Field>
        <Field label="Rate limit" hint="per agent, e.g. 10/minute; empty: none">
          <Input name="rateLimit" defaultValue={tool?.rateLimit ?? ""} placeholder="10/minute" />
        </Field>
        <Field label="Description">
          <Input name="description" defaultValue={tool?.description} />
        </Field>
        <Field label="Risk" hint="critical needs a quorum of approvers">
          <Select name="risk" defaultValue={tool?.risk ?? "low"}>
            {TOOL_RISKS.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </Select>
        </Field>
        <Field label="Resource argument" hint="MCP gateway: the argument that names the resource, e.g. path">
          <Input name="resourceArgument" defaultValue={tool?.resourceArgument ?? ""} placeholder="path" />
        </Field>
        <Field label="Default confidence" hint="MCP gateway: for calls that state none; empty: 0.5 (waits for a human)">
          <Input name="defaultConfidence" type="number" min={0} max={1} step={0.01} defaultValue={tool?.defaultConfidence ?? ""} placeholder="0.5" />
        </Field>
        <div className="flex flex-col justify-center gap-2 text-sm">
          <label className="flex items-center gap-2">
            <input type="checkbox" name="requiresConfirmation" defaultChecked={tool?.requiresConfirmation} /> Always needs a human
          </label>
          <label className="flex items-center gap-2">
            <input type="checkbox" name="reversible" defaultChecked={tool?.reversible} /> Reversible (registers an undo)
          </label>
        </div>
        <div className="flex gap-2 md:col-span-3">
          <Button type="submit" disabled={put.isPending}>
            Save tool
          </Button>
          <Button variant="ghost" onClick={onDone}>
            Cancel
          </Button>
        </div>
        <div className="md:col-span-3">
          <ErrorText error={put.error} />
        </div>
      </form>
    </Card>
  );
}
