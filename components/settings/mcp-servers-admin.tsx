"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { Field, Input, Select, Textarea } from "@/components/ui/field";
import type { McpServerView } from "@/server/schemas/mcp-servers";

const HEALTH_TONE: Record<McpServerView["health"]["state"], BadgeTone> = { ready: "green", connecting: "amber", failed: "red", disabled: "gray" };

export function McpServersAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Health changes on its own (a crash, a restart): the list is read again every few seconds.
  const servers = useQuery({ ...trpc.mcpServers.list.queryOptions(), refetchInterval: 3_000 });
  const [editing, setEditing] = useState<McpServerView | "new" | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.mcpServers.list.queryKey() });
  return (
    <div className="space-y-6">
      <p className="text-sm text-slate-600">
        Upstream MCP servers whose tools agents reach through Warden&apos;s gateway (<code className="font-mono">/api/mcp/gateway</code>, or the stdio relay{" "}
        <code className="font-mono">sdk/dist/sdk/src/mcp/stdio.js --gateway</code>). Each tool becomes a Warden tool named{" "}
        <code className="font-mono">server.tool</code>: set its scopes, rate limit and risk in{" "}
        <Link className="text-brand-700 underline" href="/settings/tools">
          Tools
        </Link>
        , and grant it to agents in{" "}
        <Link className="text-brand-700 underline" href="/settings/agents">
          Agents
        </Link>
        .
      </p>
      {editing ? (
        <McpServerForm
          server={editing === "new" ? null : editing}
          onDone={() => {
            setEditing(null);
            refresh();
          }}
        />
      ) : null}
      <Card title={`MCP servers (${servers.data?.length ?? 0})`} actions={editing ? null : <Button onClick={() => setEditing("new")}>Add MCP server</Button>}>
        <ErrorText error={servers.error} />
        {servers.data?.length === 0 ? <p className="text-sm text-slate-600">No MCP servers yet.</p> : null}
        <ul className="divide-y divide-slate-100">
          {servers.data?.map((server) => (
            <ServerRow key={server.name} server={server} onEdit={() => setEditing(server)} onDeleted={refresh} />
          ))}
        </ul>
      </Card>
    </div>
  );
}

function ServerRow({ server, onEdit, onDeleted }: { server: McpServerView; onEdit: () => void; onDeleted: () => void }) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation(trpc.mcpServers.delete.mutationOptions({ onSuccess: onDeleted }));
  const target = server.transport === "stdio" ? [server.command, ...server.args].join(" ") : server.url;
  const secrets = [...Object.keys(server.env).map((n) => `env ${n}`), ...Object.keys(server.headers).map((n) => `header ${n}`)];
  const offered = server.tools.filter((t) => !t.skipped);
  const skipped = server.tools.filter((t) => t.skipped);
  return (
    <li className="space-y-2 py-4" data-testid={`mcp-server-${server.name}`}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-mono font-medium text-slate-900">{server.name}</span>
        <Badge>{server.transport}</Badge>
        <Badge tone={HEALTH_TONE[server.health.state]}>
          <span data-testid="mcp-health">{server.health.state}</span>
        </Badge>
        {server.health.restarts > 0 ? <span className="text-xs text-slate-600">{server.health.restarts} restarts</span> : null}
        <span className="ml-auto flex gap-2">
          <Button size="sm" variant="secondary" onClick={onEdit}>
            Edit
          </Button>
          {confirming ? (
            <Button size="sm" variant="danger" disabled={remove.isPending} onClick={() => remove.mutate({ name: server.name })}>
              Delete {server.name}?
            </Button>
          ) : (
            <Button size="sm" variant="ghost" onClick={() => setConfirming(true)}>
              Delete
            </Button>
          )}
        </span>
      </div>
      <p className="font-mono text-xs break-all text-slate-700">{target}</p>
      {server.health.error ? (
        <p role="status" className="rounded-md bg-red-50 px-3 py-2 text-xs break-words text-red-800">
          {server.health.error}
          {server.health.nextAttemptAt ? ` (next attempt ${new Date(server.health.nextAttemptAt).toLocaleTimeString()})` : ""}
        </p>
      ) : server.health.lastFailure ? (
        <p className="text-xs break-words text-slate-600">
          Last failure ({new Date(server.health.lastFailure.at).toLocaleString()}): {server.health.lastFailure.error}
        </p>
      ) : null}
      {secrets.length > 0 ? <p className="text-xs text-slate-600">Secrets: {secrets.map((s) => `${s}: set`).join(", ")}</p> : null}
      <details className="text-sm">
        <summary className="cursor-pointer text-slate-700">
          {offered.length} tool{offered.length === 1 ? "" : "s"}
          {skipped.length > 0 ? `, ${skipped.length} not offered` : ""}
        </summary>
        <ul className="mt-2 space-y-1">
          {server.tools.map((tool) => (
            <li key={tool.upstreamName} className="text-xs">
              <span className={`font-mono ${tool.skipped ? "text-slate-500 line-through" : "text-slate-900"}`}>{tool.name}</span>
              <span className="block text-slate-600">{tool.skipped ?? tool.description}</span>
            </li>
          ))}
        </ul>
      </details>
      <ErrorText error={remove.error} />
    </li>
  );
}

type SecretRow = { name: string; value: string; saved: boolean };

function SecretRows({ label, rows, setRows, placeholder }: { label: string; rows: SecretRow[]; setRows: (rows: SecretRow[]) => void; placeholder: string }) {
  const setRow = (i: number, patch: Partial<SecretRow>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="space-y-2 md:col-span-2">
      <legend className="text-sm font-medium text-slate-700">{label}</legend>
      <p className="text-xs text-slate-600">Values are sealed and never shown again; leave a saved one empty to keep it.</p>
      {rows.map((row, i) => (
        <div key={i} className="grid grid-cols-1 items-center gap-2 border-b border-slate-100 pb-2 sm:grid-cols-[1fr_1fr_auto] sm:border-0 sm:pb-0">
          <Input
            aria-label={`${label} ${i + 1}: name`}
            placeholder={placeholder}
            value={row.name}
            readOnly={row.saved}
            onChange={(e) => setRow(i, { name: e.target.value })}
          />
          <Input
            aria-label={`${label} ${i + 1}: value`}
            type="password"
            autoComplete="off"
            placeholder={row.saved ? "set (kept)" : "value"}
            value={row.value}
            onChange={(e) => setRow(i, { value: e.target.value })}
          />
          <Button variant="ghost" size="sm" className="justify-self-start" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
            Remove
          </Button>
        </div>
      ))}
      <Button variant="secondary" size="sm" onClick={() => setRows([...rows, { name: "", value: "", saved: false }])}>
        Add
      </Button>
    </fieldset>
  );
}

function savedRows(names: Record<string, string>): SecretRow[] {
  return Object.keys(names).map((name) => ({ name, value: "", saved: true }));
}

/** Rows as the API takes them: a saved secret left empty is null ("keep it"). */
function fromRows(rows: SecretRow[]): Record<string, string | null> {
  return Object.fromEntries(rows.filter((r) => r.name.trim()).map((r) => [r.name.trim(), r.saved && r.value === "" ? null : r.value]));
}

function McpServerForm({ server, onDone }: { server: McpServerView | null; onDone: () => void }) {
  const trpc = useTRPC();
  const [transport, setTransport] = useState<McpServerView["transport"]>(server?.transport ?? "stdio");
  const [env, setEnv] = useState<SecretRow[]>(() => savedRows(server?.env ?? {}));
  const [headers, setHeaders] = useState<SecretRow[]>(() => savedRows(server?.headers ?? {}));
  const put = useMutation(trpc.mcpServers.put.mutationOptions({ onSuccess: onDone }));
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (n: string) => String(form.get(n) ?? "").trim();
    const timeout = text("callTimeoutSeconds");
    const common = { enabled: form.get("enabled") === "on", ...(timeout ? { callTimeoutSeconds: Number(timeout) } : {}) };
    put.mutate({
      name: server?.name ?? text("name"),
      server:
        transport === "stdio"
          ? {
              transport,
              command: text("command"),
              args: String(form.get("args") ?? "")
                .split("\n")
                .map((a) => a.trim())
                .filter(Boolean),
              env: fromRows(env),
              ...common,
            }
          : { transport, url: text("url"), headers: fromRows(headers), ...common },
    });
  }
  return (
    <Card title={server ? `Edit ${server.name}` : "Add an MCP server"}>
      <form onSubmit={submit} className="grid grid-cols-1 gap-4 md:grid-cols-2" aria-label="MCP server">
        <Field label="Name" hint="lower case, no dot: its tools are named name.tool">
          <Input name="name" defaultValue={server?.name} readOnly={Boolean(server)} required placeholder="filesystem" />
        </Field>
        <Field label="Transport">
          <Select name="transport" value={transport} onChange={(e) => setTransport(e.target.value as McpServerView["transport"])}>
            <option value="stdio">stdio (a child process)</option>
            <option value="http">streamable HTTP</option>
          </Select>
        </Field>
        {transport === "stdio" ? (
          <>
            <Field label="Command">
              <Input name="command" defaultValue={server?.command ?? ""} required placeholder="npx" />
            </Field>
            <Field label="Arguments" hint="one per line">
              <Textarea
                name="args"
                rows={3}
                defaultValue={server?.args.join("\n") ?? ""}
                placeholder={"-y\n@modelcontextprotocol/server-filesystem\n/srv/data"}
              />
            </Field>
            <SecretRows label="Environment" rows={env} setRows={setEnv} placeholder="API_TOKEN" />
          </>
        ) : (
          <>
            <Field label="Address" hint="the server's streamable HTTP endpoint">
              <Input name="url" type="url" defaultValue={server?.url ?? ""} required placeholder="https://mcp.example.com/mcp" />
            </Field>
            <div />
            <SecretRows label="Headers" rows={headers} setRows={setHeaders} placeholder="Authorization" />
          </>
        )}
        <Field label="Call timeout (seconds)" hint="an upstream call running longer is cancelled">
          <Input name="callTimeoutSeconds" type="number" min={1} max={600} defaultValue={server?.callTimeoutSeconds ?? 40} />
        </Field>
        <label className="flex items-center gap-2 self-center text-sm">
          <input type="checkbox" name="enabled" defaultChecked={server?.enabled ?? true} /> Enabled
        </label>
        <div className="flex gap-2 md:col-span-2">
          <Button type="submit" disabled={put.isPending}>
            Save MCP server
          </Button>
          <Button variant="ghost" onClick={onDone}>
            Cancel
          </Button>
        </div>
        <div className="md:col-span-2">
          <ErrorText error={put.error} />
        </div>
      </form>
    </Card>
  );
}
