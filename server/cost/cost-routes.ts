import { z } from "zod";
import { agentPrincipal } from "../auth/authenticate-bearer";
import { defineRoute, type ApiRoute } from "../http/api-route";
import { ZUuid } from "../schemas/common";
import {
  ZBudget,
  ZCreateBudgetRequest,
  ZModelName,
  ZModelPrice,
  ZPutModelPriceRequest,
  ZRecordUsageRequest,
  ZUpdateBudgetRequest,
  ZUsageEvent,
} from "../schemas/cost";
import { createBudget, deleteBudget, listBudgets, updateBudget } from "./budgets";
import { deleteModelPrice, listModelPrices, putModelPrice } from "./prices";
import { recordUsage } from "./record-usage";

export const recordUsageRoute = defineRoute({
  method: "POST",
  path: "/api/v1/usage",
  operationId: "recordUsage",
  summary: "Report a model call's tokens (and its cost, if known): priced from the price table otherwise, counted toward budgets",
  tag: "Agents",
  auth: { agent: true },
  body: ZRecordUsageRequest,
  response: ZUsageEvent,
  successStatus: 201,
  idempotent: true,
  handler: ({ db, principal, body }) => {
    const { actor } = agentPrincipal(principal);
    return recordUsage(db, { id: actor.id, name: actor.label, team: actor.team }, body);
  },
});

// Provisioning as code: what /settings/prices and /settings/budgets do, for an admin's token.

export const listPricesRoute = defineRoute({
  method: "GET",
  path: "/api/v1/prices",
  operationId: "listPrices",
  summary: "The price table: USD per million input and output tokens, per model",
  tag: "Provisioning",
  auth: { agent: true, user: "viewer" },
  response: z.object({ prices: z.array(ZModelPrice) }),
  handler: async ({ db }) => ({ prices: await listModelPrices(db) }),
});

export const putPriceRoute = defineRoute({
  method: "PUT",
  path: "/api/v1/prices",
  operationId: "putPrice",
  summary: "Set a model's prices (applies to usage from now on)",
  tag: "Provisioning",
  auth: { user: "admin" },
  body: ZPutModelPriceRequest,
  response: z.object({ price: ZModelPrice }),
  idempotent: true,
  handler: async ({ db, principal, body, origin }) => ({ price: await putModelPrice(db, principal.actor, body, origin) }),
});

export const deletePriceRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/prices",
  operationId: "deletePrice",
  summary: "Remove a model's price (?model=): its later usage is stored unpriced",
  tag: "Provisioning",
  auth: { user: "admin" },
  query: z.object({ model: ZModelName }),
  response: z.object({ model: z.string() }),
  handler: ({ db, principal, query, origin }) => deleteModelPrice(db, principal.actor, query.model, origin),
});

export const listBudgetsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/budgets",
  operationId: "listBudgets",
  summary: "Budgets with the spend of their current UTC day or month and their target's control state",
  tag: "Provisioning",
  auth: { user: "viewer" },
  response: z.object({ budgets: z.array(ZBudget) }),
  handler: async ({ db }) => ({ budgets: await listBudgets(db) }),
});

export const createBudgetRoute = defineRoute({
  method: "POST",
  path: "/api/v1/budgets",
  operationId: "createBudget",
  summary: "Add a budget for an agent (target: its id) or a team (target: its name), per day or month",
  tag: "Provisioning",
  auth: { user: "admin" },
  body: ZCreateBudgetRequest,
  response: z.object({ id: z.string() }),
  successStatus: 201,
  idempotent: true,
  handler: ({ db, principal, body, origin }) => createBudget(db, principal.actor, body, origin),
});

const ZBudgetParams = z.object({ id: ZUuid });

export const updateBudgetRoute = defineRoute({
  method: "PUT",
  path: "/api/v1/budgets/{id}",
  operationId: "updateBudget",
  summary: "Change a budget's limit",
  tag: "Provisioning",
  auth: { user: "admin" },
  params: ZBudgetParams,
  body: ZUpdateBudgetRequest,
  response: z.object({ id: z.string() }),
  idempotent: true,
  handler: ({ db, principal, params, body, origin }) => updateBudget(db, principal.actor, params.id, body, origin),
});

export const deleteBudgetRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/budgets/{id}",
  operationId: "deleteBudget",
  summary: "Remove a budget",
  tag: "Provisioning",
  auth: { user: "admin" },
  params: ZBudgetParams,
  response: z.object({ id: z.string() }),
  handler: ({ db, principal, params, origin }) => deleteBudget(db, principal.actor, params.id, origin),
});

/** For the OpenAPI registry. */
export const COST_ROUTES: ApiRoute[] = [
  recordUsageRoute,
  listPricesRoute,
  putPriceRoute,
  deletePriceRoute,
  listBudgetsRoute,
  createBudgetRoute,
  updateBudgetRoute,
  deleteBudgetRoute,
];
