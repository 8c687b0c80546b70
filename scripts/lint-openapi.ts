/**
 * Lints the agent API's OpenAPI document with Redocly (the rules in redocly.yaml), as generated
 * clients will read it: the document is built from the same route specs the server serves.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { API_ROUTES } from "../server/http/api-routes";
import { buildOpenApiDocument } from "../server/http/openapi";

// A real deployment's address (the served document names the address it was asked on).
const SERVER_URL = "https://warden.your-company.internal";

const dir = mkdtempSync(path.join(tmpdir(), "warden-openapi-"));
try {
  const file = path.join(dir, "openapi.json");
  writeFileSync(file, JSON.stringify(buildOpenApiDocument(API_ROUTES, SERVER_URL), null, 2));
  const redocly = path.join(process.cwd(), "node_modules", ".bin", "redocly");
  const result = spawnSync(redocly, ["lint", "--config", "redocly.yaml", "--format", "stylish", file], {
    stdio: "inherit",
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  });
  process.exitCode = result.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
