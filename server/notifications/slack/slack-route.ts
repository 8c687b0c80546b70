import { z } from "zod";

const RISKS = ["low", "medium", "high", "critical"] as const;
export type Risk = (typeof RISKS)[number];

/**
 * A routing rule: the first rule whose every given condition holds picks the channel. `minRisk`
 * matches that risk and above (a "high" rule takes critical actions too).
 */
export const ZSlackRoute = z.object({
  team: z.string().trim().min(1).max(200).optional(),
  tool: z.string().trim().min(1).max(200).optional(),
  minRisk: z.enum(RISKS).optional(),
  channel: z.string().trim().min(1).max(200),
});
export type SlackRoute = z.infer<typeof ZSlackRoute>;

export function pickSlackChannel(routes: readonly SlackRoute[], defaultChannel: string, action: { team: string; tool: string | null; risk: Risk }): string {
  const route = routes.find(
    (r) =>
      (r.team === undefined || r.team === action.team) &&
      (r.tool === undefined || r.tool === action.tool) &&
      (r.minRisk === undefined || RISKS.indexOf(action.risk) >= RISKS.indexOf(r.minRisk)),
  );
  return route?.channel ?? defaultChannel;
}
