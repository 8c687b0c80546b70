import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { storable, wardenToolName } from "@/server/mcp-gateway/upstream-tools";
import { ZMcpServerName, ZPutMcpServerRequest } from "@/server/schemas/mcp-servers";

describe("an upstream tool's Warden name", () => {
  it.each([
    { server: "files", tool: "read_text_file", name: "files.read_text_file", offered: true },
    { server: "everything", tool: "get-env", name: "everything.get-env", offered: true },
    { server: "files", tool: "ReadFile", name: "files.ReadFile", offered: false },
    { server: "files", tool: "read file", name: "files.read file", offered: false },
    { server: "files", tool: "x".repeat(60), name: `files.${"x".repeat(60)}`, offered: false },
    { server: "files", tool: " padded", name: "files. padded", offered: false },
  ])("$server + $tool → offered: $offered", ({ server, tool, name, offered }) => {
    const naming = wardenToolName(server, tool);
    expect(naming.name).toBe(name);
    expect(naming.skipped === null).toBe(offered);
    if (!offered) expect(naming.skipped).toContain("not offered");
  });
});

describe("PUT /api/v1/mcp-servers/:name validation", () => {
  const problems = (body: unknown) => {
    const parsed = ZPutMcpServerRequest.safeParse(body);
    return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join("."));
  };
  it.each([
    { body: { transport: "stdio", command: "npx", args: ["-y", "pkg"], env: { TOKEN: "x" } }, fields: [] },
    { body: { transport: "http", url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer x" } }, fields: [] },
    { body: { transport: "stdio" }, fields: ["command"] },
    { body: { transport: "http" }, fields: ["url"] },
    { body: { transport: "stdio", command: "npx", url: "https://x.test" }, fields: ["url"] },
    { body: { transport: "http", url: "https://x.test", command: "npx", env: {} }, fields: ["command", "env"] },
    { body: { transport: "ws", command: "npx" }, fields: ["transport"] },
    { body: { transport: "http", url: "file:///etc/passwd" }, fields: ["url"] },
    { body: { transport: "stdio", command: "npx", env: { "1BAD": "x" } }, fields: ["env.1BAD"] },
    { body: { transport: "stdio", command: "npx", env: { OK: "a\u0000b" } }, fields: ["env.OK"] },
    { body: { transport: "http", url: "https://x.test", headers: { Host: "evil" } }, fields: ["headers.Host"] },
    { body: { transport: "http", url: "https://x.test", headers: { "X-A": "a\nb" } }, fields: ["headers.X-A"] },
    { body: { transport: "stdio", command: "npx", extra: true }, fields: [""] },
  ])("$body → problems in $fields", ({ body, fields }) => {
    expect(problems(body)).toEqual(fields);
  });

  it("names a server so that its tools' names stay tool names", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (name) => {
        const parsed = ZMcpServerName.safeParse(name);
        if (!parsed.success) return;
        // A valid server name with a valid upstream tool name makes a valid Warden tool name
        // whenever the two fit in 64 characters.
        expect(parsed.data).not.toContain(".");
        expect(wardenToolName(parsed.data, "echo").skipped).toBeNull();
      }),
    );
  });
});

describe("storable text", () => {
  it("writes out NUL and unpaired surrogates, keeps everything else", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const out = storable(text);
        expect(out).not.toMatch(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
        if (!/\u0000|[\ud800-\udfff]/.test(text)) expect(out).toBe(text);
      }),
    );
    expect(storable("a\u0000b\ud800c")).toBe("a\\u0000b\\ud800c");
  });
});
