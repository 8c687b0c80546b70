"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorText } from "@/components/ui/error-text";
import { Field, Input } from "@/components/ui/field";
import { splitList } from "./list-input";
import { unregisteredTools } from "./unregistered-tools";

type Agent = { id: string; name: string; capabilities: string[]; tools: string[]; scopes: string[] };

export function AgentGrants({ agent }: { agent: Agent }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const registry = useQuery(trpc.tools.list.queryOptions());
  const [toolsText, setToolsText] = useState(agent.tools.join(", "));
  // A grant of a tool the registry does not know is saved (it may be registered next), but every
  // action with it is denied as "unknown tool" until then: say so while the admin types.
  const unknown = registry.data
    ? unregisteredTools(
        splitList(toolsText),
        registry.data.map((t) => t.name),
      )
    : [];
  const update = useMutation(
    trpc.agents.updateGrants.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.agents.list.queryKey() }) }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (n: string) => String(form.get(n) ?? "");
    update.mutate({
      agentId: agent.id,
      capabilities: splitList(text("capabilities")),
      tools: splitList(text("tools")),
      scopes: splitList(text("scopes")),
    });
  }
  return (
    <form onSubmit={submit} className="space-y-3" aria-label={`Grants of ${agent.name}`}>
      <h3 className="text-sm font-semibold">Grants</h3>
      <Field label="Tools">
        <Input name="tools" value={toolsText} onChange={(e) => setToolsText(e.target.value)} aria-invalid={unknown.length > 0 || undefined} />
      </Field>
      {unknown.length > 0 ? (
        <p role="status" className="rounded-md bg-amber-50 px-3 py-2 text-xs text-amber-900" data-testid="unknown-tools">
          Not in the tool registry: {unknown.join(", ")}. Until such a tool is registered (Settings → Tools), every action that names it is denied.
        </p>
      ) : null}
      <Field label="Resource scopes">
        <Input name="scopes" defaultValue={agent.scopes.join(", ")} />
      </Field>
      <Field label="Capabilities">
        <Input name="capabilities" defaultValue={agent.capabilities.join(", ")} />
      </Field>
      <div className="flex items-center gap-3">
        <Button type="submit" size="sm" disabled={update.isPending}>
          Save grants
        </Button>
        {update.isSuccess ? <span className="text-xs text-emerald-700">Saved</span> : null}
      </div>
      <ErrorText error={update.error} />
    </form>
  );
}
