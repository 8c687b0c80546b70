const STOPWORDS = new Set(["a", "an", "the", "to", "of", "for", "on", "in", "and", "or", "with", "is", "be", "it", "at", "by", "from"]);

/**
 * A subject as comparable words: lower-cased, split on anything that is not a letter or digit,
 * stop words dropped, de-duplicated and sorted. "docker restart traefik", "traefik_restart" and
 * "Restart Traefik!" all share "restart traefik".
 */
export function subjectKey(...parts: (string | null | undefined)[]): string {
  const words = parts
    .filter((p): p is string => Boolean(p))
    .join(" ")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1 && !STOPWORDS.has(w));
  return [...new Set(words)].sort().join(" ");
}
