"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText, fieldErrorOf } from "@/components/ui/error-text";
import { Field, Textarea } from "@/components/ui/field";
import { formatDateTime } from "@/components/ui/format";
import { HUMAN_SCORE_NAME, MAX_SCORE_COMMENT, type ScoreView } from "@/server/schemas/quality";
import { ThumbIcon } from "./thumb-icon";

type Target = { taskId: string } | { actionId: string };

/**
 * Quality on a task or an action page: the viewer's thumbs up or down with an optional comment
 * (rating again replaces their earlier rating), and every score on the item, people's and
 * evaluators'.
 */
export function ItemScores({ target }: { target: Target }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const scores = useQuery(trpc.quality.forItem.queryOptions(target));
  const [comment, setComment] = useState<string | null>(null);
  const rate = useMutation(
    trpc.quality.rate.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.quality.forItem.queryKey(target) }),
    }),
  );
  const mine = scores.data?.mine ?? null;
  // The comment box starts from the person's own earlier comment, until they type.
  const text = comment ?? mine?.comment ?? "";
  const thumb = (thumbs: "up" | "down") => (
    <Button
      variant={mine?.thumbs === thumbs ? "primary" : "secondary"}
      aria-pressed={mine?.thumbs === thumbs}
      disabled={rate.isPending || !scores.data}
      onClick={() => rate.mutate({ ...target, thumbs, comment: text.trim() || undefined })}
    >
      <ThumbIcon direction={thumbs} />
      Thumbs {thumbs}
    </Button>
  );
  return (
    <Card title="Quality">
      <div className="space-y-3" data-testid="rate-item">
        <Field label="Comment (optional)" error={fieldErrorOf(rate.error, "comment")} hint="Rating again replaces your earlier rating.">
          <Textarea
            rows={2}
            maxLength={MAX_SCORE_COMMENT}
            value={text}
            onChange={(e) => setComment(e.target.value)}
            placeholder="What was good or wrong about it"
          />
        </Field>
        <div className="flex flex-wrap items-center gap-2">
          {thumb("up")}
          {thumb("down")}
          {mine ? <span className="text-xs text-slate-500">You rated it thumbs {mine.thumbs}.</span> : null}
        </div>
        <ErrorText error={rate.error ?? scores.error} />
      </div>
      {scores.data ? <ScoreSummary summary={scores.data.summary} /> : null}
      {scores.data ? <ScoreList scores={scores.data.scores} /> : null}
    </Card>
  );
}

function ScoreSummary({ summary }: { summary: { name: string; source: "human" | "evaluator"; average: number; count: number }[] }) {
  if (summary.length === 0) return null;
  return (
    <p className="mt-4 flex flex-wrap gap-2 text-xs text-slate-600" data-testid="score-summary">
      {summary.map((s) => (
        <Badge key={`${s.source}:${s.name}`} tone="gray">
          {s.source === "human" ? `people: ${Math.round(s.average * s.count)} of ${s.count} thumbs up` : `${s.name}: ${s.average.toFixed(2)} avg of ${s.count}`}
        </Badge>
      ))}
    </p>
  );
}

function ScoreList({ scores }: { scores: ScoreView[] }) {
  if (scores.length === 0) return <p className="mt-4 text-sm text-slate-500">No scores yet.</p>;
  return (
    <ul className="mt-4 divide-y divide-slate-100 border-t border-slate-100" data-testid="score-list">
      {scores.map((s) => (
        <li key={s.id} className="py-2 text-sm" data-testid="score-row">
          <div className="flex flex-wrap items-center gap-2">
            <ScoreValue score={s} />
            <span className="font-medium text-slate-800">{s.author}</span>
            <Badge tone={s.source === "human" ? "blue" : "gray"}>{s.source === "human" ? "person" : "evaluator"}</Badge>
            <span className="ml-auto text-xs text-slate-500">{formatDateTime(s.createdAt)}</span>
          </div>
          {s.comment ? <p className="mt-1 whitespace-pre-wrap break-words text-slate-700">{s.comment}</p> : null}
        </li>
      ))}
    </ul>
  );
}

function ScoreValue({ score }: { score: ScoreView }) {
  if (score.source === "human" && score.name === HUMAN_SCORE_NAME) {
    const up = score.value >= 0.5;
    return (
      <span className={`inline-flex items-center gap-1 font-medium ${up ? "text-emerald-700" : "text-red-700"}`}>
        <ThumbIcon direction={up ? "up" : "down"} />
        {up ? "Thumbs up" : "Thumbs down"}
      </span>
    );
  }
  return (
    <span className="font-mono text-slate-800">
      {score.name} {score.value.toFixed(2)}
    </span>
  );
}
