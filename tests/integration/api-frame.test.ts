import { describe, expect, it } from "vitest";
import { createAgentRoute } from "../../server/agents/agent-routes";
import { buildOpenApiDocument } from "../../server/http/openapi";
import { API_ROUTES } from "../../server/http/api-routes";
import { call, db, makeUserWithToken, unique } from "../support/fixtures";

describe("Idempotency-Key", () => {
  it("a retried POST /api/v1/agents with the same key creates one agent and returns the first answer", async () => {
    const { token } = await makeUserWithToken("admin");
    const name = unique("idem");
    const body = { name, role: "specialist", team: "ops" };
    const headers = { "idempotency-key": unique("key") };
    const first = await call(createAgentRoute, { token, body, headers });
    const retry = await call(createAgentRoute, { token, body, headers });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    // The same answer, except the key's secret: it is shown once and never stored.
    expect(retry.json).toEqual({ ...first.json, key: { ...first.json.key, secret: null } });
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    const stored = await db.idempotencyKey.findFirstOrThrow({ where: { key: headers["idempotency-key"] } });
    expect(JSON.stringify(stored.response)).not.toContain(first.json.key.secret);
    expect(await db.agent.count({ where: { name } })).toBe(1);
    expect(await db.auditLog.count({ where: { verb: "agent.create", subjectId: first.json.agent.id } })).toBe(1);
  });

  it("concurrent retries with one key still create one agent", async () => {
    const { token } = await makeUserWithToken("admin");
    const name = unique("race");
    const headers = { "idempotency-key": unique("key") };
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => call(createAgentRoute, { token, body: { name, role: "specialist", team: "ops" }, headers })),
    );
    expect(answers.every((a) => a.status === 201)).toBe(true);
    expect(new Set(answers.map((a) => a.json.agent.id)).size).toBe(1);
    expect(await db.agent.count({ where: { name } })).toBe(1);
  });

  it("the same key with a different body is refused (422) and creates nothing", async () => {
    const { token } = await makeUserWithToken("admin");
    const headers = { "idempotency-key": unique("key") };
    await call(createAgentRoute, { token, body: { name: unique("one"), role: "specialist", team: "ops" }, headers });
    const other = unique("two");
    const second = await call(createAgentRoute, { token, body: { name: other, role: "specialist", team: "ops" }, headers });
    expect(second.status).toBe(422);
    expect(second.json.error.message).toMatch(/Idempotency-Key/);
    expect(await db.agent.count({ where: { name: other } })).toBe(0);
  });

  it("keys are per caller: two admins may use the same key", async () => {
    const a = await makeUserWithToken("admin");
    const b = await makeUserWithToken("admin");
    const headers = { "idempotency-key": "shared-key-name" };
    const first = await call(createAgentRoute, { token: a.token, body: { name: unique("a"), role: "specialist", team: "ops" }, headers });
    const second = await call(createAgentRoute, { token: b.token, body: { name: unique("b"), role: "specialist", team: "ops" }, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.json.agent.id).not.toBe(first.json.agent.id);
  });
});

describe("bad input gets a clear 4xx naming the field, and nothing is written", () => {
  it("names each bad field", async () => {
    const { token } = await makeUserWithToken("admin");
    const name = unique("bad");
    const response = await call(createAgentRoute, { token, body: { name, role: "boss", team: "Ops Team", parentId: "not-a-uuid" } });
    expect(response.status).toBe(400);
    const fields = response.json.error.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(["parentId", "role", "team"]);
    expect(response.json.error.message).toMatch(/role/);
    expect(await db.agent.count({ where: { name } })).toBe(0);
  });

  it("refuses unknown fields, invalid JSON and oversized bodies", async () => {
    const { token } = await makeUserWithToken("admin");
    const extra = await call(createAgentRoute, { token, body: { name: unique("x"), role: "lead", team: "ops", colour: "red" } });
    expect(extra.status).toBe(400);
    expect(extra.json.error.message).toMatch(/colour/);

    const broken = await call(createAgentRoute, { token, rawBody: "{not json" });
    expect(broken.status).toBe(400);
    expect(broken.json.error.message).toBe("body: not valid JSON");

    const huge = await call(createAgentRoute, { token, rawBody: JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) }) });
    expect(huge.status).toBe(413);
    expect(huge.json.error.message).toMatch(/limit/);
  });

  it("a duplicate name is a 409 conflict naming the field", async () => {
    const { token } = await makeUserWithToken("admin");
    const name = unique("dup");
    await call(createAgentRoute, { token, body: { name, role: "specialist", team: "ops" } });
    const again = await call(createAgentRoute, { token, body: { name, role: "specialist", team: "ops" } });
    expect(again.status).toBe(409);
    expect(again.json.error.details).toEqual([{ field: "name", message: "already exists" }]);
  });
});

describe("OpenAPI", () => {
  it("documents every registered route with its request schema from the same zod schemas", () => {
    const doc = buildOpenApiDocument(API_ROUTES, "http://localhost:11480");
    for (const route of API_ROUTES) {
      expect(doc.paths[route.path]?.[route.method.toLowerCase()]).toBeDefined();
    }
    const create = doc.paths["/api/v1/agents"]!.post as { requestBody: { content: { "application/json": { schema: { $ref: string } } } } };
    const ref = create.requestBody.content["application/json"].schema.$ref;
    expect(ref).toBe("#/components/schemas/CreateAgentRequest");
    const schema = doc.components.schemas.CreateAgentRequest as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["name", "role", "team", "capabilities", "tools", "scopes"]));
    expect(schema.required).toEqual(expect.arrayContaining(["name", "role", "team"]));
  });
});
