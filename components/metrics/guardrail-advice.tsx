"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import type { Advice } from "@/server/metrics/overview";

/**
 * Which way the data points, and for an admin the replay of the threshold calibration suggests:
 * the same replay the policy editor runs before a save, over the last 7 days.
 */
export function GuardrailAdvice({ advice, suggestedThreshold, canReplay }: { advice: Advice; suggestedThreshold: number | null; canReplay: boolean }) {
  const trpc = useTRPC();
  // The replay of the calibrated auto-execute threshold is offered only where the advice itself
  // suggests it (too tight: people rubber-stamp). Beside "balanced" it would urge changing what works.
  const offerReplay = canReplay && suggestedThreshold !== null && advice.leaning === "too_tight";
  const policy = useQuery({ ...trpc.policies.current.queryOptions(), enabled: offerReplay });
  const replay = useMutation(trpc.policies.replay.mutationOptions());
  const current = policy.data?.document.thresholds.autoExecute;
  return (
    <Card
      title={
        <span className="flex items-center gap-2">
          Guardrail balance
          {advice.leaning === "too_loose" ? (
            <Badge tone="red">too loose</Badge>
          ) : advice.leaning === "too_tight" ? (
            <Badge tone="amber">too tight</Badge>
          ) : (
            <Badge tone="green">balanced</Badge>
          )}
        </span>
      }
    >
      <ul className="space-y-1 text-sm text-slate-700" data-testid="guardrail-advice">
        {advice.lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      {offerReplay && suggestedThreshold !== null && policy.data ? (
        <div className="mt-3 flex flex-wrap items-center gap-3 text-sm">
          <Button
            size="sm"
            variant="secondary"
            disabled={replay.isPending}
            onClick={() =>
              replay.mutate({
                document: {
                  ...policy.data.document,
                  thresholds: {
                    ...policy.data.document.thresholds,
                    autoExecute: suggestedThreshold,
                    notify: Math.min(policy.data.document.thresholds.notify, suggestedThreshold),
                  },
                },
                days: 7,
              })
            }
          >
            Replay auto-execute at {suggestedThreshold.toFixed(2)} (now {current?.toFixed(2)})
          </Button>
          {replay.data ? (
            <span data-testid="advice-replay">
              Over {replay.data.actions} actions: approvals {replay.data.before.require_approval} → {replay.data.after.require_approval},{" "}
              {replay.data.changedCount} decisions change, {replay.data.caughtFailures.length} past failures would go to a person.{" "}
              <Link href="/policies" className="text-brand-700 hover:underline">
                Edit the policy
              </Link>
            </span>
          ) : null}
          <ErrorText error={replay.error} />
        </div>
      ) : null}
    </Card>
  );
}
