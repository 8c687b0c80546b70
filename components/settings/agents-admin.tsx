"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText, fieldErrorOf } from "@/components/ui/error-text";
import { Field, Input, Select } from "@/components/ui/field";
import { formatRelative } from "@/components/ui/format";
import { SecretReveal } from "@/components/ui/secret-reveal";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { splitList } from "./list-input";
import { AgentGrants } from "./agent-grants";
import { AgentKeys } from "./agent-keys";

const TEAMS = ["ops", "dev", "security", "content"];

export function AgentsAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const agents = useQuery(trpc.agents.list.queryOptions());
  const [showForm, setShowForm] = useState(false);
  const [revealed, setRevealed] = useState<{ name: string; secret: string } | null>(null);
  const [openKeysFor, setOpenKeysFor] = useState<string | null>(null);
  const setActive = useMutation(
    trpc.agents.setActive.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.agents.list.queryKey() }) }),
  );
  const leads = (agents.data ?? []).filter((a) => a.role === "lead" && a.active);
  const nameById = new Map((agents.data ?? []).map((a) => [a.id, a.name]));

  return (
    <div className="space-y-6">
      {revealed ? <SecretReveal label={`Key for ${revealed.name}`} secret={revealed.secret} onDone={() => setRevealed(null)} /> : null}
      {showForm ? (
        <RegisterAgentForm
          leads={leads}
          onCancel={() => setShowForm(false)}
          onRegistered={(name, secret) => {
            setShowForm(false);
            setRevealed({ name, secret });
            void queryClient.invalidateQueries({ queryKey: trpc.agents.list.queryKey() });
          }}
        />
      ) : null}
      <Card
        title={`Agents (${agents.data?.length ?? 0})`}
        actions={
          showForm ? null : (
            <Button onClick={() => setShowForm(true)} data-testid="register-agent">
              Register agent
            </Button>
          )
        }
      >
        <ErrorText error={agents.error} />
        <Table>
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Role</Th>
              <Th>Team</Th>
              <Th>Capabilities</Th>
              <Th>Tools and scopes</Th>
              <Th>Last seen</Th>
              <Th className="text-right">Actions</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {agents.data?.length === 0 ? <EmptyRow colSpan={7}>No agents yet. Register the first one.</EmptyRow> : null}
            {agents.data?.map((agent) => (
              <AgentRowGroup
                key={agent.id}
                agent={agent}
                parentName={agent.parentId ? (nameById.get(agent.parentId) ?? "?") : null}
                keysOpen={openKeysFor === agent.id}
                onToggleKeys={() => setOpenKeysFor(openKeysFor === agent.id ? null : agent.id)}
                onSetActive={(active) => setActive.mutate({ agentId: agent.id, active })}
                onKeyIssued={(secret) => setRevealed({ name: agent.name, secret })}
              />
            ))}
          </tbody>
        </Table>
        <ErrorText error={setActive.error} />
      </Card>
    </div>
  );
}

type AgentRow = {
  id: string;
  name: string;
  role: "lead" | "specialist";
  team: string;
  capabilities: string[];
  tools: string[];
  scopes: string[];
  active: boolean;
  lastSeenAt: string | null;
};

function AgentRowGroup(props: {
  agent: AgentRow;
  parentName: string | null;
  keysOpen: boolean;
  onToggleKeys: () => void;
  onSetActive: (active: boolean) => void;
  onKeyIssued: (secret: string) => void;
}) {
  const { agent } = props;
  return (
    <>
      <tr data-testid={`agent-row-${agent.name}`} className={agent.active ? "" : "opacity-60"}>
        <Td>
          <span className="font-medium text-slate-900">{agent.name}</span>
          {props.parentName ? <span className="block text-xs text-slate-500">reports to {props.parentName}</span> : null}
          {!agent.active ? <Badge tone="red">deactivated</Badge> : null}
        </Td>
        <Td>
          <Badge tone={agent.role === "lead" ? "blue" : "gray"}>{agent.role}</Badge>
        </Td>
        <Td>{agent.team}</Td>
        <Td className="text-xs">{agent.capabilities.join(", ") || "—"}</Td>
        <Td className="text-xs">
          <div>{agent.tools.join(", ") || "no tools"}</div>
          <div className="text-slate-500">{agent.scopes.join(", ") || "no scopes"}</div>
        </Td>
        <Td className="text-xs">{formatRelative(agent.lastSeenAt)}</Td>
        <Td className="space-x-1 text-right whitespace-nowrap">
          <Button size="sm" variant="secondary" onClick={props.onToggleKeys}>
            {props.keysOpen ? "Close" : "Grants and keys"}
          </Button>
          <Button size="sm" variant={agent.active ? "ghost" : "secondary"} onClick={() => props.onSetActive(!agent.active)}>
            {agent.active ? "Deactivate" : "Reactivate"}
          </Button>
        </Td>
      </tr>
      {props.keysOpen ? (
        <tr>
          <td colSpan={7} className="bg-slate-50 px-6 py-4">
            <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
              <AgentGrants agent={agent} />
              <AgentKeys agentId={agent.id} agentActive={agent.active} onIssued={props.onKeyIssued} />
            </div>
          </td>
        </tr>
      ) : null}
    </>
  );
}

function RegisterAgentForm(props: { leads: { id: string; name: string }[]; onCancel: () => void; onRegistered: (name: string, secret: string) => void }) {
  const trpc = useTRPC();
  const create = useMutation(trpc.agents.create.mutationOptions());
  const fieldError = (name: string) => fieldErrorOf(create.error, name);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "");
    const result = await create
      .mutateAsync({
        name: text("name"),
        role: text("role") as "lead" | "specialist",
        team: text("team"),
        parentId: text("parentId") || null,
        capabilities: splitList(text("capabilities")),
        tools: splitList(text("tools")),
        scopes: splitList(text("scopes")),
      })
      .catch(() => null);
    if (result) props.onRegistered(result.agent.name, result.key.secret);
  }

  return (
    <Card title="Register an agent">
      <form onSubmit={submit} className="grid grid-cols-1 gap-4 md:grid-cols-3" aria-label="Register an agent">
        <Field label="Name" hint="letters, digits, dot, dash, underscore" error={fieldError("name")}>
          <Input name="name" required placeholder="ops-1" />
        </Field>
        <Field label="Role" hint="a lead delegates and never executes" error={fieldError("role")}>
          <Select name="role" defaultValue="specialist">
            <option value="specialist">specialist</option>
            <option value="lead">lead</option>
          </Select>
        </Field>
        <Field label="Team" error={fieldError("team")}>
          <Input name="team" required list="warden-teams" placeholder="ops" />
          <datalist id="warden-teams">
            {TEAMS.map((team) => (
              <option key={team} value={team} />
            ))}
          </datalist>
        </Field>
        <Field label="Reports to (lead)" error={fieldError("parentId")}>
          <Select name="parentId" defaultValue="">
            <option value="">nobody</option>
            {props.leads.map((lead) => (
              <option key={lead.id} value={lead.id}>
                {lead.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Capabilities" hint="task kinds it serves, comma-separated" error={fieldError("capabilities")}>
          <Input name="capabilities" placeholder="deploy, restart" />
        </Field>
        <Field label="Tools" hint="tool names it may call, comma-separated" error={fieldError("tools")}>
          <Input name="tools" placeholder="docker.restart, git.push" />
        </Field>
        <Field label="Resource scopes" hint="globs such as staging/*" error={fieldError("scopes")}>
          <Input name="scopes" placeholder="staging/*" />
        </Field>
        <div className="flex items-end gap-2">
          <Button type="submit" disabled={create.isPending}>
            {create.isPending ? "Registering…" : "Register and issue key"}
          </Button>
          <Button variant="ghost" onClick={props.onCancel}>
            Cancel
          </Button>
        </div>
        <div className="md:col-span-3">
          <ErrorText error={create.error} />
        </div>
      </form>
    </Card>
  );
}
