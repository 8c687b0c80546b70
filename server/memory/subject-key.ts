import { MAX_MEMORY_SUBJECT } from "../schemas/memory";

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

/**
 * A subject Warden derives (from an action and its resource) fitted to a memory entry's limit,
 * so that recording the lesson never fails the reject or the failure report that derives it:
 * the action's own words are shortened, ending in "…", and what follows them in `subject` (the
 * resource, the tool) is kept whole. The cut never splits a surrogate pair.
 */
export function fitMemorySubject(actionText: string, subject: string): string {
  if (subject.length <= MAX_MEMORY_SUBJECT) return subject;
  const tail = subject.startsWith(actionText) ? subject.slice(actionText.length) : "";
  const room = MAX_MEMORY_SUBJECT - tail.length - 1;
  if (room < 1) return `${cutAt(subject, MAX_MEMORY_SUBJECT - 1)}…`;
  return `${cutAt(tail ? actionText : subject, room)}…${tail}`;
}

function cutAt(text: string, length: number): string {
  let end = Math.min(length, text.length);
  // Do not leave the high half of a surrogate pair behind.
  if (end > 0 && end < text.length && /[\ud800-\udbff]/.test(text[end - 1]!)) end -= 1;
  return text.slice(0, end).trimEnd();
}
