import type { DbOrTx } from "../db/client";
import { ZScoreTarget, type ScoreTarget, type ScoreView } from "../schemas/quality";
import { resolveScoreTarget } from "./score-target";
import { toScoreView } from "./score-view";

// An item gathers a handful of ratings; an evaluator re-run in a loop must not blow up the page.
const LIST_LIMIT = 200;

export type ItemScores = {
  scores: ScoreView[];
  /** every score on the item (not only those listed), averaged per name and source */
  summary: { name: string; source: "human" | "evaluator"; average: number; count: number }[];
  /** the asking person's own rating, to show which thumb is pressed */
  mine: { thumbs: "up" | "down"; comment: string | null } | null;
};

/** The scores on one task or action, newest first, with averages and the viewer's own rating. */
export async function listItemScores(db: DbOrTx, request: ScoreTarget, viewerId: string): Promise<ItemScores> {
  const input = ZScoreTarget.parse(request);
  const target = await resolveScoreTarget(db, input);
  const where = target.taskId ? { taskId: target.taskId } : { actionId: target.actionId! };
  const [scores, groups] = await Promise.all([
    db.score.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: LIST_LIMIT }),
    db.score.groupBy({ by: ["name", "source"], where, _avg: { value: true }, _count: { _all: true }, orderBy: [{ source: "asc" }, { name: "asc" }] }),
  ]);
  const own =
    scores.find((s) => s.source === "human" && s.authorId === viewerId) ??
    (await db.score.findFirst({ where: { ...where, source: "human", authorId: viewerId } }));
  return {
    scores: scores.map(toScoreView),
    summary: groups.map((g) => ({ name: g.name, source: g.source, average: g._avg.value ?? 0, count: g._count._all })),
    mine: own ? { thumbs: own.value >= 0.5 ? "up" : "down", comment: own.comment } : null,
  };
}
