/** The demo fleet: one lead and eight specialists, the tools they hold, and what they try to do. */

export const TOOLS = [
  { name: "docker.restart", scopes: ["staging/*"], rateLimit: "10/minute", reversible: true, risk: "medium" },
  { name: "docker.rm", scopes: ["staging/*"], requiresConfirmation: true, risk: "high" },
  { name: "git.push", scopes: ["repo:*"], risk: "medium" },
  { name: "deploy.service", scopes: ["staging/*", "production/*"], reversible: true, risk: "critical" },
  { name: "scan.vulnerabilities", scopes: [], risk: "low" },
  { name: "content.publish", scopes: [], risk: "medium" },
  { name: "email.send", scopes: [], risk: "high" },
] as const;

export const TEAMS = {
  ops: { capabilities: ["restart", "deploy"], tools: ["docker.restart", "docker.rm", "deploy.service"], scopes: ["staging/*", "production/*"] },
  dev: { capabilities: ["code", "review"], tools: ["git.push", "deploy.service"], scopes: ["repo:*", "staging/*"] },
  security: { capabilities: ["scan", "audit"], tools: ["scan.vulnerabilities"], scopes: [] },
  content: { capabilities: ["write", "publish"], tools: ["content.publish", "email.send"], scopes: [] },
} as const;
export type Team = keyof typeof TEAMS;

export type Scenario = {
  action: string;
  tool: string;
  resource?: string;
  confidence: number;
  args: Record<string, unknown>;
  undo?: { tool: string; args: Record<string, unknown> };
  /** Chance that running it fails, and the reason the agent reports. */
  failure?: { chance: number; reason: string };
};

/** Across the whole decision range, the seed's cases among them. */
export const SCENARIOS: Record<Team, Scenario[]> = {
  ops: [
    {
      action: "docker restart traefik",
      tool: "docker.restart",
      resource: "staging/traefik",
      confidence: 0.82,
      args: { container: "traefik" },
      undo: { tool: "docker.restart", args: { container: "traefik", revertConfig: true } },
      failure: {
        chance: 0.3,
        reason:
          "docker restart traefik failed because config had invalid YAML. Root cause: missing closing bracket in middleware chain. Fix: always validate config before restart.",
      },
    },
    { action: "docker rm cache", tool: "docker.rm", resource: "staging/cache", confidence: 0.99, args: { container: "cache" } },
    {
      action: "docker restart worker",
      tool: "docker.restart",
      resource: "staging/worker",
      confidence: 0.97,
      args: { container: "worker" },
      undo: { tool: "docker.restart", args: { container: "worker" } },
    },
    {
      action: "deploy api to production",
      tool: "deploy.service",
      resource: "production/api",
      confidence: 0.91,
      args: { service: "api", version: "1.4.2" },
      undo: { tool: "deploy.service", args: { service: "api", version: "1.4.1" } },
    },
  ],
  dev: [
    { action: "git push origin feature/retry-backoff", tool: "git.push", resource: "repo:warden", confidence: 0.96, args: { branch: "feature/retry-backoff" } },
    { action: "git push --force origin main", tool: "git.push", resource: "repo:warden", confidence: 0.93, args: { branch: "main", force: true } },
    {
      action: "deploy web to staging",
      tool: "deploy.service",
      resource: "staging/web",
      confidence: 0.62,
      args: { service: "web" },
      failure: { chance: 0.2, reason: "migration 42 timed out on the staging database" },
    },
  ],
  security: [
    { action: "scan staging images for CVEs", tool: "scan.vulnerabilities", confidence: 0.98, args: { target: "staging" } },
    { action: "scan dependencies of warden", tool: "scan.vulnerabilities", confidence: 0.75, args: { target: "repo:warden" } },
  ],
  content: [
    { action: "post_to_linkedin the weekly update", tool: "content.publish", confidence: 0.9, args: { channel: "linkedin", draft: "weekly-update" } },
    { action: "send_email release notes to customers", tool: "email.send", confidence: 0.55, args: { list: "customers", template: "release-notes" } },
    { action: "publish the changelog page", tool: "content.publish", confidence: 0.96, args: { page: "changelog" } },
  ],
};

export const AGENTS: { name: string; team: Team }[] = [
  { name: "ops-1", team: "ops" },
  { name: "ops-2", team: "ops" },
  { name: "dev-1", team: "dev" },
  { name: "dev-2", team: "dev" },
  { name: "security-1", team: "security" },
  { name: "security-2", team: "security" },
  { name: "content-1", team: "content" },
  { name: "content-2", team: "content" },
];
