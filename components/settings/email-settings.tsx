"use client";

import { useMutation } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { Field, Input } from "@/components/ui/field";
import { splitList } from "./list-input";
import type { ChannelState } from "./slack-settings";

type EmailSettingsValues = { host?: string; port?: number; secure?: boolean; username?: string; from?: string; to?: string[] };

export function EmailSettings({ state, onSaved }: { state: ChannelState; onSaved: () => void }) {
  const trpc = useTRPC();
  const settings = (state?.settings ?? {}) as EmailSettingsValues;
  const save = useMutation(trpc.notifications.saveEmail.mutationOptions({ onSuccess: onSaved }));
  const remove = useMutation(trpc.notifications.removeChannel.mutationOptions({ onSuccess: onSaved }));
  const passwordSet = Boolean(state && !state.secretsUnreadable && state.secretsSet.includes("password"));

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    save.mutate({
      enabled: form.get("enabled") === "on",
      host: text("host"),
      port: Number(text("port") || 587),
      secure: form.get("secure") === "on",
      username: text("username"),
      password: text("password"),
      from: text("from"),
      to: splitList(text("to")),
    });
  }

  return (
    <Card title="Email" actions={<span className="text-xs text-slate-600">{state ? (state.enabled ? "set up" : "set up, paused") : "not set up"}</span>}>
      <p className="mb-4 text-sm text-slate-600">
        One message per approval request, with its context and a link that opens it in the inbox. Deciding needs a sign-in: a link in a mailbox can be followed
        by a scanner or a forward, so no email approves or rejects anything by itself.
      </p>
      <form onSubmit={submit} className="grid grid-cols-1 gap-4 md:grid-cols-3" aria-label="Email settings">
        <Field label="SMTP host">
          <Input name="host" required defaultValue={settings.host ?? ""} placeholder="smtp.example.com" />
        </Field>
        <Field label="Port" hint="587 with STARTTLS, 465 with TLS">
          <Input name="port" type="number" min={1} max={65535} defaultValue={settings.port ?? 587} />
        </Field>
        <label className="flex items-center gap-2 self-center text-sm">
          <input type="checkbox" name="secure" defaultChecked={settings.secure ?? false} /> TLS from the start (port 465)
        </label>
        <Field label="Username" hint="Empty: no authentication">
          <Input name="username" autoComplete="off" defaultValue={settings.username ?? ""} />
        </Field>
        <Field label="Password" hint={passwordSet ? "Stored, sealed; never shown again. Type a new one to replace it." : "Stored sealed; never shown again."}>
          <Input name="password" type="password" autoComplete="off" placeholder={passwordSet ? "•••••••• (stored)" : ""} />
        </Field>
        <Field label="From">
          <Input name="from" required defaultValue={settings.from ?? ""} placeholder="Warden <warden@example.com>" />
        </Field>
        <div className="md:col-span-2">
          <Field label="Recipients" hint="Comma-separated. Empty: every active approver, operator and admin.">
            <Input name="to" defaultValue={(settings.to ?? []).join(", ")} placeholder="oncall@example.com" />
          </Field>
        </div>
        <label className="flex items-center gap-2 self-center text-sm">
          <input type="checkbox" name="enabled" defaultChecked={state?.enabled ?? true} /> Email approval requests
        </label>
        <div className="flex flex-wrap items-center gap-3 md:col-span-3">
          <Button type="submit" disabled={save.isPending}>
            Save email settings
          </Button>
          {state ? (
            <Button variant="ghost" onClick={() => remove.mutate({ kind: "email" })}>
              Turn email off
            </Button>
          ) : null}
          {save.isSuccess ? (
            <span role="status" className="text-sm text-emerald-700">
              Saved
            </span>
          ) : null}
        </div>
        <div className="md:col-span-3">
          <ErrorText error={save.error ?? remove.error} />
        </div>
      </form>
    </Card>
  );
}
