import { Warden } from "../../sdk/src";
import { findActionsRoute } from "../../server/actions/action-routes";
import { approveRoute, rejectRoute } from "../../server/approvals/approval-routes";
import { expireOverdueApprovals } from "../../server/approvals/decide-approval";
import { apiControlRoutes, killTokenRoute } from "../../server/control/control-routes";
import { inProcessFetch } from "../../server/http/web-adapter";
import { apiDispatcher } from "../../server/http/api-routes";
import { call, db, makeUserWithToken } from "./fixtures";
import { makeGrantedAgent, makeTool } from "./guardrail-fixtures";

/**
 * For the framework adapters' tests: an agent granted one registered tool, its Warden client
 * served in this process, and the people who decide (an approver, an operator), each acting
 * through Warden's real routes and services.
 */
export async function adapterWorld() {
  const tool = await makeTool({ scopes: [] });
  const { agent, key } = await makeGrantedAgent([tool.name]);
  const warden = new Warden({ url: "http://warden.internal", key, fetch: inProcessFetch(apiDispatcher()), retries: 0, approvalWaitSeconds: 20 });
  const approver = await makeUserWithToken("approver");
  const operator = await makeUserWithToken("operator");

  /** The action proposed with this tool-call id, once it exists. */
  const actionOf = async (externalId: string) => {
    for (let i = 0; i < 200; i++) {
      const found = await call(findActionsRoute, { token: key, query: { externalId } });
      if (found.json.items[0])
        return found.json.items[0] as {
          id: string;
          status: string;
          args: Record<string, unknown>;
          output: Record<string, unknown> | null;
          error: string | null;
          failureReason: string | null;
        };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no action with externalId ${externalId}`);
  };
  /** The first action of this agent waiting for a human, once there is one. */
  const pendingAction = async () => {
    for (let i = 0; i < 200; i++) {
      const row = await db.action.findFirst({ where: { agentId: agent.id, status: "pending_approval" }, orderBy: { createdAt: "desc" } });
      if (row) return row;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error("no pending action");
  };
  return {
    tool: tool.name,
    agent,
    key,
    warden,
    actionOf,
    pendingAction,
    approve: (id: string, args?: Record<string, unknown>) => call(approveRoute, { token: approver.token, params: { id }, body: args ? { args } : {} }),
    reject: (id: string, reason: string) => call(rejectRoute, { token: approver.token, params: { id }, body: { reason } }),
    suspend: () => call(apiControlRoutes.suspend, { token: operator.token, body: { scope: `agent:${agent.name}`, reason: "drill" } }),
    /** No human decided in time: the approval is made overdue and the real sweep expires it. */
    expire: async (id: string) => {
      await db.action.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      await expireOverdueApprovals(db);
    },
    /** An operator kills this agent as the console does: a kill token for the plan, then the kill. */
    kill: async ({ rollbackLast = 0 }: { rollbackLast?: number } = {}) => {
      const issued = await call(killTokenRoute, { token: operator.token, body: { scope: `agent:${agent.name}`, rollbackLast } });
      if (issued.status !== 201) throw new Error(`kill-token answered ${issued.status}: ${JSON.stringify(issued.json)}`);
      const plan = issued.json as { token: string; rollbackPlan: { actionId: string; undo: { tool: string; args: Record<string, unknown> } | null }[] };
      const killed = await call(apiControlRoutes.kill, { token: operator.token, body: { confirm: plan.token, reason: "drill" } });
      if (killed.status !== 200) throw new Error(`kill answered ${killed.status}: ${JSON.stringify(killed.json)}`);
      return { rollbackPlan: plan.rollbackPlan };
    },
    resume: () => call(apiControlRoutes.resume, { token: operator.token, body: { scope: `agent:${agent.name}`, reason: "drill over" } }),
  };
}
