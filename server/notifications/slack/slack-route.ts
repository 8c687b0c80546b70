import type { SlackRoute } from "../../schemas/notification-channels";

const RISKS = ["low", "medium", "high", "critical"];

/** The channel of the first route whose given conditions all hold, else the default channel. */
export function pickSlackChannel(routes: readonly SlackRoute[], defaultChannel: string, action: { team: string; tool: string | null; risk: string }): string {
  const route = routes.find(
    (r) =>
      (r.team === undefined || r.team === action.team) &&
      (r.tool === undefined || r.tool === action.tool) &&
      (r.minRisk === undefined || RISKS.indexOf(action.risk) >= RISKS.indexOf(r.minRisk)),
  );
  return route?.channel ?? defaultChannel;
}
