"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorText } from "@/components/ui/error-text";
import { Field, Input } from "@/components/ui/field";
import { splitList } from "./list-input";

type Agent = { id: string; name: string; capabilities: string[]; tools: string[]; scopes: string[] };

export function AgentGrants({ agent }: { agent: Agent }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
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
        <Input name="tools" defaultValue={agent.tools.join(", ")} />
      </Field>
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
