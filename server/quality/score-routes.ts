import { defineRoute } from "../http/api-route";
import { ZRecordScoreRequest, ZScoreView } from "../schemas/quality";
import { recordEvaluatorScore } from "./record-score";

export const recordScoreRoute = defineRoute({
  method: "POST",
  path: "/api/v1/scores",
  operationId: "recordScore",
  summary:
    "Score a task or an action as an evaluator (exactly one of taskId, actionId): value from 0 (worst) to 1 (best), normalised by the evaluator so averages compare; stored for the agent whose work it is",
  tag: "Quality",
  auth: { agent: true, user: "viewer" },
  body: ZRecordScoreRequest,
  response: ZScoreView,
  successStatus: 201,
  idempotent: true,
  handler: ({ db, principal, body, origin }) => recordEvaluatorScore(db, principal.actor, body, origin),
});
