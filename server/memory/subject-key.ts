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

/** The key an entry is filed under: its subject's words, or the subject itself when it has none. */
export function entrySubjectKey(subject: string): string {
  return subjectKey(subject) || subject.toLowerCase();
}

/**
 * The subject an action's lessons are filed under, and the words its decision recalls by: one
 * derivation for both, from its action, resource and tool, so that a failure of
 * `docker restart traefik` and a later `restart traefik` on the same tool and resource meet.
 */
export function actionSubject(action: { action: string; tool: string | null; resource: string | null }): string {
  return [action.action, action.resource ? `on ${action.resource}` : null, action.tool ? `(${action.tool})` : null].filter(Boolean).join(" ");
}
