import { TOOL_RISKS } from "../../schemas/enums";
import type { ToolRisk } from "../../db/generated/enums";
import type { SlackRoute } from "../../schemas/notification-channels";

/** The channel of the first route whose given conditions all hold, else the default channel. */
export function pickSlackChannel(routes: readonly SlackRoute[], defaultChannel: string, action: { team: string; tool: string | null; risk: string }): string {
  const route = routes.find(
    (r) =>
      (r.team === undefined || r.team === action.team) &&
      (r.tool === undefined || r.tool === action.tool) &&
      (r.minRisk === undefined || TOOL_RISKS.indexOf(action.risk as ToolRisk) >= TOOL_RISKS.indexOf(r.minRisk)),
  );
  return route?.channel ?? defaultChannel;
}
