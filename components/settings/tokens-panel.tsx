"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { Field, Input } from "@/components/ui/field";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { SecretReveal } from "@/components/ui/secret-reveal";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";

export function TokensPanel({ role }: { role: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.tokens.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
  const create = useMutation(trpc.tokens.create.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions({ onSuccess: refresh }));
  const [revealed, setRevealed] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const name = String(new FormData(formElement).get("name") ?? "");
    const result = await create.mutateAsync({ name }).catch(() => null);
    if (result) {
      formElement.reset();
      setRevealed(result.secret);
    }
  }

  return (
    <div className="space-y-6">
      {revealed ? <SecretReveal label="Your new API token" secret={revealed} onDone={() => setRevealed(null)} /> : null}
      <Card title="Create a personal API token">
        <p className="mb-4 text-sm text-slate-600">
          Scripts send it as <code className="font-mono">Authorization: Bearer …</code> and act with your role (now <strong>{role}</strong>), for example to
          approve from a chat integration or to hit the kill switch with curl.
        </p>
        <form onSubmit={submit} className="flex items-end gap-3" aria-label="Create a token">
          <div className="w-72">
            <Field label="Name">
              <Input name="name" required placeholder="chat-approvals" />
            </Field>
          </div>
          <Button type="submit" disabled={create.isPending}>
            Create token
          </Button>
        </form>
        <div className="mt-2">
          <ErrorText error={create.error} />
        </div>
      </Card>
      <Card title="Your tokens">
        <Table>
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Token</Th>
              <Th>Created</Th>
              <Th>Last used</Th>
              <Th className="text-right">Status</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {tokens.data?.length === 0 ? <EmptyRow colSpan={5}>No tokens yet.</EmptyRow> : null}
            {tokens.data?.map((token) => (
              <tr key={token.id}>
                <Td className="font-medium text-slate-900">{token.name}</Td>
                <Td>
                  <code className="font-mono text-xs">{token.prefix}…</code>
                </Td>
                <Td className="text-xs">{formatDateTime(token.createdAt)}</Td>
                <Td className="text-xs">{formatRelative(token.lastUsedAt)}</Td>
                <Td className="text-right">
                  {token.revokedAt ? (
                    <Badge tone="red">revoked</Badge>
                  ) : (
                    <Button size="sm" variant="danger" onClick={() => revoke.mutate({ tokenId: token.id })}>
                      Revoke
                    </Button>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
        <ErrorText error={tokens.error ?? revoke.error} />
      </Card>
    </div>
  );
}
