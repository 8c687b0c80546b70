import type { RecallMatch } from "@/server/schemas/memory";

const MATCH_LABEL: Record<RecallMatch["match"], string> = {
  same_subject: "same operation and resource",
  same_resource: "same resource",
  same_operation: "same operation (a general lesson)",
  words: "shares words only",
};

/**
 * Why recall handed an entry over, in the words of the matching rule: how the subject matched,
 * on which operation and resource words, which query words it holds, and the typos read as
 * known words. The same explanation an agent gets with a decision's `recalled` list.
 */
export function MatchExplanation({ why }: { why: RecallMatch }) {
  return (
    <p className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-500" data-testid="memory-why">
      <span className={why.match === "same_subject" ? "font-medium text-slate-700" : undefined}>{MATCH_LABEL[why.match]}</span>
      {why.operation ? (
        <span>
          operation <span className="font-mono text-slate-700">{why.operation}</span>
        </span>
      ) : null}
      {why.resource.length > 0 ? (
        <span>
          resource <span className="font-mono text-slate-700">{why.resource.join(" ")}</span>
        </span>
      ) : null}
      {why.words.length > 0 ? (
        <span>
          words <span className="font-mono text-slate-700">{why.words.join(", ")}</span>
        </span>
      ) : null}
      {why.typos.map((t) => (
        <span key={t.asked} data-testid="memory-typo">
          read <span className="font-mono line-through decoration-slate-400">{t.asked}</span> as <span className="font-mono text-slate-700">{t.read}</span>
        </span>
      ))}
    </p>
  );
}
