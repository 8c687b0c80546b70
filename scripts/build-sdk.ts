import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SDK_VERSION } from "../sdk/src/version";

/**
 * `npm run build:sdk`: the TypeScript SDK and the `warden-mcp` command, compiled by tsc
 * (sdk/tsconfig.json) to CommonJS with declarations in sdk/dist. sdk/dist gets a package.json
 * of its own: it marks the files CommonJS (the repository's package is an ES module package),
 * and makes the folder an installable package (`npm install <warden>/sdk/dist`) with just the
 * SDK's runtime dependencies, at the repository's versions.
 */
const ROOT = process.cwd();
const DIST = path.join(ROOT, "sdk/dist");
const RUNTIME_DEPENDENCIES = ["@modelcontextprotocol/sdk", "picomatch", "safe-stable-stringify", "zod"];
/**
 * The framework adapters, each a subpath (`@warden/sdk/ai-sdk`) and the only module
 * that loads its framework: the frameworks are optional peer dependencies, so an agent installs
 * only the one it uses. The Claude Agent SDK adapter loads nothing of its SDK (it is written
 * against the SDK's option types), so it has no peer. Compiling them needs the frameworks' types:
 * the repository's devDependencies.
 */
const ADAPTERS = ["ai-sdk", "openai-agents", "langgraph", "claude-agent-sdk"];
const FRAMEWORK_PEERS: Record<string, string> = {
  ai: "^6.0.0",
  "@openai/agents": ">=0.20.0 <1",
  "@langchain/langgraph": "^1.0.0",
  "@langchain/core": "^1.0.0",
};

const tsc = spawnSync(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "sdk"], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const root = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  license: string;
  dependencies: Record<string, string>;
  bin: Record<string, string>;
};
const manifest = {
  name: "@warden/sdk",
  version: SDK_VERSION,
  description: "Warden's TypeScript SDK and MCP server (warden-mcp)",
  license: root.license,
  type: "commonjs",
  main: "sdk/src/index.js",
  types: "sdk/src/index.d.ts",
  exports: {
    ".": { types: "./sdk/src/index.d.ts", default: "./sdk/src/index.js" },
    ...Object.fromEntries(ADAPTERS.map((name) => [`./${name}`, { types: `./sdk/src/adapters/${name}.d.ts`, default: `./sdk/src/adapters/${name}.js` }])),
    "./package.json": "./package.json",
  },
  // For TypeScript projects still on `moduleResolution: node`, which reads no `exports`.
  typesVersions: { "*": Object.fromEntries(ADAPTERS.map((name) => [name, [`sdk/src/adapters/${name}.d.ts`]])) },
  bin: { "warden-mcp": path.relative("sdk/dist", root.bin["warden-mcp"]!) },
  engines: { node: ">=20.19" },
  dependencies: Object.fromEntries(RUNTIME_DEPENDENCIES.map((name) => [name, root.dependencies[name]!])),
  peerDependencies: FRAMEWORK_PEERS,
  peerDependenciesMeta: Object.fromEntries(Object.keys(FRAMEWORK_PEERS).map((name) => [name, { optional: true }])),
};
writeFileSync(path.join(DIST, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
copyFileSync(path.join(ROOT, "LICENSE"), path.join(DIST, "LICENSE"));
chmodSync(path.join(ROOT, root.bin["warden-mcp"]!), 0o755);
console.log(
  `sdk: built sdk/dist (${manifest.name} ${manifest.version}: ${manifest.main}, adapters ${ADAPTERS.join(", ")}, warden-mcp at ${root.bin["warden-mcp"]})`,
);
