import { putTool } from "../../server/tools/tool-registry";
import type { PutToolRequest } from "../../server/schemas/tools";
import { proposeActionRoute } from "../../server/actions/action-routes";
import type { ProposeActionRequest } from "../../server/schemas/actions";
import { call, db, makeAgent, makeUser, unique } from "./fixtures";

/** A registered tool with a unique name. */
export async function makeTool(overrides: PutToolRequest & { prefix?: string } = { scopes: [] }) {
  const admin = await makeUser("admin");
  const name = unique(overrides.prefix ?? "tool").toLowerCase();
  const { prefix: _prefix, ...request } = overrides;
  return putTool(db, admin, name, request);
}

/** An agent granted the given tools and scopes, with its key. */
export async function makeGrantedAgent(tools: string[], scopes: string[] = [], extra: { role?: "lead" | "specialist" } = {}) {
  const { agent, key } = await makeAgent({ tools, scopes, role: extra.role ?? "specialist" });
  return { agent, key: key.secret };
}

/**
 * Proposes an action. Without an `action` text each call gets words of its own: the suites share
 * one database, and a lesson learned from another test's failure of the same words would be
 * recalled as a matching failure and change this test's decision.
 */
export async function propose(key: string, body: Partial<ProposeActionRequest> & { tool: string }, headers: Record<string, string> = {}) {
  return call(proposeActionRoute, { token: key, body: { action: `run ${unique("job").replace(/[^a-z0-9]/gi, "")}`, confidence: 0.9, ...body }, headers });
}
