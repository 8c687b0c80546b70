import { writeAtomically } from "../db/single-statement";
import { defineRoute, Reply } from "../http/api-route";
import { ZRecallQuery, ZRecallResponse, ZRecordMemoryRequest, ZRecordMemoryResponse } from "../schemas/memory";
import { recallBookkeepingSql, recallMemories } from "./recall";
import { recordMemory } from "./record-memory";

export const recordMemoryRoute = defineRoute({
  method: "POST",
  path: "/api/v1/memory",
  operationId: "recordMemory",
  answers: { 200: "The same lesson was already known: that entry, strengthened" },
  summary: "Record a decision, negative knowledge or a pattern (201), or strengthen the same lesson (200)",
  tag: "Memory",
  auth: { agent: true, user: "approver" },
  body: ZRecordMemoryRequest,
  response: ZRecordMemoryResponse,
  successStatus: 201,
  idempotent: true,
  handler: async ({ db, principal, body, origin }) => {
    const recorded = await recordMemory(db, principal.actor, body, origin);
    return new Reply(recorded.created ? 201 : 200, recorded);
  },
});

export const recallRoute = defineRoute({
  method: "GET",
  path: "/api/v1/memory/recall",
  operationId: "recall",
  summary: "Recall memories like q (full text and subject similarity), best first, with their score and provenance",
  tag: "Memory",
  auth: { agent: true, user: "viewer" },
  query: ZRecallQuery,
  response: ZRecallResponse,
  handler: async ({ db, principal, query }) => {
    const agentId = principal.kind === "agent" ? principal.actor.id : null;
    const results = await recallMemories(db, { ...query, agentId, wordsWhenNothingElse: true });
    if (agentId && results.length > 0) await writeAtomically(db, recallBookkeepingSql(results, agentId, null));
    return { results };
  },
});
