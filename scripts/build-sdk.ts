import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * `npm run build:sdk`: the TypeScript SDK and the `warden-mcp` command, compiled by tsc
 * (sdk/tsconfig.json) to CommonJS with declarations in sdk/dist. The repository's package is an
 * ES module package, so sdk/dist gets a package.json of its own marking its files CommonJS.
 */
const ROOT = process.cwd();
const DIST = path.join(ROOT, "sdk/dist");
export const MCP_BIN = path.join(DIST, "sdk/src/mcp/stdio.js");

const tsc = spawnSync(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "sdk"], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
mkdirSync(DIST, { recursive: true });
writeFileSync(path.join(DIST, "package.json"), `${JSON.stringify({ type: "commonjs", main: "sdk/src/index.js", types: "sdk/src/index.d.ts" }, null, 2)}\n`);
chmodSync(MCP_BIN, 0o755);
console.log("sdk: built sdk/dist (entry sdk/dist/sdk/src/index.js, warden-mcp at sdk/dist/sdk/src/mcp/stdio.js)");
