import { ENVIRONMENT_WORDS, GENERIC_WORDS, operationOf } from "./operations";

const STOPWORDS = new Set([
  "a",
  "an",
  "the",
  "to",
  "of",
  "for",
  "on",
  "in",
  "and",
  "or",
  "with",
  "is",
  "be",
  "it",
  "at",
  "by",
  "from",
  "into",
  "via",
  "before",
  "after",
]);

/**
 * What a lesson, or the action being decided, is about: the matching rule of recall follows
 * these, never the tool's spelling (docs/architecture.md, "How recall matches").
 * - operation: the canonical verb (operations.ts) of the action text, else of the tool's name;
 * - environment: the first segment of the resource when it names one (`staging/api`), else an
 *   environment word of the text;
 * - names: what is operated on: the resource's other words, else the text's words that are not
 *   the operation, an environment, or a word of how it runs (`docker`, `container`);
 * - words: every word of it, for "this lesson's names all appear in the query".
 */
export type SubjectTopic = {
  operation: string | null;
  environment: string | null;
  names: string[];
  words: string[];
  /** the names come from a resource (`staging/api`), not from loose words of a text */
  precise: boolean;
  /** entries with the same key are about the same thing: `restart|staging|api` */
  topicKey: string;
};

/** Lower-cased words of a text, split on anything that is not a letter or digit, stop words dropped. */
export function wordsOf(text: string | null | undefined): string[] {
  if (!text) return [];
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1 && w.length <= 40 && !STOPWORDS.has(w));
}

/** The topic of an action (a proposal, or the action a failure or rejection was learned from). */
export function describeAction(action: { action: string; tool?: string | null; resource?: string | null }): SubjectTopic {
  const text = wordsOf(action.action);
  const toolWords = wordsOf(action.tool);
  // A verb standing alone (`publish release-notes`) names the operation before one inside a
  // compound name (`release-notes`, `traefik_restart`), which counts only when no other does.
  const standalone = action.action
    .toLowerCase()
    .split(/\s+/)
    .filter((token) => /^[a-z0-9]+$/.test(token));
  const verb = standalone.find((w) => operationOf(w)) ?? text.find((w) => operationOf(w)) ?? [...toolWords].reverse().find((w) => operationOf(w)) ?? null;
  const fromResource = describeResource(action.resource);
  const operation = verb ? operationOf(verb) : fromResource.names.length > 0 ? toolAsOperation(action) : null;
  const textNames = text.filter((w) => w !== verb && !GENERIC_WORDS.has(w) && !ENVIRONMENT_WORDS.has(w));
  const environment = fromResource.environment ?? environmentOf(text);
  // A resource that names only an environment (`staging`) leaves the names to the text.
  const precise = fromResource.names.length > 0;
  const names = precise ? fromResource.names : textNames;
  return topic(operation, environment, names, [...text, ...fromResource.words], precise);
}

/**
 * An action that is nothing but a call of its tool (an MCP gateway call: `files.read_text_file`
 * on a path) and names no known verb: the tool is its operation, when the action names a
 * resource. Otherwise a failure of `files.read_text_file` on a file would never be the same
 * subject as the next call of it on that file, and never escalate it. Not for an action that says
 * more than its tool (`cat /etc/hosts` through `shell`: every verbless command of one tool would
 * be one operation), nor for one without a resource (one failure would escalate every later call
 * of the tool, whatever its arguments).
 */
function toolAsOperation(action: { action: string; tool?: string | null }): string | null {
  const tool = action.tool?.trim().toLowerCase();
  return tool && action.action.trim().toLowerCase() === tool ? tool : null;
}

/**
 * The topic of a subject someone typed, or that Warden filed (`restart api on staging/api
 * (ops.restart)`, see actionSubject): a trailing `(tool)` and an ` on <path/with/slashes>` are
 * read as the tool and the resource; anything else is the action's text.
 */
export function describeSubjectText(subject: string): SubjectTopic {
  let rest = subject.trim();
  let tool: string | null = null;
  const toolMatch = /\s*\(([^()\s]+)\)\s*$/.exec(rest);
  if (toolMatch) {
    tool = toolMatch[1]!;
    rest = rest.slice(0, toolMatch.index);
  }
  let resource: string | null = null;
  const resourceMatch = /\s+on\s+(\S*\/\S*)\s*$/i.exec(rest);
  if (resourceMatch) {
    resource = resourceMatch[1]!;
    rest = rest.slice(0, resourceMatch.index);
  }
  return describeAction({ action: rest, tool, resource });
}

function describeResource(resource: string | null | undefined): { environment: string | null; names: string[]; words: string[] } {
  if (!resource) return { environment: null, names: [], words: [] };
  const segments = resource.toLowerCase().split("/").filter(Boolean);
  const first = segments[0] ?? "";
  const environment = ENVIRONMENT_WORDS.get(first) ?? null;
  const nameText = environment ? segments.slice(1).join(" ") : segments.join(" ");
  const words = wordsOf(resource);
  return { environment, names: wordsOf(nameText).filter((w) => !GENERIC_WORDS.has(w) && !ENVIRONMENT_WORDS.has(w)), words };
}

function environmentOf(words: string[]): string | null {
  for (const w of words) {
    const environment = ENVIRONMENT_WORDS.get(w);
    if (environment) return environment;
  }
  return null;
}

function topic(operation: string | null, environment: string | null, names: string[], words: string[], precise: boolean): SubjectTopic {
  const sortedNames = [...new Set(names)].sort();
  const allWords = [...new Set([...words, ...sortedNames, ...(environment ? [environment] : [])])].sort();
  return {
    operation,
    environment,
    names: sortedNames,
    words: allWords,
    precise,
    topicKey: `${operation ?? "-"}|${environment ?? "-"}|${sortedNames.join(" ")}`,
  };
}

export type TopicMatch = "same_subject" | "same_resource" | "same_operation" | "words";

/**
 * The rule, in one place (recall.ts runs the same rule in SQL over memory_topics; a unit test
 * holds the two to one table of cases):
 * - same resource: both name something, the environments do not differ (one may be unnamed), and
 *   the lesson's names all appear among the query's words, or (for a query that names no
 *   resource, only loose words: `traefik restart`) the query's names all appear among the
 *   lesson's names and environment; a query on `staging/api` is not about `staging/api-key`;
 * - same operation: both have one and it is the same canonical verb;
 * - same subject = both: the only match that lets a failure lower a decision;
 * - same operation alone counts only for a lesson that names no resource (a general lesson about
 *   restarts); anything else shares words only, which a person's search shows and a decision does not.
 */
export function matchTopics(
  lesson: Pick<SubjectTopic, "operation" | "environment" | "names">,
  query: Pick<SubjectTopic, "operation" | "environment" | "names" | "words" | "precise">,
): TopicMatch {
  const sameOperation = lesson.operation !== null && lesson.operation === query.operation;
  const environmentsAgree = lesson.environment === null || query.environment === null || lesson.environment === query.environment;
  const lessonWords = new Set([...lesson.names, ...(lesson.environment ? [lesson.environment] : [])]);
  const queryWords = new Set(query.words);
  const sameResource =
    lesson.names.length > 0 &&
    query.names.length > 0 &&
    environmentsAgree &&
    (lesson.names.every((w) => queryWords.has(w)) || (!query.precise && query.names.every((w) => lessonWords.has(w))));
  if (sameResource && sameOperation) return "same_subject";
  if (sameResource) return "same_resource";
  if (sameOperation && lesson.names.length === 0 && environmentsAgree) return "same_operation";
  return "words";
}

/** Rank of a match: higher is closer. */
export const MATCH_LEVEL: Record<TopicMatch, number> = { same_subject: 3, same_resource: 2, same_operation: 1, words: 0 };
