"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { SlackRoute } from "@/server/schemas/notification-channels";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { Field, Input, Select } from "@/components/ui/field";

export type ChannelState = { enabled: boolean; settings: Record<string, unknown>; secretsSet: string[]; secretsUnreadable: boolean } | null;

type RouteRow = { team: string; tool: string; minRisk: "" | NonNullable<SlackRoute["minRisk"]>; channel: string };

const toRows = (routes: SlackRoute[]): RouteRow[] =>
  routes.map((r) => ({ team: r.team ?? "", tool: r.tool ?? "", minRisk: r.minRisk ?? "", channel: r.channel }));
const fromRows = (rows: RouteRow[]): SlackRoute[] =>
  rows
    .filter((r) => r.channel.trim())
    .map((r) => ({
      channel: r.channel.trim(),
      ...(r.team.trim() ? { team: r.team.trim() } : {}),
      ...(r.tool.trim() ? { tool: r.tool.trim() } : {}),
      ...(r.minRisk ? { minRisk: r.minRisk } : {}),
    }));

/** A secret field: empty keeps the stored one, which is never sent back to the browser. */
function SecretField({ label, name, isSet, hint }: { label: string; name: string; isSet: boolean; hint: string }) {
  return (
    <Field label={label} hint={isSet ? `Stored, sealed; never shown again. Type a new one to replace it. ${hint}` : hint}>
      <Input name={name} type="password" autoComplete="off" placeholder={isSet ? "•••••••• (stored)" : ""} required={!isSet} />
    </Field>
  );
}

export function SlackSettings({ state, onSaved }: { state: ChannelState; onSaved: () => void }) {
  const trpc = useTRPC();
  const settings = (state?.settings ?? {}) as { defaultChannel?: string; routes?: SlackRoute[] };
  const [rows, setRows] = useState<RouteRow[]>(() => toRows(settings.routes ?? []));
  const save = useMutation(trpc.notifications.saveSlack.mutationOptions({ onSuccess: onSaved }));
  const remove = useMutation(trpc.notifications.removeChannel.mutationOptions({ onSuccess: onSaved }));
  const isSet = (secret: string) => Boolean(state && !state.secretsUnreadable && state.secretsSet.includes(secret));
  const interactionUrl = typeof window === "undefined" ? "/api/slack/interactions" : `${window.location.origin}/api/slack/interactions`;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "");
    save.mutate({
      enabled: form.get("enabled") === "on",
      botToken: text("botToken"),
      signingSecret: text("signingSecret"),
      defaultChannel: text("defaultChannel"),
      routes: fromRows(rows),
    });
  }
  const setRow = (i: number, patch: Partial<RouteRow>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  return (
    <Card
      title="Slack"
      actions={
        state ? (
          <span className="text-xs text-slate-600">{state.enabled ? "connected" : "connected, paused"}</span>
        ) : (
          <span className="text-xs text-slate-600">not connected</span>
        )
      }
    >
      <p className="mb-4 text-sm text-slate-600">
        Each approval request is posted with its context and Approve / Reject buttons; the message is updated when the request is decided, here or there. In
        your Slack app, set Interactivity&apos;s request URL to <code className="font-mono break-all">{interactionUrl}</code> and give the bot{" "}
        <code className="font-mono">chat:write</code> and <code className="font-mono">users:read.email</code>. People decide as the Warden user with the same
        email, with that user&apos;s role.
      </p>
      {state?.secretsUnreadable ? (
        <p role="alert" className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          The stored secrets were sealed under another key (WARDEN_SECRETS_KEY or AUTH_SECRET changed): type them again.
        </p>
      ) : null}
      <form onSubmit={submit} className="space-y-4" aria-label="Slack connection">
        <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
          <SecretField label="Bot token" name="botToken" isSet={isSet("botToken")} hint="xoxb-…, from OAuth & Permissions." />
          <SecretField label="Signing secret" name="signingSecret" isSet={isSet("signingSecret")} hint="From Basic Information → App Credentials." />
          <Field label="Default channel" hint="A channel id (C…) or #name the bot is in; used when no rule matches.">
            <Input name="defaultChannel" required defaultValue={settings.defaultChannel ?? ""} placeholder="#approvals" />
          </Field>
          <label className="flex items-center gap-2 self-center text-sm">
            <input type="checkbox" name="enabled" defaultChecked={state?.enabled ?? true} /> Post approval requests to Slack
          </label>
        </div>
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-slate-700">Rules (the first that matches picks the channel)</legend>
          {rows.length === 0 ? <p className="text-sm text-slate-600">No rules: every request goes to the default channel.</p> : null}
          {rows.map((row, i) => (
            <div key={i} className="grid grid-cols-2 items-end gap-2 md:grid-cols-[1fr_1fr_1fr_1fr_auto]" data-testid="slack-route">
              <Input aria-label={`Rule ${i + 1}: team`} placeholder="team (any)" value={row.team} onChange={(e) => setRow(i, { team: e.target.value })} />
              <Input aria-label={`Rule ${i + 1}: tool`} placeholder="tool (any)" value={row.tool} onChange={(e) => setRow(i, { tool: e.target.value })} />
              <Select aria-label={`Rule ${i + 1}: risk`} value={row.minRisk} onChange={(e) => setRow(i, { minRisk: e.target.value as RouteRow["minRisk"] })}>
                <option value="">any risk</option>
                <option value="medium">medium and above</option>
                <option value="high">high and above</option>
                <option value="critical">critical</option>
              </Select>
              <Input
                aria-label={`Rule ${i + 1}: channel`}
                placeholder="#channel"
                value={row.channel}
                onChange={(e) => setRow(i, { channel: e.target.value })}
              />
              <Button variant="ghost" size="sm" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                Remove
              </Button>
            </div>
          ))}
          <Button variant="secondary" size="sm" onClick={() => setRows([...rows, { team: "", tool: "", minRisk: "", channel: "" }])}>
            Add a rule
          </Button>
        </fieldset>
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" disabled={save.isPending}>
            {state ? "Save Slack settings" : "Connect Slack"}
          </Button>
          {state ? (
            <Button variant="ghost" onClick={() => remove.mutate({ kind: "slack" })}>
              Disconnect
            </Button>
          ) : null}
          {save.isSuccess ? (
            <span role="status" className="text-sm text-emerald-700">
              Saved
            </span>
          ) : null}
        </div>
        <ErrorText error={save.error ?? remove.error} />
      </form>
    </Card>
  );
}
