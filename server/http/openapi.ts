import { z } from "zod";
import type { ApiRoute } from "./api-route";

type JsonSchema = Record<string, unknown>;

/**
 * A zod schema as JSON Schema. Schemas named with `.meta({ id })` come back as $defs; they are
 * moved into the document's components so each named shape is written once.
 */
function jsonSchema(schema: z.ZodType, io: "input" | "output", components: Record<string, JsonSchema>): JsonSchema {
  const { $schema: _drop, $defs, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema & {
    $defs?: Record<string, JsonSchema>;
  };
  const toComponents = (value: JsonSchema) =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
  for (const [name, def] of Object.entries($defs ?? {})) components[name] = toComponents(def);
  return toComponents(rest);
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

const ERROR_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", examples: ["bad_request", "unauthorized", "forbidden", "not_found", "conflict"] },
        message: { type: "string" },
        details: {
          type: "array",
          items: { type: "object", properties: { field: { type: "string" }, message: { type: "string" } } },
        },
      },
    },
  },
};

/** OpenAPI 3.1 built from the same zod schemas that validate the requests. */
export function buildOpenApiDocument(routes: ApiRoute[], serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  const components: Record<string, JsonSchema> = { Error: ERROR_SCHEMA };
  for (const spec of routes) {
    const errorRef = { content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
    const operation: Record<string, unknown> = {
      summary: spec.summary,
      tags: [spec.tag],
      security: spec.auth === "public" ? [] : [{ bearer: [] }],
      parameters: [
        ...parameters(spec.params, "path", components),
        ...parameters(spec.query, "query", components),
        ...(spec.idempotent
          ? [{ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 255 } }]
          : []),
      ],
      responses: {
        [String(spec.successStatus ?? 200)]: {
          description: "Success",
          ...(spec.response ? { content: { "application/json": { schema: jsonSchema(spec.response, "output", components) } } } : {}),
        },
        "400": { description: "Invalid input; details name the fields", ...errorRef },
        "401": { description: "Missing or unknown key", ...errorRef },
        "403": { description: "Not allowed for this key or role", ...errorRef },
      },
      "x-warden-auth": spec.auth === "public" ? "public" : { agentKey: Boolean(spec.auth.agent), minimumRole: spec.auth.user ?? null },
    };
    if (spec.body) {
      operation.requestBody = { required: true, content: { "application/json": { schema: jsonSchema(spec.body, "input", components) } } };
    }
    (paths[spec.path] ??= {})[spec.method.toLowerCase()] = operation;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Warden API",
      version: "1",
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
