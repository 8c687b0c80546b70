"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { Field, Input } from "@/components/ui/field";
import { formatDateTime } from "@/components/ui/format";
import { SecretReveal } from "@/components/ui/secret-reveal";
import { WEBHOOK_EVENTS } from "@/server/schemas/enums";
import { Table, Td, Th } from "@/components/ui/table";

// Declared once in server/schemas/enums.ts, which client components may import.
const EVENTS = WEBHOOK_EVENTS;

export function WebhooksAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hooks = useQuery(trpc.notifications.webhooks.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.notifications.webhooks.queryKey() });
  const create = useMutation(trpc.notifications.createWebhook.mutationOptions({ onSuccess: refresh }));
  const setActive = useMutation(trpc.notifications.setWebhookActive.mutationOptions({ onSuccess: refresh }));
  const [secret, setSecret] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const events = EVENTS.filter((e) => form.get(e) === "on");
    const result = await create.mutateAsync({ url: String(form.get("url") ?? ""), events }).catch(() => null);
    if (result) {
      formElement.reset();
      setSecret(result.secret);
    }
  }

  return (
    <div className="space-y-6">
      {secret ? <SecretReveal label="Signing secret" secret={secret} onDone={() => setSecret(null)} /> : null}
      <Card title="Add a webhook">
        <p className="mb-3 text-sm text-slate-600">
          Warden POSTs each event as JSON with <code className="font-mono">X-Warden-Signature: t=…,v1=HMAC-SHA256(secret, t + &quot;.&quot; + body)</code>,
          retrying with backoff (5 s, 10 s, 20 s… up to 8 attempts).
        </p>
        <form onSubmit={submit} className="flex flex-wrap items-end gap-4" aria-label="Add a webhook">
          <div className="w-full md:w-96">
            <Field label="URL">
              <Input name="url" type="url" required placeholder="https://chat.example.com/hooks/warden" />
            </Field>
          </div>
          <fieldset className="flex flex-wrap gap-3 text-sm">
            {EVENTS.map((e) => (
              <label key={e} className="flex items-center gap-1.5">
                <input type="checkbox" name={e} defaultChecked /> {e}
              </label>
            ))}
          </fieldset>
          <Button type="submit" disabled={create.isPending}>
            Add webhook
          </Button>
        </form>
        <ErrorText error={create.error} />
      </Card>
      <Card title={`Webhooks${hooks.data ? ` (${hooks.data.length})` : ""}`}>
        <ErrorText error={hooks.error} />
        {hooks.isLoading ? <p className="text-sm text-slate-600">Loading…</p> : null}
        {hooks.data?.length === 0 ? (
          <p className="text-sm text-slate-600" data-testid="webhooks-empty">
            No webhooks yet. Add one above and Warden will POST the events you pick to it, signed; each then appears here with its recent deliveries.
          </p>
        ) : null}
        {hooks.data && hooks.data.length > 0 ? (
          <Table>
            <thead>
              <tr>
                <Th>URL</Th>
                <Th>Events</Th>
                <Th>State</Th>
                <Th>Last delivery</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100" data-testid="webhooks-list">
              {hooks.data.map((h) => (
                <tr key={h.id}>
                  <Td className="font-mono text-xs break-all">
                    <a href={`#webhook-${h.id}`} className="underline">
                      {h.url}
                    </a>
                  </Td>
                  <Td className="text-xs">{h.events.join(", ")}</Td>
                  <Td>
                    <Badge tone={h.active ? "green" : "gray"}>{h.active ? "active" : "disabled"}</Badge>
                  </Td>
                  <Td className="text-xs">{h.deliveries[0] ? `${h.deliveries[0].status} · ${formatDateTime(h.deliveries[0].createdAt)}` : "none yet"}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : null}
      </Card>
      {hooks.data?.map((h) => (
        <Card
          key={h.id}
          id={`webhook-${h.id}`}
          title={<span className="font-mono break-all">{h.url}</span>}
          actions={
            <Button size="sm" variant={h.active ? "ghost" : "secondary"} onClick={() => setActive.mutate({ id: h.id, active: !h.active })}>
              {h.active ? "Disable" : "Enable"}
            </Button>
          }
        >
          <p className="mb-2 text-xs text-slate-500">
            {h.active ? "active" : "disabled"} · events: {h.events.join(", ")}
          </p>
          <h3 className="text-xs font-semibold text-slate-500 uppercase">Recent deliveries</h3>
          {h.deliveries.length === 0 ? <p className="text-sm text-slate-500">None yet.</p> : null}
          <ul className="mt-1 divide-y divide-slate-100 text-sm">
            {h.deliveries.map((d) => (
              <li key={d.id} className="flex items-center justify-between py-1.5">
                <span className="font-mono text-xs">{d.event}</span>
                <span className="text-xs text-slate-500">{formatDateTime(d.createdAt)}</span>
                <span className="text-xs">
                  {d.attempts} attempt(s){d.lastStatusCode ? ` · HTTP ${d.lastStatusCode}` : ""}
                  {d.lastError && d.status !== "delivered" ? ` · ${d.lastError}` : ""}
                </span>
                <Badge tone={d.status === "delivered" ? "green" : d.status === "failed" ? "red" : "amber"}>{d.status}</Badge>
              </li>
            ))}
          </ul>
        </Card>
      ))}
    </div>
  );
}
