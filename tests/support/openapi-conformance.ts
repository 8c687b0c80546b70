import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { RecordedAnswer } from "../../server/http/answer-recorder";

type Schema = Record<string, unknown>;
type Response = { content?: Record<string, { schema?: Schema }>; headers?: Record<string, { required?: boolean }> };
type Operation = { operationId?: string; responses: Record<string, Response> };
type Document = { paths: Record<string, Record<string, Operation>>; components?: Schema };

export type ConformanceReport = {
  /** Answers checked against an operation of the document. */
  checked: number;
  /** Answers to no operation (a 404 for an unknown path, a 405): nothing to check them against. */
  unmatched: number;
  /** operationIds seen, and those never seen. */
  seen: string[];
  unseen: string[];
  /** What the server answered that the document does not promise, each with how often. */
  problems: { problem: string; count: number }[];
};

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

/** The document's paths as matchers; literal paths first, so /tasks/claim is not /tasks/{id}. */
function pathMatchers(document: Document) {
  return Object.keys(document.paths)
    .map((template) => {
      const names = [...template.matchAll(/\{([^}]+)\}/g)].length;
      const pattern = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^}]+\\?\}/g, "[^/]+");
      return { template, names, regex: new RegExp(`^${pattern}$`) };
    })
    .sort((a, b) => a.names - b.names);
}

/**
 * Checks answers the server gave against the OpenAPI document: each status is one the operation
 * documents, each JSON body matches the documented schema (JSON Schema 2020-12, as OpenAPI 3.1
 * says), an event stream is documented as text/event-stream, a Retry-After is documented where
 * it is sent, and every documented required header is sent.
 */
export function checkAnswers(
  openApi: { paths: Record<string, Record<string, unknown>>; components?: unknown },
  answers: Iterable<RecordedAnswer>,
): ConformanceReport {
  const document = openApi as Document;
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  const validators = new Map<Schema, ValidateFunction>();
  // A response schema refers to #/components/...: compiled beside the components it names.
  const validatorFor = (schema: Schema) => {
    let validate = validators.get(schema);
    if (!validate) {
      validate = ajv.compile({ ...schema, components: document.components ?? {} });
      validators.set(schema, validate);
    }
    return validate;
  };
  const matchers = pathMatchers(document);
  const problems = new Map<string, number>();
  const problem = (text: string) => problems.set(text, (problems.get(text) ?? 0) + 1);
  const seen = new Set<string>();
  let checked = 0;
  let unmatched = 0;

  for (const answer of answers) {
    const method = answer.method.toLowerCase();
    const template = matchers.find((m) => m.regex.test(answer.path) && document.paths[m.template]![method])?.template;
    const operation = template ? document.paths[template]![method] : undefined;
    if (!template || !operation) {
      unmatched++;
      continue;
    }
    checked++;
    const name = `${answer.method} ${template}`;
    seen.add(operation.operationId ?? name);
    const status = String(answer.status);
    const response = operation.responses[status] ?? operation.responses[`${status[0]}XX`] ?? operation.responses.default;
    if (!response) {
      problem(`${name} answered ${status}, which the document does not list`);
      continue;
    }
    for (const [header, spec] of Object.entries(response.headers ?? {})) {
      if (spec.required && answer.headers[header.toLowerCase()] === undefined) problem(`${name} ${status} did not send the required header ${header}`);
    }
    const documentedHeaders = new Set(Object.keys(response.headers ?? {}).map((h) => h.toLowerCase()));
    if (answer.headers["retry-after"] !== undefined && !documentedHeaders.has("retry-after"))
      problem(`${name} ${status} sent Retry-After, which the document does not mention`);
    if (answer.stream) {
      if (!response.content?.["text/event-stream"])
        problem(`${name} ${status} answered an event stream, documented as ${Object.keys(response.content ?? {}).join(", ") || "no content"}`);
      continue;
    }
    const schema = response.content?.["application/json"]?.schema;
    if (answer.body === undefined) {
      if (schema) problem(`${name} ${status} answered no body where the document promises JSON`);
      continue;
    }
    if (!schema) {
      problem(`${name} ${status} answered a JSON body where the document promises none`);
      continue;
    }
    const validate = validatorFor(schema);
    if (!validate(answer.body)) {
      const first = validate.errors?.[0];
      problem(`${name} ${status} answered outside its schema: ${first?.instancePath || "(body)"} ${first?.message ?? ""}`.trim());
    }
  }

  const all = Object.entries(document.paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, op]) => op.operationId ?? `${method.toUpperCase()} ${template}`),
  );
  return {
    checked,
    unmatched,
    seen: [...seen].sort(),
    unseen: all.filter((id) => !seen.has(id)).sort(),
    problems: [...problems].map(([text, count]) => ({ problem: text, count })).sort((a, b) => b.count - a.count),
  };
}
