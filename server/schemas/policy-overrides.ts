import { z } from "zod";
import type { PolicyRule } from "./policy-rules";

/*
 * Before rules, a policy had `toolOverrides` and `agentOverrides`: thresholds, approval expiry
 * and critical quorum per tool name and per agent name. Stored versions keep them; reading one
 * turns them into rules, so the versions still decide as they did wherever an override made the
 * policy stricter, and the editor shows them as rules to edit.
 *
 * What cannot carry over: rules only tighten, so an override that loosened the policy (thresholds
 * below the policy's, a quorum below criticalQuorum, an agent's looser thresholds winning over
 * its tool's stricter ones) now has no loosening effect. docs/policies.md says so.
 */

const ZLegacyProbability = z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1");

export const ZOverride = z.strictObject({
  thresholds: z
    .strictObject({ autoExecute: ZLegacyProbability, notify: ZLegacyProbability })
    .refine((t) => t.notify <= t.autoExecute, { message: "notify must not be above autoExecute", path: ["notify"] })
    .optional(),
  approvalExpiryMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .optional(),
  quorum: z.number().int().min(1).max(10).optional(),
});
export type Override = z.infer<typeof ZOverride>;

/** The overrides as rules: the agents' first (an agent's expiry won over its tool's), then the tools'. */
export function overridesAsRules(toolOverrides: Record<string, Override>, agentOverrides: Record<string, Override>): PolicyRule[] {
  const rules: PolicyRule[] = [];
  const add = (kind: "agent" | "tool", name: string, override: Override) => {
    // JSON string syntax is CEL string syntax for every character JSON.stringify writes.
    const subject = `${kind}.name == ${JSON.stringify(name)}`;
    const label = `${kind} ${name}`;
    const description = `Was the ${kind} override of ${name}.`;
    if (override.thresholds) {
      const { autoExecute, notify } = override.thresholds;
      if (autoExecute > 0) {
        rules.push({
          name: `${label}: runs alone only at confidence ${autoExecute} or above`,
          description,
          when: `${subject} && confidence < ${autoExecute}`,
          then: { decision: "execute_with_notification" },
        });
      }
      if (notify > 0) {
        rules.push({
          name: `${label}: a human decides below confidence ${notify}`,
          description,
          when: `${subject} && confidence < ${notify}`,
          then: { decision: "require_approval" },
        });
      }
    }
    if (override.approvalExpiryMinutes !== undefined) {
      rules.push({
        name: `${label}: approvals expire after ${override.approvalExpiryMinutes} min`,
        description,
        when: subject,
        then: { expiresInMinutes: override.approvalExpiryMinutes },
      });
    }
    if (override.quorum !== undefined) {
      rules.push({
        name: `${label}: critical actions need ${override.quorum} approver(s)`,
        description,
        when: `${subject} && tool.risk == "critical"`,
        then: { requiredApprovals: override.quorum },
      });
    }
  };
  for (const [name, override] of Object.entries(agentOverrides)) add("agent", name, override);
  for (const [name, override] of Object.entries(toolOverrides)) add("tool", name, override);
  return rules;
}
