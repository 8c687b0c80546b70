import openapiTS, { astToString } from "openapi-typescript";
import { describe, expect, it } from "vitest";
import { API_ROUTES } from "@/server/http/api-routes";
import { buildOpenApiDocument } from "@/server/http/openapi";

// A client generated the way most TypeScript users generate one (openapi-typescript, default
// options) must let a request leave out what the server defaults: `args`, `tags`, `scope`...
describe("the OpenAPI document as a client generator reads it", () => {
  it("openapi-typescript's request types make defaulted fields optional, and the defaults are written in words", async () => {
    const document = buildOpenApiDocument(API_ROUTES, "http://localhost");
    const types = astToString(await openapiTS(document as never));
    const request = (name: string) => {
      const start = types.indexOf(`        ${name}: {`);
      expect(start, `${name} is generated`).toBeGreaterThan(-1);
      return types.slice(start, types.indexOf("\n        };", start));
    };
    const propose = request("ProposeActionRequest");
    expect(propose).toMatch(/\n\s+action: string;/);
    expect(propose).toMatch(/\n\s+confidence: number;/);
    expect(propose).toMatch(/\n\s+args\?: /);
    expect(propose).toContain("Default: {}.");
    expect(request("RecordMemoryRequest")).toMatch(/\n\s+tags\?: /);
    expect(request("RecordMemoryRequest")).toMatch(/\n\s+scope\?: /);
    const components = (document as { components: { schemas: Record<string, unknown> } }).components.schemas;
    const withDefaults = Object.entries(components).filter(([name, schema]) => name.endsWith("Request") && JSON.stringify(schema).includes('"default":'));
    expect(withDefaults.map(([name]) => name)).toEqual([]);
  });
});
