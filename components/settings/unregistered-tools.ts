/** The granted tool names the registry does not hold, in the order they were typed, once each. */
export function unregisteredTools(granted: readonly string[], registered: readonly string[]): string[] {
  const known = new Set(registered);
  return [...new Set(granted.filter((name) => !known.has(name)))];
}
