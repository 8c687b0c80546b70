/** One line for a failed request: the server's message, which names the field for bad input. */
export function ErrorText({ error }: { error: { message: string } | null | undefined }) {
  if (!error) return null;
  return (
    <p role="alert" className="text-sm text-red-600">
      {error.message}
    </p>
  );
}

/** The message for one form field from a tRPC error (the server names each bad field), or null. */
export function fieldErrorOf(error: { data?: unknown } | null | undefined, name: string): string | null {
  const fields = (error?.data as { fields?: { field: string; message: string }[] } | undefined)?.fields ?? [];
  return fields.find((f) => f.field === name || f.field.startsWith(`${name}.`))?.message ?? null;
}
