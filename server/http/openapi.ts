import { z } from "zod";
import type { ApiRoute } from "./api-route";

type JsonSchema = Record<string, unknown>;

/**
 * A zod schema as JSON Schema. Schemas named with `.meta({ id })` come back as $defs; they are
 * moved into the document's components so each named shape is written once. A shape that reads
 * differently as input and as output (a field with a default is optional in a request and
 * always there in an answer) gets two components, the answer's named `<id>Output`, so a client
 * generator never sees a request field with a default as required.
 */
function jsonSchema(schema: z.ZodType, io: "input" | "output", components: Record<string, JsonSchema>): JsonSchema {
  const generated = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  const {
    $schema: _drop,
    $defs,
    ...rest
  } = (io === "input" ? defaultsInWords(generated) : generated) as JsonSchema & {
    $defs?: Record<string, JsonSchema>;
  };
  const names = new Map<string, string>();
  for (const [name, def] of Object.entries($defs ?? {})) {
    const taken = components[name];
    names.set(name, taken === undefined || JSON.stringify(taken) === JSON.stringify(def) || io === "input" ? name : `${name}Output`);
  }
  const toComponents = (value: JsonSchema) =>
    JSON.parse(JSON.stringify(value).replace(/"#\/\$defs\/([^"]+)"/g, (_m, name: string) => `"#/components/schemas/${names.get(name) ?? name}"`)) as JsonSchema;
  // Inputs are all written before any output (buildOpenApiDocument), so they keep plain names.
  for (const [name, def] of Object.entries($defs ?? {})) components[names.get(name)!] = toComponents(def);
  return toComponents(rest);
}

/**
 * A request schema with each `default` written into its description instead: generators such as
 * openapi-typescript (by default) type a property with a default as always present, even in a
 * request, so a client could not leave out `args` or `tags`. The server applies the defaults.
 */
function defaultsInWords(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(defaultsInWords);
  if (value === null || typeof value !== "object") return value;
  const { default: fallback, ...rest } = value as JsonSchema;
  // A map of schemas by name (a property may be called "default"): each of its values is a schema.
  const schemasByName = (map: unknown) => Object.fromEntries(Object.entries(map as JsonSchema).map(([name, inner]) => [name, defaultsInWords(inner)]));
  const out: JsonSchema = Object.fromEntries(
    Object.entries(rest).map(([key, inner]) => [
      key,
      ["properties", "patternProperties", "$defs"].includes(key) && inner && typeof inner === "object" ? schemasByName(inner) : defaultsInWords(inner),
    ]),
  );
  if (fallback === undefined) return out;
  const said = `Default: ${JSON.stringify(fallback)}.`;
  out.description = typeof out.description === "string" ? `${out.description.replace(/\.?$/, ".")} ${said}` : said;
  return out;
}

function parameters(schema: z.ZodType | undefined, location: "path" | "query", components: Record<string, JsonSchema>) {
  if (!schema) return [];
  const json = jsonSchema(schema, "input", components) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === "path" || (json.required ?? []).includes(name),
    schema: property,
  }));
}

const FIELD_PROBLEMS = {
  type: "array",
  description: "Which fields were refused, and why",
  items: { type: "object", required: ["field", "message"], properties: { field: { type: "string" }, message: { type: "string" } } },
};

const ERROR_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", examples: ["bad_request", "unauthorized", "forbidden", "not_found", "conflict", "unprocessable", "too_many_requests"] },
        message: { type: "string" },
        details: {
          description: "Field problems (400, 422), or facts about the conflict (409: the current status, say)",
          oneOf: [FIELD_PROBLEMS, { type: "object", additionalProperties: true }],
        },
      },
    },
  },
};

const RETRY_AFTER = { "Retry-After": { description: "Seconds to wait before trying again", schema: { type: "integer", minimum: 1 } } };

/** What each error status means when a route does not say more. */
const STANDARD_ERRORS: Record<number, string> = {
  400: "Invalid input; details name the fields",
  401: "Missing, unknown or revoked key or token",
  403: "Not allowed for this kind of key, or the token's role is too low",
  404: "No such resource (or not one this key may see)",
  413: "The body is larger than the server's limit",
  422: "The Idempotency-Key was already used for a different request",
};

function errorResponse(description: string, status: number) {
  return {
    description,
    ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  };
}

function successResponse(spec: ApiRoute, status: number, description: string, components: Record<string, JsonSchema>) {
  if (status === 204) return { description };
  if (spec.events) {
    const events = Object.entries(spec.events).map(([name, schema]) => ({ event: name, data: jsonSchema(schema, "output", components) }));
    return {
      description: `${description}. Server-Sent Events, each \`event: <name>\` with \`data: <JSON>\` and an \`id\` to send back as Last-Event-ID; a comment line every 15 s.`,
      content: { "text/event-stream": { schema: { type: "string" }, "x-events": events } },
    };
  }
  return {
    description,
    ...(spec.response ? { content: { "application/json": { schema: jsonSchema(spec.response, "output", components) } } } : {}),
  };
}

/** OpenAPI 3.1 built from the same zod schemas that validate the requests and answers. */
export function buildOpenApiDocument(routes: readonly ApiRoute[], serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  const components: Record<string, JsonSchema> = { Error: ERROR_SCHEMA };
  // Requests first: their shapes keep the components' plain names (see jsonSchema).
  const inputs = new Map(
    routes.map((spec) => [
      spec,
      {
        parameters: [...parameters(spec.params, "path", components), ...parameters(spec.query, "query", components)],
        body: spec.body ? jsonSchema(spec.body, "input", components) : null,
      },
    ]),
  );
  for (const spec of routes) {
    const input = inputs.get(spec)!;
    const success = spec.successStatus ?? 200;
    const responses: Record<string, unknown> = { [String(success)]: successResponse(spec, success, "Success", components) };
    const errors = new Map<number, string>();
    if (spec.body || spec.query || spec.params) errors.set(400, STANDARD_ERRORS[400]!);
    if (spec.auth !== "public") {
      errors.set(401, STANDARD_ERRORS[401]!);
      errors.set(403, STANDARD_ERRORS[403]!);
    }
    if (spec.path.includes("{")) errors.set(404, STANDARD_ERRORS[404]!);
    if (spec.body) errors.set(413, STANDARD_ERRORS[413]!);
    if (spec.idempotent) errors.set(422, STANDARD_ERRORS[422]!);
    for (const [status, description] of Object.entries(spec.answers ?? {})) {
      const code = Number(status);
      if (code < 300) responses[status] = successResponse(spec, code, description, components);
      else errors.set(code, description);
    }
    for (const [status, description] of [...errors].sort(([a], [b]) => a - b)) responses[String(status)] = errorResponse(description, status);
    const operation: Record<string, unknown> = {
      operationId: spec.operationId,
      summary: spec.summary,
      tags: [spec.tag],
      security: spec.auth === "public" ? [] : [{ bearer: [] }],
      parameters: [
        ...input.parameters,
        ...(spec.idempotent
          ? [
              {
                name: "Idempotency-Key",
                in: "header",
                required: false,
                description: "Retries with the same key act once and get the first answer",
                schema: { type: "string", minLength: 1, maxLength: 255 },
              },
            ]
          : []),
        ...(spec.events
          ? [
              {
                name: "Last-Event-ID",
                in: "header",
                required: false,
                description: "The last event id received: what was missed is replayed",
                schema: { type: "string" },
              },
            ]
          : []),
      ],
      responses,
      "x-warden-auth": spec.auth === "public" ? "public" : { agentKey: Boolean(spec.auth.agent), minimumRole: spec.auth.user ?? null },
    };
    if (input.body) operation.requestBody = { required: true, content: { "application/json": { schema: input.body } } };
    (paths[spec.path] ??= {})[spec.method.toLowerCase()] = operation;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Warden API",
      version: "1",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
      description: "Agents call Warden before and after they act. Errors are {error: {code, message, details?}}.",
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An agent key (wdn_agent_…) or a personal token (wdn_user_…)" } },
      schemas: components,
    },
    paths,
  };
}
