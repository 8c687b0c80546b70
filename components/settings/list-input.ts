/** "ops, dev ,  security" → ["ops", "dev", "security"]: how the forms take lists. */
export function splitList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
