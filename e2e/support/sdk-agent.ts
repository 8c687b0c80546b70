import { expect, type APIRequestContext } from "@playwright/test";
import { adminToken, provisionAgent } from "./api";
import { E2E_PORT } from "./constants";
import { uniqueName } from "./helpers";

export const BASE = `http://127.0.0.1:${E2E_PORT}`;

/** An agent of its own with a tool of its own (low risk, no scope), and an admin's token to approve and stop it. */
export async function provisionSdkAgent(request: APIRequestContext) {
  const token = await adminToken();
  const tool = uniqueName("sdk.tool");
  const agent = await provisionAgent(request, token, { name: tool });
  return { token, tool, ...agent };
}

/** An approver's hand: waits for the agent's action in the inbox, then approves it (with `args`, an edit). */
export async function approveWhenPending(request: APIRequestContext, token: string, agentName: string, body: { args?: Record<string, unknown> } = {}) {
  const auth = { Authorization: `Bearer ${token}` };
  let actionId: string | undefined;
  await expect
    .poll(
      async () => {
        const inbox = await request.get(`/api/v1/approvals?status=pending&agent=${encodeURIComponent(agentName)}`, { headers: auth });
        actionId = ((await inbox.json()) as { items: { id: string }[] }).items[0]?.id;
        return actionId;
      },
      { timeout: 10_000 },
    )
    .toBeTruthy();
  const approved = await request.post(`/api/v1/actions/${actionId}/approve`, { headers: auth, data: body });
  expect(approved.status()).toBe(200);
  return actionId!;
}

/** The action as Warden has it, read with the agent's key. */
export async function actionStatus(request: APIRequestContext, key: string, actionId: string): Promise<string> {
  const response = await request.get(`/api/v1/actions/${actionId}`, { headers: { Authorization: `Bearer ${key}` } });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { status: string }).status;
}
