"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { Field, Input, Select } from "@/components/ui/field";
import { formatRelative } from "@/components/ui/format";
import { SecretReveal } from "@/components/ui/secret-reveal";
import { Table, Td, Th } from "@/components/ui/table";
import { ROLES, type Role } from "@/server/schemas/enums";

export function UsersAdmin({ currentUserId }: { currentUserId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const changeRole = useMutation(trpc.users.changeRole.mutationOptions({ onSettled: refresh }));
  const setActive = useMutation(trpc.users.setActive.mutationOptions({ onSettled: refresh }));
  const [revealed, setRevealed] = useState<{ email: string; password: string } | null>(null);

  return (
    <div className="space-y-6">
      {revealed ? <SecretReveal label={`Password for ${revealed.email}`} secret={revealed.password} onDone={() => setRevealed(null)} /> : null}
      <CreateUserForm onCreated={(email, password) => (password ? setRevealed({ email, password }) : null, refresh())} />
      <Card title={`People (${users.data?.length ?? 0})`}>
        <ErrorText error={users.error ?? changeRole.error ?? setActive.error} />
        <Table>
          <thead>
            <tr>
              <Th>Email</Th>
              <Th>Name</Th>
              <Th>Role</Th>
              <Th>Status</Th>
              <Th>Last sign-in</Th>
              <Th className="text-right">Actions</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {users.data?.map((user) => (
              <tr key={user.id} data-testid={`user-row-${user.email}`}>
                <Td className="font-medium text-slate-900">{user.email}</Td>
                <Td>{user.name ?? "—"}</Td>
                <Td>
                  <Select
                    aria-label={`Role of ${user.email}`}
                    value={user.role ?? ""}
                    className="w-32 py-1"
                    onChange={(e) => changeRole.mutate({ userId: user.id, role: e.target.value as Role })}
                  >
                    {user.role === null && (
                      <option value="" disabled>
                        no role
                      </option>
                    )}
                    {ROLES.map((role) => (
                      <option key={role} value={role}>
                        {role}
                      </option>
                    ))}
                  </Select>
                </Td>
                <Td>
                  {!user.active ? (
                    <Badge tone="red">deactivated</Badge>
                  ) : user.role === null ? (
                    <Badge tone="amber">waiting for a role</Badge>
                  ) : (
                    <Badge tone="green">active</Badge>
                  )}
                </Td>
                <Td className="text-xs">{formatRelative(user.lastLoginAt)}</Td>
                <Td className="text-right">
                  {user.id === currentUserId ? (
                    <span className="text-xs text-slate-500">you</span>
                  ) : (
                    <Button size="sm" variant={user.active ? "ghost" : "secondary"} onClick={() => setActive.mutate({ userId: user.id, active: !user.active })}>
                      {user.active ? "Deactivate" : "Reactivate"}
                    </Button>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
    </div>
  );
}

function CreateUserForm({ onCreated }: { onCreated: (email: string, generatedPassword: string | undefined) => void }) {
  const trpc = useTRPC();
  const create = useMutation(trpc.users.create.mutationOptions());
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const password = String(form.get("password") ?? "");
    const result = await create
      .mutateAsync({
        email: String(form.get("email")),
        name: String(form.get("name") ?? "") || undefined,
        role: String(form.get("role")) as Role,
        password: password === "" ? undefined : password,
      })
      .catch(() => null);
    if (result) {
      formElement.reset();
      onCreated(result.user.email, result.generatedPassword);
    }
  }
  return (
    <Card title="Add a person">
      <form onSubmit={submit} className="grid grid-cols-1 items-end gap-4 md:grid-cols-5" aria-label="Add a person">
        <Field label="Email">
          <Input name="email" type="email" required />
        </Field>
        <Field label="Name">
          <Input name="name" />
        </Field>
        <Field label="Role">
          <Select name="role" defaultValue="viewer">
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Password">
          <Input name="password" type="password" autoComplete="new-password" minLength={12} placeholder="empty: generated" />
        </Field>
        <Button type="submit" disabled={create.isPending}>
          Add
        </Button>
        <div className="md:col-span-5">
          <ErrorText error={create.error} />
        </div>
      </form>
    </Card>
  );
}
