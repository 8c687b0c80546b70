"use client";

import { useMutation } from "@tanstack/react-query";
import { type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText, fieldErrorOf } from "@/components/ui/error-text";
import { Field, Input } from "@/components/ui/field";

export function PasswordForm({ email }: { email: string }) {
  const trpc = useTRPC();
  const change = useMutation(trpc.users.changePassword.mutationOptions());

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const result = await change
      .mutateAsync({ currentPassword: String(form.get("currentPassword") ?? ""), newPassword: String(form.get("newPassword") ?? "") })
      .catch(() => null);
    if (result) formElement.reset();
  }

  return (
    <Card title="Change your password">
      <p className="mb-4 text-sm text-slate-600">
        Signed in as <strong>{email}</strong>. A new password signs you out everywhere else: every other browser holding a session of yours is out at once.
      </p>
      <form onSubmit={submit} className="max-w-sm space-y-4" aria-label="Change your password">
        <Field label="Current password" error={fieldErrorOf(change.error, "currentPassword")}>
          <Input name="currentPassword" type="password" autoComplete="current-password" required />
        </Field>
        <Field label="New password" hint="At least 12 characters." error={fieldErrorOf(change.error, "newPassword")}>
          <Input name="newPassword" type="password" autoComplete="new-password" required minLength={12} />
        </Field>
        <Button type="submit" disabled={change.isPending}>
          Change password
        </Button>
        {change.data ? (
          <p role="status" className="text-sm text-green-700">
            Password changed; {change.data.sessionsEnded} other session{change.data.sessionsEnded === 1 ? "" : "s"} ended.
          </p>
        ) : null}
        {change.error && !fieldErrorOf(change.error, "currentPassword") && !fieldErrorOf(change.error, "newPassword") ? (
          <ErrorText error={change.error} />
        ) : null}
      </form>
    </Card>
  );
}
