import type { Score } from "../db/generated/client";
import type { ScoreView } from "../schemas/quality";

export function toScoreView(score: Score): ScoreView {
  return {
    id: score.id,
    taskId: score.taskId,
    actionId: score.actionId,
    agentId: score.agentId,
    name: score.name,
    value: score.value,
    comment: score.comment,
    source: score.source,
    author: score.authorLabel,
    createdAt: score.createdAt.toISOString(),
  };
}
