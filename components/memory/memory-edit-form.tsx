"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorText, fieldErrorOf } from "@/components/ui/error-text";
import { Field, Input, Select, Textarea } from "@/components/ui/field";
import { MEMORY_KINDS } from "./memory-browser";

type Editable = { id: string; version: number; kind: (typeof MEMORY_KINDS)[number]; subject: string; body: string; tags: string[] };

/** Edits an entry as of the version the person opened; the server keeps the text it replaces. */
export function MemoryEditForm({ memory, onDone }: { memory: Editable; onDone: () => void }) {
  const trpc = useTRPC();
  const [kind, setKind] = useState(memory.kind);
  const [subject, setSubject] = useState(memory.subject);
  const [body, setBody] = useState(memory.body);
  const [tags, setTags] = useState(memory.tags.join(", "));
  const [note, setNote] = useState("");
  const edit = useMutation(trpc.memory.edit.mutationOptions({ onSuccess: onDone }));
  const fieldError = (name: string) => fieldErrorOf(edit.error, name);
  return (
    <form
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        edit.mutate({
          id: memory.id,
          version: memory.version,
          kind,
          subject,
          body,
          tags: tags
            .split(",")
            .map((t) => t.trim().toLowerCase())
            .filter(Boolean),
          note: note || undefined,
        });
      }}
    >
      <div className="grid grid-cols-1 gap-3 md:grid-cols-[1fr_2fr]">
        <Field label="Kind">
          <Select value={kind} onChange={(e) => setKind(e.target.value as Editable["kind"])}>
            {MEMORY_KINDS.map((k) => (
              <option key={k} value={k}>
                {k.replace("_", " ")}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Subject" error={fieldError("subject")}>
          <Input value={subject} onChange={(e) => setSubject(e.target.value)} />
        </Field>
      </div>
      <Field label="Lesson" error={fieldError("body")}>
        <Textarea rows={5} value={body} onChange={(e) => setBody(e.target.value)} />
      </Field>
      <Field label="Tags" hint="comma separated" error={fieldError("tags")}>
        <Input value={tags} onChange={(e) => setTags(e.target.value)} />
      </Field>
      <Field label="Why the change" hint="kept with the version and in the audit log">
        <Input value={note} onChange={(e) => setNote(e.target.value)} placeholder="clarified the fix" />
      </Field>
      <ErrorText error={edit.error} />
      <div className="flex gap-2">
        <Button type="submit" disabled={edit.isPending}>
          Save version {memory.version + 1}
        </Button>
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
