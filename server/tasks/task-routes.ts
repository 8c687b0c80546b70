import { z } from "zod";
import { getEffectiveControl } from "../control/effective-state";
import { agentPrincipal } from "../auth/authenticate-bearer";
import { AppError, notFound } from "../errors";
import { defineRoute, Reply } from "../http/api-route";
import { ZUuid } from "../schemas/common";
import { ZClaimRequest, ZCreateTaskRequest, ZTaskCompleteRequest, ZTaskFailRequest, ZTaskHeartbeatRequest, ZTaskLease, ZTaskView } from "../schemas/tasks";
import { claimTask } from "./claim-task";
import { createTask } from "./create-task";
import { completeTask, failTask, heartbeatTask } from "./task-lifecycle";
import { toTaskView } from "./task-view";

const ZIdParams = z.object({ id: ZUuid });

export const createTaskRoute = defineRoute({
  method: "POST",
  path: "/api/v1/tasks",
  operationId: "createTask",
  answers: { 200: "An unfinished task with the same dedupeKey exists: that task" },
  summary: "Queue a task (201), or get the unfinished task with the same dedupeKey (200)",
  tag: "Tasks",
  auth: { agent: true, user: "operator" },
  body: ZCreateTaskRequest,
  response: z.object({ task: ZTaskView, created: z.boolean() }),
  successStatus: 201,
  idempotent: true,
  handler: async ({ db, principal, body, origin }) => {
    // Read fresh, not from the principal (which may be a second old).
    const control = principal.kind === "agent" ? await getEffectiveControl(db, principal.actor.id) : null;
    if (control && control.state !== "running" && control.state !== "paused") {
      throw new AppError("FORBIDDEN", `This agent is ${control.state}: it cannot queue work until it is resumed`);
    }
    const result = await createTask(db, principal.actor, body, origin);
    return new Reply(result.created ? 201 : 200, result);
  },
});

export const claimTaskRoute = defineRoute({
  method: "POST",
  path: "/api/v1/tasks/claim",
  operationId: "claimTask",
  answers: { 204: "No task for this agent now (or the agent is paused, suspended or killed)", 429: "Over the claim limit; see Retry-After" },
  summary: "Claim the next task for this agent's capabilities (200), or nothing (204); waitSeconds long-polls",
  tag: "Tasks",
  auth: { agent: true },
  body: ZClaimRequest,
  response: ZTaskLease,
  handler: async ({ db, principal, body, signal }) => {
    const claimed = await claimTask(db, agentPrincipal(principal), body.waitSeconds, signal, body.capabilities);
    return claimed ?? new Reply(204, undefined);
  },
});

export const getTaskRoute = defineRoute({
  method: "GET",
  path: "/api/v1/tasks/{id}",
  operationId: "getTask",
  summary: "A task with its status, checkpoint and output, and its subtasks' results (the roll-up a lead reads)",
  tag: "Tasks",
  auth: { agent: true, user: "viewer" },
  params: ZIdParams,
  response: ZTaskView.extend({ subtasks: z.array(ZTaskView.pick({ id: true, title: true, capability: true, status: true, output: true, error: true })) }),
  handler: async ({ db, principal, params }) => {
    const task = await db.task.findUnique({
      where: { id: params.id },
      include: { children: { orderBy: { createdAt: "asc" } }, parent: { select: { createdById: true } } },
    });
    // An agent sees the tasks it holds, created, or delegated below one it created; people see all.
    const agentId = principal.kind === "agent" ? principal.actor.id : null;
    const visible = task && (!agentId || task.leasedBy === agentId || task.createdById === agentId || task.parent?.createdById === agentId);
    if (!task || !visible) throw notFound("task", params.id);
    const subtasks = task.children
      .map(toTaskView)
      .map(({ id, title, capability, status, output, error }) => ({ id, title, capability, status, output, error }));
    return { ...toTaskView(task), subtasks };
  },
});

export const taskHeartbeatRoute = defineRoute({
  method: "POST",
  path: "/api/v1/tasks/{id}/heartbeat",
  operationId: "taskHeartbeat",
  answers: { 409: "This agent no longer holds the task's lease" },
  summary: "Renew the lease, optionally with a checkpoint to resume from",
  tag: "Tasks",
  auth: { agent: true },
  params: ZIdParams,
  body: ZTaskHeartbeatRequest,
  response: ZTaskLease,
  handler: ({ db, principal, params, body }) => heartbeatTask(db, agentPrincipal(principal).actor, params.id, body),
});

export const completeTaskRoute = defineRoute({
  method: "POST",
  path: "/api/v1/tasks/{id}/complete",
  operationId: "completeTask",
  answers: { 409: "This agent no longer holds the task's lease (details: the task's status)" },
  summary: "Finish a task with its output and cost",
  tag: "Tasks",
  auth: { agent: true },
  params: ZIdParams,
  body: ZTaskCompleteRequest,
  response: ZTaskView,
  idempotent: true,
  handler: ({ db, principal, params, body, origin }) => completeTask(db, agentPrincipal(principal).actor, params.id, body, origin),
});

export const failTaskRoute = defineRoute({
  method: "POST",
  path: "/api/v1/tasks/{id}/fail",
  operationId: "failTask",
  answers: { 409: "This agent no longer holds the task's lease (details: the task's status)" },
  summary: "Report a failure: requeued while attempts remain (retry, the default), else failed or dead",
  tag: "Tasks",
  auth: { agent: true },
  params: ZIdParams,
  body: ZTaskFailRequest,
  response: ZTaskView,
  idempotent: true,
  handler: ({ db, principal, params, body, origin }) => failTask(db, agentPrincipal(principal).actor, params.id, body, origin),
});
