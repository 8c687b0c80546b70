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

/** An agent serving `capabilities` (and granted a tool of its own), with an admin's token to queue work and stop it. */
export async function provisionWorker(request: APIRequestContext, capabilities: string[]) {
  const token = await adminToken();
  const auth = { Authorization: `Bearer ${token}` };
  const tool = uniqueName("sdk.work");
  expect((await request.put(`/api/v1/tools/${tool}`, { headers: auth, data: { scopes: [] } })).status()).toBe(200);
  const created = await request.post("/api/v1/agents", {
    headers: auth,
    data: { name: uniqueName("worker"), role: "specialist", team: "ops", tools: [tool], capabilities },
  });
  expect(created.status()).toBe(201);
  const body = (await created.json()) as { agent: { name: string }; key: { secret: string } };
  const queue = async (capability: string, title: string) => {
    const queued = await request.post("/api/v1/tasks", { headers: auth, data: { title, capability } });
    expect(queued.status()).toBe(201);
    return ((await queued.json()) as { task: { id: string } }).task.id;
  };
  const task = async (id: string) =>
    (await (await request.get(`/api/v1/tasks/${id}`, { headers: auth })).json()) as { status: string; output: unknown; checkpoint: unknown };
  const control = async (level: "pause" | "suspend" | "resume") =>
    expect(
      (await request.post(`/api/v1/control/${level}`, { headers: auth, data: { scope: `agent:${body.agent.name}`, reason: `e2e ${level}` } })).status(),
    ).toBe(200);
  return { token, tool, name: body.agent.name, key: body.key.secret, queue, task, control };
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
